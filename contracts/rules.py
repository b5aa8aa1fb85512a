"""Semantic rules: what the docs say that a JSON Schema cannot express.

A rule is a function named as a fact. It gets the body and the route it was
answered on, and yields ``(pointer, message)`` for each place the fact does not
hold; the engine (:mod:`contracts.validation`) adds the rule id, severity and
kind. Rules run on structurally broken bodies too, so they look at a value only
when it has the documented type.

Every rule accepts every documented example (``examples/``); a test proves it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any

from contracts.registry import SCHEMA_BASE
from contracts.routing import Route
from contracts.violations import Severity, pointer, show

Finding = tuple[str, str]
Check = Callable[[Any, Route], Iterator[Finding]]

JOB_RESPONSE = SCHEMA_BASE + "job-response.json"
ERROR_RESPONSE = SCHEMA_BASE + "error-response.json"

NEVER_STARTED = ("pending", "cancelled", "cancelling")
RUNNING = ("started",)
FINISHED = ("success", "failed")
RUN_TIMES = ("started_at", "completed_at")


@dataclass(frozen=True)
class Rule:
    """A named semantic rule, the bodies it applies to and its severity."""

    id: str
    severity: Severity
    schemas: frozenset[str]
    check: Check

    @property
    def description(self) -> str:
        return (self.check.__doc__ or "").strip().splitlines()[0]


RULES: list[Rule] = []


def rule(*, severity: Severity, schemas: tuple[str, ...]) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        RULES.append(Rule(check.__name__, severity, frozenset(schemas), check))
        return check

    return register


def jobs(body: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(pointer, job)`` for the job (or jobs) under ``data``."""
    data = body.get("data") if isinstance(body, dict) else None
    if isinstance(data, dict):
        yield "/data", data
    elif isinstance(data, list):
        for index, job in enumerate(data):
            if isinstance(job, dict):
                yield pointer(("data", index)), job


def attributes(job: dict[str, Any]) -> dict[str, Any]:
    found = job.get("attributes")
    return found if isinstance(found, dict) else {}


def moment(value: Any) -> datetime | None:
    """A timestamp with a zone as an aware datetime; anything else is ``None``
    (malformed or zone-less timestamps are the schema's findings, not ours)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.upper())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


@rule(severity="error", schemas=(JOB_RESPONSE,))
def timestamps_are_ordered(body: Any, route: Route) -> Iterator[Finding]:
    """created_at <= started_at <= completed_at, and created_at <= updated_at, where present.

    ``updated_at`` is not ordered against ``completed_at``: the documented
    examples show it earlier."""
    for at, job in jobs(body):
        attrs = attributes(job)
        run = [name for name in ("created_at", *RUN_TIMES) if moment(attrs.get(name)) is not None]
        for earlier, later in (*pairwise(run), ("created_at", "updated_at")):
            first, second = moment(attrs.get(earlier)), moment(attrs.get(later))
            if first is not None and second is not None and second < first:
                yield (
                    f"{at}/attributes/{later}",
                    f"{later} {show(attrs[later])} is earlier than {earlier} {show(attrs[earlier])}",
                )


@rule(severity="error", schemas=(JOB_RESPONSE,))
def unstarted_jobs_have_no_run_times(body: Any, route: Route) -> Iterator[Finding]:
    """A pending, cancelling or cancelled job has no started_at or completed_at (null or absent)."""
    for at, job in jobs(body):
        attrs = attributes(job)
        status = attrs.get("status")
        if status in NEVER_STARTED:
            for name in RUN_TIMES:
                if attrs.get(name) is not None:
                    yield f"{at}/attributes/{name}", f"a {status} job has {name} {show(attrs[name])}; expected null"


@rule(severity="error", schemas=(JOB_RESPONSE,))
def unfinished_jobs_have_no_completion_time(body: Any, route: Route) -> Iterator[Finding]:
    """A started job has no completed_at (null or absent)."""
    for at, job in jobs(body):
        attrs = attributes(job)
        if attrs.get("status") in RUNNING and attrs.get("completed_at") is not None:
            yield (
                f"{at}/attributes/completed_at",
                f"a started job has completed_at {show(attrs['completed_at'])}; expected null",
            )


@rule(severity="warning", schemas=(JOB_RESPONSE,))
def finished_jobs_have_completion_time(body: Any, route: Route) -> Iterator[Finding]:
    """A success or failed job has a completed_at (a warning: listings may omit it)."""
    for at, job in jobs(body):
        attrs = attributes(job)
        status = attrs.get("status")
        if status in FINISHED and attrs.get("completed_at") is None:
            yield f"{at}/attributes/completed_at", f"a {status} job has no completed_at"


@rule(severity="error", schemas=(JOB_RESPONSE,))
def data_id_matches_request(body: Any, route: Route) -> Iterator[Finding]:
    """The job answered is the job asked for: data.id equals the jobID of the path."""
    asked = route.params.get("jobID")
    for at, job in jobs(body):
        answered = job.get("id")
        if asked is not None and isinstance(answered, str) and answered != asked:
            yield f"{at}/id", f"asked for job {show(asked)}, answered job {show(answered)}"


@rule(severity="error", schemas=(ERROR_RESPONSE,))
def error_status_matches_response(body: Any, route: Route) -> Iterator[Finding]:
    """Each error item's status is the HTTP status of the response, as a string."""
    items = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return
    for index, item in enumerate(items):
        status = item.get("status") if isinstance(item, dict) else None
        if isinstance(status, str) and status != str(route.status):
            yield pointer(("errors", index, "status")), f"error status {show(status)} in a {route.status} response"
