"""A small Google Cloud Storage server (the JSON API's read side), stdlib only,
serving one folder as one bucket: enough for gcsfs to list, glob, stat and
read ``gs://`` objects on 127.0.0.1 (``STORAGE_EMULATOR_HOST``).

It answers in the shapes of the API's public reference (``storage#objects``
listings, object resources with ``size`` as a string, errors as ``{"error":
{"code", "message", "errors"}}``), not as gcsfs happens to read them: a bucket
(``GET /storage/v1/b/BUCKET``), an object's metadata (``GET
/storage/v1/b/BUCKET/o/KEY``), a listing (``GET /storage/v1/b/BUCKET/o``
with ``prefix``, ``delimiter``, ``maxResults`` and ``pageToken``, two objects
a page so that paging is used) and a download (``GET
/download/storage/v1/b/BUCKET/o/KEY?alt=media``, with ``Range``). Objects
under ``forbidden/`` answer 403 to a download, as an object the caller may
list but not read does; a download of an object under ``stalled/`` sends its
headers and half its bytes, then nothing more until the server is shut down
(a store that stops answering mid-read); one under ``slow/`` is sent in
:data:`PIECES` pieces :data:`PAUSE` seconds apart (a slow link: never quiet
for long, slow in all); one under ``dripping/`` sends half its bytes, then one
byte each :data:`PAUSE` seconds (never quiet for long, never done:
:func:`drip`). Anything else answers 404 or 405, as errors of the API's shape.
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

PAGE = 2
"""Objects a listing page holds at most (whatever ``maxResults`` asks): paging is always exercised."""
PIECES, PAUSE = 15, 0.2
"""How an object under ``slow/`` is sent: in this many pieces, with this many seconds before each."""


class Handler(BaseHTTPRequestHandler):
    bucket: str
    folder: Path

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        path = parts.path
        api, download = f"/storage/v1/b/{self.bucket}", f"/download/storage/v1/b/{self.bucket}/o/"
        if path == api:
            self._json(200, {"kind": "storage#bucket", "name": self.bucket, "id": self.bucket})
        elif path == f"{api}/o":
            self._json(200, self._listing(query))
        elif path.startswith(f"{api}/o/"):
            found = self._object(unquote(path[len(f"{api}/o/") :]))
            self._json(200, self._metadata(found)) if found else self._error(404, "No such object")
        elif path.startswith(download) and query.get("alt") == "media":
            found = self._object(unquote(path[len(download) :]))
            if found is None:
                self._error(404, "No such object")
            elif found.relative_to(self.folder.resolve()).parts[0] == "forbidden":
                self._error(403, "Access denied")
            elif found.relative_to(self.folder.resolve()).parts[0] == "stalled":
                stall(self, found.read_bytes())
            elif found.relative_to(self.folder.resolve()).parts[0] == "dripping":
                drip(self, found.read_bytes())
            else:
                self._media(found.read_bytes(), slow=found.relative_to(self.folder.resolve()).parts[0] == "slow")
        else:
            self._error(404, "Not Found")

    def do_HEAD(self) -> None:
        self._error(405, "Method not allowed")

    def _object(self, key: str) -> Path | None:
        path = (self.folder / key).resolve()
        inside = path.is_relative_to(self.folder.resolve())
        return path if inside and path.is_file() and key and not key.endswith("/") else None

    def _metadata(self, path: Path) -> dict[str, Any]:
        stamp = datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return {
            "kind": "storage#object",
            "name": path.relative_to(self.folder.resolve()).as_posix(),
            "bucket": self.bucket,
            "size": str(path.stat().st_size),
            "contentType": "application/octet-stream",
            "generation": "1",
            "metageneration": "1",
            "timeCreated": stamp,
            "updated": stamp,
        }

    def _listing(self, query: dict[str, str]) -> dict[str, Any]:
        prefix, delimiter = query.get("prefix", ""), query.get("delimiter")
        root = self.folder.resolve()
        keys = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
        entries: list[tuple[str, bool]] = []  # (name, is a prefix), in name order
        for key in (k for k in keys if k.startswith(prefix)):
            cut = key.find(delimiter, len(prefix)) if delimiter else -1
            entry = (key[: cut + len(delimiter)], True) if delimiter and cut != -1 else (key, False)
            if entry not in entries:
                entries.append(entry)
        start = int(query.get("pageToken", "0"))
        page = entries[start : start + PAGE]
        listing: dict[str, Any] = {"kind": "storage#objects"}
        items = [self._metadata(root / name) for name, is_prefix in page if not is_prefix]
        prefixes = [name for name, is_prefix in page if is_prefix]
        if items:
            listing["items"] = items
        if prefixes:
            listing["prefixes"] = prefixes
        if start + PAGE < len(entries):
            listing["nextPageToken"] = str(start + PAGE)
        return listing

    def _media(self, data: bytes, *, slow: bool = False) -> None:
        status, body = 200, data
        asked = self.headers.get("Range", "")
        if asked.startswith("bytes="):
            first, _, last = asked[len("bytes=") :].partition("-")
            begin = int(first) if first else max(len(data) - int(last), 0)
            end = min(int(last), len(data) - 1) if first and last else len(data) - 1
            if begin >= len(data):
                self._error(416, "Requested range not satisfiable")
                return
            status, body = 206, data[begin : end + 1]
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        if status == 206:
            self.send_header("Content-Range", f"bytes {begin}-{end}/{len(data)}")
        self.end_headers()
        if slow:
            paced(self, body)
        else:
            self.wfile.write(body)

    def _json(self, status: int, value: Any) -> None:
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, message: str) -> None:
        errors = [{"message": message, "domain": "global", "reason": "notFound" if status == 404 else "error"}]
        self._json(status, {"error": {"code": status, "message": message, "errors": errors}})


def stall(handler: BaseHTTPRequestHandler, data: bytes) -> None:
    """Answer 200 for all of ``data``, send half of it, then wait, sending nothing
    more, until the server shuts down (:func:`running` lets the waiting go)."""
    whole_answer(handler, data)
    handler.wfile.write(data[: len(data) // 2])
    handler.wfile.flush()
    STALLED.wait(timeout=120)


def drip(handler: BaseHTTPRequestHandler, data: bytes) -> None:
    """Answer 200 for all of ``data``, then send it as :func:`dripped` does."""
    whole_answer(handler, data)
    dripped(handler, data)


def whole_answer(handler: BaseHTTPRequestHandler, data: bytes) -> None:
    """The status line and headers of a 200 answer of all of ``data``."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/octet-stream")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()


