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
from functools import cache
from itertools import pairwise
from typing import Any

from contracts.registry import SCHEMA_BASE
from contracts.routing import Route
from contracts.violations import Severity, pointer, show

Finding = tuple[str, str]
Check = Callable[[Any, Route], Iterator[Finding]]

JOB_RESPONSE = SCHEMA_BASE + "job-response.json"
JOB_LIST = SCHEMA_BASE + "job-list-response.json"
ERROR_RESPONSE = SCHEMA_BASE + "error-response.json"
JOB_ERRORS = SCHEMA_BASE + "job-errors-response.json"
JOBS = (JOB_RESPONSE, JOB_LIST)

NEVER_STARTED = ("pending", "cancelled", "cancelling")
RUNNING = ("started",)
FINISHED = ("success", "failed")
RUN_TIMES = ("started_at", "completed_at")
TIMESTAMPS = ("created_at", "updated_at", *RUN_TIMES)


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


@cache
def rules_for(schema_id: str) -> tuple[Rule, ...]:
    """The rules that apply to bodies of ``schema_id``, in registration order."""
    return tuple(rule for rule in RULES if schema_id in rule.schemas)


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


@rule(severity="error", schemas=JOBS)
def timestamps_are_ordered(body: Any, route: Route) -> Iterator[Finding]:
    """created_at <= started_at <= completed_at, and created_at <= updated_at, where present.

    ``updated_at`` is not ordered against ``completed_at``: the documented
    examples show it earlier."""
    for at, job in jobs(body):
        attrs = attributes(job)
        moments = {name: moment(attrs.get(name)) for name in TIMESTAMPS}
        run = [name for name in ("created_at", *RUN_TIMES) if moments[name] is not None]
        for earlier, later in (*pairwise(run), ("created_at", "updated_at")):
            first, second = moments[earlier], moments[later]
            if first is not None and second is not None and second < first:
                yield (
                    f"{at}/attributes/{later}",
                    f"{later} {show(attrs[later])} is earlier than {earlier} {show(attrs[earlier])}",
                )


@rule(severity="error", schemas=JOBS)
def unstarted_jobs_have_no_run_times(body: Any, route: Route) -> Iterator[Finding]:
    """A pending, cancelling or cancelled job has no started_at or completed_at (null or absent)."""
    for at, job in jobs(body):
        attrs = attributes(job)
        status = attrs.get("status")
        if status in NEVER_STARTED:
            for name in RUN_TIMES:
                if attrs.get(name) is not None:
                    yield f"{at}/attributes/{name}", f"a {status} job has {name} {show(attrs[name])}; expected null"


@rule(severity="error", schemas=JOBS)
def unfinished_jobs_have_no_completion_time(body: Any, route: Route) -> Iterator[Finding]:
    """A started job has no completed_at (null or absent)."""
    for at, job in jobs(body):
        attrs = attributes(job)
        if attrs.get("status") in RUNNING and attrs.get("completed_at") is not None:
            yield (
                f"{at}/attributes/completed_at",
                f"a started job has completed_at {show(attrs['completed_at'])}; expected null",
            )


@rule(severity="warning", schemas=JOBS)
def finished_jobs_have_completion_time(body: Any, route: Route) -> Iterator[Finding]:
    """A success or failed job has a completed_at (a warning; a listing may leave it out, but not null it)."""
    for at, job in jobs(body):
        attrs = attributes(job)
        status = attrs.get("status")
        if route.schema_id == JOB_LIST and "completed_at" not in attrs:
            continue
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


@rule(severity="error", schemas=(JOB_RESPONSE,))
def cancelled_job_is_cancelling_or_cancelled(body: Any, route: Route) -> Iterator[Finding]:
    """A successful cancel answers the job as cancelling or cancelled."""
    if route.operation.operation_id != "cancelJob":
        return
    for at, job in jobs(body):
        status = attributes(job).get("status")
        if status in (*RUNNING, *FINISHED, "pending"):  # an undocumented status is the schema's finding
            yield f"{at}/attributes/status", f"a cancel answered a {status} job; expected cancelling or cancelled"


def count(value: Any) -> int | None:
    """A count: a non-negative JSON integer (``4``, or ``4.0`` as JSON Schema counts it); else ``None``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return None
    return int(value) if isinstance(value, int) or value.is_integer() else None


def query_number(value: str | None) -> int | None:
    """A non-negative integer query value; a malformed one is the request's problem, not the body's."""
    return int(value) if value is not None and value.isdigit() else None


@rule(severity="error", schemas=(JOB_LIST, JOB_ERRORS))
def page_fits_the_total(body: Any, route: Route) -> Iterator[Finding]:
    """A page holds at most page[limit] items, is full unless it is the last, and never runs past meta.results.total."""
    data = body.get("data") if isinstance(body, dict) else None
    meta = body.get("meta") if isinstance(body, dict) else None
    results = meta.get("results") if isinstance(meta, dict) else None
    total = count(results.get("total")) if isinstance(results, dict) else None
    if not isinstance(data, list):
        return
    limit = query_number(route.query.get("page[limit]"))
    offset = query_number(route.query.get("page[offset]")) or 0
    if limit is not None and len(data) > limit:
        yield "/data", f"{len(data)} items on a page asked with page[limit]={limit}"
    if total is None:
        return
    if data and offset + len(data) > total:
        yield (
            "/meta/results/total",
            f"total {total} is less than page[offset] {offset} plus the {len(data)} items shown",
        )
    elif offset < total and (len(data) < min(limit, total - offset) if limit is not None else not data):
        expected = min(limit, total - offset) if limit is not None else "some"
        yield "/data", f"{len(data)} items on a page where {expected} were due (total {total}, page[offset] {offset})"
