from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import respx

from contracts.client import (
    NOT_JSON,
    ApiClient,
    BodyTooLarge,
    BudgetExhausted,
    ClientCredentials,
    Politeness,
    RateLimited,
    Redirected,
    StaticToken,
    TargetError,
    TimedOut,
    Unreachable,
    WriteRefused,
    retry_after,
)
from contracts.redaction import Secret, SecretHeaders, redact
from contracts.responses import content_type_findings
from tests import hostile

BASE = "https://api.example.test"
CANARY = "canary-token-7f3a9c"
JOB = "/pcm/jobs/1ea62172-57f6-45e5-a708-ab5bd634e3f9"


@pytest.fixture
def mocked() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


def client(**kwargs: object) -> ApiClient:
    sleeps: list[float] = []
    made = ApiClient(
        BASE,
        token=StaticToken(Secret(CANARY)),
        politeness=kwargs.pop("politeness", Politeness(rate=0)),  # type: ignore[arg-type]
        sleep=sleeps.append,
        **kwargs,  # type: ignore[arg-type]
    )
    made.sleeps = sleeps  # type: ignore[attr-defined]
    return made


def test_get_sends_the_bearer_token_and_reads_json(mocked: respx.MockRouter) -> None:
    route = mocked.get(JOB).respond(200, json={"data": {}})
    answer = client().get(JOB)
    assert route.calls.last.request.headers["Authorization"] == f"Bearer {CANARY}"
    assert (answer.status, answer.json(), content_type_findings(answer.headers)) == (200, {"data": {}}, [])


def test_timeout_is_one_line_timed_out(mocked: respx.MockRouter) -> None:
    mocked.get(JOB).mock(side_effect=httpx.ReadTimeout("timed out"))
    reason = r"^GET https://api\.example\.test/pcm/jobs/\S+: no answer within 10 s \(the deadline .*\)$"
    with pytest.raises(TimedOut, match=reason):
        client().get(JOB)


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), "connection failed"),
        (httpx.ReadError("[Errno 104] Connection reset by peer"), "the connection was reset"),
        (httpx.RemoteProtocolError("peer closed connection without sending complete message body"), "broke"),
        (httpx.ConnectError("[Errno -2] Name or service not known"), "Name or service not known"),
    ],
)
def test_transport_errors_are_one_line_unreachable(mocked: respx.MockRouter, error: Exception, reason: str) -> None:
    mocked.get(JOB).mock(side_effect=error)
    with pytest.raises(Unreachable, match=reason) as caught:
        client().get(JOB)
    assert "\n" not in str(caught.value)


def test_token_is_redacted_from_error_messages(mocked: respx.MockRouter) -> None:
    mocked.get(JOB).mock(side_effect=httpx.ConnectError(f"proxy refused Authorization: Bearer {CANARY}"))
    with pytest.raises(Unreachable) as caught:
        client().get(JOB)
    assert CANARY not in str(caught.value)
    assert "***" in str(caught.value)


def test_429_is_retried_after_retry_after_then_succeeds(mocked: respx.MockRouter) -> None:
    mocked.get(JOB).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200, json={"data": {}})]
    )
    api = client()
    assert api.get(JOB).status == 200
    assert api.sleeps == [2.0]  # type: ignore[attr-defined]
    assert [e.status for e in api.log] == [429, 200]


def test_persistent_429_is_rate_limited_after_bounded_retries(mocked: respx.MockRouter) -> None:
    mocked.get(JOB).respond(429, headers={"Retry-After": "120"})
    api = client(politeness=Politeness(rate=0, retries=2, max_retry_after=5))
    with pytest.raises(RateLimited, match="after 2 retries"):
        api.get(JOB)
    assert api.sleeps == [5.0, 5.0]  # type: ignore[attr-defined]  # capped


@pytest.mark.parametrize(
    ("value", "seconds"), [(None, 1.0), ("3", 3.0), ("-4", 0.0), ("soon", 1.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)]
)
def test_retry_after_reads_seconds_and_dates(value: str | None, seconds: float) -> None:
    assert retry_after(value, cap=30) == seconds


