"""The jobs the mock knows: documented examples, generated jobs and live jobs.

Three kinds, all answered by ``GET /pcm/jobs/{jobID}``:

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
    :data:`RUNS_FOR`, then ``success`` or ``failed``. Its body is computed
    from the clock at request time, so a test steps an injected clock instead
    of sleeping.

Every timestamp is UTC with ``Z`` and millisecond precision
(``2024-01-05T13:46:42.070Z``).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from contracts.registry import EXAMPLES_DIR as ALL_EXAMPLES

EXAMPLES_DIR = ALL_EXAMPLES / "get-a-job"
NAMESPACE = uuid.UUID("6f0a3c52-1d47-4c1e-9a53-5b7a2f0c9e11")
"""The fixed uuid5 namespace of every generated id: the same ids on every run."""

JOB_TYPES = (
    "child-products",
    "product-import",
    "product-export",
    "hierarchy-duplicate",
    "price-import",
    "pricebook-import",
    "pricebook-delete",
    "hierarchy-delete",
    "indexing-job",
    "attach-nodes",
)
STATUSES = ("pending", "started", "success", "failed", "cancelled", "cancelling")
LIFECYCLE_RANK = {"pending": 0, "cancelling": 1, "started": 1, "cancelled": 2, "success": 2, "failed": 2}

GENERATED_EPOCH = datetime(2024, 2, 1, 9, 0, tzinfo=UTC)
PENDING_FOR = timedelta(seconds=3)
RUNS_FOR = timedelta(seconds=2)
LIVE_STAGGER = timedelta(milliseconds=100)
"""Live job ``k`` starts ``k * LIVE_STAGGER`` after the first, so all have started
after ``PENDING_FOR + 1s`` and all have finished after ``PENDING_FOR + RUNS_FOR + 1s``."""

Outcome = Literal["success", "failed"]


@dataclass(frozen=True)
class SeedJob:
    """A seeded job as ``/__mock__/seed`` and :attr:`MockServer.seed` list it.

    ``status`` is the job's status now (live jobs move); ``documented`` says it
    is a recorded example; ``live`` that it moves through its lifecycle.
    """

    id: str
    type: str
    status: str
    documented: bool
    live: bool = False

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


@dataclass(frozen=True)
class FixedJob:
    """A job whose body never changes: a documented example or a generated job."""

    body: Mapping[str, Any]
    documented: bool

    @property
    def id(self) -> str:
        return str(self.body["id"])

    def resource(self, now: datetime) -> dict[str, Any]:
        return copy.deepcopy(dict(self.body))

    def seed(self, now: datetime) -> SeedJob:
        attrs = self.body["attributes"]
        return SeedJob(self.id, attrs["type"], attrs["status"], self.documented)


@dataclass(frozen=True)
class LiveJob:
    """A job that runs: pending until ``starts``, started until ``completes``, then ``outcome``.

    ``updated_at`` moves with each transition.
    """

    id: str
    type: str
    created: datetime
    starts: datetime
    completes: datetime
    outcome: Outcome

    def status_at(self, now: datetime) -> str:
        if now < self.starts:
            return "pending"
        if now < self.completes:
            return "started"
        return self.outcome

    def resource(self, now: datetime) -> dict[str, Any]:
        status = self.status_at(now)
        started = self.starts if status != "pending" else None
        completed = self.completes if status == self.outcome else None
        updated = completed or started or self.created
        return resource(
            self.id, self.type, status, created=self.created, updated=updated, started=started, completed=completed
        )

    def seed(self, now: datetime) -> SeedJob:
        return SeedJob(self.id, self.type, self.status_at(now), documented=False, live=True)


Job = FixedJob | LiveJob


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


def live_jobs(epoch: datetime) -> Iterator[LiveJob]:
    """One live job per type, created at ``epoch``; even ones succeed, odd ones fail."""
    created = to_millisecond(epoch)
    for index, job_type in enumerate(JOB_TYPES):
        starts = created + PENDING_FOR + index * LIVE_STAGGER
        outcome: Outcome = "success" if index % 2 == 0 else "failed"
        yield LiveJob(generated_id("live", job_type), job_type, created, starts, starts + RUNS_FOR, outcome)


class JobStore:
    """Every seeded job, by id, in seed order: documented, generated, live."""

    def __init__(self, jobs: tuple[Job, ...]) -> None:
        self.jobs = jobs
        self._by_id = {job.id: job for job in jobs}
        if len(self._by_id) != len(jobs):
            raise ValueError("seeded job ids must be unique")

    @classmethod
    def seeded(cls, epoch: datetime, examples: Path = EXAMPLES_DIR) -> JobStore:
        """The mock's jobs, live ones created at ``epoch``."""
        return cls((*documented_jobs(examples), *generated_jobs(), *live_jobs(epoch)))

    def find(self, job_id: str) -> Job | None:
        return self._by_id.get(job_id)

    def neighbour(self, job: Job) -> Job:
        """The next job in seed order (wrapping): a job that is not ``job``."""
        index = self.jobs.index(job)
        return self.jobs[(index + 1) % len(self.jobs)]

    def seed(self, now: datetime) -> tuple[SeedJob, ...]:
        return tuple(job.seed(now) for job in self.jobs)
