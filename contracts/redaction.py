"""Secrets never leave the process: every value that must not be shown, and
:func:`redact`, which every report and message passes through.

Known secrets are the bearer token and client secret of the live checks
(:class:`Secret` values) and what captures carry (``Authorization`` headers,
cookies, token-like query parameters), each masked in every form a report
may write it.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from ahocorasick_rs import BytesAhoCorasick

MASK = "***"
_MASK_BYTES = MASK.encode()


class Secret:
    """A string that never shows itself in ``str``, ``repr`` or f-strings."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __bool__(self) -> bool:
        return bool(self._value)


class SecretHeaders(dict[str, str]):
    """Request headers whose ``repr`` masks ``Authorization`` (tracebacks, -l)."""

    def __repr__(self) -> str:
        return repr({k: (MASK if k.lower() == "authorization" else v) for k, v in self.items()})

    __str__ = __repr__


SECRETS: set[str] = set()
"""Every secret form seen in this process (read it; add with :func:`remember`:
what is added or removed here directly does not change what :func:`redact`
masks)."""
_SECRETS_LOCK = threading.Lock()


MIN_FOUND_SECRET = 8
"""Values found in captures (cookies, headers) shorter than this are not masked:
``true`` or ``1`` are no secrets, and masking them would corrupt every report."""

_PLAIN = re.compile(r"[\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\x5b\x5d-\x7e]*")
"""Printable ASCII that neither JSON nor XML escapes: such a value has one form."""


def forms(value: str) -> set[str]:
    """A secret as it may appear in a report: as is, JSON-escaped, XML-escaped."""
    if _PLAIN.fullmatch(value):
        return {value}
    from xml.sax.saxutils import escape  # imported when first needed: it brings urllib.request, 50 ms of start-up

    return {
        value,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        escape(value),
        escape(value, {'"': "&quot;"}),
    }


SHORT_SECRETS: set[str] = set()
"""Given secrets (a :class:`Secret`) shorter than :data:`MIN_FOUND_SECRET`, such
as a test's client secret ``y``: masked where they stand alone, not inside
words (masking every ``y`` would make every report unreadable)."""


