"""An independent deployment of the documented PCM Jobs API, stdlib only.

Written from the published docs alone (``jobs-api.md`` and the Get a Job page),
never from this project's code: it imports nothing from ``contracts``, so it
makes the choices a separate team would make where the docs are silent, and
some the built-in mock does not:

* a non-UUID job id answers **422**, a blank one **400** (the docs allow both);
  an unknown UUID 404;
* the job list's ``links`` are strings, with ``prev``/``next`` left out where
  there is no such page; job listings leave out ``started_at``/``completed_at``
  of a job that has none (the docs: "in job listings they can be missing");
* pending jobs stay pending until cancelled (no clock), so every run sees the
  same jobs; cancel answers the job ``cancelled``; a second cancel is a 422;
* one job moves by reads, not by time: pending for its first two reads,
  started for the next two, then success (``PROGRESSING_ID``).

Behaviour switches (:data:`BEHAVIOURS`, any combination) are what real
deployments do where the docs leave the choice open; the suite must pass with
every one of them. Break switches (:data:`BREAKS`) violate the contract; the
suite must fail with each.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

BEHAVIOURS = ("page-cap", "refuse-403", "refuse-html", "short-token", "gzip", "chunked", "charset", "http10", "slow")
"""Documented-but-open choices: the suite must pass with each, alone and combined.

page-cap     ``page[limit]`` is capped at :data:`PAGE_CAP` (short pages; the total stays true)
refuse-403   a missing or bad token answers 403 instead of 401
refuse-html  a refusal's body is a text/html gateway page
short-token  client-credentials tokens say ``expires_in`` :data:`SHORT_TOKEN_SECONDS`
             (the fixed token is not accepted): a run must renew them
gzip         ``Content-Encoding: gzip`` when the request accepts it
chunked      ``Transfer-Encoding: chunked`` bodies
charset      ``Content-Type: application/json; charset=utf-8``
http10       HTTP/1.0 answers without Content-Length, delimited by closing the connection
slow         every answer takes :data:`LATENCY_SECONDS`, every :data:`SLOW_EVERY`-th one
             :data:`SLOW_SECONDS` (bounded, well under the 5 s request timeout of the tests)
"""
BREAKS = ("page-repeat", "cancel-twice-accepted", "null-links")
"""Contract breaks: the suite must fail with each.

