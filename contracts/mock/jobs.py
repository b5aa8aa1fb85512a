"""The jobs the mock knows: documented examples, generated jobs, live and created jobs.

Four kinds, all answered by ``GET /pcm/jobs/{jobID}``, listed by
``GET /pcm/jobs`` (by ``created_at``, then id) and shown by ``/__mock__/seed``:

documented
    every recorded example of ``examples/get-a-job`` answered with 200 and
    judged valid, served exactly as documented. Two documented examples share
    the id ``1ea62172-57f6-45e5-a708-ab5bd634e3f9`` (the "Started Job" and the
    "Product Import Job"); a server answers one state per job, so the state
    furthest along the lifecycle wins: the finished ``product-import`` one.
generated
    one job for every documented type and every documented status (the cross
    product), with deterministic uuid5 ids and fixed, consistent timestamps.
live
    one job per documented type, created when the server starts (by its
    clock): ``pending`` for :data:`PENDING_FOR`, then ``started`` for
    :data:`RUNS_FOR`, then ``success`` or ``failed`` (even indexes of
    :data:`JOB_TYPES` succeed, odd ones fail). Its body is computed from the
    clock at request time, so a test steps an injected clock instead of sleeping.
created
    a live job made on request by ``POST /__mock__/jobs`` (:meth:`JobStore.create`):
    created now, on the same schedule and with the same outcome by type as the
    seeded live job of its type; ids are uuid5 of the creation ordinal, so the
    n-th created job has the same id on every run. With ``{"hold": true}`` it
    is a :class:`HeldJob` instead: pending, whatever the clock says, until
    ``POST /__mock__/jobs/{jobID}/release`` (:meth:`JobStore.release`) starts it.

Cancelling (``POST /pcm/jobs/{jobID}/cancel``, :meth:`JobStore.cancel`) applies
to a job that is ``pending`` at that moment, of any kind: it is replaced by a
:class:`CancelledJob`, ``cancelling`` for :data:`CANCELLING_FOR`, then
``cancelled``, ``started_at`` and ``completed_at`` null throughout.

A failed job has errors (:func:`job_errors`, ``GET /pcm/jobs/{jobID}/errors``):
one to three, with deterministic ids and messages by job type; any other job
has none. The docs' "jobs run one at a time" is not modelled: live jobs run on
their own schedules.

Every timestamp is UTC with ``Z`` and millisecond precision
(``2024-01-05T13:46:42.070Z``).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import threading
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from contracts.registry import EXAMPLES_DIR as ALL_EXAMPLES
from contracts.registry import documented_values

EXAMPLES_DIR = ALL_EXAMPLES / "get-a-job"
NAMESPACE = uuid.UUID("6f0a3c52-1d47-4c1e-9a53-5b7a2f0c9e11")
"""The fixed uuid5 namespace of every generated id: the same ids on every run."""

JOB_TYPES = documented_values("jobType")
DEFAULT_JOB_TYPE = "product-import"
"""The type of a job ``POST /__mock__/jobs`` creates when the body names none."""
STATUSES = documented_values("jobStatus")
LIFECYCLE_RANK = {"pending": 0, "cancelling": 1, "started": 1, "cancelled": 2, "success": 2, "failed": 2}

GENERATED_EPOCH = datetime(2024, 2, 1, 9, 0, tzinfo=UTC)
PENDING_FOR = timedelta(seconds=3)
RUNS_FOR = timedelta(seconds=2)
CANCELLING_FOR = timedelta(seconds=1)
"""How long a cancelled job stays ``cancelling`` before it is ``cancelled``."""
LIVE_STAGGER = timedelta(milliseconds=100)
"""Live job ``k`` starts ``k * LIVE_STAGGER`` after the first, so all have started
after ``PENDING_FOR + 1s`` and all have finished after ``PENDING_FOR + RUNS_FOR + 1s``."""
MILLISECOND = timedelta(milliseconds=1)

ERROR_MESSAGES: Mapping[str, tuple[str, ...]] = {
    "product-import": ("row 3: sku can not be empty", "row 7: price must be a number", "row 12: slug is taken"),
    "price-import": ("row 2: amount must be a whole number", "row 5: currency USD2 is unknown"),
    "pricebook-import": ("row 2: amount must be a whole number", "row 5: currency USD2 is unknown"),
    "product-export": ("the export could not write products-1.csv",),
    "hierarchy-duplicate": ("the source hierarchy could not be read", "node 4 could not be copied"),
    "child-products": ("the base product has no variations",),
}
"""A failed job's error messages by type; other types have one generic message."""

