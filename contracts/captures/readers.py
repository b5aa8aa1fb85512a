"""Sources -> items: what each source holds, read once.

The second stage of :mod:`contracts.captures`. A reader turns one
:class:`~contracts.captures.sources.Source` into items
(:mod:`contracts.captures.items`), lazily, and makes each decision about
the source once, here:

``json``
    a bare response body, or one capture record
    ``{"request": {"method", "path" | "url", "headers"}, "response": {"status",
    "headers", "body" | "text"}}`` (the shape of ``examples/``), or a HAR by
    content (:func:`~contracts.captures.items.is_har`: a top-level ``log``
    object with an ``entries`` array, as schemathesis' ``--report har`` writes
    to ``har-<time>.json``): a capture record or a response body of this
    contract never has a top-level ``log`` member;
``jsonl``
    one body or record a non-blank line, numbered from 1 (in a range of a
    split file, from 1 in the range: the driver shifts them), given as
    :class:`~contracts.captures.items.Lines` of :data:`CHUNK` lines;
``har``
    HAR 1.2: every entry, its request method, URL path and response status;
    the body from ``response.content.text`` (base64 decoded when
    ``encoding`` says so), ``name#N``. Read as a stream, one entry at a time
    (:class:`~contracts.captures.streamed.Entries`), unless the file is at
    most :data:`WHOLE_BYTES` and compact JSON (one orjson parse). A HAR that
    is not JSON from some point on gives the entries before the damage,
    then one unreadable item (:data:`BROKEN_AFTER`); one broken before its
    first entry is one unreadable item, as a whole reading says it. A large
    ``.json`` file is streamed while it starts as a HAR (``{"log": {``), else
    read whole: a body is judged whole;
``stdin``
    one JSON document as a ``json`` file has it, else JSON Lines (``stdin:N``).

An empty source is one unreadable item (``empty file``); a split file is
empty when none of its ranges held a line, which only the driver sees
(:func:`empty`). Every document and every body is read by
:func:`contracts.jsonbody.parse`; a response body it refuses (a HAR entry's, a
capture record's ``text``) is a :class:`NotJsonBody`, which the judge turns
into the ``body_is_json`` finding a live check would make.

Secrets a capture carries (``Authorization`` and the like in request or
response headers, cookies, token-like query parameters) are remembered by
:func:`contracts.redaction.remember`, so every report redacts them. The
driver asks :func:`secrets_of` every local source, and reads every remote
one whole, before the first result is reported, so a body that echoes a
token is masked even when the record that sends the token comes later.
"""

from __future__ import annotations

import base64
import binascii
import io
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from itertools import chain, repeat
from typing import Any, BinaryIO
from urllib.parse import parse_qsl, urlsplit

from ahocorasick_rs import BytesAhoCorasick

from contracts import redaction
from contracts.captures import opening
from contracts.captures.items import (
    Item,
    Line,
    Lines,
    NotJsonBody,
    Payload,
    Read,
    Unreadable,
    is_har,
    is_record,
    one_by_one,
)
from contracts.captures.sources import Source
from contracts.captures.streamed import Entries
from contracts.errors import one_line
from contracts.jsonbody import BOM, MISSING, WHITESPACE, NotJson, parse, quick
from contracts.redaction import remember

SECRET_HEADERS = {"authorization", "cookie", "set-cookie", "proxy-authorization", "x-api-key"}
SECRET_PARAMS = ("token", "secret", "password", "key", "signature", "code", "auth", "session")
EMPTY = "empty file"
CHUNK = 256
"""Lines of JSON Lines in one :class:`~contracts.captures.items.Lines`."""
CHANGED = "the file changed while it was read ({}): not judged further"
"""Why a split file that shrank after it was cut is not judged on (a file that grew is judged as listed)."""
WHOLE_BYTES = 8 * 2**20
"""A ``.json`` or ``.har`` file up to this size is read whole (one orjson parse
when it is compact JSON); a larger one, and any whose whole reading is not
that one fast parse, is streamed (:class:`~contracts.captures.streamed.Entries`)."""
BROKEN_AFTER = "not a HAR file beyond entry #{}: {}"
"""Why a HAR file whose entries were read up to a point is not read further."""