def test_non_json_body_and_wrong_content_type_are_visible(mocked: respx.MockRouter) -> None:
    mocked.get(JOB).respond(200, text="<html>oops</html>", headers={"Content-Type": "text/html"})
    answer = client().get(JOB)
    assert answer.json() is NOT_JSON
    assert [v.rule for v in content_type_findings(answer.headers)] == ["content_type_is_json"]


def test_oversized_body_is_refused(mocked: respx.MockRouter) -> None:
    mocked.get(JOB).respond(200, content=b"x" * 2048)
    with pytest.raises(BodyTooLarge, match="larger than 1024 bytes"):
        client(politeness=Politeness(rate=0, max_body_bytes=1024)).get(JOB)


def test_only_get_unless_writes_are_allowed(mocked: respx.MockRouter) -> None:
    mocked.post(f"{JOB}/cancel").respond(200, json={})
    with pytest.raises(WriteRefused, match="only reads unless --allow-writes"):
        client().send("POST", f"{JOB}/cancel")
    assert client(allow_writes=True).send("POST", f"{JOB}/cancel").status == 200


def test_request_budget_is_enforced(mocked: respx.MockRouter) -> None:
    mocked.get(JOB).respond(404, json={})
    api = client(politeness=Politeness(rate=0, budget=2))
    api.get(JOB)
    api.get(JOB)
    with pytest.raises(BudgetExhausted, match="budget of 2"):
        api.get(JOB)


def test_rate_limit_spaces_requests(mocked: respx.MockRouter) -> None:
    mocked.get(JOB).respond(404, json={})
    api = client(politeness=Politeness(rate=4))
    for _ in range(3):
        api.get(JOB)
    assert len(api.sleeps) == 2  # type: ignore[attr-defined]
    assert all(0 < s <= 0.25 for s in api.sleeps)  # type: ignore[attr-defined]


def test_client_credentials_token_is_obtained_cached_and_renewed(mocked: respx.MockRouter) -> None:
    now = [1_000.0]
    issued = iter(["first-token-aaaa", "second-token-bbbb"])
    token_route = mocked.post("/oauth/access_token").mock(
        side_effect=lambda request: httpx.Response(200, json={"access_token": next(issued), "expires": now[0] + 3600})
    )
    job_route = mocked.get(JOB).respond(200, json={})
    credentials = ClientCredentials("client-id", Secret("client-secret-zzzz"), clock=lambda: now[0])
    api = ApiClient(BASE, token=credentials, politeness=Politeness(rate=0))
    api.get(JOB)
    api.get(JOB)
    assert token_route.call_count == 1
    form = token_route.calls.last.request.content.decode()
    assert form == "grant_type=client_credentials&client_id=client-id&client_secret=client-secret-zzzz"
    now[0] += 3600 - 30  # within the renewal margin
    api.get(JOB)
    assert token_route.call_count == 2
    assert job_route.calls.last.request.headers["Authorization"] == "Bearer second-token-bbbb"


def test_client_credentials_renew_once_after_401(mocked: respx.MockRouter) -> None:
    issued = iter(["revoked-token-aaaa", "fresh-token-bbbb"])
    mocked.post("/oauth/access_token").mock(
        side_effect=lambda request: httpx.Response(200, json={"access_token": next(issued), "expires_in": 3600})
    )
    mocked.get(JOB).mock(side_effect=[httpx.Response(401, json={}), httpx.Response(200, json={})])
    api = ApiClient(BASE, token=ClientCredentials("id", Secret("secret-zzzz")), politeness=Politeness(rate=0))
    assert api.get(JOB).status == 200


def test_failed_token_request_is_an_auth_failure(mocked: respx.MockRouter) -> None:
    mocked.post("/oauth/access_token").respond(401, json={"errors": []})
    api = ApiClient(BASE, token=ClientCredentials("id", Secret("secret-zzzz")), politeness=Politeness(rate=0))
    with pytest.raises(Exception, match=r"token request .* answered 401; check EPCC_CLIENT_ID"):
        api.get(JOB)


