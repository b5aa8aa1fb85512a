"""Live checks of Get a Job (`pcm-contracts check [--base-url URL]` runs them)."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest

from contracts.client import ApiClient
from contracts.live import judge
from contracts.responses import REFUSALS
from contracts.violations import Strictness

pytestmark = pytest.mark.live

CLIENT_ERRORS = (400, 404, 422)


def job_path(job_id: str) -> str:
    return "/pcm/jobs/" + quote(job_id, safe="")


def test_known_job_answers_200_with_itself(api: ApiClient, job_id: str, strictness: Strictness) -> None:
    judge(api.get(job_path(job_id)), statuses={200}, strictness=strictness)


def test_unknown_job_answers_404_error_body(api: ApiClient, strictness: Strictness) -> None:
    judge(api.get(job_path(str(uuid.uuid4()))), statuses={404}, strictness=strictness)


@pytest.mark.parametrize(
    "malformed_id",
    ["not-a-uuid", " ", "x" * 300, "ünïcode", "1ea62172-57f6-45e5-a708-ab5bd634e3f9-extra", "'; DROP TABLE jobs;--"],
    ids=["not-a-uuid", "blank", "very-long", "unicode", "uuid-with-suffix", "injection"],
)
def test_malformed_job_id_answers_a_documented_client_error(
    api: ApiClient, malformed_id: str, strictness: Strictness
) -> None:
    judge(api.get(job_path(malformed_id)), statuses=set(CLIENT_ERRORS), strictness=strictness)


@pytest.mark.parametrize("token", [None, "not-a-valid-token"], ids=["no-token", "wrong-token"])
def test_request_without_a_valid_token_is_refused(api: ApiClient, token: str | None, strictness: Strictness) -> None:
    """401 and 403 are not on the documented page: their bodies are checked as error bodies, as warnings."""
    headers = {"Authorization": f"Bearer {token}"} if token else None
    answer = api.get(job_path(str(uuid.uuid4())), auth=False, headers=headers)
    judge(answer, statuses=set(REFUSALS), strictness=strictness, advisory_body=True)
