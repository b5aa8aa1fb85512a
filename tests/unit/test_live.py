"""The schemathesis check of the suite: refusals the docs do not describe are no false alarm."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from contracts.live import ContractWarning, schemathesis_check
from contracts.violations import Strictness

URL = "http://127.0.0.1:1/pcm/jobs/1ea62172-57f6-45e5-a708-ab5bd634e3f9"
GATEWAY_PAGE = b"<html><body><h1>403 Forbidden</h1></body></html>"


@dataclass
class Request:
    method: str = "GET"
    url: str = URL
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Response:
    status_code: int
    content: bytes
    content_type: str = "application/json"
    request: Request = field(default_factory=Request)

    @property
    def headers(self) -> dict[str, list[str]]:
        return {"Content-Type": [self.content_type]}

    def json(self) -> Any:
        return json.loads(self.content)


def check(response: Response) -> None:
    schemathesis_check(Strictness())(None, response, None)


@pytest.mark.parametrize("status", [401, 403])
def test_a_gateway_page_refusing_a_request_without_a_token_is_a_warning(status: int) -> None:
    with pytest.warns(ContractWarning) as found:
        check(Response(status, GATEWAY_PAGE, "text/html"))
    assert sorted(str(w.message).rsplit(" ", 1)[-1] for w in found) == ["[body_is_json]", "[content_type_is_json]"]


def test_a_403_refusal_with_a_malformed_json_body_is_a_warning() -> None:
    with pytest.warns(ContractWarning, match=r"\[schema\.required\]"):
        check(Response(403, b'{"message": "forbidden"}'))


def test_a_refusal_of_a_request_with_the_suites_token_still_fails() -> None:
    refused = Response(401, b'{"errors": [{"status": "401", "title": "Unauthorized"}]}')
    refused.request.headers["Authorization"] = "Bearer t"
    with pytest.raises(AssertionError, match=r"status_is_documented"):
        check(refused)


def test_a_gateway_page_instead_of_a_job_still_fails() -> None:
    with pytest.raises(AssertionError, match=r"\[content_type_is_json\]"):
        check(Response(200, GATEWAY_PAGE, "text/html"))