def empty(name: str) -> Unreadable:
    """The verdict on a source without a single payload."""
    return Unreadable(name, EMPTY)


class Reading:
    """The items of one source, read lazily, and what the driver needs to know
    once they are all read: ``lines``, the line ends of a JSON Lines range, and
    ``nonblank``, whether it held a line at all."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.lines = 0
        self.nonblank = False

    def __iter__(self) -> Iterator[Read]:
        source = self.source
        if source.kind == "stdin":
            return self._stdin(source.data or b"")
        if source.kind == "jsonl":
            return self._jsonl(source)
        if _plain_local(source.name):  # streamed from the file itself when large
            return _document_file(source.name, har=source.kind == "har")
        data = _contents(source)  # remote or compressed: held whole, decompressed (up to the document limit)
        if isinstance(data, Unreadable):
            return iter((data,))
        return _document(data, source.name, har=source.kind == "har")

    def _jsonl(self, source: Source) -> Iterator[Read]:
        """A JSON Lines file (or a range of one), local or remote, compressed or
        not, read as a stream a block at a time."""
        try:
            with _opened(source) as stream:
                yield from self._lines(stream.blocks(), source.name, whole=not source.is_range)
        except _cannot_open(source) as error:
            yield _unopened(source.name, error)

    def _lines(self, blocks: Iterable[bytes], name: str, *, whole: bool) -> Iterator[Read]:
        """The lines of a stream, numbered from 1, as :class:`Lines` of
        :data:`CHUNK`; a line longer than :data:`~contracts.captures.opening.MAX_LINE`
        is one unreadable item; damage (:class:`~contracts.captures.opening.Damaged`)
        is one unreadable item after the whole lines read before it.

        Each block is cut into lines where it is (``BytesIO.readlines``,
        which finds line ends with memchr, where ``bytes.split`` looks at each
        byte): the piece after its last line end waits for the next block,
        and only a line that spans blocks is joined."""
        number, pending, held, skipping = 0, list[bytes](), 0, False  # pending: the line not ended yet
        try:
            for block in blocks:
                if skipping:  # the rest of a line too long to read: to its end
                    first = block.find(b"\n")
                    if first == -1:
                        continue
                    skipping = False
                    number += 1
                    self.lines += 1
                    self.nonblank = True
                    yield Unreadable(f"{name}:{number}", TOO_LONG)
                    block = block[first + 1 :]
                lines = io.BytesIO(block).readlines()  # each with its line end: found by memchr, not byte by byte
                rest = lines.pop() if lines and not lines[-1].endswith(b"\n") else b""
                if not lines:  # no line end in this block
                    if rest:
                        pending.append(rest)
                        held += len(rest)
                        if held > opening.MAX_LINE:
                            pending, held, skipping = [], 0, True
                    continue
                if pending:
                    pending.append(lines[0])
                    lines[0] = b"".join(pending)
                pending, held = ([rest], len(rest)) if rest else ([], 0)
                self.lines += len(lines)
                yield from self._chunked(lines, name, number)
                number += len(lines)
            if skipping:
                number += 1
                self.lines += 1
                self.nonblank = True
                yield Unreadable(f"{name}:{number}", TOO_LONG)
            elif pending:  # the last line, without a line end
                yield from self._chunked([b"".join(pending)], name, number)
                number += 1
        except opening.Damaged as error:
            self.nonblank = True
            where = f"after line {number}" if number else "before the first line"
            yield Unreadable(name, f"{error.reason}, {where}")
            return
        if whole and not self.nonblank:
            yield empty(name)

    def _chunked(self, lines: list[bytes], name: str, number: int) -> Iterator[Lines]:
        """``lines`` (lines ``number + 1`` on, with their line ends) as :class:`Lines`
        of :data:`CHUNK`, as they are (the judge takes the whitespace off where
        it needs to: the native pass compares them whole); none of blank lines only."""
        for start in range(0, len(lines), CHUNK):
            part = lines[start : start + CHUNK]
            if part[0].strip(WHITESPACE) or any(map(bytes.strip, part, _WHITESPACE)):
                self.nonblank = True
                yield Lines(name, number + start + 1, part)

    def _stdin(self, data: bytes) -> Iterator[Read]:
        if opening.compression_of(data[: opening.HEAD]) is not None:
            yield from self._compressed_stdin(data)
            return
        if not data.strip(WHITESPACE):
            yield Unreadable("stdin", "empty input")
            return
        try:
            value = parse(data)
        except NotJson:
            yield from self._lines((data,), "stdin", whole=True)  # lines as a file has them
            return
        yield from document_items(value, "stdin")

    def _compressed_stdin(self, data: bytes) -> Iterator[Read]:
        """Compressed standard input: up to :data:`~contracts.captures.opening.DOCUMENT_LIMIT`
        decompressed is held to tell one document from JSON Lines, as
        uncompressed input is told; more than that is JSON Lines, streamed."""
        with opening.opened("stdin", data=data) as stream:
            try:
                held = _held(stream)
            except opening.Damaged as error:
                yield Unreadable("stdin", error.reason)
                return
            if isinstance(held, bytes):
                yield from self._stdin(held)
            else:
                yield from self._lines(chain(held, stream.blocks()), "stdin", whole=True)


TOO_LONG = f"a line longer than {opening.MAX_LINE // 2**20} MiB: not read"
_WHITESPACE = repeat(WHITESPACE)
"""What ``map(bytes.strip, lines, _WHITESPACE)`` strips each line of (a C call a line)."""
_CANNOT_OPEN = (OSError, opening.Damaged)


def _held(stream: opening.Stream) -> bytes | list[bytes]:
    """A stream's bytes when they are at most the document limit, else the blocks read so far."""
    parts, size = [], 0
    for block in stream.blocks():
        parts.append(block)
        size += len(block)
        if size > opening.DOCUMENT_LIMIT:
            return parts
    return b"".join(parts)


