"""The mock's HTTP server: stdlib ``ThreadingHTTPServer``, real sockets on 127.0.0.1.

Chosen over an ASGI server because the fault modes need the raw socket: a
reset is ``SO_LINGER`` (on, 0 s) then close, so the kernel answers with a TCP
RST instead of a FIN; a truncated body announces the full ``Content-Length``
and closes after half of it. HTTP/1.1 with keep-alive, one daemon thread per
connection, nothing ever written to stderr.

The behaviour itself (routing, auth, jobs, drift) is :mod:`contracts.mock.endpoint`;
this module adds the sockets, the fault modes and the request log.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import struct
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, TextIO, overload

from contracts.mock import answers
from contracts.mock.answers import Answer
from contracts.mock.endpoint import Endpoint, Request
from contracts.mock.jobs import DEFAULT_JOB_TYPE, JobStore, SeedJob
from contracts.mock.modes import DriftMode, FaultMode
from contracts.mock.tokens import TokenStore

HOST = "127.0.0.1"
DEFAULT_TOKEN = "mock-token"
MAX_BODY = 1 << 20
POLL_SECONDS = 0.01
"""How often the serving loop checks for :meth:`MockServer.stop`: keeps stop() fast."""


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RecordedRequest:
    """A request the mock received. The Authorization header's value is never kept,
    only whether it was accepted."""

    method: str
    path: str
    authorized: bool


class RequestLog(Sequence[RecordedRequest]):
    """The requests received so far, in order; safe to read while the server appends."""

    def __init__(self) -> None:
        self._items: list[RecordedRequest] = []
        self._lock = threading.Lock()

    def append(self, item: RecordedRequest) -> None:
        with self._lock:
            self._items.append(item)

    def snapshot(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._items)

    @overload
    def __getitem__(self, index: int) -> RecordedRequest: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[RecordedRequest]: ...
    def __getitem__(self, index: int | slice) -> RecordedRequest | Sequence[RecordedRequest]:
        with self._lock:
            return self._items[index]

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __iter__(self) -> Iterator[RecordedRequest]:
        return iter(self.snapshot())

    def __repr__(self) -> str:
        return f"RequestLog({self.snapshot()!r})"


class MockHTTPServer(ThreadingHTTPServer):
    """The listening socket plus what every handler thread shares."""

    daemon_threads = True
    block_on_close = False  # stop() closes the connections itself; a keep-alive client cannot hold it up
    allow_reuse_address = True

    def __init__(
        self, port: int, *, endpoint: Endpoint, fault: FaultMode | None, slow_seconds: float, log: RequestLog
    ) -> None:
        self.endpoint = endpoint
        self.fault = fault
        self.slow_seconds = slow_seconds
        self.log = log
        self.stopping = threading.Event()
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__((HOST, port), Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a client that goes away mid-answer is not the mock's problem."""

    def close_connections(self) -> None:
        """Wake every handler thread blocked on its connection, so it ends now."""
        with self.connections_lock:
            open_connections = list(self.connections)
        for connection in open_connections:
            with contextlib.suppress(OSError):  # already closed by its handler
                connection.shutdown(socket.SHUT_RDWR)


