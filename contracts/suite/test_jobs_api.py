"""Live checks of the rest of the Jobs API and of the relationships between its
operations: the job list and its pages, list against Get a Job, a job's
errors, cancel (writes: the built-in mock, or --allow-writes with --cancel-job),
and the lifecycle of a watched job."""

from __future__ import annotations

import time
import uuid
import warnings
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from contracts.client import Answer, ApiClient
from contracts.lifecycle import TERMINAL, Watch
from contracts.live import ContractWarning, judge
from contracts.target import Target
from contracts.violations import Strictness

pytestmark = pytest.mark.live

PAGE = 10
MAX_PAGES = 20
SAMPLE = 20
REFUSED = {400, 422}  # the documented answers to a request that fails validation


def job_path(job_id: str, suffix: str = "") -> str:
    return f"/pcm/jobs/{quote(job_id, safe='')}{suffix}"


def page(api: ApiClient, strictness: Strictness, *, limit: int, offset: int) -> dict[str, Any]:
    answer = api.get(f"/pcm/jobs?page[limit]={limit}&page[offset]={offset}")
    judge(answer, statuses={200}, strictness=strictness)
    body: dict[str, Any] = answer.json()
    return body


def total_of(body: dict[str, Any]) -> int:
    total: int = body["meta"]["results"]["total"]
    return total


def walk(api: ApiClient, strictness: Strictness, *, limit: int, pages: int) -> Iterator[tuple[int, dict[str, Any]]]:
    """The job list's pages from offset 0, at most ``pages`` of them: (offset, body).

    Each page starts where the pages before it ended: a deployment may cap
    page[limit] (the docs give no cap), so a page may hold fewer than asked.
    Ends at the total, or at an empty page.
    """
    offset = 0
    for _ in range(pages):
        body = page(api, strictness, limit=limit, offset=offset)
        yield offset, body
        offset += len(body["data"])
        if not body["data"] or offset >= total_of(body):
            return


def listed_jobs(api: ApiClient, strictness: Strictness, status: str | None = None) -> list[dict[str, Any]]:
    """Up to SAMPLE listed jobs (of ``status``), from the first pages."""
    found: list[dict[str, Any]] = []
    for _, body in walk(api, strictness, limit=SAMPLE, pages=MAX_PAGES):
        found += [job for job in body["data"] if status is None or job["attributes"]["status"] == status]
        if len(found) >= SAMPLE:
            break
    return found[:SAMPLE]


def warn(text: str) -> None:
    warnings.warn(ContractWarning(text), stacklevel=2)


def test_job_list_keeps_the_contract(api: ApiClient, strictness: Strictness) -> None:
    judge(api.get("/pcm/jobs"), statuses={200}, strictness=strictness)


def test_job_list_pages_add_up_to_the_total(api: ApiClient, strictness: Strictness) -> None:
    """Every page holds at most page[limit] jobs, none twice, the same total on
    each, and together (when the run may read them all) exactly total jobs.

    A page shorter than page[limit] before the end is a capped page size (the
    docs give no cap): the walk goes on from where it ended, and the cap is
    reported once, as an observation."""
    where: dict[str, int] = {}
    problems = []
    total: int | None = None
    capped: tuple[int, int] | None = None
    offset = 0
    for offset, body in walk(api, strictness, limit=PAGE, pages=MAX_PAGES):
        if total is None:
            total = total_of(body)
        elif total_of(body) != total:
            problems.append(f"page at offset {offset} says total {total_of(body)}, the first said {total}")
        shown = len(body["data"])
        if capped is None and 0 < shown < min(PAGE, total - offset):
            capped = (offset, shown)
        for job in body["data"]:
            if job["id"] in where:
                problems.append(f"job {job['id']} is on the pages at offsets {where[job['id']]} and {offset}")
            where.setdefault(job["id"], offset)
        offset += shown
    assert total is not None
    read_all = offset >= total
    if read_all and len(where) + sum("is on the pages" in p for p in problems) != total:
        problems.append(f"the pages hold {len(where)} distinct jobs, total says {total}")
    beyond = page(api, strictness, limit=PAGE, offset=total)
    if beyond["data"]:
        problems.append(f"the page past the end (offset {total}) holds {len(beyond['data'])} jobs")
    assert not problems, "\n".join(problems)
    if capped is not None:
        warn(
            f"GET /pcm/jobs caps page[limit]: {capped[1]} jobs at offset {capped[0]} asked with page[limit]={PAGE} "
            f"(the docs give no cap; the {len(where)} jobs of {'all ' if read_all else 'the first '}pages add up)"
        )


