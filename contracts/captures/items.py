"""What flows between the stages: the items a reader makes of its source.

Every item has a ``source``, the place a report names (``log.jsonl:17``,
``run.har#3``, ``stdin``), and is one of

* :class:`Payload`: a response body to judge, with what is known of its request;
* :class:`Lines`: consecutive lines of JSON Lines, not parsed yet (the judge
  reads and screens them together, so the common valid line costs little
  more than its parse: :meth:`contracts.captures.judge.Checker.judge`); each
  non-blank one is an item, a :class:`Line`;
* :class:`Unreadable`: an input that could not be read as a payload, and why;
* :class:`Skipped`: an input that is no payload of this contract, and why.

Bad input is an item too, never an exception: every input is accounted for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import repeat
from typing import Any

from contracts.jsonbody import WHITESPACE


@dataclass(frozen=True, slots=True)
class Payload:
    """A response body to check, with what is known of its request.

    ``record`` is the whole capture record the payload came from, when it came
    from one (``pcm-contracts examples`` reads the documented verdict there)."""

    source: str
    body: Any
    method: str | None = None
    path: str | None = None
    status: int | None = None
    headers: Mapping[str, str] | None = None
    record: Mapping[str, Any] | None = None
    entry: int | None = None
    """The number of a HAR entry in its file, whose ``source`` is then ``file#entry``."""


@dataclass(frozen=True, slots=True)
class Line:
    """A non-blank line of a JSON Lines source (without JSON whitespace around
    it), numbered from 1 in its source: ``name:number``."""

    name: str
    number: int
    data: bytes

    @property
    def source(self) -> str:
        return f"{self.name}:{self.number}"


@dataclass(frozen=True, slots=True)
class Lines:
    """Consecutive lines of a JSON Lines source: ``lines[i]`` is line ``first + i``
    as read, with its line end (the last line of a source may have none) and
    any JSON whitespace around it; a blank line is no item."""

    name: str
    first: int
    lines: list[bytes]

    def each(self) -> Iterator[Line]:
        """The item of each non-blank line."""
        name, first = self.name, self.first
        lines = map(bytes.strip, self.lines, repeat(WHITESPACE))
        return (Line(name, first + index, data) for index, data in enumerate(lines) if data)


@dataclass(frozen=True, slots=True)
class Unreadable:
    """An input that could not be read as a payload, and why (one line)."""

    source: str
    reason: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that is not a payload of this contract, and why (one line)."""

    source: str
    reason: str


@dataclass(frozen=True, slots=True)
class NotJsonBody:
    """The body of a captured response that :func:`contracts.jsonbody.parse`
    refuses, and why: a ``body_is_json`` finding about the response, as a live
    check makes it (unlike a capture file that is not JSON, which is unreadable)."""

    reason: str


Item = Payload | Unreadable | Skipped
"""An item ready to judge one at a time."""
One = Item | Line
"""One item as :meth:`~contracts.captures.judge.Checker.check` takes it."""
Read = One | Lines
"""What a reader yields."""


def one_by_one(read: Iterable[Read]) -> Iterator[One]:
    """What a reader yields, one item at a time (the lines of :class:`Lines` each on their own)."""
    for found in read:
        if isinstance(found, Lines):
            yield from found.each()
        else:
            yield found


def is_har(value: Any) -> bool:
    """Whether a JSON document is a HAR (``{"log": {"entries": [...], ...}}``), whatever its file is called."""
    log = value.get("log") if isinstance(value, dict) else None
    return isinstance(log, dict) and isinstance(log.get("entries"), list)


def is_record(value: Any) -> bool:
    """Whether a JSON value is a capture record (else it is a bare body)."""
    return isinstance(value, dict) and isinstance(value.get("response"), dict) and "request" in value
