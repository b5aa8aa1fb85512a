"""``GET /pcm/jobs`` in normal mode: pages that keep the contract and add up to every job once."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest

import contracts
from contracts.mock import MockServer
from contracts.mock.endpoint import DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT
from contracts.mock.jobs import PENDING_FOR, RUNS_FOR
from tests.mock.conftest import AUTH, SteppedClock, job_ids, list_path, walk

STRICT = contracts.Strictness(undocumented_field="error")


@pytest.mark.parametrize("limit", [7, 1, 25, 74, 100])
def test_every_page_is_valid_and_the_pages_hold_every_job_once(
    mock: MockServer, client: httpx.Client, limit: int
) -> None:
    pages = walk(client, limit)
    for path, body in pages:
        assert contracts.validate(body, path=path, status=200) == [], path
        assert contracts.validate(body, path=path, status=200, strictness=STRICT) == [], path
        assert body["meta"]["results"]["total"] == len(mock.seed)
    listed = [job_id for _, body in pages for job_id in job_ids(body)]
    assert sorted(listed) == sorted(job.id for job in mock.seed)
    assert len(pages) == -(-len(mock.seed) // limit)


def test_the_page_the_brief_names_is_valid(client: httpx.Client) -> None:
    body = client.get("/pcm/jobs?page[limit]=7&page[offset]=14").json()
    assert len(body["data"]) == 7
    assert contracts.validate(body, path="/pcm/jobs?page[limit]=7&page[offset]=14", status=200) == []


def test_jobs_are_listed_by_created_at_then_id(client: httpx.Client) -> None:
    jobs = client.get(list_path(MAX_PAGE_LIMIT, 0)).json()["data"]
    keys = [(datetime.fromisoformat(job["attributes"]["created_at"]), job["id"]) for job in jobs]
    assert keys == sorted(keys)


def test_following_next_links_visits_the_same_pages_as_the_offsets(client: httpx.Client) -> None:
    expected = walk(client, 7)
    link: str | None = list_path(7, 0)
    seen = []
    while link is not None:
        body = client.get(link).json()
        seen.append((link, body))
        link = body["links"].get("next")
    assert seen == expected
    first, last = seen[0][1]["links"], seen[-1][1]["links"]
    assert "prev" not in first  # left out, never null: the docs show links as strings
    assert "next" not in last
    assert all(isinstance(value, str) for _, body in seen for value in body["links"].values())
    assert first["last"] == last["current"] == seen[-1][0]
    assert all(body["links"]["first"] == list_path(7, 0) for _, body in seen)


def test_links_are_relative_and_step_by_the_limit(client: httpx.Client) -> None:
    links = client.get(list_path(7, 14)).json()["links"]
    assert links == {
        "current": list_path(7, 14),
        "first": list_path(7, 0),
        "last": list_path(7, 70),
        "next": list_path(7, 21),
        "prev": list_path(7, 7),
    }


def test_without_a_query_the_first_page_holds_the_default_limit(mock: MockServer, client: httpx.Client) -> None:
    body = client.get("/pcm/jobs").json()
    assert len(body["data"]) == DEFAULT_PAGE_LIMIT
    assert body["links"]["current"] == list_path(DEFAULT_PAGE_LIMIT, 0)
    assert contracts.validate(body, path="/pcm/jobs", status=200) == []


def test_a_limit_above_the_maximum_is_clamped(mock: MockServer, client: httpx.Client) -> None:
    body = client.get(list_path(500, 0)).json()
    assert len(body["data"]) == min(MAX_PAGE_LIMIT, len(mock.seed))
    assert body["links"]["current"] == list_path(MAX_PAGE_LIMIT, 0)
    assert contracts.validate(body, path=list_path(500, 0), status=200) == []


def test_percent_encoded_brackets_are_the_same_query(client: httpx.Client) -> None:
    encoded = client.get("/pcm/jobs?page%5Blimit%5D=7&page%5Boffset%5D=14").json()
    assert encoded == client.get(list_path(7, 14)).json()


def test_an_offset_past_the_end_is_an_empty_page(mock: MockServer, client: httpx.Client) -> None:
    path = list_path(7, 500)
    body = client.get(path).json()
    assert body["data"] == []
    assert body["meta"]["results"]["total"] == len(mock.seed)
    assert "next" not in body["links"]
    assert body["links"]["prev"] == body["links"]["last"] == list_path(7, 70)
    assert contracts.validate(body, path=path, status=200) == []


@pytest.mark.parametrize(
    "query",
    [
        "page[limit]=0",
        "page[limit]=-1",
        "page[limit]=ten",
        "page[limit]=",
        "page[limit]=1.5",
        "page[offset]=-1",
        "page[offset]=x",
        "page[offset]=",
    ],
)
def test_a_bad_page_parameter_answers_400_error_body(client: httpx.Client, query: str) -> None:
    response = client.get(f"/pcm/jobs?{query}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["detail"].startswith(query.split("=")[0])
    assert contracts.validate(response.json(), path=f"/pcm/jobs?{query}", status=400, strictness=STRICT) == []


def test_live_jobs_are_listed_with_their_status_at_request_time(
    mock: MockServer, client: httpx.Client, clock: SteppedClock
) -> None:
    live = {job.id for job in mock.seed if job.live}
    for step, expected in ((timedelta(), {"pending"}), (PENDING_FOR + timedelta(seconds=1), {"started"})):
        clock.advance(step)
        body = client.get(list_path(MAX_PAGE_LIMIT, 0)).json()
        statuses = {job["attributes"]["status"] for job in body["data"] if job["id"] in live}
        assert statuses == expected
        assert contracts.validate(body, path=list_path(MAX_PAGE_LIMIT, 0), status=200) == []
    clock.advance(RUNS_FOR + timedelta(seconds=1))
    body = client.get(list_path(MAX_PAGE_LIMIT, 0)).json()
    for job in body["data"]:
        assert job == client.get(f"/pcm/jobs/{job['id']}").json()["data"]


def test_created_jobs_are_listed_by_creation_time_and_counted(
    mock: MockServer, client: httpx.Client, clock: SteppedClock
) -> None:
    created = []
    for job_type in ("product-import", "price-import"):
        clock.advance(timedelta(milliseconds=5))
        created.append(mock.create_job(job_type))
    body = client.get(list_path(MAX_PAGE_LIMIT, 0)).json()
    assert body["meta"]["results"]["total"] == len(mock.seed)
    assert job_ids(body)[-2:] == [job.id for job in created]


def test_the_list_needs_a_token(http: httpx.Client, mock: MockServer) -> None:
    response = http.get(f"{mock.url}/pcm/jobs?page[limit]=0")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_other_method_on_the_list_answers_405_allow_get(http: httpx.Client, mock: MockServer, method: str) -> None:
    response = http.request(method, f"{mock.url}/pcm/jobs", headers=AUTH)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.json()["errors"][0]["status"] == "405"
