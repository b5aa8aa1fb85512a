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
from collections.abc import Iterable
from xml.sax.saxutils import escape

MASK = "***"


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
"""Every secret value seen in this process, so any text can be redacted."""
_SECRETS_LOCK = threading.Lock()


MIN_FOUND_SECRET = 8
"""Values found in captures (cookies, headers) shorter than this are not masked:
``true`` or ``1`` are no secrets, and masking them would corrupt every report."""


def forms(value: str) -> set[str]:
    """A secret as it may appear in a report: as is, JSON-escaped, XML-escaped."""
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
_short_pattern: re.Pattern[str] | None = None


def remember(*secrets: Secret | str | None) -> None:
    """Add values to what :func:`redact` masks everywhere (in every form a
    report may write them). A :class:`Secret` always counts; a plain string
    found in a capture only from :data:`MIN_FOUND_SECRET` characters."""
    global _short_pattern
    with _SECRETS_LOCK:
        for secret in secrets:
            if isinstance(secret, Secret):
                value = secret.reveal()
                if value and len(value) < MIN_FOUND_SECRET:
                    SHORT_SECRETS.update(forms(value))
                    alternatives = "|".join(map(re.escape, sorted(SHORT_SECRETS, key=len, reverse=True)))
                    _short_pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")
                    continue
            elif secret is None or len(secret) < MIN_FOUND_SECRET:
                continue
            else:
                value = secret
            if value:
                SECRETS.update(forms(value))


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """``text`` with every known secret replaced by ``***``."""
    for value in sorted({*SECRETS, *extra}, key=len, reverse=True):
        text = text.replace(value, MASK)
    if _short_pattern is not None:
        text = _short_pattern.sub(MASK, text)
    return text


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