def test_curl_reproduces_the_request_with_the_token_masked(mocked: respx.MockRouter) -> None:
    mocked.get(JOB).respond(200, json={})
    curl = client().get(JOB).curl()
    assert curl.startswith("curl -X GET -H 'Accept: application/json' ")
    assert '"Authorization: Bearer $PCM_CONTRACTS_TOKEN"' in curl
    assert curl.endswith(f" {BASE}{JOB}")
    assert CANARY not in curl


def test_secrets_never_show_themselves() -> None:
    secret = Secret(CANARY)
    headers = SecretHeaders(Authorization=f"Bearer {CANARY}")
    for text in (repr(secret), str(secret), f"{secret}", repr(headers), str(headers)):
        assert CANARY not in text
    assert redact(f"x {CANARY} y") == "x *** y"


# Against real socket servers (tests/hostile.py): the bounds hold on the wire,
# where httpx's per-phase timeouts alone do not.

TIMEOUT = 1.0
"""The request timeout of these tests; each server would go on for 60 s."""


def real(url: str) -> ApiClient:
    return ApiClient(url, token=StaticToken(Secret(CANARY)), politeness=Politeness(rate=0, timeout=TIMEOUT))


@pytest.mark.parametrize(
    "handler",
    [hostile.dribbling_body(), hostile.dribbling_headers(), hostile.endless_headers],
    ids=["dribbling-body", "dribbling-headers", "endless-headers"],
)
def test_a_server_that_never_finishes_answering_is_a_target_error_within_the_deadline(
    handler: hostile.Handler,
) -> None:
    # Without the deadline: a byte every 0.5 s never trips httpx's 1 s read timeout (60 s here).
    with hostile.listening(handler) as server:
        api = real(server.url)
        took = hostile.elapsed(lambda: api.get(JOB))
        with pytest.raises(TargetError):
            api.get(JOB)
    assert took < 2 * TIMEOUT
    assert len(server.requests) == 1  # the second request was refused unsent: the target cannot be checked


def test_dribbling_body_is_timed_out() -> None:
    with hostile.listening(hostile.dribbling_body()) as server, pytest.raises(TimedOut, match="within 1 s"):
        real(server.url).get(JOB)


def test_a_claimed_huge_body_is_refused_unread() -> None:
    flood = hostile.Flood(size=64 * 1024 * 1024, claim=10 * 1024**3)
    with hostile.listening(flood) as server:
        api = real(server.url)
        with pytest.raises(BodyTooLarge, match="declared a body of 10737418240 bytes"):
            api.get(JOB)
        took = hostile.elapsed(lambda: api.get(JOB))
    assert took < TIMEOUT


def test_a_body_past_the_cap_is_refused_at_the_cap() -> None:
    flood = hostile.Flood(size=6 * 1024 * 1024)  # no Content-Length: read until the connection closes
    with hostile.listening(flood) as server, pytest.raises(BodyTooLarge, match="body larger than 5242880 bytes"):
        real(server.url).get(JOB)


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_one_target_error_naming_its_location_and_never_followed(status: int) -> None:
    with (
        hostile.listening(hostile.answer_recorder, host="127.0.0.2") as elsewhere,
        hostile.listening(hostile.redirecting(status, elsewhere.url)) as server,
        pytest.raises(Redirected, match=f"answered {status} redirecting to {elsewhere.url}{JOB}"),
    ):
        real(server.url).get(JOB)
    assert elsewhere.requests == []


def test_a_redirect_to_the_same_host_is_a_target_error_too() -> None:
    with (
        hostile.listening(hostile.redirecting(301, "/api")) as server,
        pytest.raises(Redirected, match=f"redirecting to /api{JOB}"),
    ):
        real(server.url).get(JOB)
    assert len(server.requests) == 1


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_a_retry_after_that_is_no_finite_number_waits_a_second(value: str) -> None:
    assert retry_after(value, 10.0) == 1.0
