"""Bytes -> a JSON value: the one strict reader of every body the suite reads.

A live answer (:meth:`contracts.client.Answer.json`,
:func:`contracts.responses.check_response`), a captured response body, a
capture file, a line of JSON Lines and a HAR file are all read by
:func:`parse`, so the same bytes get the same verdict wherever they are met.

What counts as JSON is RFC 8259 read strictly, as I-JSON (RFC 7493) has it,
plus a depth limit:

* UTF-8 only, and no byte order mark (RFC 8259 forbids adding one; a deploy
  gate reports it rather than ignoring it);
* no ``NaN``, ``Infinity`` or ``-Infinity``, and no number a double cannot
  hold (``1e400``, a 5,000-digit integer); integers beyond 64 bits that a
  double can hold are read exactly;
* no duplicate member name in one object (which value counts is undefined);
* no lone surrogate (``"\\ud800"``) in a string or a member name;
* one value, JSON whitespace around it, nothing after it;
* nested at most :data:`MAX_DEPTH` levels (arrays and objects).

Anything else raises :class:`NotJson`, whose ``reason`` is one line naming
the problem and its place, and never repeats a value it could leak (only
member names, pointers and short numbers).

The common body costs little more than an orjson parse: :func:`quick`
accepts a body orjson reads and writes back byte for byte (so it holds no
duplicate key, no out-of-range number, no odd spelling, and is nested no
deeper than orjson writes, :data:`MAX_DEPTH`), or byte for byte once its
whitespace is taken out (the spacing of Python's ``json.dumps``, say; see
:func:`quick` for why that is as sound). Only other bodies take the careful
path of :func:`parse` (the standard library with hooks), which finds the
reason.
"""

from __future__ import annotations

import json
import re
from itertools import compress
from operator import eq, methodcaller, not_, or_
from typing import Any, Final

import orjson
import stringzilla

from contracts.violations import pointer

MAX_DEPTH: Final = 254
"""Arrays and objects nested deeper than this are not read (a Jobs API body nests about 5).

It is the depth orjson writes at most (``orjson.dumps`` raises beyond it), so
the fast check's byte-for-byte comparison proves the limit at no cost; a
test pins the two together."""
WHITESPACE: Final = b" \t\n\r"
"""JSON's whitespace (``bytes.strip()`` also strips form feeds and vertical tabs, which are not)."""
_TOKEN_BYTE: Final = bytes(byte not in WHITESPACE for byte in range(256))
"""1 for each byte that is not JSON whitespace, 0 for each that is: :func:`token_bytes`' table."""
BOM: Final = b"\xef\xbb\xbf"
MISSING: Final[Any] = object()
"""What :func:`quick` answers for a body it leaves to :func:`parse`."""

_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_SHORT_NUMBER = 24
_loads, _dumps = orjson.loads, orjson.dumps  # the hot path: no attribute lookups a line
_ORJSON_ERRORS = (orjson.JSONDecodeError, orjson.JSONEncodeError)


class NotJson(ValueError):
    """Bytes this reader does not accept as JSON; ``reason`` is one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def quick(data: bytes) -> Any:
    """The value of ``data`` (without JSON whitespace around it) when the fast
    check alone accepts it, else :data:`MISSING` (then :func:`parse` decides).

    It accepts what orjson reads and writes back (``D`` below) as ``data``
    itself, or as ``data`` without any JSON whitespace, or without the space
    of each ``, `` and ``: `` (the spacing of Python's ``json.dumps``; the
    second form takes a line whose strings hold spaces of their own). Each
    form only deletes whitespace, so ``data`` is ``D`` with whitespace put in
    here and there. Why that is as sound as the first form: orjson read
    ``data``, so no whitespace landed inside a number, a literal or an escape
    (none of them may hold any), nor a tab or a line break inside a string
    (JSON forbids them raw; a test pins these facts of orjson). What is left
    is whitespace between tokens, and spaces inside strings. Then ``data`` has
    ``D``'s tokens in ``D``'s nesting, but for strings grown by a space, and

    * no string grew: orjson writes every string it read, so a grown string
      would be written grown, and ``D`` would not be orjson's writing;
    * no key is there twice: ``data`` has as many members as ``D``, and
      ``D`` as many as the value read (a key read twice is written once);
    * the numbers are ``D``'s numbers, which orjson wrote (in range, spelled
      as it spells them), and the nesting is ``D``'s (at most :data:`MAX_DEPTH`).

    So ``data`` is ``D`` with JSON whitespace between tokens, which
    :func:`parse` reads as the same value. A test checks this against the
    careful reader for generated bodies, spaced in many ways, with duplicate
    keys, spaced strings and numbers of every spelling among them."""
    try:
        value = _loads(data)
        written = _dumps(value)
    except _ORJSON_ERRORS:  # JSONEncodeError: nested deeper than MAX_DEPTH
        return MISSING
    return value if written_as(written, data) else MISSING


def written_as(written: bytes, data: bytes) -> bool:
    """Whether ``data`` is ``written`` or it with JSON whitespace put in, in
    one of :func:`quick`'s three forms (its docstring says why that is sound)."""
    return (
        written == data
        or written == data.translate(None, WHITESPACE)
        or written == data.replace(b", ", b",").replace(b": ", b":")
    )


def token_bytes(data: bytes) -> int:
    """How many bytes of ``data`` are not JSON whitespace: ``len(data.translate(None,
    WHITESPACE))`` without the copy. stringzilla maps each byte to 1 or 0 by a table
    and sums them, in SIMD: on JSON Lines in Python's ``json.dumps`` spacing, about
    0.05 ns a byte where ``bytes.translate`` (or ``count``, ``replace``: every
    CPython primitive that looks at each byte) takes 0.6-0.7. A test compares
    the two over every byte value and generated bytes."""
    return stringzilla.bytesum(stringzilla.translate(data, _TOKEN_BYTE))  # type: ignore[no-any-return]


