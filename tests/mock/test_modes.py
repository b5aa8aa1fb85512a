"""Drift modes break the contract in the named way; fault modes break the transport."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from itertools import pairwise

import httpx
import pytest

import contracts
from contracts.mock import DRIFT_MODES, FAULT_MODES, DriftMode, FaultMode, MockServer
from contracts.mock.jobs import PENDING_FOR, RUNS_FOR, outcome_of
from contracts.registry import SCHEMA_BASE
from tests.mock.conftest import AUTH, SteppedClock, job_ids, walk

UNKNOWN_ID = "00000000-0000-4000-8000-000000000404"
FINISHED_ID = "1ea62172-57f6-45e5-a708-ab5bd634e3f9"  # the documented product-import job: success
ERROR_SCHEMA = SCHEMA_BASE + "error-response.json"

JOB_DRIFTS: dict[DriftMode, tuple[str, str]] = {
    "undocumented-status": ("schema.enum", "/data/attributes/status"),
    "missing-id": ("schema.required", "/data/id"),
    "renamed-envelope": ("schema.required", "/data"),
    "timestamps-out-of-order": ("timestamps_are_ordered", "/data/attributes/completed_at"),
    "zone-less-timestamps": ("schema.format", "/data/attributes/created_at"),
    "data-as-array": ("schema.type", "/data"),
    "id-mismatch": ("data_id_matches_request", "/data/id"),
    "null-created-at": ("schema.type", "/data/attributes/created_at"),
}
ERROR_DRIFTS: dict[DriftMode, tuple[str, str]] = {
    "status-as-integer": ("schema.type", "/errors/0/status"),
    "error-without-errors": ("schema.required", "/errors"),
}
LIST_DRIFTS: dict[DriftMode, tuple[str, str]] = {
    "undocumented-status": ("schema.enum", "/data/0/attributes/status"),
    "missing-id": ("schema.required", "/data/0/id"),
    "renamed-envelope": ("schema.required", "/data"),
    "timestamps-out-of-order": ("timestamps_are_ordered", "/data/0/attributes/completed_at"),
    "zone-less-timestamps": ("schema.format", "/data/0/attributes/created_at"),
    "null-created-at": ("schema.type", "/data/0/attributes/created_at"),
    "total-mismatch": ("page_fits_the_total", "/meta/results/total"),
}
JOB_ERRORS_DRIFTS: dict[DriftMode, tuple[str, str]] = {
    "renamed-envelope": ("schema.required", "/data"),
    "errors-wrong-type": ("schema.const", "/data/0/type"),
}
CANCEL_ANYTHING: tuple[str, str] = ("cancelled_job_is_cancelling_or_cancelled", "/data/attributes/status")
SEQUENCE_DRIFTS: tuple[DriftMode, ...] = ("status-regresses", "page-overlap")
"""Every body is valid on its own: the tests below observe the break across requests."""
CONFINED_DRIFTS: tuple[DriftMode, ...] = (*SEQUENCE_DRIFTS, "total-mismatch", "errors-wrong-type", "cancel-anything")
ERROR_REQUESTS = [
    ("GET", f"/pcm/jobs/{UNKNOWN_ID}", AUTH, 404),
    ("GET", "/pcm/jobs/not-a-uuid", AUTH, 400),
    ("GET", "/pcm/jobs/%20", AUTH, 422),
    ("DELETE", f"/pcm/jobs/{UNKNOWN_ID}", AUTH, 405),
    ("GET", f"/pcm/jobs/{UNKNOWN_ID}", {}, 401),
    ("GET", "/pcm/jobs?page[limit]=0", AUTH, 400),
    ("GET", f"/pcm/jobs/{UNKNOWN_ID}/errors", AUTH, 404),
    ("POST", f"/pcm/jobs/{UNKNOWN_ID}/errors", AUTH, 405),
    ("POST", f"/pcm/jobs/{FINISHED_ID}/cancel", AUTH, 422),
    ("POST", f"/pcm/jobs/{UNKNOWN_ID}/cancel", AUTH, 404),
    ("GET", f"/pcm/jobs/{UNKNOWN_ID}/cancel", AUTH, 405),
]


def test_every_drift_mode_has_an_expected_finding() -> None:
    single_body = {*JOB_DRIFTS, *ERROR_DRIFTS, *LIST_DRIFTS, *JOB_ERRORS_DRIFTS, "cancel-anything"}
    assert {*single_body, *SEQUENCE_DRIFTS, "wrong-content-type"} == set(DRIFT_MODES)


def found(response: httpx.Response) -> set[tuple[str, str]]:
    """The contract's findings for an answer; a 405 (no documented operation) against the error body schema."""
    if response.status_code == 405:
        violations = contracts.Validator().schema_violations(response.json(), ERROR_SCHEMA)
    else:
        path = response.request.url.raw_path.decode()
        method = response.request.method
        violations = contracts.validate(response.json(), method=method, path=path, status=response.status_code)
    return {(v.rule, v.pointer) for v in violations}


