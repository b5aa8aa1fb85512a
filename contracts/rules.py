"""Semantic rules: what the docs say that a JSON Schema cannot express.

A rule is a function named as a fact. It gets the body and the route it was
answered on, and yields ``(pointer, message)`` for each place the fact does not
hold; the engine (:mod:`contracts.validation`) adds the rule id, severity and
kind. Rules run on structurally broken bodies too, so they look at a value only
when it has the documented type.

Every rule accepts every documented example (``examples/``); a test proves it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from itertools import compress, repeat
from operator import is_, is_not, itemgetter, le, methodcaller
from typing import Any

from contracts.registry import SCHEMA_BASE
from contracts.routing import Route
from contracts.violations import Severity, pointer, show

Finding = tuple[str, str]
Check = Callable[[Any, Route], Iterator[Finding]]
Holds = Callable[[Any, Route], bool]
"""A rule's shortcut: True only where its check finds nothing (False: run the check)."""
HoldsAll = Callable[[list[Any], Route], bool]
"""The shortcut for many bodies at once: True only where the check finds nothing in any of them."""
HoldsTimes = Callable[[Mapping[str, "Column"], int], set[int]]
"""The shortcut of the native pass (:mod:`contracts.native`) for many jobs at
once: given a column of each timestamp (:data:`Column`, as :func:`moment`
reads it) and the number of jobs, the indices of the jobs the check may find
something in; it finds nothing in the others."""

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
    """A named semantic rule, the bodies it applies to and its severity.

    ``fact`` is set for a rule stated as data (:class:`RunTimes`): its
    ``screen`` lets the fast path check it without running ``check``.
    """

    id: str
    severity: Severity
    schemas: frozenset[str]
    check: Check
    description: str
    fact: RunTimes | None = None
    operations: frozenset[str] | None = None
    """The operations whose answers it applies to (``None``: all)."""
    asks: bool = False
    """It compares the answer with the request's path parameters, so it has
    nothing to check where the request is not known (a bare body)."""
    holds: Holds | None = None
    """A cheaper answer for the common body: True only where ``check`` finds
    nothing; False says nothing (the fast path then runs ``check``). A test
    compares the two over the corpus and generated bodies."""
    holds_all: HoldsAll | None = None
    """``holds`` for a list of bodies in one call (JSON Lines in bulk)."""
    holds_times: HoldsTimes | None = None
    """``holds`` for a job whose timestamps are all the rule looks at."""

    def answers(self, operation_id: str | None, request_known: bool) -> bool:
        """Whether it applies to answers of ``operation_id`` (``None``: any operation)."""
        if self.asks and not request_known:
            return False
        return operation_id is None or self.operations is None or operation_id in self.operations


RULES: list[Rule] = []


@cache
def rules_for(schema_id: str, operation_id: str | None = None, request_known: bool = True) -> tuple[Rule, ...]:
    """The rules that apply to bodies of ``schema_id`` (answered by
    ``operation_id``, when given), in registration order."""
    return tuple(rule for rule in RULES if schema_id in rule.schemas and rule.answers(operation_id, request_known))


@cache
def python_rules(schema_id: str, operation_id: str | None = None, request_known: bool = True) -> tuple[Rule, ...]:
    """:func:`rules_for` less the rules stated as data (the fast path checks those)."""
    return tuple(rule for rule in rules_for(schema_id, operation_id, request_known) if rule.fact is None)


def rule(
    *,
    severity: Severity,
    schemas: tuple[str, ...],
    operations: tuple[str, ...] | None = None,
    asks: bool = False,
    holds: Holds | None = None,
    holds_all: HoldsAll | None = None,
    holds_times: HoldsTimes | None = None,
) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        description = (check.__doc__ or "").strip().splitlines()[0]
        only = frozenset(operations) if operations is not None else None
        found = Rule(
            check.__name__,
            severity,
            frozenset(schemas),
            check,
            description,
            None,
            only,
            asks,
            holds,
            holds_all,
            holds_times,
        )
        RULES.append(found)
        return check

    return register


