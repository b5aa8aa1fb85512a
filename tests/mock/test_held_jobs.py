"""Jobs held pending until released: cancel tests that never race the clock."""

from __future__ import annotations

from datetime import timedelta

import httpx

from contracts.mock import MockServer
from contracts.mock.jobs import PENDING_FOR, RUNS_FOR, outcome_of
from tests.mock.conftest import SteppedClock

HOUR = timedelta(hours=1)


def status(client: httpx.Client, job_id: str) -> str:
    answer: str = client.get(f"/pcm/jobs/{job_id}").json()["data"]["attributes"]["status"]
    return answer


def test_a_held_job_stays_pending_however_much_time_passes(client: httpx.Client, clock: SteppedClock) -> None:
    created = client.post("/__mock__/jobs", json={"hold": True})
    assert created.status_code == 201
    job_id = created.json()["data"]["id"]
    clock.advance(HOUR)
    assert status(client, job_id) == "pending"
    assert client.post(f"/pcm/jobs/{job_id}/cancel").status_code == 200


def test_a_released_job_starts_then_runs_its_schedule(client: httpx.Client, clock: SteppedClock) -> None:
    job_id = client.post("/__mock__/jobs", json={"hold": True, "type": "product-import"}).json()["data"]["id"]
    clock.advance(HOUR)
    released = client.post(f"/__mock__/jobs/{job_id}/release")
    assert (released.status_code, released.json()["data"]["status"]) == (200, "started")
    assert status(client, job_id) == "started"
    clock.advance(RUNS_FOR)
    assert status(client, job_id) == outcome_of("product-import")


def test_only_a_held_job_can_be_released(client: httpx.Client, mock: MockServer) -> None:
    live = mock.create_job().id
    assert client.post(f"/__mock__/jobs/{live}/release").status_code == 404
    assert client.get(f"/__mock__/jobs/{live}/release").status_code == 405


def test_hold_must_be_a_boolean(client: httpx.Client) -> None:
    assert client.post("/__mock__/jobs", json={"hold": "yes"}).status_code == 400


def test_a_job_created_without_hold_still_starts_on_its_schedule(mock: MockServer, clock: SteppedClock) -> None:
    job = mock.create_job()
    held = mock.create_job(hold=True)
    clock.advance(PENDING_FOR)
    statuses = {seed.id: seed.status for seed in mock.seed}
    assert (statuses[job.id], statuses[held.id]) == ("started", "pending")
    assert mock.release_job(held.id).status == "started"
