"""Get Job Errors, Cancel a Job and ``POST /__mock__/jobs`` in normal mode, over real sockets."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest

import contracts
from contracts.mock import MockServer
from contracts.mock.jobs import CANCELLING_FOR, JOB_TYPES, PENDING_FOR, RUNS_FOR, outcome_of, timestamp, to_millisecond
from tests.mock.conftest import AUTH, SteppedClock

STRICT = contracts.Strictness(undocumented_field="error")
UNKNOWN_ID = "00000000-0000-4000-8000-000000000404"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def errors_path(job_id: str) -> str:
    return f"/pcm/jobs/{job_id}/errors"


def cancel_path(job_id: str) -> str:
    return f"/pcm/jobs/{job_id}/cancel"


def create(http: httpx.Client, mock: MockServer, body: object = None) -> httpx.Response:
    return (
        http.post(f"{mock.url}/__mock__/jobs", json=body)
        if body is not None
        else http.post(f"{mock.url}/__mock__/jobs")
    )


def cancel_findings(response: httpx.Response, job_id: str) -> list[contracts.Violation]:
    return contracts.validate(response.json(), method="POST", path=cancel_path(job_id), status=response.status_code)


# Get Job Errors


def test_errors_of_every_seeded_job_are_valid_and_only_failed_jobs_have_some(
    mock: MockServer, client: httpx.Client, clock: SteppedClock
) -> None:
    clock.advance(PENDING_FOR + RUNS_FOR + timedelta(seconds=1))  # live jobs finished: some failed
    for job in mock.seed:
        response = client.get(errors_path(job.id))
        body = response.json()
        assert response.status_code == 200, job
        assert contracts.validate(body, path=errors_path(job.id), status=200, strictness=STRICT) == [], job
        assert body["meta"]["results"]["total"] == len(body["data"])
        if job.status == "failed":
            assert body["data"], job
            assert all(item["type"] == "pim-job-error" and item["attributes"]["message"] for item in body["data"])
            assert len({item["id"] for item in body["data"]}) == len(body["data"])
        else:
            assert body["data"] == [], job
    assert any(job.status == "failed" and job.live for job in mock.seed)


def test_errors_are_the_same_on_every_start(clock: SteppedClock) -> None:
    with MockServer(clock=clock) as first, MockServer(clock=clock) as second, httpx.Client(headers=AUTH) as http:
        failed = [job.id for job in first.seed if job.status == "failed"]
        for job_id in failed:
            assert http.get(first.url + errors_path(job_id)).json() == http.get(second.url + errors_path(job_id)).json()


def test_a_live_job_has_errors_only_once_it_failed(mock: MockServer, client: httpx.Client, clock: SteppedClock) -> None:
    failing = next(job for job in mock.seed if job.live and outcome_of(job.type) == "failed")
    assert client.get(errors_path(failing.id)).json()["data"] == []
    clock.advance(PENDING_FOR + RUNS_FOR + timedelta(seconds=1))
    assert client.get(errors_path(failing.id)).json()["data"] != []


@pytest.mark.parametrize(
    "bad_id, status", [(UNKNOWN_ID, 404), ("not-a-uuid", 400), ("%20", 422)], ids=["unknown", "not-a-uuid", "blank"]
)
def test_errors_of_a_bad_job_id_answer_the_error_body(client: httpx.Client, bad_id: str, status: int) -> None:
    response = client.get(errors_path(bad_id))
    assert response.status_code == status
    assert contracts.validate(response.json(), path=errors_path(bad_id), status=status, strictness=STRICT) == []


def test_errors_need_a_token(http: httpx.Client, mock: MockServer) -> None:
    response = http.get(mock.url + errors_path("not-a-uuid"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("method", ["POST", "DELETE", "PATCH"])
def test_other_method_on_errors_answers_405_allow_get(http: httpx.Client, mock: MockServer, method: str) -> None:
    response = http.request(method, mock.url + errors_path(mock.seed[0].id), headers=AUTH)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"


# Cancel a Job


def test_cancel_of_a_pending_job_answers_cancelling_then_it_is_cancelled_by_the_clock(
    mock: MockServer, client: httpx.Client, clock: SteppedClock
) -> None:
    job = mock.create_job()
    clock.advance(timedelta(milliseconds=250))
    cancelled_at = timestamp(to_millisecond(clock.now))
    response = client.post(cancel_path(job.id))
    attributes = response.json()["data"]["attributes"]
    assert response.status_code == 200
    assert cancel_findings(response, job.id) == []
    assert (attributes["status"], attributes["started_at"], attributes["completed_at"]) == ("cancelling", None, None)
    assert attributes["updated_at"] == cancelled_at
    assert client.get(f"/pcm/jobs/{job.id}").json()["data"] == response.json()["data"]

    clock.advance(CANCELLING_FOR)
    later = client.get(f"/pcm/jobs/{job.id}")
    attributes = later.json()["data"]["attributes"]
    assert (attributes["status"], attributes["started_at"], attributes["completed_at"]) == ("cancelled", None, None)
    assert attributes["updated_at"] == timestamp(to_millisecond(clock.now))
    assert contracts.validate(later.json(), path=f"/pcm/jobs/{job.id}", status=200, strictness=STRICT) == []

    clock.advance(PENDING_FOR + RUNS_FOR)
    assert client.get(f"/pcm/jobs/{job.id}").json()["data"]["attributes"]["status"] == "cancelled"
    assert client.get(errors_path(job.id)).json()["data"] == []
    assert next(seeded for seeded in mock.seed if seeded.id == job.id).status == "cancelled"


def test_cancel_of_a_pending_seeded_job_works_too(mock: MockServer, client: httpx.Client) -> None:
    for job in [job for job in mock.seed if job.status == "pending"]:
        response = client.post(cancel_path(job.id))
        assert response.status_code == 200, job
        assert response.json()["data"]["attributes"]["status"] == "cancelling"
        assert cancel_findings(response, job.id) == [], job


def test_cancel_of_a_job_that_is_not_pending_answers_422(mock: MockServer, client: httpx.Client) -> None:
    for job in [job for job in mock.seed if job.status != "pending"]:
        response = client.post(cancel_path(job.id))
        assert response.status_code == 422, job
        assert response.json() == {
            "errors": [
                {
                    "status": "422",
                    "title": "Failed Validation",
                    "detail": f"only a pending job can be cancelled; job {job.id} is {job.status}",
                }
            ]
        }
        assert cancel_findings(response, job.id) == []


def test_cancel_of_a_started_live_job_answers_422(mock: MockServer, client: httpx.Client, clock: SteppedClock) -> None:
    job = mock.create_job()
    clock.advance(PENDING_FOR)
    response = client.post(cancel_path(job.id))
    assert response.status_code == 422
    assert response.json()["errors"][0]["detail"].endswith(f"job {job.id} is started")


def test_a_second_cancel_answers_422_cancelling(mock: MockServer, client: httpx.Client) -> None:
    job = mock.create_job()
    assert client.post(cancel_path(job.id)).status_code == 200
    second = client.post(cancel_path(job.id))
    assert second.status_code == 422
    assert second.json()["errors"][0]["detail"].endswith("is cancelling")


def test_concurrent_cancels_of_one_job_succeed_once(mock: MockServer) -> None:
    job = mock.create_job()

    def cancel(_: int) -> int:
        with httpx.Client(base_url=mock.url, headers=AUTH) as http:
            return http.post(cancel_path(job.id)).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = sorted(pool.map(cancel, range(4)))
    assert statuses == [200, 422, 422, 422]


@pytest.mark.parametrize(
    "bad_id, status", [(UNKNOWN_ID, 404), ("not-a-uuid", 400), ("%20", 422)], ids=["unknown", "not-a-uuid", "blank"]
)
def test_cancel_of_a_bad_job_id_answers_the_error_body(client: httpx.Client, bad_id: str, status: int) -> None:
    response = client.post(cancel_path(bad_id))
    assert response.status_code == status
    assert cancel_findings(response, bad_id) == []


def test_cancel_needs_a_token(http: httpx.Client, mock: MockServer) -> None:
    job = mock.create_job()
    response = http.post(mock.url + cancel_path(job.id), headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401
    assert next(seeded for seeded in mock.seed if seeded.id == job.id).status == "pending"


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE"])
def test_other_method_on_cancel_answers_405_allow_post(http: httpx.Client, mock: MockServer, method: str) -> None:
    job = mock.create_job()
    response = http.request(method, mock.url + cancel_path(job.id), headers=AUTH)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert next(seeded for seeded in mock.seed if seeded.id == job.id).status == "pending"


# POST /__mock__/jobs


def test_created_job_is_pending_then_runs_on_the_live_schedule(
    http: httpx.Client, mock: MockServer, client: httpx.Client, clock: SteppedClock
) -> None:
    response = create(http, mock)
    created = response.json()["data"]
    assert response.status_code == 201
    assert created["type"] == "product-import"
    assert created["status"] == "pending"
    assert UUID.match(created["id"])
    statuses = []
    for step in (timedelta(), PENDING_FOR, RUNS_FOR):
        clock.advance(step)
        answer = client.get(f"/pcm/jobs/{created['id']}")
        assert contracts.validate(answer.json(), path=f"/pcm/jobs/{created['id']}", status=200, strictness=STRICT) == []
        statuses.append(answer.json()["data"]["attributes"]["status"])
    assert statuses == ["pending", "started", outcome_of("product-import")]


@pytest.mark.parametrize("job_type", JOB_TYPES)
def test_a_job_of_every_documented_type_can_be_created(http: httpx.Client, mock: MockServer, job_type: str) -> None:
    response = create(http, mock, {"type": job_type})
    assert response.status_code == 201
    assert response.json()["data"]["type"] == job_type
    seeded = next(job for job in mock.seed if job.id == response.json()["data"]["id"])
    assert (seeded.type, seeded.status, seeded.live, seeded.created, seeded.documented) == (
        job_type,
        "pending",
        True,
        True,
        False,
    )


@pytest.mark.parametrize(
    "content",
    [b'{"type": "nope"}', b'{"type": 3}', b"[]", b"not json", b'"product-import"'],
    ids=["unknown-type", "type-not-a-string", "array", "not-json", "string"],
)
def test_creating_with_a_bad_body_answers_400(http: httpx.Client, mock: MockServer, content: bytes) -> None:
    before = len(mock.seed)
    response = http.post(f"{mock.url}/__mock__/jobs", content=content)
    assert response.status_code == 400
    assert response.json()["errors"][0]["status"] == "400"
    assert len(mock.seed) == before


def test_created_jobs_are_in_the_seed_endpoint(http: httpx.Client, mock: MockServer) -> None:
    made = create(http, mock, {"type": "attach-nodes"}).json()["data"]
    listed = http.get(f"{mock.url}/__mock__/seed").json()["jobs"]
    assert listed[-1] == {**made, "documented": False, "live": True, "created": True}


def test_created_ids_are_the_same_on_every_start(http: httpx.Client, clock: SteppedClock) -> None:
    with MockServer(clock=clock) as first, MockServer(clock=clock) as second:
        assert [create(http, first).json()["data"]["id"] for _ in range(2)] == [
            create(http, second).json()["data"]["id"] for _ in range(2)
        ]


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_other_method_on_the_jobs_control_endpoint_answers_405(
    http: httpx.Client, mock: MockServer, method: str
) -> None:
    response = http.request(method, f"{mock.url}/__mock__/jobs")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_creating_in_process_checks_the_type(mock: MockServer) -> None:
    with pytest.raises(ValueError, match="unknown job type"):
        mock.create_job("nope")
    with pytest.raises(RuntimeError):
        MockServer().create_job()
