"""Drift modes and fault modes: the ways the mock can break, one name each.

A **drift mode** is a realistic contract break in the *body or headers* of the
Jobs API's answers; the connection is healthy and a contract check must
report it. A **fault mode** breaks the *transport or the service* (a reset, a
truncated body, a 500, a 429, a slow answer); a client must survive it.
Drift applies to the answers of the contract's paths only (the routes of
``contracts/openapi.yaml``: Get a Job, Get all Jobs, Get Job Errors, Cancel a
Job), never to ``/oauth/access_token`` (so a client can still log in) nor to
``/__mock__/*``. Faults apply to every request except ``/__mock__/*``; the
answers faults make up are sent as they are, not drifted.

Drift modes, what each one breaks and where ("job bodies" are the 200 bodies
of Get a Job and Cancel a Job; "jobs" are those plus every item of a Get all
Jobs page; "error bodies" are every 4xx/5xx error body of the contract's paths):

=========================== ============================ =====================================================
mode                        applies to                   what breaks (what ``contracts.validate`` reports)
=========================== ============================ =====================================================
``status-as-integer``       error bodies                 ``errors[].status`` is a number (``404``)
``undocumented-status``     jobs                         every job's status is ``completed``
``missing-id``              jobs                         the job's ``id`` is removed
``renamed-envelope``        every 200 body               ``data`` is renamed ``job`` (lists and errors too)
``timestamps-out-of-order`` jobs                         every job is finished, ``completed_at`` before ``started_at``
``error-without-errors``    error bodies                 error bodies become ``{"message": "..."}``
``wrong-content-type``      every 200 body               sent as ``text/plain`` (the body itself is sound)
``zone-less-timestamps``    jobs                         timestamps lose their zone (``2024-01-05T13:46:42.070``)
``data-as-array``           job bodies                   ``data`` is a one-element list (list bodies already
                                                         hold one, so they are left alone)
``id-mismatch``             job bodies                   another job than the one asked for is answered (a
                                                         cancel still cancels the job asked for)
``null-created-at``         jobs                         ``created_at`` is ``null``
``status-regresses``        Get a Job, Get all Jobs      every second time a live or created job past pending is
                                                         shown, it is shown one lifecycle step earlier, with
                                                         timestamps of that step: each body is valid, only the
                                                         sequence goes backwards (``started`` -> ``pending``,
                                                         ``success``/``failed`` -> ``started``, ``cancelled`` ->
                                                         ``cancelling`` -> ``pending``)
``total-mismatch``          Get all Jobs                 ``meta.results.total`` is one less than the jobs on the
                                                         page (non-empty pages), so page[offset] plus the page
                                                         exceeds it (``page_fits_the_total``)
``page-overlap``            Get all Jobs                 each page after the first starts one job earlier per
                                                         page before it, so it repeats the last job of the
                                                         previous page; totals and links stay the same, each
                                                         page is valid alone, the walk sees repeats and misses
                                                         the last jobs
``errors-wrong-type``       Get Job Errors               error items have ``type`` ``job-error``
``cancel-anything``         Cancel a Job                 any job answers 200, returned unchanged (e.g. still
                                                         ``success``) and not cancelled
                                                         (``cancelled_job_is_cancelling_or_cancelled``)
=========================== ============================ =====================================================

``id-mismatch``, ``status-regresses``, ``page-overlap`` and ``cancel-anything``
choose which job, state or page is answered, so the endpoint applies them;
every other drift is a rewrite of a finished :class:`Answer` by :func:`drifted`.

A drift and a fault combine: the fault breaks the transport of the drifted
answers (``slow`` delays them, ``truncated`` cuts them, ``reset`` sends none),
and the answers a fault makes up itself (``server-error``, ``non-json``,
``too-many-requests``) replace them, undrifted.

:data:`DRIFT_DESCRIPTIONS` and :data:`FAULT_DESCRIPTIONS` say each mode in
one line (``pcm-contracts mock --list-modes``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from contracts.mock.answers import Answer
from contracts.mock.jobs import timestamp
from contracts.rules import TIMESTAMPS

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
    "status-regresses",
    "total-mismatch",
    "page-overlap",
    "errors-wrong-type",
    "cancel-anything",
]
FaultMode = Literal["slow", "reset", "server-error", "non-json", "too-many-requests", "truncated"]

DRIFT_MODES: tuple[DriftMode, ...] = get_args(DriftMode)
FAULT_MODES: tuple[FaultMode, ...] = get_args(FaultMode)

DRIFT_DESCRIPTIONS: Mapping[DriftMode, str] = {
    "status-as-integer": "error bodies: errors[].status is a number (404), not a string",
    "undocumented-status": "jobs: every job's status is 'completed', outside the documented set",
    "missing-id": "jobs: the job's id is removed",
    "renamed-envelope": "every 200 body: data is renamed job",
    "timestamps-out-of-order": "jobs: finished, completed_at before started_at",
    "error-without-errors": 'error bodies become {"message": "..."}',
    "wrong-content-type": "every 200 body is sent as text/plain (the body itself is sound)",
    "zone-less-timestamps": "jobs: timestamps lose their zone (2024-01-05T13:46:42.070)",
    "data-as-array": "job bodies: data is a one-element list",
    "id-mismatch": "job bodies: another job than the one asked for is answered",
    "null-created-at": "jobs: created_at is null",
    "status-regresses": "every second read shows a job one lifecycle step earlier (only a watch sees it)",
    "total-mismatch": "Get all Jobs: meta.results.total is one less than the jobs on the page",
    "page-overlap": "Get all Jobs: each page repeats the last job of the page before (only a page walk sees it)",
    "errors-wrong-type": "Get Job Errors: error items have type job-error",
    "cancel-anything": "Cancel a Job: any job answers 200, unchanged and not cancelled",
}
"""One line a drift mode, for ``pcm-contracts mock --list-modes`` (the table above has the details)."""

FAULT_DESCRIPTIONS: Mapping[FaultMode, str] = {
    "slow": "every answer comes late (a client's timeout must fire)",
    "reset": "every connection is reset (TCP RST) without an answer",
    "server-error": "every request answers 500 with a JSON error body",
    "non-json": "every request answers 200 with an HTML body",
    "too-many-requests": "every request answers 429 with Retry-After: 1",
    "truncated": "every answer announces its full Content-Length, sends half the body and closes",
}
"""One line a fault mode, for ``pcm-contracts mock --list-modes``."""

JOB_ERROR_TYPE = "pim-job-error"
Job = dict[str, Any]
Body = dict[str, Any]


def jobs_in(body: Body) -> Iterator[Job]:
    """The jobs of a body: ``data`` when it is a job, the job items of a list (never job errors)."""
    data = body.get("data")
    if isinstance(data, dict):
        yield data
    elif isinstance(data, list):
        yield from (item for item in data if isinstance(item, dict) and item.get("type") == "pim-job")


def with_job(answer: Answer, change: Callable[[Job], None]) -> Answer:
    """``answer`` with ``change`` applied to a copy of each of its jobs (200 bodies only)."""
    body = answer.body
    if answer.status != 200 or not isinstance(body, dict) or not any(jobs_in(body)):
        return answer
    body = copy.deepcopy(body)
    for job in jobs_in(body):
        change(job)
    return replace(answer, body=body)


def with_body(answer: Answer, change: Callable[[Body], Body], *, errors: bool) -> Answer:
    """``answer`` with its body replaced by ``change(body)``, for error bodies or for 200 ``data`` bodies."""
    body = answer.body
    if not isinstance(body, dict):
        return answer
    if not (("errors" in body) if errors else (answer.status == 200 and "data" in body)):
        return answer
    return replace(answer, body=change(copy.deepcopy(body)))


def status_as_integer(body: Body) -> Body:
    for item in body["errors"]:
        item["status"] = int(item["status"])
    return body


def error_without_errors(body: Body) -> Body:
    first = body["errors"][0]
    return {"message": first.get("detail") or first["title"]}


def data_as_array(body: Body) -> Body:
    """A job body's ``data`` object as a one-element list; list bodies are left as they are."""
    return {**body, "data": [body["data"]]} if isinstance(body["data"], dict) else body