class Handler(BaseHTTPRequestHandler):
    """One connection: reads requests, applies the fault mode, writes answers."""

    server: MockHTTPServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: without it each answer waits ~40 ms for an ACK
    server_version = "pcm-contracts-mock"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        with contextlib.suppress(OSError):  # the connection was reset or closed on purpose
            super().finish()

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the mock never writes to stderr."""

    def handle_one_request(self) -> None:
        """The stdlib's loop body, with a fallback: any method (``QUERY`` too) reaches :meth:`respond`."""
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            return
        if not self.raw_requestline:
            self.close_connection = True
            return
        if not self.parse_request():
            return
        handler: Callable[[], None] = getattr(self, f"do_{self.command}", self.respond)
        handler()
        self.wfile.flush()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Protocol errors (a bad request line, a huge header) as JSON error bodies, then close."""
        self.close_connection = True
        self.send_answer(answers.error(code, message or "The request could not be read"), head_only=False)

    def respond(self) -> None:
        """Every method: record the request, apply the fault, answer."""
        body = self.read_body()
        if body is None:
            self.send_error(400, "The request body could not be read")
            return
        request = Request(self.command, self.path, self.headers.get("Authorization"), body)
        endpoint = self.server.endpoint
        self.server.log.append(RecordedRequest(request.method, request.target, endpoint.authorized(request)))
        fault = None if request.is_mock_path else self.server.fault
        if fault == "reset":
            self.reset()
            return
        if fault == "slow" and self.server.stopping.wait(self.server.slow_seconds):
            self.close_connection = True
            return
        try:
            answer = faulty_answer(fault) or endpoint.answer(request)
        except Exception as failure:  # the handler boundary: a bug in the mock is a 500, never a hang
            answer = answers.error(500, f"The mock failed: {type(failure).__name__}: {failure}")
        self.send_answer(answer, head_only=request.method == "HEAD", truncated=fault == "truncated")

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_TRACE = do_CONNECT = respond

    def read_body(self) -> bytes | None:
        """The request body by ``Content-Length``; ``None`` when it cannot be read.

        A chunked body is not read: the connection closes after the answer instead.
        """
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            return b""
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit() or int(length) > MAX_BODY:
            return None
        return self.rfile.read(int(length)) if int(length) else b""

    def send_answer(self, answer: Answer, *, head_only: bool, truncated: bool = False) -> None:
        """Status, headers (always ``Content-Type`` and ``Content-Length``) and body.

        ``truncated`` announces the full length, sends half the body and closes.
        """
        payload = answer.payload()
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if self.close_connection or truncated:
            self.send_header("Connection", "close")
        self.end_headers()
        if head_only:
            return
        self.wfile.write(payload[: len(payload) // 2] if truncated else payload)
        if truncated:
            self.close_connection = True

    def reset(self) -> None:
        """Close with a TCP RST and no answer: linger on, timeout 0, then close."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()  # the file holds a reference: the socket closes only when it is gone
        self.connection.close()


def faulty_answer(fault: FaultMode | None) -> Answer | None:
    """The answer a fault mode makes up instead of the real one (``None``: answer normally)."""
    if fault == "server-error":
        return answers.error(500, "The mock is failing on purpose (fault mode server-error)")
    if fault == "too-many-requests":
        return answers.error(429, "Too many requests; retry after 1 second", headers={"Retry-After": "1"})
    if fault == "non-json":
        return Answer(200, b"<html>upstream error</html>")
    return None


