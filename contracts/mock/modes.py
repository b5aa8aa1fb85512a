"""Drift modes and fault modes: the ways the mock can break, one name each.

A **drift mode** is a realistic contract break in the *body or headers* of the
Jobs API's answers; the connection is healthy and a contract check must
report it. A **fault mode** breaks the *transport or the service* (a reset, a
truncated body, a 500, a 429, a slow answer); a client must survive it.
Drift applies to the answers of the contract's paths only (the routes of
``contracts/openapi.yaml``), never to ``/oauth/access_token`` (so a client can
still log in) nor to ``/__mock__/*``. Faults apply to every request except
``/__mock__/*``; the answers faults make up are sent as they are, not drifted.

Drift modes and what each one breaks (``contracts.validate`` reports it):

- ``status-as-integer``: error items' ``status`` is a number (``404``).
- ``undocumented-status``: every job's status is ``completed``.
- ``missing-id``: ``data.id`` is removed.
- ``renamed-envelope``: ``data`` is renamed ``job``.
- ``timestamps-out-of-order``: every job is finished, ``completed_at`` before ``started_at``.
- ``error-without-errors``: error bodies become ``{"message": "..."}``.
- ``wrong-content-type``: 200 bodies are sent as ``text/plain`` (the body itself is sound).
- ``zone-less-timestamps``: timestamps lose their zone (``2024-01-05T13:46:42.070``).
- ``data-as-array``: ``data`` is a one-element list.
- ``id-mismatch``: another seeded job than the one asked for is answered.
- ``null-created-at``: ``created_at`` is ``null``.

``id-mismatch`` chooses the job, so the endpoint applies it; every other drift
is a rewrite of a finished :class:`Answer` by :func:`drifted`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from contracts.mock.answers import Answer
from contracts.mock.jobs import timestamp

DriftMode = Literal[
    "status-as-integer",
    "undocumented-status",
    "missing-id",
    "renamed-envelope",
    "timestamps-out-of-order",
    "error-without-errors",
    "wrong-content-type",
    "zone-less-timestamps",
    "data-as-array",
    "id-mismatch",
    "null-created-at",
]
FaultMode = Literal["slow", "reset", "server-error", "non-json", "too-many-requests", "truncated"]

DRIFT_MODES: tuple[DriftMode, ...] = get_args(DriftMode)
FAULT_MODES: tuple[FaultMode, ...] = get_args(FaultMode)

TIMESTAMPS = ("created_at", "updated_at", "started_at", "completed_at")
Job = dict[str, Any]


def with_job(answer: Answer, change: Callable[[Job], None]) -> Answer:
    """``answer`` with ``change`` applied to a copy of its job (200 bodies with a ``data`` object only)."""
    body = answer.body
    if answer.status != 200 or not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        return answer
    body = copy.deepcopy(body)
    change(body["data"])
    return replace(answer, body=body)


def with_body(answer: Answer, change: Callable[[dict[str, Any]], dict[str, Any]], *, errors: bool) -> Answer:
    """``answer`` with its body replaced by ``change(body)``, for error bodies or for job bodies."""
    body = answer.body
    if not isinstance(body, dict):
        return answer
    if not (("errors" in body) if errors else (answer.status == 200 and "data" in body)):
        return answer
    return replace(answer, body=change(copy.deepcopy(body)))


def status_as_integer(body: dict[str, Any]) -> dict[str, Any]:
    for item in body["errors"]:
        item["status"] = int(item["status"])
    return body


def error_without_errors(body: dict[str, Any]) -> dict[str, Any]:
    first = body["errors"][0]
    return {"message": first.get("detail") or first["title"]}


def undocumented_status(job: Job) -> None:
    job["attributes"]["status"] = "completed"


def missing_id(job: Job) -> None:
    del job["id"]


def null_created_at(job: Job) -> None:
    job["attributes"]["created_at"] = None


def zone_less_timestamps(job: Job) -> None:
    attrs = job["attributes"]
    for name in TIMESTAMPS:
        if isinstance(attrs.get(name), str):
            attrs[name] = attrs[name].removesuffix("Z").removesuffix("z")


def timestamps_out_of_order(job: Job) -> None:
    """Make the job finished, completing half a second before it started."""
    attrs = job["attributes"]
    created = datetime.fromisoformat(attrs["created_at"])
    started = datetime.fromisoformat(attrs["started_at"]) if attrs.get("started_at") else created + timedelta(seconds=1)
    attrs["status"] = "success"
    attrs["started_at"] = timestamp(started)
    attrs["completed_at"] = timestamp(started - timedelta(milliseconds=500))
    attrs["updated_at"] = timestamp(started)


DRIFTS: Mapping[DriftMode, Callable[[Answer], Answer]] = {
    "status-as-integer": lambda a: with_body(a, status_as_integer, errors=True),
    "undocumented-status": lambda a: with_job(a, undocumented_status),
    "missing-id": lambda a: with_job(a, missing_id),
    "renamed-envelope": lambda a: with_body(a, lambda b: {"job": b.pop("data"), **b}, errors=False),
    "timestamps-out-of-order": lambda a: with_job(a, timestamps_out_of_order),
    "error-without-errors": lambda a: with_body(a, error_without_errors, errors=True),
    "wrong-content-type": lambda a: replace(a, content_type="text/plain") if a.status == 200 else a,
    "zone-less-timestamps": lambda a: with_job(a, zone_less_timestamps),
    "data-as-array": lambda a: with_body(a, lambda b: {**b, "data": [b["data"]]}, errors=False),
    "id-mismatch": lambda a: a,  # the endpoint answers another job; the body itself is sound
    "null-created-at": lambda a: with_job(a, null_created_at),
}


def drifted(answer: Answer, mode: DriftMode | None) -> Answer:
    """``answer`` as the drift ``mode`` breaks it (unchanged when ``mode`` is ``None``)."""
    return DRIFTS[mode](answer) if mode else answer