def _encoded(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate (from a JSON "\\ud800") too


class _Level(NamedTuple):
    automaton: BytesAhoCorasick
    keys: list[bytes]


class _Matcher:
    """Every secret form, found in one pass over a text, whatever their number.

    A form is known by its last :data:`KEY` bytes: Aho-Corasick automata
    (``ahocorasick_rs``) find where any key ends in the UTF-8 of a text, and a
    set lookup per length of the forms with that key confirms the form before
    it. Automata are built from keys only, 8 bytes a secret however long it is.

    Keys remembered since the last build wait in ``pending``; the next
    :meth:`find` builds them into a new automaton, merged with the newest ones
    while those are less than twice its size (Bentley and Saxe's logarithmic
    method): a run that remembers a few secrets between every two reports
    builds each key a logarithmic number of times and scans a logarithmic
    number of automata, instead of rebuilding everything each time.
    """

    KEY = MIN_FOUND_SECRET
    """Bytes a key: every form is at least as long (it is :data:`MIN_FOUND_SECRET` characters or more)."""

    def __init__(self) -> None:
        self.forms: set[bytes] = set()
        self.lengths: dict[bytes, tuple[int, ...]] = {}  # key -> the lengths of the forms ending in it
        self.pending: list[bytes] = []
        self.levels: tuple[_Level, ...] = ()
        self.short: re.Pattern[str] | None = None
        self.short_stale = False

    def add(self, form: str) -> bool:
        """Know ``form`` (under the lock); whether it was new."""
        data = _encoded(form)
        if data in self.forms:
            return False
        self.forms.add(data)
        key, length = data[-self.KEY :], len(data)
        lengths = self.lengths.get(key)
        if lengths is None:
            self.lengths[key] = (length,)
            self.pending.append(key)
        elif length not in lengths:
            self.lengths[key] = (*lengths, length)  # a new tuple: readers iterate the old one unlocked
        return True

    def current(self) -> tuple[tuple[_Level, ...], re.Pattern[str] | None]:
        """The automata and the short secrets' pattern, built if anything was
        remembered since they were."""
        if self.pending or self.short_stale:
            with _SECRETS_LOCK:
                self._build()
        return self.levels, self.short

    def _build(self) -> None:
        if self.pending:
            keys, self.pending = self.pending, []
            levels = list(self.levels)
            while levels and len(levels[-1].keys) < 2 * len(keys):
                keys = levels.pop().keys + keys
            levels.append(_Level(BytesAhoCorasick(keys), keys))
            self.levels = tuple(levels)
        if self.short_stale:
            alternatives = "|".join(map(re.escape, sorted(SHORT_SECRETS, key=len, reverse=True)))
            self.short = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")
            self.short_stale = False

    def spans(self, data: bytes, levels: tuple[_Level, ...]) -> Iterator[tuple[int, int]]:
        """Where a known form stands in ``data``, every occurrence (overlapping too)."""
        for level in levels:
            for index, _, end in level.automaton.find_matches_as_indexes(data, overlapping=True):
                for length in self.lengths[level.keys[index]]:
                    start = end - length
                    if start >= 0 and data[start:end] in self.forms:
                        yield start, end


_MATCHER = _Matcher()
_REMEMBERED: list[Secret | str] = []
"""Every value that added a form, in order (see :func:`remembered_since`)."""


def remember(*secrets: Secret | str | None) -> None:
    """Add values to what :func:`redact` masks everywhere (in every form a
    report may write them). A :class:`Secret` always counts; a plain string
    found in a capture only from :data:`MIN_FOUND_SECRET` characters."""
    with _SECRETS_LOCK:
        for secret in secrets:
            if isinstance(secret, Secret):
                value = secret.reveal()
                if value and len(value) < MIN_FOUND_SECRET:
                    new = forms(value) - SHORT_SECRETS
                    if new:
                        SHORT_SECRETS.update(new)
                        _MATCHER.short_stale = True
                        _REMEMBERED.append(secret)
                    continue
            elif secret is None or len(secret) < MIN_FOUND_SECRET:
                continue
            else:
                value = secret
            added = [form for form in forms(value) if _MATCHER.add(form)]
            if added:
                SECRETS.update(added)
                _REMEMBERED.append(secret)


def remembered() -> int:
    """How many values :func:`remember` has added so far: a mark for
    :func:`remembered_since`."""
    return len(_REMEMBERED)


def remembered_since(mark: int) -> list[Secret | str]:
    """The values remembered after ``mark`` (from :func:`remembered`), as
    :func:`remember` takes them: what a worker process hands its parent."""
    with _SECRETS_LOCK:
        return _REMEMBERED[mark:]


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """``text`` with every known secret replaced by ``***``.

    Every character that belongs to an occurrence of a known secret is masked:
    where secrets overlap (a token and ``Bearer`` token, or two that share a
    part), their union becomes one ``***``. Short given secrets are masked
    after, where they stand alone. ``extra`` values count too, of any length.
    """
    levels, short = _MATCHER.current()
    others = [_encoded(value) for value in extra if value]
    if levels or others:
        data = _encoded(text)
        found = [*_MATCHER.spans(data, levels), *_occurrences(data, others)]
        if found:
            text = _masked(data, found)
    if short is not None:
        text = short.sub(MASK, text)
    return text


def _occurrences(data: bytes, values: list[bytes]) -> Iterator[tuple[int, int]]:
    for value in values:
        start = data.find(value)
        while start >= 0:
            yield start, start + len(value)
            start = data.find(value, start + 1)


def _masked(data: bytes, spans: list[tuple[int, int]]) -> str:
    """``data`` with each span, overlapping ones joined, replaced by the mask."""
    pieces, done = [], 0
    for start, end in sorted(spans):
        if start < done:  # overlaps the span just masked: extend it
            done = max(done, end)
            continue
        pieces.append(data[done:start])
        pieces.append(_MASK_BYTES)
        done = end
    pieces.append(data[done:])
    return b"".join(pieces).decode("utf-8", "surrogatepass")


class RedactingFilter(logging.Filter):
    """Masks every known secret in a log record before a handler writes it
    (httpcore's DEBUG log quotes response headers, which a server may use to
    echo the token)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