def failed_job_ids(mock: MockServer) -> list[str]:
    return [job.id for job in mock.seed if job.status == "failed"]


@pytest.fixture
def drifting(request: pytest.FixtureRequest, clock: SteppedClock) -> Iterator[MockServer]:
    with MockServer(clock=clock, drift=request.param) as server:
        yield server


@pytest.mark.parametrize("drifting, expected", list(JOB_DRIFTS.items()), indirect=["drifting"], ids=list(JOB_DRIFTS))
def test_job_drift_mode_is_reported_for_every_seeded_job(drifting: MockServer, expected: tuple[str, str]) -> None:
    with httpx.Client(base_url=drifting.url, headers=AUTH) as http:
        for job in drifting.seed:
            response = http.get(f"/pcm/jobs/{job.id}")
            assert response.status_code == 200
            assert expected in found(response), job


@pytest.mark.parametrize(
    "drifting, expected", list(ERROR_DRIFTS.items()), indirect=["drifting"], ids=list(ERROR_DRIFTS)
)
def test_error_drift_mode_is_reported_for_every_error_answer(
    http: httpx.Client, drifting: MockServer, expected: tuple[str, str]
) -> None:
    for method, path, headers, status in ERROR_REQUESTS:
        response = http.request(method, f"{drifting.url}{path}", headers=headers)
        assert response.status_code == status
        assert expected in found(response), (method, path)


@pytest.mark.parametrize("drifting", ["wrong-content-type"], indirect=True)
def test_wrong_content_type_drift_sends_every_200_body_as_plain_text(http: httpx.Client, drifting: MockServer) -> None:
    pending = drifting.create_job()
    requests = [
        ("GET", f"/pcm/jobs/{drifting.seed[0].id}"),
        ("GET", "/pcm/jobs?page[limit]=7&page[offset]=7"),
        ("GET", f"/pcm/jobs/{failed_job_ids(drifting)[0]}/errors"),
        ("POST", f"/pcm/jobs/{pending.id}/cancel"),
    ]
    for method, path in requests:
        response = http.request(method, f"{drifting.url}{path}", headers=AUTH)
        assert response.status_code == 200
        assert not response.headers["content-type"].startswith("application/json")
        assert found(response) == set(), path  # the body keeps the contract: only the header breaks it
    unknown = http.get(f"{drifting.url}/pcm/jobs/{UNKNOWN_ID}", headers=AUTH)
    assert unknown.headers["content-type"] == "application/json"


@pytest.mark.parametrize("drifting, expected", list(LIST_DRIFTS.items()), indirect=["drifting"], ids=list(LIST_DRIFTS))
def test_list_drift_mode_is_reported_on_every_page(drifting: MockServer, expected: tuple[str, str]) -> None:
    with httpx.Client(base_url=drifting.url, headers=AUTH) as http:
        for offset in range(0, len(drifting.seed), 7):
            response = http.get(f"/pcm/jobs?page[limit]=7&page[offset]={offset}")
            assert response.status_code == 200
            assert expected in found(response), offset


@pytest.mark.parametrize(
    "drifting, expected", list(JOB_ERRORS_DRIFTS.items()), indirect=["drifting"], ids=list(JOB_ERRORS_DRIFTS)
)
def test_job_errors_drift_mode_is_reported_for_every_failed_job(
    drifting: MockServer, expected: tuple[str, str]
) -> None:
    with httpx.Client(base_url=drifting.url, headers=AUTH) as http:
        for job_id in failed_job_ids(drifting):
            response = http.get(f"/pcm/jobs/{job_id}/errors")
            assert response.status_code == 200
            assert expected in found(response), job_id