def jobs(body: Any) -> list[tuple[str, dict[str, Any]]]:
    """``(pointer, job)`` for the job (or jobs) under ``data``."""
    data = body.get("data") if isinstance(body, dict) else None
    if isinstance(data, dict):
        return [("/data", data)]
    if isinstance(data, list):
        return [(pointer(("data", index)), job) for index, job in enumerate(data) if isinstance(job, dict)]
    return []


def attributes(job: dict[str, Any]) -> dict[str, Any]:
    found = job.get("attributes")
    return found if isinstance(found, dict) else {}


def moment(value: Any) -> datetime | None:
    """A timestamp with a zone as an aware datetime; anything else is ``None``
    (malformed or zone-less timestamps are the schema's findings, not ours)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:  # RFC 3339 allows a lower-case "t" and "z"
            parsed = datetime.fromisoformat(value.upper())
        except ValueError:
            return None
    return parsed if parsed.tzinfo is not None else None


def timestamps_read_in_order(body: Any, route: Route) -> bool:
    """True only where :func:`timestamps_are_ordered` finds nothing, at a
    fraction of its cost: every timestamp present reads as a datetime at
    the first try (``datetime.fromisoformat``, as :func:`moment` first tries),
    and created_at <= started_at <= completed_at (those present), created_at
    <= updated_at. Then :func:`moment` gives those very datetimes, and the
    ordered chain leaves the rule nothing to find. Anything else (a value that
    needs :func:`moment`'s second try, is no string, or mixes zone-less and
    zoned times: ``TypeError``) answers False, and the rule decides."""
    data = body.get("data") if isinstance(body, dict) else None
    for job in (data,) if isinstance(data, dict) else data if isinstance(data, list) else ():
        attrs = job.get("attributes") if isinstance(job, dict) else None
        if not isinstance(attrs, dict):
            continue
        get = attrs.get
        created, updated = get("created_at"), get("updated_at")
        started, completed = get("started_at"), get("completed_at")
        try:
            last = created = None if created is None else _read(created)
            for value in (started, completed):
                if value is not None:
                    value = _read(value)
                    if last is not None and value < last:
                        return False
                    last = value
            if updated is not None and created is not None and _read(updated) < created:
                return False
        except (TypeError, ValueError):
            return False
    return True


_read = datetime.fromisoformat


def timestamps_all_read_in_order(bodies: list[Any], route: Route) -> bool:
    """:func:`timestamps_read_in_order` for many Get a Job bodies at once,
    without a Python call a body: True only when each is ``{"data":
    {"attributes": {...}}}`` whose created_at and updated_at are there (not
    null), and every timestamp present reads at the first try, with
    created_at <= updated_at, created_at <= started_at, created_at <=
    completed_at and started_at <= completed_at where they are there (the
    rule's chain, pair by pair). Anything else answers False."""
    try:
        attrs = list(map(itemgetter("attributes"), map(itemgetter("data"), bodies)))
        if not all(map(is_, map(type, attrs), repeat(dict))):
            return False
        created = list(map(_read, map(itemgetter("created_at"), attrs)))
        if not all(map(le, created, map(_read, map(itemgetter("updated_at"), attrs)))):
            return False
        started = list(map(methodcaller("get", "started_at"), attrs))
        completed = list(map(methodcaller("get", "completed_at"), attrs))
        has_started = list(map(is_not, started, repeat(None)))
        has_completed = list(map(is_not, completed, repeat(None)))
        starts = list(map(_read, compress(started, has_started)))
        ends = list(map(_read, compress(completed, has_completed)))
        return (
            all(map(le, compress(created, has_started), starts))
            and all(map(le, compress(created, has_completed), ends))
            and all(
                map(
                    le,
                    compress(starts, compress(has_completed, has_started)),
                    compress(ends, compress(has_started, has_completed)),
                )
            )
        )
    except (KeyError, TypeError, ValueError):
        return False


def times_out_of_order(times: Mapping[str, Column], count: int) -> set[int]:
    """:func:`timestamps_are_ordered`'s chain on ``count`` jobs at once,
    without a Python call a job: ``times`` holds a :data:`Column` a timestamp,
    as :func:`moment` reads it; the indices of the jobs whose chain breaks
    (the rule finds something in them, and nothing in the others)."""
    created = times.get("created_at")
    failing = _earlier(created, times.get("updated_at"), count)
    earlier = created  # the latest timestamp present before each run time
    for name in RUN_TIMES:
        later = times.get(name)
        failing |= _earlier(earlier, later, count)
        earlier = _latest(earlier, later, count)
    return failing


Column = list[datetime] | dict[int, datetime]
"""A timestamp of many jobs: a list when every job has it, else ``{job index: datetime}`` of those that do."""


def falls(flags: list[bool]) -> list[int]:
    """The indices of the ``False`` items of ``flags`` (bools, mostly ``True``), in order:
    the flags as bytes, one each, searched for a zero byte (C loops, no Python step a flag)."""
    marks = bytes(flags)
    found: list[int] = []
    at = marks.find(0)
    while at != -1:
        found.append(at)
        at = marks.find(0, at + 1)
    return found


def _earlier(first: Column | None, second: Column | None, count: int) -> set[int]:
    """The indices of the jobs that have both where ``second`` is earlier than ``first``."""
    if first is None or second is None:
        return set()
    if isinstance(second, list):
        if isinstance(first, list):
            at: Sequence[int] = range(count)
            earlier, later = first, second
        else:
            at = list(first)
            earlier, later = list(first.values()), list(map(second.__getitem__, at))
    else:
        at = list(second) if isinstance(first, list) else list(second.keys() & first.keys())
        earlier, later = list(map(first.__getitem__, at)), list(map(second.__getitem__, at))
    in_order = list(map(le, earlier, later))
    if all(in_order):  # the common case: in order throughout
        return set()
    return set(map(at.__getitem__, falls(in_order)))


def _latest(earlier: Column | None, later: Column | None, count: int) -> Column | None:
    """Each job's ``later`` where it has one, else its ``earlier``."""
    if later is None or earlier is None:
        return earlier if later is None else later
    if isinstance(later, list):
        return later
    if isinstance(earlier, list):
        return list(map(later.get, range(count), earlier))
    return {**earlier, **later}


@rule(
    severity="error",
    schemas=JOBS,
    holds=timestamps_read_in_order,
    holds_all=timestamps_all_read_in_order,
    holds_times=times_out_of_order,
)
def timestamps_are_ordered(body: Any, route: Route) -> Iterator[Finding]:
    """created_at <= started_at <= completed_at, and created_at <= updated_at, where present.

    ``updated_at`` is not ordered against ``completed_at``: the documented
    examples show it earlier."""
    for at, job in jobs(body):
        attrs = attributes(job)
        created = moment(attrs.get("created_at"))
        earlier, first = "created_at", created
        for later in RUN_TIMES:  # each run time against the latest timestamp before it that is present
            value = attrs.get(later)
            second = None if value is None else moment(value)
            if second is None:
                continue
            if first is not None and second < first:
                yield out_of_order(at, attrs, earlier, later)
            earlier, first = later, second
        updated = moment(attrs.get("updated_at"))
        if created is not None and updated is not None and updated < created:
            yield out_of_order(at, attrs, "created_at", "updated_at")


def out_of_order(at: str, attrs: dict[str, Any], earlier: str, later: str) -> Finding:
    return f"{at}/attributes/{later}", f"{later} {show(attrs[later])} is earlier than {earlier} {show(attrs[earlier])}"


@dataclass(frozen=True)
class RunTimes:
    """A fact about the run times of jobs in some statuses, stated once.

    ``set=False``: "a job whose status is in ``statuses`` has each of
    ``names`` null or absent"; ``set=True``: "... has each of them, not null"
    (a job list may leave them out). :meth:`check` finds where the fact fails;
    :meth:`screen` is the same fact as a JSON Schema, which the fast path
    (:mod:`contracts.fast`) checks in Rust alongside the body's schema.
    """

    statuses: tuple[str, ...]
    names: tuple[str, ...]
    set: bool

    def check(self, body: Any, route: Route) -> Iterator[Finding]:
        for at, job in jobs(body):
            attrs = attributes(job)
            status = attrs.get("status")
            if status not in self.statuses:
                continue
            for name in self.names:
                value = attrs.get(name)
                if self.set and value is None and (name in attrs or route.schema_id != JOB_LIST):
                    yield f"{at}/attributes/{name}", f"a {status} job has no {name}"
                elif not self.set and value is not None:
                    yield f"{at}/attributes/{name}", f"a {status} job has {name} {show(value)}; expected null"

    def screen(self, schema_id: str) -> dict[str, Any]:
        """The fact as a JSON Schema of the whole body (a job, or a list of jobs)."""
        return screen_of([self], schema_id)

    def condition(self, schema_id: str) -> dict[str, Any]:
        """The fact as a JSON Schema of one job's ``attributes``."""
        if self.set:
            then: dict[str, Any] = {"properties": {name: {"not": {"type": "null"}} for name in self.names}}
            if schema_id != JOB_LIST:
                then["required"] = list(self.names)
        else:
            then = {"properties": {name: {"type": "null"} for name in self.names}}
        return {"if": {"properties": {"status": {"enum": list(self.statuses)}}, "required": ["status"]}, "then": then}


def screen_of(facts: list[RunTimes], schema_id: str) -> dict[str, Any]:
    """Facts as one JSON Schema of the whole body (a job, or a list of jobs):
    the ``allOf`` of their conditions on each job's ``attributes``, which
    jsonschema-rs reaches once for all of them (the same as an ``allOf`` of
    each fact's :meth:`~RunTimes.screen`, at less cost)."""
    job = {"properties": {"attributes": {"allOf": [fact.condition(schema_id) for fact in facts]}}}
    return {"properties": {"data": {**job, "items": job}}}


def run_times(name: str, fact: RunTimes, *, severity: Severity, description: str) -> None:
    """Register a :class:`RunTimes` fact as the rule ``name``."""
    RULES.append(Rule(name, severity, frozenset(JOBS), fact.check, description, fact))


run_times(
    "unstarted_jobs_have_no_run_times",
    RunTimes(NEVER_STARTED, RUN_TIMES, set=False),
    severity="error",
    description="A pending, cancelling or cancelled job has no started_at or completed_at (null or absent).",
)
run_times(
    "unfinished_jobs_have_no_completion_time",
    RunTimes(RUNNING, ("completed_at",), set=False),
    severity="error",
    description="A started job has no completed_at (null or absent).",
)
run_times(
    "finished_jobs_have_completion_time",
    RunTimes(FINISHED, ("completed_at",), set=True),
    severity="warning",
    description="A success or failed job has a completed_at (a warning; a listing may leave it out, but not null it).",
)


@rule(severity="error", schemas=(JOB_RESPONSE,), asks=True)
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


@rule(severity="error", schemas=(JOB_RESPONSE,), operations=("cancelJob",))
def cancelled_job_is_cancelling_or_cancelled(body: Any, route: Route) -> Iterator[Finding]:
    """A successful cancel answers the job as cancelling or cancelled."""
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
    """A page holds at most page[limit] items, is not empty before the end, and never runs past meta.results.total.

    A page may be shorter than page[limit] before the end: the docs give no
    cap on page sizes and real APIs cap them (the live page walk then checks
    that the pages still add up to the total)."""
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
    elif offset < total and not data:
        yield "/data", f"no items on a page before the end (total {total}, page[offset] {offset})"
