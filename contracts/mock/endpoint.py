"""Requests -> answers: the mock's behaviour, without sockets.

Routing uses the suite's one routing table (:mod:`contracts.routing`, read
from ``contracts/openapi.yaml``): a path that matches a documented operation
with the documented method is answered by that operation's handler (found by
``operationId``: ``getAllJobs``, ``getJob``, ``getJobErrors``, ``cancelJob``);
with another method it is a 405 naming the documented methods in ``Allow``
(``GET`` on ``/pcm/jobs``, a job and its errors; ``POST`` on ``/cancel``).
Three paths outside the contract exist beside it, none needing a token:
``POST /oauth/access_token`` (client-credentials tokens), ``GET /__mock__/seed``
(every job and its status now), ``POST /__mock__/jobs`` (create a live
job, or one held pending) and ``POST /__mock__/jobs/{jobID}/release``. Anything else is a 404 error body.

Checks of every contract operation, in this order:

1. a method other than the documented one (HEAD is answered as GET without a
   body): 405 with ``Allow``; a wrong method reveals nothing, so it needs no token;
2. a missing, malformed, unknown or expired bearer token: 401 with
   ``WWW-Authenticate: Bearer`` (before anything else is looked at);
3. for the operations on one job, the id, decoded with
   :func:`urllib.parse.unquote` (as the routing table does): only whitespace
   -> 422 "jobID can not be empty" (the documented 422 example's wording); not
   a UUID (``8-4-4-4-12`` hex) -> 400 "The job ID must be a valid UUID"; a UUID
   no job has (compared exactly, so case matters) -> 404 "No job found with id ...";
4. the operation's answer.

``GET /pcm/jobs``
    every job (:meth:`JobStore.listing`: by ``created_at``, then id), live ones
    with their status at request time. ``page[limit]`` defaults to
    :data:`DEFAULT_PAGE_LIMIT` and is clamped to :data:`MAX_PAGE_LIMIT`;
    ``page[offset]`` defaults to 0; either not an integer (blank included) or
    below its minimum (1 and 0) -> 400; an offset past the end is an empty
    page. ``meta.results.total`` is the number of all jobs. ``links`` are
    *relative* (``/pcm/jobs?page[limit]=7&page[offset]=14``, brackets
    unencoded, the effective limit), as the documented example shows: they do
    not depend on a ``Host`` header, a proxy or the port, and a client resolves
    them against its base URL. ``first`` is offset 0, ``last`` the last
    multiple of the limit below the total, ``next`` and ``prev`` step by the
    limit and are left out at the ends (links are strings, as documented;
    ``prev`` of a page past the end is the last page).
``GET /pcm/jobs/{jobID}``
    ``{"data": job}``.
``GET /pcm/jobs/{jobID}/errors``
    ``{"data": [errors], "meta": {"results": {"total": n}}}``: a failed job's
    errors (:func:`contracts.mock.jobs.job_errors`), an empty list otherwise.
``POST /pcm/jobs/{jobID}/cancel``
    a job pending now -> 200 with the job ``cancelling`` (``updated_at`` now),
    ``cancelled`` :data:`~contracts.mock.jobs.CANCELLING_FOR` later; any other
    status -> 422 "only a pending job can be cancelled; job <id> is <status>".
``POST /__mock__/jobs``
    optional JSON body ``{"type": "<job type>", "hold": false}`` (default
    :data:`~contracts.mock.jobs.DEFAULT_JOB_TYPE`): 201
    ``{"data": {"id", "type", "status": "pending"}}``; a body that is not a JSON
    object, a type outside :data:`~contracts.mock.jobs.JOB_TYPES` or a ``hold``
    that is not a boolean -> 400. With ``"hold": true`` the job stays pending,
    whatever the clock says, until it is released.
``POST /__mock__/jobs/{jobID}/release``
    a held job starts now (then runs like any live job): 200
    ``{"data": {"id", "type", "status": "started"}}``; a job that is not held -> 404.

Every error answer is the documented error body (``errors[].status`` the
HTTP code as a string, ``title``, ``detail``).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from contracts import routing
from contracts.mock import answers
from contracts.mock.answers import Answer
from contracts.mock.jobs import DEFAULT_JOB_TYPE, JOB_TYPES, MILLISECOND, Job, JobStore, job_errors
from contracts.mock.modes import DriftMode, drifted
from contracts.mock.tokens import TokenStore

SEED_PATH = "/__mock__/seed"
JOBS_PATH = "/__mock__/jobs"
RELEASE_SUFFIX = "/release"
TOKEN_PATH = "/oauth/access_token"
LIST_PATH = "/pcm/jobs"
MOCK_NAME = "pcm-contracts"
DEFAULT_PAGE_LIMIT = 25
MAX_PAGE_LIMIT = 100
"""A larger ``page[limit]`` is clamped to this, not refused."""
UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
INTEGER = re.compile(r"^[+-]?[0-9]+$")
BEARER = re.compile(r"^Bearer +(\S+) *$", re.IGNORECASE)
CHALLENGE = {"WWW-Authenticate": "Bearer"}
NOT_AN_OBJECT = 'The body must be a JSON object, e.g. {"type": "product-import"}'


@dataclass(frozen=True)
class Request:
    """What the endpoint needs of a request: never more, so nothing else can leak."""

    method: str
    target: str
    authorization: str | None = None
    body: bytes = b""

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, str]:
        """The query parameters, decoded; the first value of each, blank ones kept."""
        parsed = parse_qs(urlsplit(self.target).query, keep_blank_values=True)
        return {name: values[0] for name, values in parsed.items()}

    @property
    def is_mock_path(self) -> bool:
        return self.path.startswith("/__mock__/")


@dataclass(frozen=True)
class Page:
    """Where a page of ``GET /pcm/jobs`` starts and how many jobs it holds at most."""

    limit: int
    offset: int

    def link(self, offset: int) -> str:
        return f"{LIST_PATH}?page[limit]={self.limit}&page[offset]={offset}"

    def links(self, total: int) -> dict[str, str]:
        """``current``, ``first``, ``last``; ``next`` and ``prev`` where there is such a page (strings)."""
        last = (total - 1) // self.limit * self.limit if total else 0
        following = self.offset + self.limit
        previous = max(0, min(self.offset - self.limit, last))
        links = {"current": self.link(self.offset), "first": self.link(0), "last": self.link(last)}
        if following < total:
            links["next"] = self.link(following)
        if self.offset > 0:
            links["prev"] = self.link(previous)
        return links


def contract_methods(path: str) -> tuple[str, ...]:
    """The documented methods of the operations whose template matches ``path``."""
    return tuple(op.method for op in routing.operations() if op.pattern.match(path))


def page_of(query: Mapping[str, str]) -> Page | str:
    """The page a ``GET /pcm/jobs`` query asks for, or why it cannot be served."""
    values: dict[str, int] = {}
    for name, default, minimum in (("page[limit]", DEFAULT_PAGE_LIMIT, 1), ("page[offset]", 0, 0)):
        raw = query.get(name)
        if raw is None:
            values[name] = default
        elif not INTEGER.match(raw) or int(raw) < minimum:
            return f"{name} must be an integer of at least {minimum}, got {raw!r}"
        else:
            values[name] = int(raw)
    return Page(min(values["page[limit]"], MAX_PAGE_LIMIT), values["page[offset]"])


class Endpoint:
    """Answers requests from the job store and the token store, drifted as asked."""

    def __init__(
        self,
        *,
        store: JobStore,
        tokens: TokenStore,
        clock: Callable[[], datetime],
        drift: DriftMode | None = None,
    ) -> None:
        self.store = store
        self.tokens = tokens
        self.clock = clock
        self.drift = drift
        self.handlers: Mapping[str, Callable[[Request, routing.Route], Answer]] = {
            "getAllJobs": self.get_all_jobs,
            "getJob": self.get_job,
            "getJobErrors": self.get_job_errors,
            "cancelJob": self.cancel_job,
        }
        self._shown: dict[str, int] = {}
        self._shown_lock = threading.Lock()

    def authorized(self, request: Request) -> bool:
        """True when the request carries a bearer token that is valid now."""
        return self.token_problem(request) is None

    def token_problem(self, request: Request) -> str | None:
        """Why the request's bearer token is refused, or ``None`` when it is accepted."""
        if request.authorization is None:
            return "The Authorization header is missing"
        match = BEARER.match(request.authorization)
        if match is None:
            return "The Authorization header must be 'Bearer <token>'"
        state = self.tokens.state_of(match.group(1))
        if state == "expired":
            return "The access token has expired"
        if state == "unknown":
            return "The access token is not valid"
        return None

    def answer(self, request: Request) -> Answer:
        """The answer to ``request``: routed by the contract, drifted on its paths."""
        path = request.path
        if path == SEED_PATH:
            return self.seed() if request.method in ("GET", "HEAD") else method_not_allowed(request, ("GET",))
        if path == JOBS_PATH:
            return self.create_job(request) if request.method == "POST" else method_not_allowed(request, ("POST",))
        if path.startswith(JOBS_PATH + "/") and path.endswith(RELEASE_SUFFIX):
            job_id = path[len(JOBS_PATH) + 1 : -len(RELEASE_SUFFIX)]
            return self.release_job(job_id) if request.method == "POST" else method_not_allowed(request, ("POST",))
        if path == TOKEN_PATH:
            return self.issue_token(request) if request.method == "POST" else method_not_allowed(request, ("POST",))
        methods = contract_methods(path)
        if not methods:
            return answers.error(404, f"No route for {request.method} {path}")
        return drifted(self.contract_answer(request, methods), self.drift)

    def contract_answer(self, request: Request, methods: tuple[str, ...]) -> Answer:
        method = "GET" if request.method == "HEAD" else request.method
        if method not in methods:
            return method_not_allowed(request, methods)
        problem = self.token_problem(request)
        if problem is not None:
            return answers.error(401, problem, headers=CHALLENGE)
        route = routing.resolve(method, request.path, 200)
        handler = self.handlers.get(route.operation.operation_id)
        if handler is None:
            return answers.error(501, f"The mock does not implement {route.operation.operation_id}")
        return handler(request, route)

    def job_asked(self, route: routing.Route) -> Job | Answer:
        """The job named by the path's ``jobID``, or the 422, 400 or 404 answer when there is none."""
        job_id = route.params.get("jobID", "{jobID}")  # the template itself names no job: not a UUID
        if not job_id.strip():
            return answers.error(422, "jobID can not be empty")
        if not UUID_PATTERN.match(job_id):
            return answers.error(400, "The job ID must be a valid UUID")
        job = self.store.find(job_id)
        if job is None:
            return answers.error(404, f"No job found with id {job_id}")
        return job

    def shown(self, job: Job, now: datetime) -> dict[str, Any]:
        """The job's resource now, as a GET shows it (``status-regresses``: every second showing
        of a job past its first status is one step earlier)."""
        since = job.since(now)
        if self.drift == "status-regresses" and since is not None:
            with self._shown_lock:
                count = self._shown[job.id] = self._shown.get(job.id, 0) + 1
            if count % 2 == 0:
                return job.resource(since - MILLISECOND)
        return job.resource(now)

    def get_all_jobs(self, request: Request, route: routing.Route) -> Answer:
        """Get all Jobs: one page of every job, ``meta.results.total`` and relative ``links``."""
        page = page_of(request.query)
        if isinstance(page, str):
            return answers.error(400, page)
        now = self.clock()
        jobs = self.store.listing()
        total = len(jobs)
        start = page.offset
        if self.drift == "page-overlap" and page.offset > 0:
            start -= max(1, page.offset // page.limit)  # one job earlier per page before this one
        shown = jobs[start : start + min(page.limit, max(0, total - page.offset))]
        body = {
            "data": [self.shown(job, now) for job in shown],
            "meta": {"results": {"total": total}},
            "links": page.links(total),
        }
        return Answer(200, body)

    def get_job(self, request: Request, route: routing.Route) -> Answer:
        """Get a Job: the job asked for (``id-mismatch``: the next one)."""
        job = self.job_asked(route)
        if isinstance(job, Answer):
            return job
        if self.drift == "id-mismatch":
            job = self.store.neighbour(job)
        return Answer(200, {"data": self.shown(job, self.clock())})

    def get_job_errors(self, request: Request, route: routing.Route) -> Answer:
        """Get Job Errors: a failed job's errors, an empty list for any other job."""
        job = self.job_asked(route)
        if isinstance(job, Answer):
            return job
        errors = job_errors(job.id, job.type, job.status_at(self.clock()))
        return Answer(200, {"data": errors, "meta": {"results": {"total": len(errors)}}})

    def cancel_job(self, request: Request, route: routing.Route) -> Answer:
        """Cancel a Job: a pending job becomes cancelling; any other status is a 422."""
        job = self.job_asked(route)
        if isinstance(job, Answer):
            return job
        now = self.clock()
        if self.drift == "cancel-anything":
            return Answer(200, {"data": job.resource(now)})
        cancelled = self.store.cancel(job.id, now)
        if cancelled is None:
            status = job.status_at(now)
            return answers.error(422, f"only a pending job can be cancelled; job {job.id} is {status}")
        answered = self.store.neighbour(cancelled) if self.drift == "id-mismatch" else cancelled
        return Answer(200, {"data": answered.resource(now)})

    def seed(self) -> Answer:
        """Every job and its current status; never the token."""
        jobs = [job.as_dict() for job in self.store.seed(self.clock())]
        return Answer(200, {"mock": MOCK_NAME, "jobs": jobs})

    def create_job(self, request: Request) -> Answer:
        """A new live job, pending now, of the type the optional JSON body names (held pending with ``hold``)."""
        job_type: Any = DEFAULT_JOB_TYPE
        hold: Any = False
        if request.body.strip():
            try:
                body = json.loads(request.body)
            except (UnicodeDecodeError, json.JSONDecodeError):
                return answers.error(400, NOT_AN_OBJECT)
            if not isinstance(body, dict):
                return answers.error(400, NOT_AN_OBJECT)
            job_type = body.get("type", DEFAULT_JOB_TYPE)
            hold = body.get("hold", False)
            if not isinstance(hold, bool):
                return answers.error(400, f"hold must be true or false, got {hold!r}")
        if job_type not in JOB_TYPES:
            return answers.error(400, f"Unknown job type {job_type!r}; expected one of: {', '.join(JOB_TYPES)}")
        now = self.clock()
        job = self.store.create(job_type, now, hold=hold)
        return Answer(201, {"data": {"id": job.id, "type": job.type, "status": job.status_at(now)}})

    def release_job(self, job_id: str) -> Answer:
        """A held job starts now: 200 with its status; 404 for a job that is not held."""
        job = self.store.release(job_id, self.clock())
        if job is None:
            return answers.error(404, f"No held job with id {job_id}")
        return Answer(200, {"data": {"id": job.id, "type": job.type, "status": job.status_at(self.clock())}})

    def issue_token(self, request: Request) -> Answer:
        """A client-credentials token for any client id and secret."""
        form = parse_form(request.body)
        grant_type = form.get("grant_type", "")
        if not grant_type:
            return answers.error(422, "grant_type can not be empty")
        if grant_type != "client_credentials":
            return answers.error(400, f"Unsupported grant_type {grant_type!r}: expected 'client_credentials'")
        for name in ("client_id", "client_secret"):
            if not form.get(name):
                return answers.error(422, f"{name} can not be empty")
        token = self.tokens.issue()
        body: dict[str, Any] = {
            "access_token": token.value,
            "expires": int(token.expires.timestamp()),
            "expires_in": self.tokens.ttl,
            "token_type": "Bearer",
            "identifier": "client_credentials",
        }
        return Answer(200, body)


def method_not_allowed(request: Request, allowed: tuple[str, ...]) -> Answer:
    allow = ", ".join(allowed)
    detail = f"Method {request.method} is not allowed on {request.path}; allowed: {allow}"
    return answers.error(405, detail, headers={"Allow": allow})


def parse_form(body: bytes) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body; the first value of each name."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return {}
    return {name: values[0] for name, values in parse_qs(text, keep_blank_values=True).items()}