def total_mismatch(body: Body) -> Body:
    """A non-empty job page's ``meta.results.total`` one less than its jobs (job error lists are left alone)."""
    data, meta = body["data"], body.get("meta")
    results = meta.get("results") if isinstance(meta, dict) else None
    if isinstance(results, dict) and "total" in results and isinstance(data, list) and any(jobs_in(body)):
        results["total"] = len(data) - 1
    return body


def errors_wrong_type(body: Body) -> Body:
    """Job error items typed ``job-error`` instead of ``pim-job-error``."""
    for item in body["data"] if isinstance(body["data"], list) else ():
        if isinstance(item, dict) and item.get("type") == JOB_ERROR_TYPE:
            item["type"] = "job-error"
    return body


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


def chosen_by_the_endpoint(answer: Answer) -> Answer:
    """The endpoint already answered another job, state or page; the body itself is sound."""
    return answer


DRIFTS: Mapping[DriftMode, Callable[[Answer], Answer]] = {
    "status-as-integer": lambda a: with_body(a, status_as_integer, errors=True),
    "undocumented-status": lambda a: with_job(a, undocumented_status),
    "missing-id": lambda a: with_job(a, missing_id),
    "renamed-envelope": lambda a: with_body(a, lambda b: {"job": b.pop("data"), **b}, errors=False),
    "timestamps-out-of-order": lambda a: with_job(a, timestamps_out_of_order),
    "error-without-errors": lambda a: with_body(a, error_without_errors, errors=True),
    "wrong-content-type": lambda a: replace(a, content_type="text/plain") if a.status == 200 else a,
    "zone-less-timestamps": lambda a: with_job(a, zone_less_timestamps),
    "data-as-array": lambda a: with_body(a, data_as_array, errors=False),
    "id-mismatch": chosen_by_the_endpoint,
    "null-created-at": lambda a: with_job(a, null_created_at),
    "status-regresses": chosen_by_the_endpoint,
    "total-mismatch": lambda a: with_body(a, total_mismatch, errors=False),
    "page-overlap": chosen_by_the_endpoint,
    "errors-wrong-type": lambda a: with_body(a, errors_wrong_type, errors=False),
    "cancel-anything": chosen_by_the_endpoint,
}


def drifted(answer: Answer, mode: DriftMode | None) -> Answer:
    """``answer`` as the drift ``mode`` breaks it (unchanged when ``mode`` is ``None``)."""
    return DRIFTS[mode](answer) if mode else answer
