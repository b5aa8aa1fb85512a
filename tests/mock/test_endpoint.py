"""The mock in normal mode: every answer keeps the contract, over real sockets."""

from __future__ import annotations

import json
import re
import socket
import time
from datetime import timedelta
from typing import Any

import httpx
import pytest

import contracts
from contracts.mock import DEFAULT_TOKEN, MockServer
from contracts.mock.jobs import EXAMPLES_DIR, JOB_TYPES, PENDING_FOR, RUNS_FOR, STATUSES, timestamp, to_millisecond
from tests.mock.conftest import AUTH, SteppedClock

STRICT = contracts.Strictness(undocumented_field="error")
MILLISECOND_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
UNKNOWN_ID = "00000000-0000-4000-8000-000000000404"
SHARED_ID = "1ea62172-57f6-45e5-a708-ab5bd634e3f9"


def job_path(job_id: str) -> str:
    return f"/pcm/jobs/{job_id}"


def findings(response: httpx.Response, *, strictness: contracts.Strictness | None = None) -> list[contracts.Violation]:
    path = response.request.url.raw_path.decode()
    return contracts.validate(response.json(), path=path, status=response.status_code, strictness=strictness)


def documented_examples() -> list[dict[str, Any]]:
    records = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES_DIR.glob("*.json"))]
    return [r for r in records if r["response"]["status"] == 200 and r["verdict"]["valid"]]


@pytest.mark.parametrize("strictness", [None, STRICT], ids=["default", "strict"])
def test_every_seeded_job_answers_a_valid_200_body(
    mock: MockServer, client: httpx.Client, strictness: contracts.Strictness | None
) -> None:
    for job in mock.seed:
        response = client.get(job_path(job.id))
        assert response.status_code == 200, job
        assert response.headers["content-type"] == "application/json"
        assert findings(response, strictness=strictness) == [], job
        assert response.json()["data"]["id"] == job.id


def test_documented_examples_are_served_exactly_as_documented(client: httpx.Client) -> None:
    for record in documented_examples():
        expected = record["response"]["body"]["data"]
        if expected["id"] == SHARED_ID and expected["attributes"]["status"] == "started":
            continue  # shares its id with the finished product-import example, which wins
        assert client.get(record["request"]["path"]).json()["data"] == expected


def test_shared_documented_id_answers_the_finished_product_import(client: httpx.Client) -> None:
    attributes = client.get(job_path(SHARED_ID)).json()["data"]["attributes"]
    assert (attributes["type"], attributes["status"]) == ("product-import", "success")


def test_generated_timestamps_are_utc_with_milliseconds(mock: MockServer, client: httpx.Client) -> None:
    for job in mock.seed:
        if job.documented:
            continue
        attributes = client.get(job_path(job.id)).json()["data"]["attributes"]
        for name in ("created_at", "updated_at", "started_at", "completed_at"):
            assert attributes[name] is None or MILLISECOND_UTC.match(attributes[name]), (job, name)


def test_generated_meta_carries_the_type_specific_members(mock: MockServer, client: httpx.Client) -> None:
    for job in mock.seed:
        meta = client.get(job_path(job.id)).json()["data"]["meta"]
        assert isinstance(meta["x_request_id"], str)
        if job.type == "product-export":
            assert isinstance(meta["file_locations"], list)
            assert isinstance(meta["filter"], str)
        if job.type == "hierarchy-duplicate":
            assert {"copied_from", "hierarchy_id"} <= meta.keys()


def test_seed_lists_every_documented_type_and_status_without_the_token(http: httpx.Client, mock: MockServer) -> None:
    response = http.get(f"{mock.url}/__mock__/seed")
    body = response.json()
    assert response.status_code == 200
    assert body["mock"] == "pcm-contracts"
    assert "token" not in body
    assert DEFAULT_TOKEN not in response.text
    assert {job["type"] for job in body["jobs"]} == set(JOB_TYPES)
    assert {job["status"] for job in body["jobs"]} == set(STATUSES)
    assert {(t, s) for t in JOB_TYPES for s in STATUSES} <= {(job["type"], job["status"]) for job in body["jobs"]}
    documented = {record["request"]["path"].rsplit("/", 1)[1] for record in documented_examples()}
    assert {job["id"] for job in body["jobs"] if job["documented"]} == documented
    assert [job["id"] for job in body["jobs"]] == [job.id for job in mock.seed]