def read(source: Source) -> Iterator[Read]:
    """Every item of one source."""
    return iter(Reading(source))


def items(source: Source) -> Iterator[Item]:
    """Every item of one source, each line of JSON Lines parsed (one test a payload: ``--payloads``)."""
    for found in one_by_one(read(source)):
        yield line_item(found) if isinstance(found, Line) else found


@contextmanager
def _opened(source: Source) -> Iterator[opening.Stream]:
    """A file source's stream (local or remote, decompressed; of a range: the
    range); raises what :func:`_unopened` explains. A range whose file is
    shorter than when it was listed raises :class:`~contracts.captures.opening.Damaged`."""
    with opening.opened(source.name, start=source.start, end=source.end) as stream:
        now = stream.size
        if source.is_range and now is not None and now < source.size:  # cut short or replaced; a log that grew is fine
            raise opening.Damaged(CHANGED.format(f"{source.size} bytes when listed, {now} now"))
        yield stream


def _unopened(name: str, error: BaseException) -> Unreadable:
    """Why a source could not be read at all."""
    if isinstance(error, opening.Damaged):
        return Unreadable(name, error.reason)
    if isinstance(error, FileNotFoundError):
        return Unreadable(name, "no such file (it vanished during the run)")
    if isinstance(error, IsADirectoryError):
        return Unreadable(name, "a directory where a file was expected")
    if isinstance(error, OSError) and not opening.is_remote(name):  # TimeoutError is one: a remote's is why()'s
        return Unreadable(name, f"cannot read: {one_line(error)}")
    from contracts.captures.remote import why

    return Unreadable(name, f"cannot read: {why(error)}")