def dripped(handler: BaseHTTPRequestHandler, data: bytes) -> None:
    """Send half of ``data``, then one byte each :data:`PAUSE` seconds, until the
    server shuts down (at most 2 minutes): never quiet for long, never done."""
    at = len(data) // 2
    ends = time.monotonic() + 120
    with contextlib.suppress(ConnectionError):  # the client gave up: what the test wants
        handler.wfile.write(data[:at])
        handler.wfile.flush()
        while at < len(data) and not STALLED.wait(PAUSE) and time.monotonic() < ends:
            handler.wfile.write(data[at : at + 1])
            handler.wfile.flush()
            at += 1


def drip_head(handler: BaseHTTPRequestHandler) -> None:
    """Send an answer's status line one byte each :data:`PAUSE` seconds, until the
    server shuts down (at most 2 minutes): the headers never end."""
    ends = time.monotonic() + 120
    with contextlib.suppress(ConnectionError):  # the client gave up: what the test wants
        for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nX-Pad: " + b"a" * 4096:
            if STALLED.wait(PAUSE) or time.monotonic() > ends:
                return
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()


def paced(handler: BaseHTTPRequestHandler, body: bytes) -> None:
    """Send ``body`` in :data:`PIECES` pieces, :data:`PAUSE` seconds before each."""
    size = -(-len(body) // PIECES)
    for start in range(0, len(body), size):
        time.sleep(PAUSE)
        handler.wfile.write(body[start : start + size])
        handler.wfile.flush()


STALLED = threading.Event()
"""Set when a server is shut down: what :func:`stall` waits for (then its thread ends)."""


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up before the answer is sent (gcsfs cancelling a
        read ahead it no longer needs) is no error of the server's: nothing printed."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serving(folder: Path, bucket: str) -> Iterator[str]:
    """The server for ``folder`` as ``bucket``, on 127.0.0.1: its base URL while the block runs."""
    handler = type("BucketHandler", (Handler,), {"bucket": bucket, "folder": folder})
    with running(Server(("127.0.0.1", 0), handler)) as base:
        yield base


@contextmanager
def running(server: ThreadingHTTPServer) -> Iterator[str]:
    """``server`` serving in a thread: its base URL while the block runs."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    STALLED.clear()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        STALLED.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