@pytest.mark.parametrize("drifting, expected", list(JOB_DRIFTS.items()), indirect=["drifting"], ids=list(JOB_DRIFTS))
def test_job_drift_mode_is_reported_on_a_cancel_too(
    http: httpx.Client, drifting: MockServer, expected: tuple[str, str]
) -> None:
    job = drifting.create_job()
    response = http.post(f"{drifting.url}/pcm/jobs/{job.id}/cancel", headers=AUTH)
    assert response.status_code == 200
    assert expected in found(response)
    assert next(seeded for seeded in drifting.seed if seeded.id == job.id).status == "cancelling"


@pytest.mark.parametrize("drifting", ["cancel-anything"], indirect=True)
def test_cancel_anything_drift_answers_200_for_any_job_unchanged(http: httpx.Client, drifting: MockServer) -> None:
    for job in drifting.seed:
        response = http.post(f"{drifting.url}/pcm/jobs/{job.id}/cancel", headers=AUTH)
        assert response.status_code == 200, job
        assert response.json()["data"]["attributes"]["status"] == job.status
        if job.status not in ("cancelling", "cancelled"):
            assert CANCEL_ANYTHING in found(response), job
    assert {job.status for job in drifting.seed if job.live} == {"pending"}  # nothing was cancelled


@pytest.mark.parametrize("drifting", CONFINED_DRIFTS, indirect=True)
def test_new_drift_modes_leave_the_other_operations_alone(http: httpx.Client, drifting: MockServer) -> None:
    mode = drifting.drift
    fixed = drifting.seed[0].id  # a documented job: it never moves, so it never regresses
    requests = [
        ("GET", f"/pcm/jobs/{fixed}", ()),
        ("GET", "/pcm/jobs?page[limit]=7", ("total-mismatch",)),
        ("GET", f"/pcm/jobs/{failed_job_ids(drifting)[0]}/errors", ("errors-wrong-type",)),
        ("GET", "/pcm/jobs?page[limit]=7&page[offset]=7", ("total-mismatch",)),
        ("POST", f"/pcm/jobs/{drifting.create_job().id}/cancel", ("cancel-anything",)),
    ]
    for method, path, breaking in requests:
        response = http.request(method, f"{drifting.url}{path}", headers=AUTH)
        assert response.status_code == 200
        assert (found(response) != set()) == (mode in breaking), (mode, path)


@pytest.mark.parametrize("drifting", ["status-regresses"], indirect=True)
def test_status_regresses_drift_shows_a_moving_job_a_step_back_every_second_read(
    drifting: MockServer, clock: SteppedClock
) -> None:
    made = drifting.create_job()
    cancelled = drifting.create_job("price-import")
    with httpx.Client(base_url=drifting.url, headers=AUTH) as http:
        assert http.post(f"/pcm/jobs/{cancelled.id}/cancel").status_code == 200

        def statuses(job_id: str, reads: int) -> list[str]:
            seen = []
            for _ in range(reads):
                response = http.get(f"/pcm/jobs/{job_id}")
                assert found(response) == set(), (job_id, response.json())  # every snapshot is valid
                seen.append(response.json()["data"]["attributes"]["status"])
            return seen

        assert statuses(made.id, 3) == ["pending"] * 3  # its first status has nothing earlier
        clock.advance(PENDING_FOR)
        assert statuses(made.id, 4) == ["started", "pending", "started", "pending"]
        clock.advance(RUNS_FOR)
        outcome = outcome_of(made.type)
        assert statuses(made.id, 2) == [outcome, "started"]
        assert statuses(cancelled.id, 2) == ["cancelled", "cancelling"]
        assert statuses(drifting.seed[0].id, 4) == ["success"] * 4  # fixed jobs never move