def _cannot_open(source: Source) -> tuple[type[BaseException], ...]:
    """What opening ``source`` may raise (a remote file: what its file system packages raise too)."""
    if opening.is_remote(source.name):
        from contracts.captures.remote import errors

        return (*_CANNOT_OPEN, *errors())
    return _CANNOT_OPEN


def _contents(source: Source) -> bytes | Unreadable:
    """The bytes of a file source (of a range: the range), decompressed, or
    why not: the file is gone, no longer what was listed, damaged, or
    decompresses to more than :data:`~contracts.captures.opening.DOCUMENT_LIMIT`
    (a compressed document is held whole to be parsed)."""
    try:
        with _opened(source) as stream:
            return stream.whole(opening.DOCUMENT_LIMIT if stream.compression else None)
    except _cannot_open(source) as error:
        return _unopened(source.name, error)


def _plain_local(name: str) -> bool:
    """Whether ``name`` is a local file that is not compressed (its first bytes
    say), which :func:`_document_file` streams from the file itself."""
    if opening.is_remote(name):
        return False
    try:
        with open(name, "rb") as handle:
            return opening.compression_of(handle.read(opening.HEAD)) is None
    except OSError:
        return True  # _document_file says why


def _open(name: str) -> BinaryIO | Unreadable:
    """A file opened for reading, or why not."""
    try:
        return open(name, "rb")  # closed by the caller
    except OSError as error:
        return _cannot_read(name, error)


def _cannot_read(name: str, error: OSError) -> Unreadable:
    if isinstance(error, FileNotFoundError):
        return Unreadable(name, "no such file (it vanished during the run)")
    if isinstance(error, IsADirectoryError):
        return Unreadable(name, "a directory where a file was expected")
    return Unreadable(name, f"cannot read: {one_line(error)}")


def _document_file(name: str, *, har: bool) -> Iterator[Item]:
    """The items of a ``.json`` file (a HAR's entries by content, else one
    record or body) or of a ``.har`` file: read whole up to :data:`WHOLE_BYTES`,
    else streamed (:func:`_streamed`)."""
    handle = _open(name)
    if isinstance(handle, Unreadable):
        yield handle
        return
    with handle:
        try:
            large = os.fstat(handle.fileno()).st_size > WHOLE_BYTES
            data = None if large else handle.read()
        except OSError as error:
            yield _cannot_read(name, error)
            return
        if data is None:
            yield from _streamed(handle, name, har=har)
        else:
            yield from _document(data, name, har=har)


def _document(data: bytes, name: str, *, har: bool = False) -> Iterator[Item]:
    """The items of a whole document: compact JSON in one fast parse, else streamed from memory."""
    if not data.strip(WHITESPACE):
        yield empty(name)
        return
    if har:
        data = data.removeprefix(BOM)  # a tool's BOM on the file; the bodies in it may have none
    value = quick(data.strip(WHITESPACE))
    if value is MISSING:
        yield from _streamed(io.BytesIO(data), name, har=har, data=data)
    else:
        yield from _whole(data, name, har=har, value=value)


def _whole(data: bytes, name: str, *, har: bool, value: Any = MISSING) -> Iterator[Item]:
    """The items of a document read whole (``value``, when it is parsed already)."""
    if value is MISSING:
        try:
            value = parse(data)
        except NotJson as error:
            yield Unreadable(name, f"not a HAR file: {error.reason}" if har else error.reason)
            return
    if har and not is_har(value):
        yield Unreadable(name, "not a HAR file: no log.entries")
        return
    yield from document_items(value, name)