def differences(listed: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """Where a listed job disagrees with its Get a Job body. A job that is not
    terminal may have moved on between the two reads; then only what never
    changes is compared."""
    fixed = ("type",) if listed["attributes"].get("status") not in TERMINAL else tuple(listed["attributes"])
    found = []
    for name in ("created_at", *fixed):
        if name in listed["attributes"] and listed["attributes"][name] != got["attributes"].get(name):
            found.append(
                f"job {listed['id']}: attributes.{name} is {listed['attributes'][name]!r} in the list, "
                f"{got['attributes'].get(name)!r} in Get a Job"
            )
    if listed.get("type") != got.get("type"):
        found.append(f"job {listed['id']}: type {listed.get('type')!r} in the list, {got.get('type')!r} in Get a Job")
    return found


def test_listed_jobs_are_retrievable_and_agree_with_get_a_job(api: ApiClient, strictness: Strictness) -> None:
    problems = []
    for job in listed_jobs(api, strictness):
        answer = api.get(job_path(job["id"]))
        judge(answer, statuses={200}, strictness=strictness)
        problems += differences(job, answer.json()["data"])
    assert not problems, "\n".join(problems)


def test_failed_jobs_have_reachable_errors(api: ApiClient, strictness: Strictness) -> None:
    failed = listed_jobs(api, strictness, status="failed")[:5]
    if not failed:
        pytest.skip(f"no failed job among the first {SAMPLE * MAX_PAGES} listed jobs")
    for job in failed:
        answer = api.get(job_path(job["id"], "/errors"))
        judge(answer, statuses={200, 422}, strictness=strictness)
        if answer.status == 200 and not answer.json()["data"]:
            warn(f"{answer.url}: a failed job lists no errors")


def test_successful_jobs_errors_keep_the_contract(api: ApiClient, strictness: Strictness) -> None:
    """The docs do not say a successful job has no errors (an import may skip
    rows), so errors there are a warning, not a failure."""
    done = listed_jobs(api, strictness, status="success")[:3]
    if not done:
        pytest.skip(f"no successful job among the first {SAMPLE * MAX_PAGES} listed jobs")
    for job in done:
        answer = api.get(job_path(job["id"], "/errors"))
        judge(answer, statuses={200}, strictness=strictness)
        if answer.json()["data"]:
            warn(f"{answer.url}: a successful job lists {len(answer.json()['data'])} errors")


def test_errors_of_an_unknown_job_answer_404(api: ApiClient, strictness: Strictness) -> None:
    judge(api.get(job_path(str(uuid.uuid4()), "/errors")), statuses={404}, strictness=strictness)


def created_job(target: Target, kind: str = "product-import", *, hold: bool = False) -> str:
    """A fresh pending job on the built-in mock (its control endpoint, not the API);
    with ``hold`` it stays pending until cancelled, however long the run takes."""
    assert target.mock is not None
    answer = httpx.post(f"{target.mock.url}/__mock__/jobs", json={"type": kind, "hold": hold}, timeout=5)
    answer.raise_for_status()
    job_id: str = answer.json()["data"]["id"]
    return job_id


def cancel(target: Target, job_id: str) -> Answer:
    return target.client.send("POST", job_path(job_id, "/cancel"))


def test_cancel_of_a_pending_job_answers_it_cancelled(contract_target: Target, strictness: Strictness) -> None:
    """Cancel answers the job cancelling or cancelled, Get a Job agrees, and a
    second cancel of the same job is refused with a documented client error
    (400 or 422): it is no longer pending. Writes: two cancels per job."""
    settings = contract_target.settings
    if contract_target.mock is not None:
        job_ids = [created_job(contract_target, hold=True)]
    elif settings.allow_writes and settings.cancel_job_ids:
        job_ids = list(settings.cancel_job_ids)
    else:
        pytest.skip("cancel changes data: against a deployment it needs --allow-writes and --cancel-job ID")
    for job_id in job_ids:
        judge(cancel(contract_target, job_id), statuses={200}, strictness=strictness)
        answer = contract_target.client.get(job_path(job_id))
        judge(answer, statuses={200}, strictness=strictness)
        status = answer.json()["data"]["attributes"]["status"]
        assert status in ("cancelling", "cancelled"), f"{answer.url}: status {status} after a cancel"
        # Once more: the job is no longer pending, so this is refused and changes nothing.
        judge(cancel(contract_target, job_id), statuses=REFUSED, strictness=strictness)


def test_cancel_of_a_job_that_is_not_pending_is_refused(contract_target: Target, strictness: Strictness) -> None:
    if contract_target.mock is None:
        pytest.skip("refused cancels are checked against the built-in mock only (a write)")
    finished = next(job.id for job in contract_target.mock.seed if job.status == "success")
    judge(cancel(contract_target, finished), statuses=REFUSED, strictness=strictness)
    judge(cancel(contract_target, str(uuid.uuid4())), statuses={404}, strictness=strictness)


def test_watched_job_keeps_the_lifecycle_contract(contract_target: Target, strictness: Strictness) -> None:
    """Polls a job until it ends: every snapshot keeps the contract, and every
    step between two keeps the lifecycle (pending -> started -> success or
    failed, pending -> cancelling -> cancelled; never backwards)."""
    settings = contract_target.settings
    if settings.watch_job is not None:
        job_id = settings.watch_job
    elif contract_target.mock is not None:
        job_id = created_job(contract_target)
    else:
        pytest.skip("no job to watch: pass --watch-job ID")
    watch = Watch(job_id)
    deadline = time.monotonic() + settings.watch_timeout
    after_the_end = 2  # reads after a terminal status: it must stay
    while after_the_end and time.monotonic() <= deadline:
        answer = contract_target.client.get(job_path(job_id))
        judge(answer, statuses={200}, strictness=strictness)
        if watch.observe(answer.json()):
            break
        after_the_end -= watch.finished
        time.sleep(settings.watch_interval)
    seen = " -> ".join(watch.statuses)
    assert not watch.problems, f"job {job_id} broke the lifecycle ({seen}):\n" + "\n".join(watch.problems)
    assert watch.finished, f"job {job_id} did not end within {settings.watch_timeout:g} s ({seen})"
