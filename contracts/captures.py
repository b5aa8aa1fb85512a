"""Captured payloads -> items: what was captured, where, and what it answered.

Inputs, each read lazily (memory does not grow with the number of payloads):

``.json``
    a bare response body, or one capture record
    ``{"request": {"method", "path" | "url"}, "response": {"status", "headers",
    "body" | "text"}}`` (the shape of ``examples/``);
``.jsonl`` / ``.ndjson``
    one body or record a line (blank lines are not payloads);
``.har``
    HAR 1.2: every entry, its request method, URL path and response status;
    the body from ``response.content.text`` (base64 decoded when
    ``encoding`` says so). A ``.json`` file or standard input whose document
    is a HAR (:func:`is_har`: a top-level ``log`` object with an ``entries``
    array, as schemathesis' ``--report har`` writes to ``har-<time>.json``)
    is read as one too: a capture record or a response body of this
    contract never has a top-level ``log`` member;
a directory
    every such file below it, recursively (other files are skipped, and
    counted);
``-``
    standard input, a JSON document or JSON Lines.

Bad input is an item too (:class:`Unreadable`, with a one-line reason), never
an exception: every input is accounted for. Every document and every body is
read by :func:`contracts.jsonbody.parse`; a response body it refuses (a HAR
entry's, a capture record's ``text``) is a :class:`NotJsonBody`, which the
verdict turns into the ``body_is_json`` finding a live check would make. Secrets a capture carries
(``Authorization``, cookies, token-like query parameters) are remembered by
:func:`contracts.redaction.remember`, so every report redacts them.
"""

from __future__ import annotations

import base64
import binascii
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import parse_qsl, urlsplit

from contracts.jsonbody import BOM, WHITESPACE, NotJson, parse
from contracts.redaction import remember

SUFFIXES = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".har": "har"}
NOT_A_CAPTURE_FILE = "not a capture file (.json, .jsonl, .ndjson, .har)"
SECRET_HEADERS = {"authorization", "cookie", "set-cookie", "proxy-authorization", "x-api-key"}
SECRET_PARAMS = ("token", "secret", "password", "key", "signature", "code", "auth", "session")


@dataclass(frozen=True, slots=True)
class Payload:
    """A response body to check, with what is known of its request."""

    source: str
    body: Any
    method: str | None = None
    path: str | None = None
    status: int | None = None
    headers: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Unreadable:
    """An input that could not be read as a payload, and why."""

    source: str
    reason: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that is not a payload of this contract, and why."""

    source: str
    reason: str


@dataclass(frozen=True, slots=True)
class NotJsonBody:
    """The body of a captured response that :func:`contracts.jsonbody.parse`
    refuses, and why: a ``body_is_json`` finding about the response, as a live
    check makes it (unlike a capture file that is not JSON, which is unreadable)."""

    reason: str


Item = Payload | Unreadable | Skipped


def is_har(value: Any) -> bool:
    """Whether a JSON document is a HAR (``{"log": {"entries": [...], ...}}``), whatever its file is called."""
    log = value.get("log") if isinstance(value, dict) else None
    return isinstance(log, dict) and isinstance(log.get("entries"), list)


def is_record(value: Any) -> bool:
    """Whether a JSON value is a capture record (else it is a bare body)."""
    return isinstance(value, dict) and isinstance(value.get("response"), dict) and "request" in value


def _record(value: Any, source: str) -> Item:
    """A capture record, or a bare body."""
    if not is_record(value):
        return Payload(source, value)
    request, response = value["request"], value["response"]
    if not isinstance(request, dict):
        return Unreadable(source, "a capture record whose request is not an object")
    path, url, method = request.get("path"), request.get("url"), request.get("method", "GET")
    if not isinstance(path, (str, type(None))) or not isinstance(url, (str, type(None))) or not isinstance(method, str):
        return Unreadable(source, "a capture record whose request path, url or method is not a string")
    path = path or (path_of(url) if url else None)
    status = response.get("status")
    if type(status) is not int:
        return Unreadable(source, f"a capture record without an integer response status ({status!r})")
    headers = response.get("headers")
    headers = {str(k): str(v) for k, v in headers.items()} if isinstance(headers, dict) else None
    if "body" in response:
        body = response["body"]
    elif isinstance(response.get("text"), str):
        try:
            body = parse(response["text"].encode("utf-8"))
        except NotJson as error:
            body = NotJsonBody(error.reason)
    else:
        return Unreadable(source, "a capture record without response body or text")
    return Payload(source, body, method.upper(), path, status, headers)


def _read_bytes(path: Path) -> bytes | Unreadable:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return Unreadable(str(path), "no such file")
    except IsADirectoryError:
        return Unreadable(str(path), "a directory where a file was expected")
    except OSError as error:
        return Unreadable(str(path), f"cannot read: {error.strerror or error}")


def read_json(path: Path, source: str | None = None) -> Iterator[Item]:
    data = _read_bytes(path)
    if isinstance(data, Unreadable):
        yield data
        return
    yield from _document(data, source or str(path))


def _document(data: bytes, source: str) -> Iterator[Item]:
    """The items of a whole ``.json`` file: a HAR's entries, else one record or body."""
    if not data.strip(WHITESPACE):
        yield Unreadable(source, "empty file")
        return
    try:
        value = parse(data)
    except NotJson as error:
        yield Unreadable(source, error.reason)
        return
    yield from document_items(value, source)