def _streamed(handle: BinaryIO, name: str, *, har: bool, data: bytes | None = None) -> Iterator[Item]:
    """The entries of a HAR as a stream, each judged as it is read
    (:class:`~contracts.captures.streamed.Entries`); a HAR that is not JSON
    from some point on gives the entries before it, then one unreadable item.

    What holds no entry (not a HAR; a HAR broken before its first entry, or
    without entries) is read as a whole document, as ever (``data``, when
    it is in memory, else read now: a body must be whole to be judged),
    except a large ``.har`` file, whose streamed reason stands."""
    entries = Entries(handle, bom=har and data is None, sniff=not har)
    for index, entry in enumerate(entries):
        if isinstance(entry, dict):  # what secrets_of would: a source read once is read only here
            remember_record_secrets(entry)
        yield _har_entry(entry, name, index)
    if entries.given:
        if entries.reason is not None:
            yield Unreadable(name, BROKEN_AFTER.format(entries.given - 1, entries.reason))
        return
    if entries.blank and data is None:  # in memory, the whole reading below says it as ever
        yield empty(name)
        return
    if entries.har and entries.reason is None:
        yield Unreadable(name, "a HAR file without entries")
        return
    if data is None and har:
        yield Unreadable(name, f"not a HAR file: {entries.reason or 'no log.entries'}")
        return
    if data is None:
        try:
            handle.seek(0)
            data = handle.read()
        except OSError as error:
            yield _cannot_read(name, error)
            return
    yield from _whole(data, name, har=har)


def document_items(value: Any, source: str) -> Iterator[Item]:
    """The items of one parsed document (a file, standard input): the one
    place where a HAR is told from a capture record or a bare body, by content."""
    if is_har(value):
        yield from har_items(value, source)
    else:
        yield record_item(value, source)


def line_item(line: Line) -> Item:
    """The item of one line of JSON Lines."""
    try:
        return record_item(parse(line.data), line.source)
    except NotJson as error:
        return Unreadable(line.source, error.reason)


def record_item(value: Any, source: str) -> Item:
    """A capture record, or a bare body."""
    if not is_record(value):
        return Payload(source, value)
    remember_record_secrets(value)  # all that secrets_of() would: a remote file's are only read here
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
            body = parse(response["text"].encode("utf-8", "surrogatepass"))
        except NotJson as error:
            body = NotJsonBody(error.reason)
    else:
        return Unreadable(source, "a capture record without response body or text")
    return Payload(source, body, method.upper(), path, status, headers, value)


def path_of(url: str) -> str:
    """The path and query of a URL (the query matters: page[limit], page[offset])."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _remember_header(name: str, value: str) -> None:
    name = name.lower()
    if name not in SECRET_HEADERS or value in redaction.SECRETS:  # a HAR sends the same token in every entry
        return
    if name in ("cookie", "set-cookie"):  # name=value pairs: the values are the secrets
        pairs = value.split(";") if name == "cookie" else value.split(";")[:1]
        remember(*(pair.partition("=")[2].strip() for pair in pairs))
    else:
        remember(value, value.partition(" ")[2] if " " in value else None)


def _remember_url(url: Any) -> None:
    if not isinstance(url, str) or "?" not in url:
        return
    for name, value in parse_qsl(urlsplit(url).query):
        if any(part in name.lower() for part in SECRET_PARAMS):
            remember(value)


def remember_record_secrets(record: Mapping[str, Any]) -> None:
    """The secrets of a capture record: its request's and response's headers
    (an object, or a HAR-style list of ``{"name", "value"}``) and its URL's query."""
    request, response = record.get("request"), record.get("response")
    for part in (request, response):
        headers = part.get("headers") if isinstance(part, dict) else None
        if isinstance(headers, dict):
            for name, value in headers.items():
                _remember_header(str(name), str(value))
        elif isinstance(headers, list):
            for header in headers:
                if isinstance(header, dict):
                    _remember_header(str(header.get("name", "")), str(header.get("value", "")))
    if isinstance(request, dict):
        _remember_url(request.get("url"))
        for cookie in request.get("cookies", []) if isinstance(request.get("cookies"), list) else ():
            if isinstance(cookie, dict):
                remember(str(cookie.get("value", "")))


