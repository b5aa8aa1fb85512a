"""Fixtures for the mock's tests: a steppable clock and running servers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from contracts.mock import DEFAULT_TOKEN, MockServer

EPOCH = datetime(2025, 3, 14, 9, 26, 53, 589793, tzinfo=UTC)
AUTH = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}


class SteppedClock:
    """A clock that moves only when told: live jobs and token expiry without sleeping."""

    def __init__(self, now: datetime = EPOCH) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> SteppedClock:
    return SteppedClock()


@pytest.fixture
def mock(clock: SteppedClock) -> Iterator[MockServer]:
    with MockServer(clock=clock) as server:
        yield server


@pytest.fixture
def client(mock: MockServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=mock.url, headers=AUTH, timeout=5) as http:
        yield http


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    """One plain client for one-off requests (building a client per request costs ~30 ms)."""
    with httpx.Client(timeout=5) as plain:
        yield plain


def job_ids(body: dict[str, Any]) -> list[str]:
    """The ids of the jobs on a list page."""
    return [job["id"] for job in body["data"]]


def list_path(limit: int, offset: int) -> str:
    return f"/pcm/jobs?page[limit]={limit}&page[offset]={offset}"


def walk(http: httpx.Client, limit: int) -> list[tuple[str, dict[str, Any]]]:
    """Every page of ``GET /pcm/jobs`` by offsets ``0, limit, 2*limit, ...`` up to the total."""
    pages = []
    offset, total = 0, 1
    while offset < total:
        path = list_path(limit, offset)
        response = http.get(path)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append((path, body))
        total = body["meta"]["results"]["total"]
        offset += limit
    return pages