page-repeat             every page after the first starts one job early (a job on two pages)
cancel-twice-accepted   cancelling a cancelled job answers 200 again
null-links              ``links.prev`` / ``links.next`` are null at the ends (not a documented value)
"""

FIXED_TOKEN = "independent-token"
PAGE_CAP = 3
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
SHORT_TOKEN_SECONDS = 2
TOKEN_GRACE_SECONDS = 3.0
"""How long past its ``expires_in`` an issued token is still accepted (clock skew, as OAuth servers allow):
a request whose token was fresh when it was sent is not refused because the machine is loaded."""
LATENCY_SECONDS = 0.02
SLOW_SECONDS = 1.0
SLOW_EVERY = 25
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
NAMESPACE = uuid.UUID("0c3e9d0e-8a55-4f7b-9d61-3c1f2a7b8e40")
PROGRESSING_ID = str(uuid.uuid5(NAMESPACE, "progressing"))
GATEWAY_PAGE = b"<html><head><title>Forbidden</title></head><body><h1>Access denied</h1></body></html>"


def job_id(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, name))


def at(minute: int, second: int = 0) -> str:
    return f"2025-03-04T10:{minute:02d}:{second:02d}.250Z"


@dataclass
class Job:
    id: str
    type: str
    status: str
    created: str
    updated: str
    started: str | None = None
    completed: str | None = None
    errors: tuple[str, ...] = ()
    reads: int = 0

    def meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"x_request_id": job_id("request/" + self.id)}
        if self.type == "product-export":
            meta["file_locations"] = [f"https://files.example/{self.id}.csv"] if self.status == "success" else []
            meta["filter"] = None
        if self.type == "hierarchy-duplicate":
            meta["copied_from"] = job_id("hierarchy/source/" + self.id)
            meta["hierarchy_id"] = job_id("hierarchy/copy/" + self.id)
        return meta

    def resource(self, *, listed: bool = False) -> dict[str, Any]:
        attributes: dict[str, Any] = {"created_at": self.created, "updated_at": self.updated}
        for name, value in (("started_at", self.started), ("completed_at", self.completed)):
            if value is not None or not listed:
                attributes[name] = value
        attributes.update(type=self.type, status=self.status)
        return {"type": "pim-job", "id": self.id, "attributes": attributes, "meta": self.meta()}


def seed() -> list[Job]:
    """Fourteen jobs: finished, failed with errors, running, pending, cancelled; in created_at order."""
    finished = [
        ("product-import", "success"),
        ("product-export", "success"),
        ("hierarchy-duplicate", "success"),
        ("price-import", "failed"),
        ("product-import", "failed"),
        ("child-products", "success"),
        ("pricebook-import", "failed"),
    ]
    jobs = []
    for n, (kind, status) in enumerate(finished):
        errors = (f"row {n + 2}: the sku is empty", "row 9: the price is not a number") if status == "failed" else ()
        jobs.append(Job(job_id(f"job/{n}"), kind, status, at(n), at(n, 9), at(n, 1), at(n, 9), errors))
    jobs.append(Job(job_id("running"), "product-export", "started", at(20), at(20, 2), at(20, 2)))
    jobs.append(Job(job_id("cancelled"), "hierarchy-delete", "cancelled", at(21), at(21, 4)))
    jobs.append(Job(PROGRESSING_ID, "indexing-job", "pending", at(22), at(22)))
    jobs += [Job(job_id(f"pending/{n}"), "product-import", "pending", at(30 + n), at(30 + n)) for n in range(4)]
    return jobs


PENDING_IDS = tuple(job_id(f"pending/{n}") for n in range(4))
FINISHED_IDS = tuple(job_id(f"job/{n}") for n in range(7))


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, title: str, detail: str) -> Reply:
    return Reply(status, json.dumps({"errors": [{"status": str(status), "title": title, "detail": detail}]}).encode())


def ok(body: Any) -> Reply:
    return Reply(200, json.dumps(body).encode())


class JobsApi:
    """The API's state and answers, without sockets."""

    def __init__(self, behaviours: Iterable[str] = (), clock: Callable[[], float] = time.monotonic) -> None:
        self.flags = frozenset(behaviours)
        unknown = self.flags - set(BEHAVIOURS) - set(BREAKS)
        if unknown:
            raise ValueError(f"unknown switches: {sorted(unknown)}")
        self.clock = clock
        self.jobs = seed()
        self.tokens: dict[str, float] = {}
        self.lock = threading.Lock()
        self.log: list[tuple[str, str, int]] = []
        """(method, path, status) of every request."""
        self.gzipped = 0
        """Answers sent gzip-encoded."""
        self.expired_uses = 0
        """Requests refused because they carried an issued token past its lifetime (and the grace)."""

    # tokens -------------------------------------------------------------
    def token_is_valid(self, header: str | None) -> bool:
        match = re.fullmatch(r"Bearer (\S+)", header or "")
        if match is None:
            return False
        token = match.group(1)
        if token == FIXED_TOKEN:
            return "short-token" not in self.flags
        expires = self.tokens.get(token)
        if expires is None:
            return False
        if self.clock() >= expires + TOKEN_GRACE_SECONDS:
            self.expired_uses += 1
            return False
        return True

    def issue_token(self, body: bytes) -> Reply:
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "client_credentials" or not form.get("client_id"):
            return error(400, "Bad Request", "grant_type client_credentials and client_id are required")
        lifetime = SHORT_TOKEN_SECONDS if "short-token" in self.flags else 3600
        token = f"issued-{uuid.uuid4().hex}"
        self.tokens[token] = self.clock() + lifetime
        return ok({
            "access_token": token,
            "expires": int(time.time()) + lifetime,
            "expires_in": lifetime,
            "token_type": "Bearer",
            "identifier": "client_credentials",
        })  # fmt: skip

    def refusal(self) -> Reply:
        status = 403 if "refuse-403" in self.flags else 401
        title = "Forbidden" if status == 403 else "Unauthorized"
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
        if "refuse-html" in self.flags:
            return Reply(status, GATEWAY_PAGE, "text/html", headers)
        reply = error(status, title, "a valid client-credentials token is required")
        reply.headers.update(headers)
        return reply

    # routing ------------------------------------------------------------
    def answer(self, method: str, target: str, authorization: str | None, body: bytes) -> Reply:
        parts = urlsplit(target)
        path = parts.path
        with self.lock:
            if path == "/oauth/access_token":
                reply = self.issue_token(body) if method == "POST" else not_allowed("POST")
            else:
                reply = self.route(method, path, parse_qs(parts.query, keep_blank_values=True), authorization)
            self.log.append((method, path, reply.status))
        return reply

    def route(self, method: str, path: str, query: dict[str, list[str]], authorization: str | None) -> Reply:
        segments = path.split("/")
        if path == "/pcm/jobs" or (len(segments) == 4 and segments[:3] == ["", "pcm", "jobs"]):
            allowed = "GET"
        elif len(segments) == 5 and segments[:3] == ["", "pcm", "jobs"] and segments[4] in ("errors", "cancel"):
            allowed = "POST" if segments[4] == "cancel" else "GET"
        else:
            return error(404, "Not Found", f"no route for {path}")
        if method not in (allowed, "HEAD" if allowed == "GET" else allowed):
            return not_allowed(allowed)
        if not self.token_is_valid(authorization):
            return self.refusal()
        if path == "/pcm/jobs":
            return self.listing(query)
        found = self.find(unquote(segments[3]))
        if isinstance(found, Reply):
            return found
        if len(segments) == 4:
            return ok({"data": self.read(found).resource()})
        if segments[4] == "errors":
            return self.errors(found)
        return self.cancel(found)

    def find(self, raw: str) -> Job | Reply:
        if not raw.strip():
            return error(400, "Bad Request", "the job id is blank")
        if not UUID.match(raw):
            return error(422, "Failed Validation", "jobID must be a UUID")
        job = next((job for job in self.jobs if job.id == raw), None)
        return job if job is not None else error(404, "Not Found", f"no job {raw}")

    def read(self, job: Job) -> Job:
        """A read of Get a Job; the progressing job moves on by reads."""
        if job.id == PROGRESSING_ID:
            job.reads += 1
            if job.reads > 2 and job.status == "pending":
                job.status, job.started, job.updated = "started", at(22, 5), at(22, 5)
            elif job.reads > 4 and job.status == "started":
                job.status, job.completed, job.updated = "success", at(22, 8), at(22, 8)
        return job

    def listing(self, query: dict[str, list[str]]) -> Reply:
        numbers = {}
        for name, default, minimum in (("page[limit]", DEFAULT_LIMIT, 1), ("page[offset]", 0, 0)):
            raw = query.get(name, [str(default)])[0]
            if not re.fullmatch(r"\d+", raw) or int(raw) < minimum:
                return error(400, "Bad Request", f"{name} must be an integer of at least {minimum}")
            numbers[name] = int(raw)
        limit = min(numbers["page[limit]"], PAGE_CAP if "page-cap" in self.flags else MAX_LIMIT)
        offset = numbers["page[offset]"]
        start = offset - 1 if "page-repeat" in self.flags and offset > 0 else offset
        total = len(self.jobs)
        shown = self.jobs[start : start + min(limit, total - offset)] if offset < total else []
        links: dict[str, str | None] = {
            "current": f"/pcm/jobs?page[offset]={offset}&page[limit]={limit}",
            "first": f"/pcm/jobs?page[offset]=0&page[limit]={limit}",
            "last": f"/pcm/jobs?page[offset]={max(0, (total - 1) // limit * limit)}&page[limit]={limit}",
        }
        if offset > 0:
            links["prev"] = f"/pcm/jobs?page[offset]={max(0, min(offset, total) - limit)}&page[limit]={limit}"
        if offset + limit < total:
            links["next"] = f"/pcm/jobs?page[offset]={offset + limit}&page[limit]={limit}"
        if "null-links" in self.flags:
            links.setdefault("prev", None)
            links.setdefault("next", None)
        body = {"data": [job.resource(listed=True) for job in shown], "meta": {"results": {"total": total}}}
        return ok({**body, "links": links})

    def errors(self, job: Job) -> Reply:
        items = [
            {"type": "pim-job-error", "id": job_id(f"error/{job.id}/{n}"), "attributes": {"message": message}}
            for n, message in enumerate(job.errors)
        ]
        return ok({"data": items, "meta": {"results": {"total": len(items)}}})

    def cancel(self, job: Job) -> Reply:
        accepted = job.status == "pending" or ("cancel-twice-accepted" in self.flags and job.status == "cancelled")
        if not accepted:
            return error(422, "Failed Validation", f"only a pending job can be cancelled; this one is {job.status}")
        job.status, job.updated = "cancelled", at(59, 59)
        return ok({"data": job.resource()})