def _har_entry(entry: Any, name: str, index: int) -> Item:
    """HAR entry number ``index`` of ``name`` (``name#index``)."""
    source = f"{name}#{index}"
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
    return Payload(source, body, method.upper(), path_of(url), status, headers, entry=index)


def har_items(har: Any, name: str) -> Iterator[Item]:
    """Every entry of a parsed HAR (:func:`is_har`), as ``name#N``."""
    entries = har["log"]["entries"]
    if not entries:
        yield Unreadable(name, "a HAR file without entries")
        return
    for entry in entries:  # every secret of the file first, so no entry reports one before it is known
        if isinstance(entry, dict):
            remember_record_secrets(entry)
    for index, entry in enumerate(entries):
        yield _har_entry(entry, name, index)


RECORD_MARK = b'"request"'
"""Bytes every capture record and HAR entry holds (a bare body of this contract has no such member)."""
_MARKS = BytesAhoCorasick([RECORD_MARK])
"""Finds :data:`RECORD_MARK` several times faster than ``bytes.find`` does
(whose skip is short, and stops at each of the many ``"`` of JSON)."""


def _marked(data: bytes) -> bool:
    """Whether ``data`` holds :data:`RECORD_MARK`."""
    return bool(_MARKS.find_matches_as_indexes(data))


def read_once(source: Source) -> bool:
    """Whether ``source`` is read only by its judging, which remembers its
    secrets as it goes, rather than first by :func:`secrets_of` too: where a
    second reading would cost about what the judging does. A remote file (a
    download), a compressed one (its decompression) and a document streamed
    from the disk (a ``.json`` or ``.har`` beyond :data:`WHOLE_BYTES`: the
    strict parse of every entry) are read once; plain JSON Lines (a byte
    search over the page cache), a small document and standard input (in
    memory) are read by :func:`secrets_of` first. The caller has every
    answer of a source read once before it reports any result."""
    if source.kind == "stdin" or source.is_range:  # a range is of a plain local file
        return False
    if opening.is_remote(source.name) or not _plain_local(source.name):
        return True
    return source.kind != "jsonl" and source.size > WHOLE_BYTES


def secrets_of(source: Source) -> None:
    """Remember the secrets of every capture record and HAR entry of
    ``source``, without judging anything: the driver's first pass, so that
    every secret is known before the first result is reported. Only what
    holds :data:`RECORD_MARK` is parsed (a log of bare bodies costs a byte
    search); a member name written with escapes is still found by the reader,
    whose secrets the driver remembers as it goes."""
    if source.kind == "jsonl":
        _line_secrets(source)
        return
    if source.kind == "stdin":
        data: bytes | Unreadable = source.data or b""
        if isinstance(data, bytes) and opening.compression_of(data[: opening.HEAD]) is not None:
            data = _decompressed_stdin(data)
        if isinstance(data, Unreadable) or not _marked(data):
            return
        if not _document_secrets(io.BytesIO(data), data, har=False):
            _chunk_secrets(data)  # JSON Lines
        return
    if _plain_local(source.name):
        _file_secrets(source)
        return
    data = _contents(source)
    if not isinstance(data, Unreadable) and _marked(data):
        _document_secrets(io.BytesIO(data), data, har=source.kind == "har")


def _file_secrets(source: Source) -> None:
    """The secrets of a local ``.json`` or ``.har`` file, streamed as its reader streams it."""
    handle = _open(source.name)
    if isinstance(handle, Unreadable):
        return
    with handle:
        try:
            large = os.fstat(handle.fileno()).st_size > WHOLE_BYTES
            whole = None if large else handle.read()
            if whole is None or RECORD_MARK in whole:
                _document_secrets(handle, whole, har=source.kind == "har")
        except OSError:
            return


