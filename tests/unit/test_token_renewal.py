"""Client-credentials renewal, proportionate to the token's lifetime, by an injected clock."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import respx

from contracts.client import ApiClient, ClientCredentials, Politeness
from contracts.redaction import Secret

BASE = "https://api.example.test"
JOB = "/pcm/jobs/1ea62172-57f6-45e5-a708-ab5bd634e3f9"


@pytest.fixture
def mocked() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


def issuing(mocked: respx.MockRouter, now: list[float], lifetime: float) -> respx.Route:
    """A token endpoint answering ``expires_in`` = ``lifetime``, a new token each time."""
    count = iter(range(1, 1000))
    return mocked.post("/oauth/access_token").mock(
        side_effect=lambda request: httpx.Response(
            200, json={"access_token": f"token-{next(count)}-zzzz", "expires_in": lifetime}
        )
    )


@pytest.mark.parametrize(("lifetime", "renewed_after"), [(30.0, 27.0), (3600.0, 3540.0), (2.0, 1.8)])
def test_a_token_is_renewed_a_tenth_of_its_lifetime_or_a_minute_before_it_expires(
    mocked: respx.MockRouter, lifetime: float, renewed_after: float
) -> None:
    now = [1_000.0]
    tokens = issuing(mocked, now, lifetime)
    mocked.get(JOB).respond(200, json={})
    api = ApiClient(
        BASE, token=ClientCredentials("id", Secret("secret-zzzz"), clock=lambda: now[0]), politeness=Politeness(rate=0)
    )
    api.get(JOB)
    now[0] += renewed_after - 0.01
    api.get(JOB)
    assert tokens.call_count == 1, "renewed too early"
    now[0] += 0.01
    api.get(JOB)
    assert tokens.call_count == 2, "not renewed within the margin"


def test_a_short_lived_token_costs_one_token_request_per_lifetime_not_one_per_call(mocked: respx.MockRouter) -> None:
    now = [1_000.0]
    tokens = issuing(mocked, now, 30.0)
    job = mocked.get(JOB).respond(200, json={})
    api = ApiClient(
        BASE, token=ClientCredentials("id", Secret("secret-zzzz"), clock=lambda: now[0]), politeness=Politeness(rate=0)
    )
    for _ in range(300):  # five minutes, a request every second
        api.get(JOB)
        now[0] += 1.0
    assert job.call_count == 300
    assert 10 <= tokens.call_count <= 12  # one per 27 s


def test_every_request_after_a_renewal_carries_the_new_token(mocked: respx.MockRouter) -> None:
    now = [1_000.0]
    issuing(mocked, now, 30.0)
    job = mocked.get(JOB).respond(200, json={})
    credentials = ClientCredentials("id", Secret("secret-zzzz"), clock=lambda: now[0])
    api = ApiClient(BASE, token=credentials, politeness=Politeness(rate=0))
    api.get(JOB)
    now[0] += 28.0
    api.get(JOB)
    assert job.calls.last.request.headers["Authorization"] == "Bearer token-2-zzzz"
    assert credentials.token(api).reveal() == "token-2-zzzz"  # what schemathesis' requests get too


def test_a_401_renews_the_token_once_and_repeats_the_request(mocked: respx.MockRouter) -> None:
    now = [1_000.0]
    tokens = issuing(mocked, now, 3600.0)
    job = mocked.get(JOB).mock(side_effect=[httpx.Response(401, json={}), httpx.Response(200, json={})])
    api = ApiClient(
        BASE, token=ClientCredentials("id", Secret("secret-zzzz"), clock=lambda: now[0]), politeness=Politeness(rate=0)
    )
    assert api.get(JOB).status == 200
    assert tokens.call_count == 2
    assert [call.request.headers["Authorization"] for call in job.calls] == [
        "Bearer token-1-zzzz",
        "Bearer token-2-zzzz",
    ]


def test_a_refusal_after_renewal_is_answered_not_retried_again(mocked: respx.MockRouter) -> None:
    now = [1_000.0]
    tokens = issuing(mocked, now, 3600.0)
    job = mocked.get(JOB).respond(401, json={})
    api = ApiClient(
        BASE, token=ClientCredentials("id", Secret("secret-zzzz"), clock=lambda: now[0]), politeness=Politeness(rate=0)
    )
    assert api.get(JOB).status == 401
    assert (tokens.call_count, job.call_count) == (2, 2)