def quick_all(datas: list[bytes]) -> tuple[list[Any], list[int]] | None:
    """:func:`quick` for many bodies at once, without a Python call a body:
    their values, and the indices of the bodies :func:`quick` may leave to
    :func:`parse` (their values mean nothing). ``None`` when orjson cannot
    read one of them (then ask :func:`quick` one at a time).

    A body is taken when orjson writes it back as itself or as itself
    without JSON whitespace: two of :func:`quick`'s three forms, so what is
    taken here :func:`quick` takes too (a test compares them)."""
    try:
        values = list(map(_loads, datas))
        written = list(map(_dumps, values))
    except _ORJSON_ERRORS:
        return None
    if written == datas:
        return values, []
    same = list(map(eq, written, datas))
    unspaced = map(eq, written, map(methodcaller("translate", None, WHITESPACE), datas))
    return values, list(compress(range(len(datas)), map(not_, map(or_, same, unspaced))))


def parse(data: bytes) -> Any:
    """The JSON value of ``data``, or :class:`NotJson` with the reason."""
    value = quick(data.strip(WHITESPACE))
    return value if value is not MISSING else _careful(data)


def _careful(data: bytes) -> Any:
    """:func:`parse` the slow way, places counted in ``data`` as given."""
    if data.lstrip(WHITESPACE).startswith(BOM):
        raise NotJson("a UTF-8 byte order mark before the JSON value")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotJson(f"invalid UTF-8 at byte {error.start} (0x{data[error.start]:02x})") from None
    if not text.strip(WHITESPACE.decode()):
        raise NotJson("empty (no JSON value)")
    if too_deep(data):
        raise NotJson(f"nested deeper than {MAX_DEPTH} levels")
    twice: list[bool] = []
    try:
        value = json.loads(
            text,
            object_pairs_hook=lambda pairs: _object(pairs, twice),
            parse_constant=_constant,
            parse_float=_float,
            parse_int=_int,
        )
    except json.JSONDecodeError as error:
        raise NotJson(_syntax(error)) from None
    except RecursionError:  # not reached below the depth limit; kept as a last line
        raise NotJson(f"nested deeper than {MAX_DEPTH} levels") from None
    if twice or _SURROGATE_ESCAPE.search(text):
        problem = _problem(value, [])
        if problem:
            raise NotJson(problem)
    return value


def too_deep(data: bytes) -> bool:
    """Whether arrays and objects nest deeper than :data:`MAX_DEPTH` in ``data``
    (brackets inside strings do not count)."""
    if data.count(b"[") + data.count(b"{") <= MAX_DEPTH:
        return False
    depth = 0
    for bracket in _BRACKETS.finditer(_STRINGS.sub(b"", data)):
        depth += 1 if bracket[0] in b"[{" else -1
        if depth > MAX_DEPTH:
            return True
    return False


class _Twice(dict[str, Any]):
    """An object in which ``key`` appeared more than once."""

    key: str


def _object(pairs: list[tuple[str, Any]], twice: list[bool]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) == len(pairs):
        return found
    marked = _Twice(found)
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            marked.key = key
            break
        seen.add(key)
    twice.append(True)
    return marked


def _problem(value: Any, at: list[str | int]) -> str | None:
    """The first duplicate key or lone surrogate in ``value``, in document order."""
    if isinstance(value, str):
        return _surrogate(value, "a string", at)
    if isinstance(value, list):
        for index, item in enumerate(value):
            if problem := _problem(item, [*at, index]):
                return problem
    elif isinstance(value, dict):
        if isinstance(value, _Twice):
            where = f"the object at {pointer(at)}" if at else "the top-level object"
            return f"duplicate key {_name(value.key)} in {where}"
        for key, item in value.items():
            if problem := _surrogate(key, "a member name", at) or _problem(item, [*at, key]):
                return problem
    return None


def _surrogate(text: str, what: str, at: list[str | int]) -> str | None:
    found = _SURROGATES.search(text)
    if found is None:
        return None
    where = f" at {pointer(at)}" if at else ""
    return f"a lone surrogate \\u{ord(found[0]):04x} in {what}{where}"


def _name(key: str) -> str:
    shown = key if len(key) <= 40 else key[:39] + "…"
    return repr(shown.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace"))


def _constant(name: str) -> Any:
    raise NotJson(f"{name} is not JSON")


def _float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise NotJson(_out_of_range(text))
    return value


def _int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > 309:  # beyond any double (and past the standard library's limit of 4,300 digits)
        raise NotJson(_out_of_range(text))
    value = int(text)
    try:
        float(value)
    except OverflowError:
        raise NotJson(_out_of_range(text)) from None
    return value


def _out_of_range(text: str) -> str:
    if len(text) <= _SHORT_NUMBER:
        return f"number {text} is out of range"
    digits = len(text.lstrip("-").split(".")[0].split("e")[0].split("E")[0])
    return f"a number of {digits} digits is out of range"


def _syntax(error: json.JSONDecodeError) -> str:
    place = f"(line {error.lineno}, column {error.colno})"
    if error.msg == "Extra data":
        return f"trailing data after the JSON value {place}"
    hint = " (truncated?)" if error.pos >= len(error.doc) - 1 else ""
    return f"invalid JSON{hint}: {error.msg} {place}"
