"""Requests -> answers: the mock's behaviour, without sockets.

Routing uses the suite's one routing table (:mod:`contracts.routing`, read
from ``contracts/openapi.yaml``): a path that matches a documented operation
with the documented method is answered by that operation's handler (found by
``operationId``); with another method it is a 405 naming the documented
methods in ``Allow``. Two paths outside the contract exist beside it:
``POST /oauth/access_token`` (client-credentials tokens) and
``GET /__mock__/seed`` (the seeded jobs, no token needed). Anything else is a
404 error body.

Decisions for ``GET /pcm/jobs/{jobID}`` where the docs are silent, checked in
this order:

1. a method other than GET (or HEAD, answered as GET without a body): 405,
   ``Allow: GET``; a wrong method reveals nothing, so it needs no token;
2. a missing, malformed, unknown or expired bearer token: 401 with
   ``WWW-Authenticate: Bearer`` (before the id is looked at);
3. the id, decoded with :func:`urllib.parse.unquote` (as the routing table
   does): only whitespace -> 422 "jobID can not be empty" (the documented
   422 example's wording); not a UUID (``8-4-4-4-12`` hex) -> 400 "The job ID
   must be a valid UUID"; a UUID no job has (compared exactly, so case
   matters) -> 404 "No job found with id ...";
4. otherwise 200 ``{"data": job}``.

Every error answer is the documented error body (``errors[].status`` the
HTTP code as a string, ``title``, ``detail``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from contracts import routing
from contracts.mock import answers
from contracts.mock.answers import Answer
from contracts.mock.jobs import JobStore
from contracts.mock.modes import DriftMode, drifted
from contracts.mock.tokens import TokenStore

SEED_PATH = "/__mock__/seed"
TOKEN_PATH = "/oauth/access_token"
MOCK_NAME = "pcm-contracts"
UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
BEARER = re.compile(r"^Bearer +(\S+) *$", re.IGNORECASE)
CHALLENGE = {"WWW-Authenticate": "Bearer"}


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
    def is_mock_path(self) -> bool:
        return self.path.startswith("/__mock__/")


def contract_methods(path: str) -> tuple[str, ...]:
    """The documented methods of the operations whose template matches ``path``."""
    return tuple(op.method for op in routing.operations() if op.pattern.match(path))


class Endpoint:
    """Answers requests from the seeded jobs and the token store, drifted as asked."""

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
        self.handlers: Mapping[str, Callable[[Request, routing.Route], Answer]] = {"getJob": self.get_job}

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

    def get_job(self, request: Request, route: routing.Route) -> Answer:
        """Get a Job: 422 for a blank id, 400 for a non-UUID, 404 for an unknown one, else the job."""
        job_id = route.params["jobID"]
        if not job_id.strip():
            return answers.error(422, "jobID can not be empty")
        if not UUID_PATTERN.match(job_id):
            return answers.error(400, "The job ID must be a valid UUID")
        job = self.store.find(job_id)
        if job is None:
            return answers.error(404, f"No job found with id {job_id}")
        if self.drift == "id-mismatch":
            job = self.store.neighbour(job)
        return Answer(200, {"data": job.resource(self.clock())})

    def seed(self) -> Answer:
        """The seeded jobs and their current status; never the token."""
        jobs = [job.as_dict() for job in self.store.seed(self.clock())]
        return Answer(200, {"mock": MOCK_NAME, "jobs": jobs})

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
