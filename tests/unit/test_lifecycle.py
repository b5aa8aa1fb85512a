from __future__ import annotations

from typing import Any

import pytest

from contracts.lifecycle import TERMINAL, Watch, reachable


def snapshot(status: str, **times: str | None) -> dict[str, Any]:
    attributes: dict[str, Any] = {"status": status, "created_at": "2024-01-05T13:00:00Z", "updated_at": None}
    attributes |= times
    return {"data": {"id": "j", "attributes": attributes}}


def watch(*snapshots: dict[str, Any]) -> Watch:
    seen = Watch("j")
    for body in snapshots:
        seen.observe(body)
    return seen


@pytest.mark.parametrize(
    "path",
    [
        ["pending", "started", "success"],
        ["pending", "pending", "started", "started", "failed", "failed"],
        ["pending", "cancelling", "cancelled"],
        ["pending", "cancelled"],
        ["started", "success"],
    ],
)
def test_documented_paths_keep_the_lifecycle(path: list[str]) -> None:
    seen = watch(*(snapshot(status) for status in path))
    assert seen.problems == []
    assert seen.statuses == list(dict.fromkeys(path))


@pytest.mark.parametrize(
    ("before", "after", "problem"),
    [
        ("started", "pending", "status went backwards: started -> pending"),
        ("success", "started", "status left the terminal status: success -> started"),
        ("success", "failed", "status left the terminal status: success -> failed"),
        ("cancelled", "pending", "status left the terminal status: cancelled -> pending"),
        ("started", "cancelled", "status went backwards: started -> cancelled"),
        ("cancelling", "started", "status went backwards: cancelling -> started"),
    ],
)
def test_transitions_outside_the_lifecycle_are_problems(before: str, after: str, problem: str) -> None:
    assert watch(snapshot(before), snapshot(after)).problems == [problem]


def test_created_at_never_changes_and_times_never_go_back_or_vanish() -> None:
    first = snapshot("started", started_at="2024-01-05T13:00:02Z", updated_at="2024-01-05T13:00:02Z")
    second = snapshot("started", started_at="2024-01-05T13:00:01Z", updated_at="2024-01-05T13:00:02Z")
    second["data"]["attributes"]["created_at"] = "2024-01-05T12:00:00Z"
    third = snapshot("started", started_at=None, updated_at="2024-01-05T13:00:02Z")
    seen = watch(first, second, third)
    assert seen.problems == [
        "created_at changed: 2024-01-05T13:00:00Z -> 2024-01-05T12:00:00Z",
        "started_at moved backwards: 2024-01-05T13:00:02Z -> 2024-01-05T13:00:01Z",
        "created_at changed: 2024-01-05T12:00:00Z -> 2024-01-05T13:00:00Z",
        "started_at was unset: 2024-01-05T13:00:01Z -> null",
    ]


def test_undocumented_statuses_and_broken_snapshots_are_left_to_the_schema() -> None:
    assert watch(snapshot("pending"), snapshot("archived"), snapshot("pending")).problems == []
    assert watch(snapshot("pending"), {"data": None}, {"oops": 1}).problems == []


def test_terminal_statuses_reach_nothing_else() -> None:
    assert {"success", "failed", "cancelled"} == TERMINAL
    assert all(reachable(status) == {status} for status in TERMINAL)
    assert reachable("pending") == {"pending", "started", "success", "failed", "cancelling", "cancelled"}