@pytest.mark.parametrize("drifting", ["status-regresses"], indirect=True)
def test_status_regresses_drift_shows_in_a_second_listing(drifting: MockServer, clock: SteppedClock) -> None:
    clock.advance(PENDING_FOR + timedelta(seconds=1))
    live = {job.id for job in drifting.seed if job.live}
    path = "/pcm/jobs?page[limit]=100"
    with httpx.Client(base_url=drifting.url, headers=AUTH) as http:
        readings = []
        for _ in range(2):
            response = http.get(path)
            assert found(response) == set()
            readings.append({job["id"]: job["attributes"]["status"] for job in response.json()["data"]})
    assert {readings[0][job_id] for job_id in live} == {"started"}
    assert {readings[1][job_id] for job_id in live} == {"pending"}  # went backwards between two reads
    assert {k: v for k, v in readings[0].items() if k not in live} == {
        k: v for k, v in readings[1].items() if k not in live
    }


@pytest.mark.parametrize("drifting", ["page-overlap"], indirect=True)
def test_page_overlap_drift_repeats_the_last_job_of_the_previous_page(drifting: MockServer) -> None:
    with httpx.Client(base_url=drifting.url, headers=AUTH) as http:
        pages = walk(http, 7)
    for path, body in pages:
        assert contracts.validate(body, path=path, status=200) == [], path  # each page alone is valid
        assert body["meta"]["results"]["total"] == len(drifting.seed)
    for (_, previous), (_, page) in pairwise(pages):
        if page["data"]:
            assert page["data"][0]["id"] == previous["data"][-1]["id"]
    listed = [job_id for _, body in pages for job_id in job_ids(body)]
    assert len(listed) != len(set(listed))  # the walk sees repeats ...
    assert set(listed) != {job.id for job in drifting.seed}  # ... and misses jobs


@pytest.mark.parametrize("drifting", DRIFT_MODES, indirect=True)
def test_drift_never_touches_the_mock_endpoints_or_the_token_endpoint(http: httpx.Client, drifting: MockServer) -> None:
    with MockServer() as normal:
        expected = http.get(f"{normal.url}/__mock__/seed").json()
    seed = http.get(f"{drifting.url}/__mock__/seed")
    assert seed.headers["content-type"] == "application/json"
    assert [job["id"] for job in seed.json()["jobs"]] == [job["id"] for job in expected["jobs"]]
    form = {"grant_type": "client_credentials", "client_id": "a", "client_secret": "b"}
    token = http.post(f"{drifting.url}/oauth/access_token", data=form)
    assert token.headers["content-type"] == "application/json"
    assert token.json()["token_type"] == "Bearer"
    created = http.post(f"{drifting.url}/__mock__/jobs", json={"type": "product-export"})
    assert created.status_code == 201
    assert created.headers["content-type"] == "application/json"
    assert created.json()["data"]["status"] == "pending"


def test_drift_mode_leaves_unknown_paths_alone(http: httpx.Client, clock: SteppedClock) -> None:
    with MockServer(clock=clock, drift="error-without-errors") as mock:
        assert http.get(f"{mock.url}/nowhere").json()["errors"][0]["status"] == "404"


@pytest.fixture
def faulty(request: pytest.FixtureRequest, clock: SteppedClock) -> Iterator[MockServer]:
    with MockServer(clock=clock, fault=request.param, slow_seconds=0.3) as server:
        yield server


def port_of(mock: MockServer) -> int:
    return int(mock.url.rsplit(":", 1)[1])


def raw_get(mock: MockServer, path: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port_of(mock)), timeout=10)  # a hang guard, not a race
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer mock-token\r\n\r\n".encode())
    return sock


@pytest.mark.parametrize("faulty", ["reset"], indirect=True)
def test_reset_fault_resets_the_connection_without_an_answer(http: httpx.Client, faulty: MockServer) -> None:
    with raw_get(faulty, f"/pcm/jobs/{faulty.seed[0].id}") as sock, pytest.raises(ConnectionResetError):
        sock.recv(1024)
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        http.get(f"{faulty.url}/pcm/jobs/{faulty.seed[0].id}", headers=AUTH)


@pytest.mark.parametrize("faulty", ["truncated"], indirect=True)
def test_truncated_fault_announces_the_full_length_and_sends_half(http: httpx.Client, faulty: MockServer) -> None:
    with raw_get(faulty, f"/pcm/jobs/{faulty.seed[0].id}") as sock:
        received = b"".join(iter(lambda: sock.recv(65536), b""))
    head, _, body = received.partition(b"\r\n\r\n")
    headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n")[1:])
    assert head.startswith(b"HTTP/1.1 200")
    assert len(body) == int(headers["Content-Length"]) // 2
    with pytest.raises(httpx.RemoteProtocolError):
        http.get(f"{faulty.url}/pcm/jobs/{faulty.seed[0].id}", headers=AUTH)