def _chunk_secrets(chunk: bytes) -> None:
    """The secrets of the capture records among some lines of JSON Lines
    (only the lines that hold :data:`RECORD_MARK` are parsed)."""
    after = 0  # the lines before it are read
    for _, start, _ in _MARKS.find_matches_as_indexes(chunk):
        if start < after:  # in a line read already
            continue
        begin = chunk.rfind(b"\n", 0, start) + 1
        end = chunk.find(b"\n", start)
        after = end = len(chunk) if end == -1 else end
        try:
            value = parse(chunk[begin:end].strip(WHITESPACE))
        except NotJson:
            continue
        if is_record(value):
            remember_record_secrets(value)


def _line_secrets(source: Source) -> None:
    """The secrets of a JSON Lines source, streamed: a block without the mark
    costs a byte search (and keeps only its last, unfinished line); a line
    longer than :data:`~contracts.captures.opening.MAX_LINE` is not read, as
    its reader does not read it."""
    try:
        with _opened(source) as stream:
            _block_secrets(stream.blocks())
    except _cannot_open(source):
        return  # the reader says why


def _block_secrets(blocks: Iterable[bytes]) -> None:
    """The secrets of the lines of ``blocks`` (a stream of JSON Lines)."""
    pending: list[bytes] = []  # the line not ended yet
    held, marked, skipping, tail = 0, False, False, b""  # marked: pending, or the block after it, holds the mark
    size = len(RECORD_MARK) - 1
    for block in blocks:
        across = RECORD_MARK in tail + block[:size]  # the mark across two blocks
        tail = (tail + block)[-size:] if len(block) < size else block[-size:]
        if skipping:  # the rest of a line too long to read
            first = block.find(b"\n")
            if first == -1:
                continue
            skipping, across = False, False
            block = block[first + 1 :]
        end = block.rfind(b"\n")
        marked = marked or across or _marked(block)
        if end == -1:
            pending.append(block)
            held += len(block)
            if held > opening.MAX_LINE:
                pending, held, marked, skipping = [], 0, False, True
            continue
        rest = block[end + 1 :]
        if marked:  # the whole lines up to the last line end, some with the mark
            pending.append(block[: end + 1])
            _chunk_secrets(b"".join(pending))
            marked = _marked(rest)
        pending, held = [rest], len(rest)
    if marked and not skipping:
        _chunk_secrets(b"".join(pending))


def _decompressed_stdin(data: bytes) -> bytes | Unreadable:
    """Compressed standard input, decompressed, when it is no larger than the
    document limit; larger, it is JSON Lines, whose secrets are remembered here,
    streamed (then the result is an :class:`Unreadable` that says so)."""
    try:
        with opening.opened("stdin", data=data) as stream:
            held = _held(stream)
            if isinstance(held, bytes):
                return held
            _block_secrets(chain(held, stream.blocks()))
    except opening.Damaged as error:
        return Unreadable("stdin", error.reason)
    return Unreadable("stdin", "JSON Lines larger than the document limit: their secrets are remembered")


def _document_secrets(handle: BinaryIO, data: bytes | None, *, har: bool) -> bool:
    """The secrets of one document (``data`` when in memory, else streamed
    from ``handle``); whether it was JSON, as far as it was read."""
    if data is not None:
        data = data.removeprefix(BOM) if har else data
        value = quick(data.strip(WHITESPACE))
        if value is not MISSING:
            _value_secrets(value)
            return True
        handle = io.BytesIO(data)
    entries = Entries(handle, bom=har and data is None, sniff=not har)
    for entry in entries:
        if isinstance(entry, dict):
            remember_record_secrets(entry)
    if entries.given or har:
        return entries.reason is None
    if data is None:  # a large .json that is no HAR: read whole, as its reader reads it
        handle.seek(0)
        data = handle.read()
        if RECORD_MARK not in data:
            return True
    try:
        value = parse(data)
    except NotJson:
        return False
    _value_secrets(value)
    return True


def _value_secrets(value: Any) -> None:
    if is_har(value):
        for entry in value["log"]["entries"]:
            if isinstance(entry, dict):
                remember_record_secrets(entry)
    elif is_record(value):
        remember_record_secrets(value)