def document_items(value: Any, source: str) -> Iterator[Item]:
    """The items of one parsed document (a file, standard input): the one
    place where a HAR is told from a capture record or a bare body, by content."""
    if is_har(value):
        yield from har_items(value, source)
    else:
        yield _record(value, source)


def read_jsonl(lines: Iterable[bytes], name: str, *, first: int = 1, whole: bool = True) -> Iterator[Item]:
    """One item a non-blank line, numbered from 1: ``name:17``.

    ``first`` numbers the first line of ``lines`` when they are a slice of the
    file (:mod:`contracts.parallel`); ``whole=False`` says so, and leaves the
    ``empty file`` verdict to the caller, who sees every slice.
    """
    empty = True
    for number, line in enumerate(lines, start=first):
        data = line.strip(WHITESPACE)
        if data:
            empty = False
            yield line_item(data, f"{name}:{number}")
    if empty and whole:
        yield Unreadable(name, "empty file")


def line_item(data: bytes, source: str) -> Item:
    """The item of one non-blank line of JSON Lines."""
    try:
        return _record(parse(data), source)
    except NotJson as error:
        return Unreadable(source, error.reason)


def _jsonl_file(path: Path) -> Iterator[Item]:
    try:
        handle = path.open("rb")
    except OSError:
        data = _read_bytes(path)
        yield data if isinstance(data, Unreadable) else Unreadable(str(path), "cannot read")
        return
    with handle:
        yield from read_jsonl(handle, str(path))


