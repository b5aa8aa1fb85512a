"""A large JSON document read as a stream: a HAR's entries one at a time.

A helper of :mod:`contracts.captures.readers`, for documents too large to
read whole (:data:`contracts.captures.readers.WHOLE_BYTES`): memory holds one
entry at a time, whatever the number of entries. The events come from ijson's
C backend (yajl2_c); the values of the document are built here, from the
events, so that the document is read as strictly as
:func:`contracts.jsonbody.parse` reads a whole one:

* duplicate member names (which ijson accepts, the last one winning) and
  nesting deeper than :data:`~contracts.jsonbody.MAX_DEPTH` are refused here,
  at the first event beyond (never a hang, never a recursion, at any depth);
* ``NaN``/``Infinity``, numbers a double cannot hold (``1e400``, a 5,000-digit
  integer), invalid UTF-8, control characters in strings and trailing data
  are refused by yajl. Numbers are read as yajl reads them (``use_float``:
  no Python conversion of the digits, no limit to hit), so an integer beyond
  64 bits is refused too, where a whole reading takes one a double can hold:
  the one difference, and only in a HAR's own members (its response bodies
  are strings, read by :func:`~contracts.jsonbody.parse`);
* what yajl lets through is refused on the raw bytes, as they are read
  (:class:`_Bytes`): a lone surrogate escape (yajl turns ``"\\ud800"`` into
  ``"?"`` and pairs a high surrogate with whatever escape follows it), and a
  form feed or vertical tab (no JSON whitespace, yet yajl skips them).

Only the members of ``log.entries`` are built (and given one at a time);
every other value of the document is checked and dropped. A refusal is a
:class:`Broken` with a one-line reason that never quotes the document (only
member names, pointers and byte counts). :class:`Entries` says, once it is
exhausted, whether the document was a HAR, and where it broke.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

import ijson

from contracts.errors import one_line
from contracts.jsonbody import BOM, MAX_DEPTH, WHITESPACE
from contracts.violations import pointer

_YAJL = ijson.get_backend("yajl2_c")
"""The C backend, by name: what is checked here on the raw bytes and the events is what yajl lets through."""
BLOCK = 2**16
"""Bytes handed to the parser at a time."""
_ESCAPES = re.compile(rb"(\\+)u[dD][89a-fA-F][0-9a-fA-F]{2}")
"""A backslash run before ``uD800``..``uDFFF``: a surrogate escape when the run is odd."""
_NOT_WHITESPACE = re.compile(rb"[\x0b\x0c]")
_CARRY = 12
"""The bytes of a surrogate pair escape (``\\ud83d\\ude00``): what a block's end may cut."""
_JSON_ERRORS = (ijson.JSONError, UnicodeDecodeError, ValueError, SystemError)
"""What ijson raises for bytes yajl refuses: its own errors; a string whose
bytes are not UTF-8 (an encoded surrogate); and, should a value fail to
convert in its C code, that error (a SystemError when the C code went on)."""