class MockServer:
    """The mock PCM Jobs API on ``127.0.0.1``, as a context manager.

    It answers the four operations of ``contracts/openapi.yaml`` (Get all
    Jobs, Get a Job, Get Job Errors, Cancel a Job; see
    :mod:`contracts.mock.endpoint`) plus ``/__mock__/seed`` and
    ``POST /__mock__/jobs`` (:meth:`create_job` does the same in process).
    ``drift`` breaks the contract in a named way, ``fault`` breaks the
    transport (see :mod:`contracts.mock.modes`). ``token`` is always accepted
    as a bearer token; ``POST /oauth/access_token`` issues more, valid
    ``token_ttl`` seconds. ``clock`` (an aware UTC datetime) drives the live
    jobs and token expiry, so tests step time instead of sleeping.
    """

    def __init__(
        self,
        *,
        port: int = 0,
        drift: DriftMode | None = None,
        fault: FaultMode | None = None,
        token: str = DEFAULT_TOKEN,
        clock: Callable[[], datetime] | None = None,
        token_ttl: int = 3600,
        slow_seconds: float = 2.0,
    ) -> None:
        self.port = port
        self.drift = drift
        self.fault = fault
        self.token = token
        self.clock = clock or utc_now
        self.token_ttl = token_ttl
        self.slow_seconds = slow_seconds
        self._log = RequestLog()
        self._store: JobStore | None = None
        self._url: str | None = None
        self._server: MockHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> MockServer:
        """Bind, seed the jobs (live ones created now, by the clock) and serve; returns once it accepts."""
        if self._server is not None:
            raise RuntimeError("the mock server is already running")
        store = self._store = JobStore.seeded(self.clock())
        tokens = TokenStore(fixed=self.token, ttl=self.token_ttl, clock=self.clock)
        endpoint = Endpoint(store=store, tokens=tokens, clock=self.clock, drift=self.drift)
        server = MockHTTPServer(
            self.port, endpoint=endpoint, fault=self.fault, slow_seconds=self.slow_seconds, log=self._log
        )
        serving = threading.Event()

        def serve() -> None:
            serving.set()
            server.serve_forever(poll_interval=POLL_SECONDS)

        host, port = server.server_address[:2]
        self._url = f"http://{host!s}:{port}"
        self._server = server
        self._thread = threading.Thread(target=serve, name=f"pcm-contracts-mock:{port}", daemon=True)
        self._thread.start()
        serving.wait()
        return self

    def stop(self) -> None:
        """Stop serving, close every connection and join the serving thread."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.stopping.set()
        server.shutdown()
        server.server_close()
        server.close_connections()
        thread.join()
        self._server = self._thread = None

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, the base URL to point a client at (kept after stop())."""
        if self._url is None:
            raise RuntimeError("the mock server has not started: its port is chosen by start()")
        return self._url

    @property
    def seed(self) -> tuple[SeedJob, ...]:
        """The seeded jobs with their status now (live jobs move with the clock); kept after stop()."""
        if self._store is None:
            raise RuntimeError("the mock server has not started: its live jobs are created by start()")
        return self._store.seed(self.clock())

    def create_job(self, job_type: str = DEFAULT_JOB_TYPE, *, hold: bool = False) -> SeedJob:
        """A new live job, pending now by the clock: what ``POST /__mock__/jobs`` does, without a request.

        With ``hold`` it stays pending, whatever the clock says, until :meth:`release_job`.
        Raises :class:`ValueError` for a type outside :data:`~contracts.mock.jobs.JOB_TYPES`.
        """
        if self._store is None:
            raise RuntimeError("the mock server has not started: jobs are created in its running store")
        now = self.clock()
        return self._store.create(job_type, now, hold=hold).seed(now)

    def release_job(self, job_id: str) -> SeedJob:
        """A held job starts now (``POST /__mock__/jobs/{jobID}/release``); ``KeyError`` when it is not held."""
        if self._store is None:
            raise RuntimeError("the mock server has not started")
        now = self.clock()
        job = self._store.release(job_id, now)
        if job is None:
            raise KeyError(job_id)
        return job.seed(now)

    @property
    def requests(self) -> RequestLog:
        """Every request received, in order, without any token; kept after stop()."""
        return self._log


def serve_forever(
    *,
    port: int = 0,
    drift: DriftMode | None = None,
    fault: FaultMode | None = None,
    token: str = DEFAULT_TOKEN,
    out: TextIO,
    stop: threading.Event | None = None,
) -> int:
    """Serve until SIGINT or SIGTERM (or until ``stop`` is set); returns the exit code 0.

    The first line written to ``out`` is exactly ``serving <url>``, flushed at
    once, so a caller can read the URL. Signal handlers are installed only in
    the main thread (Python allows no other); elsewhere pass ``stop``.
    """
    stop = stop or threading.Event()
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for number in (signal.SIGINT, signal.SIGTERM):
            previous[number] = signal.signal(number, lambda *_: stop.set())
    try:
        with MockServer(port=port, drift=drift, fault=fault, token=token) as server:
            out.write(f"serving {server.url}\n")
            out.write(f"seed: GET {server.url}/__mock__/seed lists the seeded job ids\n")
            for name, mode in (("drift", drift), ("fault", fault)):
                if mode:
                    out.write(f"{name}: {mode}\n")
            out.flush()
            while not stop.wait(0.2):
                pass
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    return 0