def path_of(url: str) -> str:
    """The path and query of a URL (the query matters: page[limit], page[offset])."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _remember_secrets(request: Mapping[str, Any], response: Mapping[str, Any]) -> None:
    for headers in (request.get("headers"), response.get("headers")):
        for header in headers if isinstance(headers, list) else ():
            name = str(header.get("name", "")).lower() if isinstance(header, dict) else ""
            if name not in SECRET_HEADERS:
                continue
            value = str(header.get("value", ""))
            if name in ("cookie", "set-cookie"):  # name=value pairs: the values are the secrets
                pairs = value.split(";") if name == "cookie" else value.split(";")[:1]
                remember(*(pair.partition("=")[2].strip() for pair in pairs))
            else:
                remember(value, value.partition(" ")[2] if " " in value else None)
    for cookie in request.get("cookies", []) if isinstance(request.get("cookies"), list) else ():
        if isinstance(cookie, dict):
            remember(str(cookie.get("value", "")))
    for name, value in parse_qsl(urlsplit(str(request.get("url", ""))).query):
        if any(part in name.lower() for part in SECRET_PARAMS):
            remember(value)


def _har_entry(entry: Any, source: str) -> Item:
    if not isinstance(entry, dict):
        return Unreadable(source, "a HAR entry that is not an object")
    request, response = entry.get("request"), entry.get("response")
    if not isinstance(request, dict) or not isinstance(response, dict):
        return Unreadable(source, "a HAR entry without request or response")
    method, url, status = request.get("method"), request.get("url"), response.get("status")
    if not isinstance(method, str) or not isinstance(url, str) or type(status) is not int:
        return Unreadable(source, "a HAR entry without request method, URL or response status")
    listed = response.get("headers")
    headers = (
        {str(h.get("name")): str(h.get("value")) for h in listed if isinstance(h, dict)}
        if isinstance(listed, list)
        else {}
    )
    found = response.get("content")
    content: dict[str, Any] = found if isinstance(found, dict) else {}
    if content.get("mimeType") and not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = str(content["mimeType"])
    text = content.get("text")
    if not isinstance(text, str):
        return Unreadable(source, f"{method} {urlsplit(url).path}: the HAR entry has no response body text")
    if content.get("encoding") == "base64":
        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return Unreadable(source, "response body marked base64 but not valid base64")
    else:
        data = text.encode("utf-8", "surrogatepass")
    try:
        body = parse(data)
    except NotJson as error:
        body = NotJsonBody(error.reason)
    return Payload(source, body, method.upper(), path_of(url), status, headers)


def read_har(path: Path) -> Iterator[Item]:
    data = _read_bytes(path)
    if isinstance(data, Unreadable):
        yield data
        return
    name = str(path)
    if not data.strip(WHITESPACE):
        yield Unreadable(name, "empty file")
        return
    try:
        har = parse(data.removeprefix(BOM))  # a tool's BOM on the file; the bodies in it may have none
    except NotJson as error:
        yield Unreadable(name, f"not a HAR file: {error.reason}")
        return
    if not is_har(har):
        yield Unreadable(name, "not a HAR file: no log.entries")
        return
    yield from har_items(har, name)


def har_items(har: Any, name: str) -> Iterator[Item]:
    """Every entry of a parsed HAR (:func:`is_har`), as ``name#N``."""
    entries = har["log"]["entries"]
    if not entries:
        yield Unreadable(name, "a HAR file without entries")
        return
    for entry in entries:  # every secret of the file first, so no entry reports one before it is known
        if (
            isinstance(entry, dict)
            and isinstance(entry.get("request"), dict)
            and isinstance(entry.get("response"), dict)
        ):
            _remember_secrets(entry["request"], entry["response"])
    for index, entry in enumerate(entries):
        yield _har_entry(entry, f"{name}#{index}")


def expand(path: Path) -> Iterator[Path | Item]:
    """The capture files of one path: itself, or every file below a directory
    (other files as :class:`Skipped` items, an empty directory as unreadable)."""
    if not path.is_dir():
        yield path
        return
    found = False
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            found = True
            child = Path(root) / name
            if child.suffix.lower() in SUFFIXES:
                yield child
            else:
                yield Skipped(str(child), NOT_A_CAPTURE_FILE)
    if not found:
        yield Unreadable(str(path), "an empty directory")


def read_file(path: Path, *, skip_unknown: bool = False) -> Iterator[Item]:
    """Every item of one file, read by its suffix (a ``.json`` file by its
    content too: :func:`document_items`). A named file of another type is
    unreadable, or skipped with ``skip_unknown`` (the pre-commit hook's mode)."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind == "jsonl":
        yield from _jsonl_file(path)
    elif kind == "har":
        yield from read_har(path)
    elif kind == "json":
        yield from read_json(path)
    elif not path.exists():
        yield Unreadable(str(path), "no such file")
    elif skip_unknown and path.is_file():
        yield Skipped(str(path), NOT_A_CAPTURE_FILE)
    else:
        yield Unreadable(str(path), "unknown file type (expected .json, .jsonl, .ndjson, .har or a directory)")


def read_path(path: Path) -> Iterator[Item]:
    """Every item of one path (a file by its suffix, or a directory)."""
    for found in expand(path):
        if isinstance(found, Path):
            yield from read_file(found)
        else:
            yield found


def read_stdin(stream: BinaryIO | None = None) -> Iterator[Item]:
    """Standard input: one JSON document, else JSON Lines (``stdin:N``)."""
    data = (stream or sys.stdin.buffer).read()
    if not data.strip(WHITESPACE):
        yield Unreadable("stdin", "empty input")
        return
    try:
        value = parse(data)
    except NotJson:
        yield from read_jsonl(data.split(b"\n"), "stdin")  # lines as a file has them
        return
    yield from document_items(value, "stdin")


def read(paths: Iterable[str], *, stdin: BinaryIO | None = None) -> Iterator[Item]:
    """Every item of every input, in order; ``-`` is standard input."""
    for name in paths:
        yield from read_stdin(stdin) if name == "-" else read_path(Path(name))