def not_allowed(allowed: str) -> Reply:
    reply = error(405, "Method Not Allowed", f"allowed: {allowed}")
    reply.headers["Allow"] = allowed
    return reply


class Handler(BaseHTTPRequestHandler):
    server: IndependentServer
    server_version = "independent-jobs-api"
    sys_version = ""

    def setup(self) -> None:
        self.protocol_version = "HTTP/1.0" if "http10" in self.server.api.flags else "HTTP/1.1"
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def handle_one_request(self) -> None:
        with contextlib.suppress(ConnectionError):
            super().handle_one_request()

    def respond(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        api = self.server.api
        reply = api.answer(self.command, self.path, self.headers.get("Authorization"), body)
        if "slow" in api.flags:  # by the count of answers, not by chance
            time.sleep(SLOW_SECONDS if len(api.log) % SLOW_EVERY == 0 else LATENCY_SECONDS)
        self.send(reply, head=self.command == "HEAD")

    do_GET = do_POST = do_HEAD = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_TRACE = respond

    def send(self, reply: Reply, *, head: bool) -> None:
        flags = self.server.api.flags
        payload = reply.body
        content_type = reply.content_type
        if content_type == "application/json" and "charset" in flags:
            content_type += "; charset=utf-8"
        self.send_response(reply.status)
        self.send_header("Content-Type", content_type)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if "gzip" in flags and "gzip" in (self.headers.get("Accept-Encoding") or ""):
            payload = gzip.compress(payload)
            self.send_header("Content-Encoding", "gzip")
            with self.server.api.lock:
                self.server.api.gzipped += 1
        chunked = "chunked" in flags and self.protocol_version == "HTTP/1.1"
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif "http10" not in flags:
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if head:
            return
        if chunked:
            for start in range(0, len(payload), 100):
                piece = payload[start : start + 100]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(payload)


class IndependentServer(ThreadingHTTPServer):
    """The API on 127.0.0.1 (a free port), as a context manager."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, behaviours: Iterable[str] = (), *, host: str = "127.0.0.1") -> None:
        self.api = JobsApi(behaviours)
        super().__init__((host, 0), Handler)
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> IndependentServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
        self.thread.join()
