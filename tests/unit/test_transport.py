"""schemathesis' requests go through the suite's client (contracts.transport):
proven against real socket servers (tests/hostile.py)."""

from __future__ import annotations

import socket
import threading

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import ignored_auth

from contracts.client import ApiClient, BodyTooLarge, ClientCredentials, Politeness, Redirected, StaticToken, TimedOut
from contracts.redaction import Secret
from contracts.registry import PACKAGE
from contracts.routing import OPENAPI_PATH
from contracts.transport import AUTH_PLACEHOLDER, ContractSchema, through_client
from tests import hostile

CANARY = "canary-transport-5d1b7e"
TIMEOUT = 1.0
AUTH = {"Authorization": AUTH_PLACEHOLDER}


def contract(client: ApiClient) -> ContractSchema:
    config = SchemathesisConfig.from_path(PACKAGE / "schemathesis.toml")
    schema = through_client(schemathesis.openapi.from_path(str(OPENAPI_PATH), config=config), client)
    schema.config.update(base_url=client.base_url)
    return schema


def client_for(url: str, token: object = None) -> ApiClient:
    return ApiClient(
        url,
        token=token or StaticToken(Secret(CANARY)),  # type: ignore[arg-type]
        politeness=Politeness(rate=0, timeout=TIMEOUT),
    )


def enforcing(token: str) -> hostile.Handler:
    """A job list that refuses any request without ``Bearer token``."""

    def handle(received: hostile.Received, conn: socket.socket, stopped: threading.Event) -> None:
        if received.headers.get("authorization") != f"Bearer {token}":
            hostile.answer_json(conn, 401, {"errors": [{"status": "401", "title": "Unauthorized"}]})
        else:
            hostile.answer_json(conn, 200, {"data": [], "links": {}, "meta": {"results": {"total": 0}}})

    return handle


def list_case(schema: ContractSchema) -> schemathesis.Case:  # type: ignore[type-arg]
    return schema["/pcm/jobs"]["GET"].Case()


def test_schemathesis_requests_and_its_auth_probes_all_go_through_the_client() -> None:
    with hostile.listening(enforcing(CANARY)) as server:
        client = client_for(server.url)
        list_case(contract(client)).call_and_validate(headers=AUTH, checks=[ignored_auth])
    sent = [r.headers.get("authorization") for r in server.requests]
    # the case with the token in the placeholder's place, then ignored_auth's probes: no token, a wrong one
    assert sent == [f"Bearer {CANARY}", None, "Bearer SCHEMATHESIS-INVALID-VALUE"]
    assert len(client.log) == len(server.requests)  # one log, one budget: the summary's count is the true one


def test_the_budget_counts_schemathesis_requests() -> None:
    with hostile.listening(enforcing(CANARY)) as server:
        client = ApiClient(server.url, token=StaticToken(Secret(CANARY)), politeness=Politeness(rate=0, budget=2))
        with pytest.raises(Exception, match="budget of 2 is spent"):
            list_case(contract(client)).call_and_validate(headers=AUTH, checks=[ignored_auth])
    assert len(server.requests) == 2


def test_schemathesis_requests_carry_the_token_of_the_moment() -> None:
    now = [1_000.0]
    issued = iter(["first-token-aaaa", "second-token-bbbb"])

    def handler(received: hostile.Received, conn: socket.socket, stopped: threading.Event) -> None:
        if received.path == "/oauth/access_token":
            hostile.answer_json(conn, 200, {"access_token": next(issued), "expires": now[0] + 3600})
        else:
            hostile.answer_json(conn, 200, {"data": []})

    with hostile.listening(handler) as server:
        credentials = ClientCredentials("client-id", Secret("client-secret-zzzz"), clock=lambda: now[0])
        case = list_case(contract(client_for(server.url, credentials)))
        case.call(headers=AUTH)
        now[0] += 3600  # the token expired mid-run
        case.call(headers=AUTH)
    sent = [r.headers.get("authorization") for r in server.requests if r.path != "/oauth/access_token"]
    assert sent == ["Bearer first-token-aaaa", "Bearer second-token-bbbb"]


@pytest.mark.parametrize(
    "handler", [hostile.dribbling_body(), hostile.dribbling_headers()], ids=["dribbling-body", "dribbling-headers"]
)
def test_a_schemathesis_request_to_a_server_that_never_finishes_is_timed_out_within_the_deadline(
    handler: hostile.Handler,
) -> None:
    with hostile.listening(handler) as server:
        case = list_case(contract(client_for(server.url)))
        took = hostile.elapsed(lambda: case.call(headers=AUTH))
        with pytest.raises(TimedOut):
            case.call(headers=AUTH)
    assert took < 2 * TIMEOUT  # the server would go on for 60 s


@pytest.mark.parametrize(
    ("flood", "reason"),
    [
        (hostile.Flood(size=64 * 1024 * 1024, claim=10 * 1024**3), "declared a body of 10737418240 bytes"),
        (hostile.Flood(size=6 * 1024 * 1024), "body larger than 5242880 bytes"),
    ],
    ids=["claimed-10-GB", "6-MB-body"],
)
def test_a_schemathesis_request_reads_no_body_past_the_cap(flood: hostile.Flood, reason: str) -> None:
    with hostile.listening(flood) as server:
        case = list_case(contract(client_for(server.url)))
        with pytest.raises(BodyTooLarge, match=reason):
            case.call(headers=AUTH)


def test_a_schemathesis_request_redirected_elsewhere_is_a_target_error_and_never_followed() -> None:
    with (
        hostile.listening(hostile.answer_recorder, host="127.0.0.2") as elsewhere,
        hostile.listening(hostile.redirecting(307, elsewhere.url)) as server,
        pytest.raises(Redirected, match=f"answered 307 redirecting to {elsewhere.url}/pcm/jobs"),
    ):
        list_case(contract(client_for(server.url))).call(headers=AUTH)
    assert elsewhere.requests == []