def test_generated_ids_are_the_same_on_every_start(clock: SteppedClock) -> None:
    with MockServer(clock=clock) as first, MockServer(clock=clock) as second:
        assert first.seed == second.seed


def test_unknown_job_id_answers_404_error_body(client: httpx.Client) -> None:
    response = client.get(job_path(UNKNOWN_ID))
    assert response.status_code == 404
    assert response.json()["errors"][0] == {
        "status": "404",
        "title": "Not Found",
        "detail": f"No job found with id {UNKNOWN_ID}",
    }
    assert findings(response, strictness=STRICT) == []


def test_id_that_is_not_a_uuid_answers_400(client: httpx.Client) -> None:
    response = client.get(job_path("not-a-job-id"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["detail"] == "The job ID must be a valid UUID"
    assert findings(response, strictness=STRICT) == []


@pytest.mark.parametrize("path", ["/pcm/jobs/{jobID}", "/pcm/jobs/{jobID}/errors"])
def test_the_path_template_itself_answers_400(mock: MockServer, path: str) -> None:
    url = httpx.URL(mock.url)
    with socket.create_connection((url.host, url.port or 80)) as raw:  # the braces as sent, not percent-encoded
        raw.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {DEFAULT_TOKEN}\r\n\r\n".encode())
        status_line = raw.recv(4096).split(b"\r\n", 1)[0]
    assert status_line.split(b" ")[1] == b"400"


@pytest.mark.parametrize("blank", ["%20", "%20%20%09"])
def test_id_of_only_whitespace_answers_422(client: httpx.Client, blank: str) -> None:
    response = client.get(job_path(blank))
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "status": "422",
        "title": "Failed Validation",
        "detail": "jobID can not be empty",
    }
    assert findings(response, strictness=STRICT) == []


@pytest.mark.parametrize(
    "authorization",
    [None, "mock-token", "Basic bW9jazp0b2tlbg==", "Bearer", "Bearer wrong-token"],
    ids=["missing", "no-scheme", "basic", "empty-bearer", "unknown-token"],
)
def test_missing_or_bad_token_answers_401_with_a_bearer_challenge(
    http: httpx.Client, mock: MockServer, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    seeded = mock.seed[0].id
    response = http.get(f"{mock.url}{job_path(seeded)}", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["errors"][0]["status"] == "401"
    assert {v.rule for v in findings(response)} == {"status_is_documented"}  # 401 is undocumented, the body is sound


def test_token_is_checked_before_the_id(http: httpx.Client, mock: MockServer) -> None:
    assert http.get(f"{mock.url}{job_path('not-a-uuid')}").status_code == 401


def test_issued_token_works_until_it_expires_by_the_clock(clock: SteppedClock) -> None:
    with MockServer(clock=clock, token_ttl=60) as mock, httpx.Client(base_url=mock.url) as http:
        form = {"grant_type": "client_credentials", "client_id": "any", "client_secret": "thing"}
        issued = http.post("/oauth/access_token", data=form)
        body = issued.json()
        assert issued.status_code == 200
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == 60
        assert body["expires"] == int((clock.now + timedelta(seconds=60)).timestamp())
        assert body["identifier"] == "client_credentials"
        bearer = {"Authorization": f"Bearer {body['access_token']}"}
        path = job_path(mock.seed[0].id)
        assert http.get(path, headers=bearer).status_code == 200
        clock.advance(timedelta(seconds=61))
        expired = http.get(path, headers=bearer)
        assert expired.status_code == 401
        assert "expired" in expired.json()["errors"][0]["detail"]
        assert http.get(path, headers=AUTH).status_code == 200


@pytest.mark.parametrize(
    "form, status",
    [
        ({"client_id": "a", "client_secret": "b"}, 422),
        ({"grant_type": "password", "client_id": "a", "client_secret": "b"}, 400),
        ({"grant_type": "client_credentials", "client_secret": "b"}, 422),
        ({"grant_type": "client_credentials", "client_id": "a"}, 422),
    ],
    ids=["no-grant-type", "wrong-grant-type", "no-client-id", "no-client-secret"],
)
def test_token_request_without_client_credentials_answers_error_body(
    http: httpx.Client, mock: MockServer, form: dict[str, str], status: int
) -> None:
    response = http.post(f"{mock.url}/oauth/access_token", data=form)
    assert response.status_code == status
    assert response.json()["errors"][0]["status"] == str(status)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "TRACE", "OPTIONS", "QUERY"])
def test_other_method_on_a_job_answers_405_with_allow(http: httpx.Client, mock: MockServer, method: str) -> None:
    response = http.request(method, f"{mock.url}{job_path(mock.seed[0].id)}", headers=AUTH)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.headers["content-type"] == "application/json"
    assert response.json()["errors"][0]["status"] == "405"


def test_head_answers_like_get_without_a_body(mock: MockServer, client: httpx.Client) -> None:
    path = job_path(mock.seed[0].id)
    head, get = client.head(path), client.get(path)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(get.content))


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/pcm/jobs/",
        "/pcm/job/1ea62172-57f6-45e5-a708-ab5bd634e3f9",
        "/pcm/jobs/1ea62172-57f6-45e5-a708-ab5bd634e3f9/nope",
        "/__mock__/nope",
    ],
)
def test_other_path_answers_404_error_body(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json()["errors"][0]["status"] == "404"


def test_connection_is_kept_alive_with_exact_content_lengths(mock: MockServer) -> None:
    request = f"GET {job_path(mock.seed[0].id)} HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer {DEFAULT_TOKEN}\r\n\r\n"
    with socket.create_connection(("127.0.0.1", int(mock.url.rsplit(":", 1)[1])), timeout=10) as sock:
        reader = sock.makefile("rb")
        for _ in range(2):
            sock.sendall(request.encode())
            assert reader.readline().startswith(b"HTTP/1.1 200")
            headers = dict(line.decode().rstrip("\r\n").split(": ", 1) for line in iter(reader.readline, b"\r\n"))
            body = reader.read(int(headers["Content-Length"]))
            assert json.loads(body)["data"]["id"] == mock.seed[0].id


def test_live_jobs_move_through_their_lifecycle_by_the_clock(mock: MockServer, clock: SteppedClock) -> None:
    live = [job for job in mock.seed if job.live]
    assert sorted(job.type for job in live) == sorted(JOB_TYPES)
    created = timestamp(to_millisecond(clock.now))

    def attributes_now() -> list[dict[str, Any]]:
        found = []
        with httpx.Client(base_url=mock.url, headers=AUTH) as http:
            for job in live:
                response = http.get(job_path(job.id))
                assert findings(response, strictness=STRICT) == [], (job, clock.now)
                found.append(response.json()["data"]["attributes"])
        return found

    for attrs in attributes_now():
        assert attrs["status"] == "pending"
        assert attrs["created_at"] == attrs["updated_at"] == created
        assert attrs["started_at"] is attrs["completed_at"] is None

    clock.advance(PENDING_FOR + timedelta(seconds=1))
    for attrs in attributes_now():
        assert attrs["status"] == "started"
        assert attrs["created_at"] == created
        assert attrs["started_at"] is not None
        assert attrs["started_at"] == attrs["updated_at"]
        assert attrs["completed_at"] is None

    clock.advance(RUNS_FOR + timedelta(seconds=1))
    finished = attributes_now()
    assert {attrs["status"] for attrs in finished} == {"success", "failed"}
    for attrs in finished:
        assert attrs["created_at"] < attrs["started_at"] < attrs["completed_at"] == attrs["updated_at"]
    assert {job.status for job in mock.seed if job.live} == {"success", "failed"}


def test_requests_are_recorded_with_method_and_never_the_token(
    http: httpx.Client, mock: MockServer, client: httpx.Client
) -> None:
    seeded = job_path(mock.seed[0].id)
    client.get(seeded)
    client.delete(seeded)
    http.get(f"{mock.url}{seeded}", headers={"Authorization": "Bearer secret-guess"})
    http.get(f"{mock.url}/__mock__/seed")
    assert [(r.method, r.path, r.authorized) for r in mock.requests] == [
        ("GET", seeded, True),
        ("DELETE", seeded, True),
        ("GET", seeded, False),
        ("GET", "/__mock__/seed", False),
    ]
    assert not any(DEFAULT_TOKEN in repr(r) or "secret-guess" in repr(r) for r in mock.requests)


def test_stop_is_fast_with_an_open_keep_alive_connection(http: httpx.Client, clock: SteppedClock) -> None:
    server = MockServer(clock=clock).start()
    with httpx.Client(base_url=server.url, headers=AUTH) as kept_alive:
        assert kept_alive.get(job_path(server.seed[0].id)).status_code == 200
        began = time.monotonic()
        server.stop()
        assert (
            time.monotonic() - began < 2.5
        )  # a kept-alive connection does not hold it up (bound for a loaded machine)
    with pytest.raises(httpx.ConnectError):
        http.get(f"{server.url}/__mock__/seed")