class Broken(ValueError):
    """The document is not JSON as :func:`contracts.jsonbody.parse` reads it; ``reason`` is one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Bytes:
    """A binary file as the parser reads it, checked on the way: a leading
    byte order mark dropped (``bom``), every surrogate escape paired, no form
    feed or vertical tab. The parser is given only bytes already checked (the
    last few of a block wait for the next, which may hold the rest of an
    escape); at a refusal it is given the bytes before it, and the next read
    raises :class:`Broken`, so the entries before the damage are read."""

    def __init__(self, handle: BinaryIO, *, bom: bool) -> None:
        self.handle = handle
        self.given = 0
        self._carry = b""
        self._first = bom
        self._broken: str | None = None
        self.blank = True
        """Whether every byte given so far is JSON whitespace."""

    def read(self, size: int = BLOCK) -> bytes:
        if size == 0:  # the parser asking what kind of file this is
            return b""
        while True:
            if self._broken is not None:
                raise Broken(self._broken)
            block = self.handle.read(size)
            if self._first and block:
                self._first = False
                block = block.removeprefix(BOM)
            text = self._carry + block
            cut = self._checked(text, final=not block)
            self._carry = text[cut:]
            self.given += cut
            if self.blank and text[:cut].strip(WHITESPACE):
                self.blank = False
            if cut or not block:
                return text[:cut]

    def _checked(self, text: bytes, *, final: bool) -> int:
        """How many bytes of ``text`` can be given to the parser; a refusal
        found is kept for the next read, the bytes before it given."""
        end = len(text)
        bad = _NOT_WHITESPACE.search(text) if b"\x0b" in text or b"\x0c" in text else None
        if bad is not None:
            end = bad.start()
            self._broken = f"invalid JSON: a form feed or vertical tab outside a string (at byte {self.given + end})"
        cut = end if final or bad is not None else max(end - _CARRY, 0)
        if cut and text[cut - 1] == 0x5C:  # in a run of backslashes: give an even part of it (escaped backslashes)
            run = cut - 1
            while run > 0 and text[run - 1] == 0x5C:
                run -= 1
            cut = run + (cut - run) // 2 * 2
        if b"\\u" not in text:
            return cut
        escapes = [m for m in _ESCAPES.finditer(text, 0, end) if len(m[1]) % 2]  # an even run: escaped backslashes
        index = 0
        while index < len(escapes):
            found = escapes[index]
            if found.start() >= cut:
                break
            escape = found.end() - 6
            if text[found.end() - 3] not in _HIGH:  # a low half without a high half before it
                return self._lone(escape)
            if found.end() + 6 > end and not final and bad is None:  # its low half may be in the next block
                return found.start()
            after = escapes[index + 1] if index + 1 < len(escapes) else None
            if after is None or after.start() != found.end() or len(after[1]) != 1 or text[after.end() - 3] in _HIGH:
                return self._lone(escape)
            cut = max(cut, after.end())
            index += 2
        return cut

    def _lone(self, at: int) -> int:
        self._broken = f"a lone surrogate escape in a string (at byte {self.given + at})"
        return at


class Entries:
    """The entries of ``log.entries`` of the JSON document in ``handle``, one
    at a time, each checked as :func:`contracts.jsonbody.parse` would check it.

    Once exhausted: ``har`` says whether the document has a top-level ``log``
    object with an ``entries`` array (what :func:`~contracts.captures.items.is_har`
    asks of a whole one), ``reason`` why it is not JSON (``None``: it is), and
    ``given`` how many entries were given. Iteration stops at the first
    refusal, after the entries before it. ``bom``: a leading byte order mark
    is dropped (a HAR file's, a tool's); ``sniff``: stop as soon as the
    document does not start as a HAR does (``{"log": {``, scalar members
    aside), with ``har`` false and ``stopped`` true."""

    def __init__(self, handle: BinaryIO, *, bom: bool = False, sniff: bool = False) -> None:
        self._bytes = _Bytes(handle, bom=bom)
        self._sniff = sniff
        self.har = False
        self.reason: str | None = None
        self.given = 0
        self.stopped = False

    @property
    def blank(self) -> bool:
        """Whether the document read was JSON whitespace only (an empty file)."""
        return self._bytes.blank

    def __iter__(self) -> Iterator[Any]:
        try:
            yield from self._entries()
        except Broken as error:
            self.reason = error.reason
        except _JSON_ERRORS as error:
            self.reason = self._refused(error)
        except OSError as error:  # the disk, mid-file
            self.reason = f"cannot read: {one_line(error)}"

    def _refused(self, error: Exception) -> str:
        """The reason for what yajl refused, in one line that quotes nothing of the document."""
        where = f"(in the first {self._bytes.given} bytes)"
        if isinstance(error, UnicodeDecodeError):
            return f"invalid UTF-8 in a string {where}"
        if not isinstance(error, ijson.JSONError):
            return f"invalid JSON: a value that cannot be read ({type(error).__name__}) {where}"
        message = re.split(r"\n|\\n", str(error).removeprefix("b'"), maxsplit=1)[0]
        if "premature EOF" in message:
            return "invalid JSON (truncated?): the document ends early"
        if "trailing garbage" in message:
            return f"trailing data after the JSON value {where}"
        if "overflow" in message:
            return f"a number is out of range {where}"
        if "invalid bytes in UTF8" in message:
            return f"invalid UTF-8 in a string {where}"
        return f"invalid JSON: {message.partition(': ')[2].rstrip('.')[:80]} {where}"

    def _entries(self) -> Iterator[Any]:
        """The skeleton of the document checked and dropped; each entry built and given."""
        frames: list[list[Any]] = []  # an open container each: [its member names (None: an array), next index]
        path: list[str | int] = []  # where each open container is, but the top one
        entries_at = -1  # the depth of the items of log.entries, while it is open
        key: Any = None
        place: str | int = 0
        events = _YAJL.basic_parse(self._bytes, buf_size=BLOCK, use_float=True)
        for event, value in events:
            if event == "map_key":
                names = frames[-1][0]
                if value in names:
                    raise Broken(_duplicate(value, path))
                names.add(value)
                key = value
                continue
            if event == "end_map" or event == "end_array":
                frames.pop()
                if path:
                    path.pop()
                if len(frames) + 1 == entries_at:
                    entries_at = -1
                continue
            depth = len(frames)
            if depth:
                frame = frames[-1]
                if frame[0] is None:
                    place = frame[1]
                    frame[1] += 1
                else:
                    place = key
            if depth == entries_at:
                entry = self._entry(event, value, events, [*path, place])
                self.given += 1
                yield entry
                continue
            if event == "start_map" or event == "start_array":
                if depth >= MAX_DEPTH:
                    raise Broken(f"nested deeper than {MAX_DEPTH} levels")
                if depth:
                    path.append(place)
                if self._sniff and not self.har and not _starts_as_har(depth, event, path):
                    self.stopped = True
                    return
                frames.append([set() if event == "start_map" else None, 0])
                if event == "start_array" and depth == 2 and path == ["log", "entries"]:
                    self.har = True
                    entries_at = depth + 1

    def _entry(self, event: str, value: Any, events: Iterator[tuple[str, Any]], at: list[str | int]) -> Any:
        """One entry (at ``at``), built from its first event and those that follow."""
        if event != "start_map" and event != "start_array":
            return value
        entry: Any = {} if event == "start_map" else []
        stack: list[Any] = [entry]
        limit = MAX_DEPTH - len(at)  # the entry is at depth len(at) + 1
        key: Any = None
        for event, value in events:
            if event == "map_key":
                key = value
                continue
            if event == "end_map" or event == "end_array":
                stack.pop()
                if not stack:
                    return entry
                continue
            if event == "start_map":
                item: Any = {}
            elif event == "start_array":
                item = []
            else:
                item = value
            top = stack[-1]
            if type(top) is dict:
                if key in top:
                    raise Broken(_duplicate(key, [*at, *_where(stack)]))
                top[key] = item
            else:
                top.append(item)
            if event == "start_map" or event == "start_array":
                if len(stack) >= limit:
                    raise Broken(f"nested deeper than {MAX_DEPTH} levels")
                stack.append(item)
        return entry  # not reached: the parser raises on a document that ends inside an entry


_HIGH = b"89abAB"


def _starts_as_har(depth: int, event: str, path: list[str | int]) -> bool:
    """Whether a container opened at ``depth`` (at ``path``) still reads as a HAR's start: ``{"log": {``."""
    if depth == 0:
        return event == "start_map"
    if depth == 1:
        return path == ["log"] and event == "start_map"
    return True


def _where(stack: list[Any]) -> list[str | int]:
    """The path, below the entry, of the innermost container of ``stack``:
    each container is the last member added to the one above it."""
    return [next(reversed(parent)) if isinstance(parent, dict) else len(parent) - 1 for parent in stack[:-1]]


def _duplicate(name: str, at: list[str | int]) -> str:
    shown = name if len(name) <= 40 else name[:39] + "…"
    shown = repr(shown.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace"))
    where = f"the object at {pointer(at)}" if at else "the top-level object"
    return f"duplicate key {shown} in {where}"
