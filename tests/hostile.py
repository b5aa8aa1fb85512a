"""Real socket servers that misbehave the way a deployment (or what stands in
front of it) can: dribbling bytes, endless headers, huge bodies, redirects,
echoed secrets. Plain stdlib sockets, one thread per connection, every request
recorded (method, path, headers).

Each answer closes its connection, so every request is a new connection and
the recorded count is the true count of requests sent.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]


Handler = Callable[[Received, socket.socket, threading.Event], None]


@dataclass
class Listener:
    """A server on ``host``, port 0, answering each request with ``handler``."""

    handler: Handler
    host: str = "127.0.0.1"
    requests: list[Received] = field(default_factory=list)
    held: list[float] = field(default_factory=list)
    """Per request, seconds from its arrival until the answer was sent or the client hung up."""
    stopped: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._socket = socket.create_server((self.host, 0))
        self._socket.settimeout(0.2)
        self.port = self._socket.getsockname()[1]
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> Listener:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self._thread.join(timeout=5)
        self._socket.close()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            try:
                received = read_request(conn)
            except OSError:
                return
            if received is None:
                return
            self.requests.append(received)
            start = time.monotonic()
            try:
                self.handler(received, conn, self.stopped)
            except OSError:  # the client gave up: that is what most of these servers are for
                pass
            finally:
                self.held.append(time.monotonic() - start)


def read_request(conn: socket.socket) -> Received | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    method, path, _ = head[0].split(" ", 2)
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Received(method, path, headers)


def answer(conn: socket.socket, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
    lines = [f"HTTP/1.1 {status} Status", f"Content-Length: {len(body)}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)


def answer_json(conn: socket.socket, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
    answer(conn, status, json.dumps(body).encode(), {"Content-Type": "application/json", **(headers or {})})


def dribble(conn: socket.socket, stopped: threading.Event, head: bytes, *, every: float, seconds: float) -> None:
    """Send ``head`` whole, then one byte every ``every`` seconds for ``seconds``."""
    conn.sendall(head)
    ends = time.monotonic() + seconds
    while time.monotonic() < ends and not stopped.wait(every):
        conn.sendall(b"x")


def dribbling_body(every: float = 0.5, seconds: float = 60.0) -> Handler:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
    return lambda received, conn, stopped: dribble(conn, stopped, head, every=every, seconds=seconds)


def dribbling_headers(every: float = 0.5, seconds: float = 60.0) -> Handler:
    """A status line, then one header byte at a time, never the blank line."""
    head = b"HTTP/1.1 200 OK\r\nX-Endless: "
    return lambda received, conn, stopped: dribble(conn, stopped, head, every=every, seconds=seconds)


def endless_headers(received: Received, conn: socket.socket, stopped: threading.Event) -> None:
    """Header lines as fast as the client reads them, never the blank line (up to 64 MiB)."""
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    line = b"X-Endless: " + b"y" * 1000 + b"\r\n"
    for _ in range(64 * 1024):
        if stopped.is_set():
            return
        conn.sendall(line)


@dataclass
class Flood:
    """A body of ``size`` bytes (claimed in Content-Length when ``claim``), counting what it got to send."""

    size: int
    claim: int | None = None
    sent: int = 0

    def __call__(self, received: Received, conn: socket.socket, stopped: threading.Event) -> None:
        length = f"Content-Length: {self.claim}\r\n" if self.claim is not None else ""
        conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{length}Connection: close\r\n\r\n".encode())
        block = b" " * 65536
        while self.sent < self.size and not stopped.is_set():
            conn.sendall(block)
            self.sent += len(block)


def answer_recorder(received: Received, conn: socket.socket, stopped: threading.Event) -> None:
    """Answers 404 to everything (the listener records what came)."""
    answer_json(conn, 404, {"errors": [{"status": "404", "title": "Not Found"}]})


def redirecting(status: int, to: str) -> Handler:
    """Every path answers ``status`` to the same path under ``to``."""
    return lambda received, conn, stopped: answer(conn, status, b"", {"Location": to + received.path})


@contextmanager
def listening(handler: Handler, host: str = "127.0.0.1") -> Iterator[Listener]:
    with Listener(handler, host) as listener:
        yield listener


def elapsed(action: Callable[[], object]) -> float:
    """Seconds ``action`` takes, whatever it raises."""
    start = time.monotonic()
    with suppress(Exception):  # only the time matters here; callers assert on the error separately
        action()
    return time.monotonic() - start


ECHO_JOB_ID = "1ea62172-57f6-45e5-a708-ab5bd634e3f9"


def echoed_job(token: str) -> dict[str, Any]:
    """A job whose ``type`` is the caller's token (undocumented: every check quotes it)."""
    return {
        "type": "pim-job",
        "id": ECHO_JOB_ID,
        "attributes": {
            "created_at": "2024-01-05T13:46:41.695Z",
            "updated_at": "2024-01-05T13:46:42.07Z",
            "status": "pending",
            "type": token,
        },
        "meta": {"x_request_id": "7e832a26-d615-4305-b26a-e33c9c2fc06a"},
    }


def echoing(token: str) -> Handler:
    """A Jobs API that echoes the bearer token back: in a response header, in
    the one job it knows (list and Get a Job), and in the ``detail`` of every
    error."""

    def handle(received: Received, conn: socket.socket, stopped: threading.Event) -> None:
        given = received.headers.get("authorization", "").removeprefix("Bearer ")
        path = received.path.split("?", 1)[0]
        echo = {"X-Echo-Authorization": received.headers.get("authorization", "")}
        if given != token:
            detail = f"the token {given!r} is not valid"
            answer_json(conn, 401, {"errors": [{"status": "401", "title": "Unauthorized", "detail": detail}]}, echo)
        elif path == "/pcm/jobs":
            answer_json(conn, 200, {"data": [echoed_job(token)], "meta": {"results": {"total": 1}}}, echo)
        elif path == f"/pcm/jobs/{ECHO_JOB_ID}":
            answer_json(conn, 200, {"data": echoed_job(token)}, echo)
        else:
            detail = f"no job here for Bearer {token}"
            answer_json(conn, 404, {"errors": [{"status": "404", "title": "Not Found", "detail": detail}]}, echo)

    return handle