@pytest.mark.parametrize("faulty", ["slow"], indirect=True)
def test_slow_fault_delays_a_normal_answer(http: httpx.Client, faulty: MockServer) -> None:
    url = f"{faulty.url}/pcm/jobs/{faulty.seed[0].id}"
    with pytest.raises(httpx.ReadTimeout):
        http.get(url, headers=AUTH, timeout=0.1)
    began = time.monotonic()
    response = http.get(url, headers=AUTH, timeout=10)
    assert time.monotonic() - began >= 0.3
    assert response.status_code == 200
    assert found(response) == set()


@pytest.mark.parametrize("faulty", ["server-error"], indirect=True)
def test_server_error_fault_answers_a_documented_500(http: httpx.Client, faulty: MockServer) -> None:
    response = http.get(f"{faulty.url}/pcm/jobs/{faulty.seed[0].id}", headers=AUTH)
    assert response.status_code == 500
    assert response.json()["errors"][0]["status"] == "500"
    assert found(response) == set()


@pytest.mark.parametrize("faulty", ["non-json"], indirect=True)
def test_non_json_fault_answers_html_labelled_json(http: httpx.Client, faulty: MockServer) -> None:
    response = http.get(f"{faulty.url}/pcm/jobs/{faulty.seed[0].id}", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.text == "<html>upstream error</html>"
    with pytest.raises(json.JSONDecodeError):
        response.json()


@pytest.mark.parametrize("faulty", ["too-many-requests"], indirect=True)
def test_too_many_requests_fault_answers_429_with_retry_after(http: httpx.Client, faulty: MockServer) -> None:
    response = http.get(f"{faulty.url}/pcm/jobs/{faulty.seed[0].id}", headers=AUTH)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"
    assert response.json()["errors"][0]["status"] == "429"
    assert {rule for rule, _ in found(response)} == {"status_is_documented"}  # 429 is undocumented


@pytest.mark.parametrize("fault", FAULT_MODES)
def test_fault_never_touches_the_mock_endpoints(http: httpx.Client, clock: SteppedClock, fault: FaultMode) -> None:
    # slow answers would take a minute: a slowed mock endpoint times out (no timing of a fast answer)
    with MockServer(clock=clock, fault=fault, slow_seconds=60) as faulty:
        response = http.get(f"{faulty.url}/__mock__/seed", timeout=10)
        created = http.post(f"{faulty.url}/__mock__/jobs", timeout=10)
    assert response.status_code == 200
    assert response.json()["mock"] == "pcm-contracts"
    assert created.status_code == 201


@pytest.mark.parametrize("fault", ["reset", "server-error", "too-many-requests"])
def test_fault_applies_to_the_token_endpoint_too(http: httpx.Client, clock: SteppedClock, fault: FaultMode) -> None:
    with MockServer(clock=clock, fault=fault) as mock:
        form = {"grant_type": "client_credentials", "client_id": "a", "client_secret": "b"}
        try:
            status = http.post(f"{mock.url}/oauth/access_token", data=form).status_code
        except (httpx.ReadError, httpx.RemoteProtocolError):
            status = 0
        assert status != 200


def test_fault_requests_are_still_recorded(http: httpx.Client, clock: SteppedClock) -> None:
    with MockServer(clock=clock, fault="reset") as mock:
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            http.delete(f"{mock.url}/pcm/jobs/{UNKNOWN_ID}", headers=AUTH)
        assert [(r.method, r.authorized) for r in mock.requests] == [("DELETE", True)]


def test_stop_is_fast_while_a_slow_answer_is_pending(clock: SteppedClock) -> None:
    mock = MockServer(clock=clock, fault="slow", slow_seconds=5).start()
    sock = raw_get(mock, f"/pcm/jobs/{UNKNOWN_ID}")
    for _ in range(500):  # until the request is in (recorded before the slow wait), at most 5 s
        if mock.requests:
            break
        time.sleep(0.01)
    began = time.monotonic()
    mock.stop()
    assert time.monotonic() - began < 2.5  # not the 5 s of the slow answer, however loaded the machine
    sock.close()