Outcome = Literal["success", "failed"]


@dataclass(frozen=True)
class SeedJob:
    """A job as ``/__mock__/seed`` and :attr:`MockServer.seed` list it.

    ``status`` is the job's status now (live jobs move); ``documented`` says it
    is a recorded example; ``live`` that it moves through its lifecycle;
    ``created`` that ``POST /__mock__/jobs`` made it (such a job is live too).
    """

    id: str
    type: str
    status: str
    documented: bool
    live: bool = False
    created: bool = False

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def timestamp(moment: datetime) -> str:
    """``2024-01-05T13:46:42.070Z``: UTC, ``Z``, exactly three fractional digits."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def to_millisecond(moment: datetime) -> datetime:
    """``moment`` in UTC, truncated to the millisecond (what a timestamp can show)."""
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def generated_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def outcome_of(job_type: str) -> Outcome:
    """How a live job of ``job_type`` ends: even indexes of :data:`JOB_TYPES` succeed, odd ones fail."""
    return "success" if JOB_TYPES.index(job_type) % 2 == 0 else "failed"


def meta_for(job_id: str, job_type: str, status: str) -> dict[str, Any]:
    """The type-specific ``meta``: ``x_request_id`` always, plus the export and duplicate members."""
    meta: dict[str, Any] = {"x_request_id": generated_id("request", job_id)}
    if job_type == "product-export":
        finished = status == "success"
        meta["file_locations"] = [f"https://files.example/pcm/exports/{job_id}/products-1.csv"] if finished else []
        meta["filter"] = "eq(sku,product-1)"
    elif job_type == "hierarchy-duplicate":
        meta["copied_from"] = generated_id("hierarchy", job_id, "source")
        meta["hierarchy_id"] = generated_id("hierarchy", job_id, "copy")
    return meta


def resource(
    job_id: str,
    job_type: str,
    status: str,
    *,
    created: datetime,
    updated: datetime,
    started: datetime | None,
    completed: datetime | None,
) -> dict[str, Any]:
    """A job resource (``data`` of Get a Job) from its facts."""
    return {
        "type": "pim-job",
        "id": job_id,
        "attributes": {
            "created_at": timestamp(created),
            "updated_at": timestamp(updated),
            "started_at": timestamp(started) if started else None,
            "completed_at": timestamp(completed) if completed else None,
            "type": job_type,
            "status": status,
        },
        "meta": meta_for(job_id, job_type, status),
    }


def job_errors(job_id: str, job_type: str, status: str) -> list[dict[str, Any]]:
    """The items of ``GET /pcm/jobs/{jobID}/errors``: none unless ``status`` is ``failed``."""
    if status != "failed":
        return []
    messages = ERROR_MESSAGES.get(job_type, (f"the {job_type} job failed: the source data could not be read",))
    return [
        {"type": "pim-job-error", "id": generated_id("error", job_id, str(n)), "attributes": {"message": message}}
        for n, message in enumerate(messages, start=1)
    ]


@dataclass(frozen=True)
class FixedJob:
    """A job whose body never changes: a documented example or a generated job."""

    body: Mapping[str, Any]
    documented: bool

    @property
    def id(self) -> str:
        return str(self.body["id"])

    @property
    def type(self) -> str:
        return str(self.body["attributes"]["type"])

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.body["attributes"]["created_at"])

    def status_at(self, now: datetime) -> str:
        return str(self.body["attributes"]["status"])

    def since(self, now: datetime) -> datetime | None:
        """When its current status began, for a job that moves; a fixed job never does."""
        return None

    def resource(self, now: datetime) -> dict[str, Any]:
        return copy.deepcopy(dict(self.body))

    def seed(self, now: datetime) -> SeedJob:
        return SeedJob(self.id, self.type, self.status_at(now), self.documented)


@dataclass(frozen=True)
class LiveJob:
    """A job that runs: pending until ``starts``, started until ``completes``, then ``outcome``.

    ``updated_at`` moves with each transition. ``made`` marks a job made by
    ``POST /__mock__/jobs`` rather than seeded.
    """

    id: str
    type: str
    created: datetime
    starts: datetime
    completes: datetime
    outcome: Outcome
    made: bool = False

    def status_at(self, now: datetime) -> str:
        if now < self.starts:
            return "pending"
        if now < self.completes:
            return "started"
        return self.outcome

    def since(self, now: datetime) -> datetime | None:
        """When its current status began; ``None`` while pending (its first status)."""
        if now < self.starts:
            return None
        return self.starts if now < self.completes else self.completes

    def resource(self, now: datetime) -> dict[str, Any]:
        status = self.status_at(now)
        started = self.starts if status != "pending" else None
        completed = self.completes if status == self.outcome else None
        updated = completed or started or self.created
        return resource(
            self.id, self.type, status, created=self.created, updated=updated, started=started, completed=completed
        )

    def seed(self, now: datetime) -> SeedJob:
        return SeedJob(self.id, self.type, self.status_at(now), documented=False, live=True, created=self.made)


@dataclass(frozen=True)
class CancelledJob:
    """A job cancelled at ``at`` while pending: ``cancelling`` for :data:`CANCELLING_FOR`, then ``cancelled``.

    Before ``at`` it is ``job`` as it was. ``started_at`` and ``completed_at``
    stay null, ``updated_at`` is the moment of each transition.
    """

    job: FixedJob | LiveJob | HeldJob
    at: datetime

    @property
    def id(self) -> str:
        return self.job.id

    @property
    def type(self) -> str:
        return self.job.type

    @property
    def created(self) -> datetime:
        return self.job.created

    def status_at(self, now: datetime) -> str:
        if now < self.at:
            return self.job.status_at(now)
        return "cancelling" if now < self.at + CANCELLING_FOR else "cancelled"

    def since(self, now: datetime) -> datetime | None:
        if now < self.at:
            return self.job.since(now)
        return self.at if now < self.at + CANCELLING_FOR else self.at + CANCELLING_FOR

    def resource(self, now: datetime) -> dict[str, Any]:
        if now < self.at:
            return self.job.resource(now)
        body = self.job.resource(self.at)
        status = self.status_at(now)
        since = self.since(now) or self.at
        attrs = body["attributes"]
        attrs.update(status=status, started_at=None, completed_at=None, updated_at=timestamp(since))
        return body

    def seed(self, now: datetime) -> SeedJob:
        inner = self.job.seed(now)
        return dataclasses.replace(inner, status=self.status_at(now))


@dataclass(frozen=True)
class HeldJob:
    """A created job that stays ``pending`` until it is released (:meth:`JobStore.release`).

    For tests that must find a job pending however loaded the machine is
    (cancel): its status never depends on the clock.
    """

    id: str
    type: str
    created: datetime

    def status_at(self, now: datetime) -> str:
        return "pending"

    def since(self, now: datetime) -> datetime | None:
        return None

    def resource(self, now: datetime) -> dict[str, Any]:
        return resource(
            self.id, self.type, "pending", created=self.created, updated=self.created, started=None, completed=None
        )

    def seed(self, now: datetime) -> SeedJob:
        return SeedJob(self.id, self.type, "pending", documented=False, live=True, created=True)


Job = FixedJob | LiveJob | CancelledJob | HeldJob


def documented_jobs(examples: Path = EXAMPLES_DIR) -> Iterator[FixedJob]:
    """The jobs of the recorded 200 examples judged valid; one per id (the latest state wins)."""
    chosen: dict[str, dict[str, Any]] = {}
    for path in sorted(examples.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        if record["response"]["status"] != 200 or not record["verdict"]["valid"]:
            continue
        job = record["response"]["body"]["data"]
        earlier = chosen.get(job["id"])
        if earlier is None or rank(job) > rank(earlier):
            chosen[job["id"]] = job
    for job in chosen.values():
        yield FixedJob(job, documented=True)


def rank(job: Mapping[str, Any]) -> int:
    return LIFECYCLE_RANK.get(job["attributes"]["status"], -1)


def generated_jobs() -> Iterator[FixedJob]:
    """One fixed job per (type, status), an hour apart, with consistent timestamps."""
    for index, (job_type, status) in enumerate((t, s) for t in JOB_TYPES for s in STATUSES):
        job_id = generated_id("fixed", job_type, status)
        created = GENERATED_EPOCH + timedelta(hours=index)
        ran = status in ("started", "success", "failed")
        started = created + timedelta(seconds=1, milliseconds=70) if ran else None
        completed = started + timedelta(seconds=3, milliseconds=517) if started and status != "started" else None
        settled = {"cancelled": timedelta(milliseconds=500), "cancelling": timedelta(milliseconds=300)}
        updated = completed or started or created + settled.get(status, timedelta())
        body = resource(
            job_id, job_type, status, created=created, updated=updated, started=started, completed=completed
        )
        yield FixedJob(body, documented=False)


def live_job(job_id: str, job_type: str, created: datetime, *, delay: timedelta = timedelta(), made: bool) -> LiveJob:
    """A job created at ``created`` (to the millisecond) that starts ``PENDING_FOR + delay`` later."""
    created = to_millisecond(created)
    starts = created + PENDING_FOR + delay
    return LiveJob(job_id, job_type, created, starts, starts + RUNS_FOR, outcome_of(job_type), made)


def live_jobs(epoch: datetime) -> Iterator[LiveJob]:
    """One live job per type, created at ``epoch``; even ones succeed, odd ones fail."""
    for index, job_type in enumerate(JOB_TYPES):
        yield live_job(generated_id("live", job_type), job_type, epoch, delay=index * LIVE_STAGGER, made=False)


class JobStore:
    """Every job, by id, in seed order (documented, generated, live, then created ones).

    Safe to use from the server's handler threads: creating and cancelling
    take a lock, readers work on a snapshot.
    """

    def __init__(self, jobs: tuple[Job, ...]) -> None:
        self._jobs = list(jobs)
        self._by_id = {job.id: job for job in jobs}
        if len(self._by_id) != len(jobs):
            raise ValueError("seeded job ids must be unique")
        self._made = 0
        self._lock = threading.Lock()

    @classmethod
    def seeded(cls, epoch: datetime, examples: Path = EXAMPLES_DIR) -> JobStore:
        """The mock's jobs, live ones created at ``epoch``."""
        return cls((*documented_jobs(examples), *generated_jobs(), *live_jobs(epoch)))

    @property
    def jobs(self) -> tuple[Job, ...]:
        """Every job now, in seed order."""
        with self._lock:
            return tuple(self._jobs)

    def find(self, job_id: str) -> Job | None:
        with self._lock:
            return self._by_id.get(job_id)

    def neighbour(self, job: Job) -> Job:
        """The next job in seed order (wrapping): a job that is not ``job``."""
        jobs = self.jobs
        index = next(i for i, known in enumerate(jobs) if known.id == job.id)
        return jobs[(index + 1) % len(jobs)]

    def listing(self) -> tuple[Job, ...]:
        """Every job in the order ``GET /pcm/jobs`` lists them: by ``created_at``, then id."""
        return tuple(sorted(self.jobs, key=lambda job: (job.created, job.id)))

    def create(self, job_type: str, now: datetime, *, hold: bool = False) -> LiveJob | HeldJob:
        """A new job of ``job_type``, created (pending) at ``now``: live, or held pending until released."""
        if job_type not in JOB_TYPES:
            raise ValueError(f"unknown job type {job_type!r}")
        with self._lock:
            self._made += 1
            job_id = generated_id("created", str(self._made))
            job: LiveJob | HeldJob = (
                HeldJob(job_id, job_type, to_millisecond(now)) if hold else live_job(job_id, job_type, now, made=True)
            )
            self._jobs.append(job)
            self._by_id[job.id] = job
        return job

    def release(self, job_id: str, now: datetime) -> LiveJob | None:
        """A held job, released at ``now``: it starts now and runs its schedule; ``None`` when not held."""
        with self._lock:
            job = self._by_id.get(job_id)
            if not isinstance(job, HeldJob):
                return None
            starts = max(to_millisecond(now), job.created)
            released = LiveJob(job.id, job.type, job.created, starts, starts + RUNS_FOR, outcome_of(job.type), True)
            self._jobs[self._jobs.index(job)] = released
            self._by_id[job_id] = released
        return released

    def cancel(self, job_id: str, now: datetime) -> Job | None:
        """The job, cancelled at ``now`` if it is pending then; ``None`` when it is not (or unknown)."""
        with self._lock:
            job = self._by_id.get(job_id)
            if job is None or isinstance(job, CancelledJob) or job.status_at(now) != "pending":
                return None
            cancelled = CancelledJob(job, max(to_millisecond(now), job.created))
            self._jobs[self._jobs.index(job)] = cancelled
            self._by_id[job_id] = cancelled
        return cancelled

    def seed(self, now: datetime) -> tuple[SeedJob, ...]:
        return tuple(job.seed(now) for job in self.jobs)
