"""Findings: what is wrong with a payload, where, and how much it matters."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal, get_args

from contracts.errors import OptionError

Severity = Literal["error", "warning"]
Level = Literal["error", "warning", "off"]
Kind = Literal["structure", "undocumented-value", "undocumented-field", "semantic"]
"""What a finding is about.

``structure``
    the body is broken: wrong type, a required member missing, a bad format.
``undocumented-value``
    a value outside the documented set (an ``enum`` the docs list), e.g. a new
    job status. Consumers with a state machine cannot handle it.
``undocumented-field``
    a member the docs do not mention. Additive, so tolerated by default.
``semantic``
    a rule the schema cannot express (timestamp order, status/time agreement).
"""

KINDS: tuple[Kind, ...] = get_args(Kind)
LEVELS: tuple[Level, ...] = get_args(Level)
MAX_VALUE_CHARS = 80


@dataclass(frozen=True, slots=True)
class Violation:
    """One finding about one payload.

    ``pointer`` is an RFC 6901 JSON pointer into the payload; ``schema_pointer``
    is ``<schema $id>#<pointer>`` to the keyword that failed, ``None`` for
    semantic rules.
    """

    rule: str
    pointer: str
    message: str
    severity: Severity
    kind: Kind
    schema_pointer: str | None = None

    def __reduce__(self) -> tuple[type[Violation], tuple[str, str, str, Severity, Kind, str | None]]:
        # a worker's findings cross to the driver pickled: built again by one call, not set field by field
        return Violation, (self.rule, self.pointer, self.message, self.severity, self.kind, self.schema_pointer)

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message} [{self.rule}]"

    def as_dict(self) -> dict[str, str | None]:
        return {
            "rule": self.rule,
            "pointer": self.pointer,
            "message": self.message,
            "severity": self.severity,
            "kind": self.kind,
            "schema_pointer": self.schema_pointer,
        }


@dataclass(frozen=True, slots=True)
class Strictness:
    """How findings of the two drift kinds are reported.

    The defaults: a value outside the documented set is an error (a consumer's
    state machine cannot handle it); an undocumented field is not reported
    (additive changes are tolerated). Each can be ``error``, ``warning`` or
    ``off``. Structure and semantic findings keep their own severity.
    """

    undocumented_value: Level = "error"
    undocumented_field: Level = "off"

    @classmethod
    def parse(cls, settings: Iterable[str]) -> Strictness:
        """Build from ``KIND=LEVEL`` strings, e.g. ``undocumented-field=error``."""
        levels: dict[str, Level] = {}
        drift_kinds = ("undocumented-value", "undocumented-field")
        for setting in settings:
            kind, sep, level = setting.partition("=")
            kind, level = kind.strip(), level.strip()
            if not sep or kind not in drift_kinds or level not in LEVELS:
                raise OptionError(
                    f"strictness {setting!r}: expected KIND=LEVEL with KIND one of "
                    f"{', '.join(drift_kinds)} and LEVEL one of {', '.join(LEVELS)}"
                )
            levels[kind.replace("-", "_")] = level
        return cls(**levels)

    def level(self, kind: Kind) -> Level | None:
        """The level this policy imposes on ``kind``; ``None`` leaves it alone."""
        if kind == "undocumented-value":
            return self.undocumented_value
        if kind == "undocumented-field":
            return self.undocumented_field
        return None

    def apply(self, violations: Iterable[Violation]) -> list[Violation]:
        """Re-grade drift findings, dropping the ones switched ``off``."""
        graded: list[Violation] = []
        for violation in violations:
            level = self.level(violation.kind)
            if level == "off":
                continue
            if level is not None and level != violation.severity:
                violation = replace(violation, severity=level)
            graded.append(violation)
        return graded


def is_failure(violations: Iterable[Violation]) -> bool:
    """True when at least one finding is an error (warnings do not fail)."""
    for violation in violations:  # noqa: SIM110 (a plain loop: most have one finding or none, too few for a generator)
        if violation.severity == "error":
            return True
    return False


def pointer(parts: Iterable[str | int]) -> str:
    """An RFC 6901 JSON pointer from path parts."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def pointer_order(at: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key for pointers in document order: ``/data/2`` before ``/data/10``."""
    return tuple((0, int(part)) if part.isascii() and part.isdigit() else (1, part) for part in at.split("/"))


def show(value: object) -> str:
    """A value as compact JSON, truncated for messages."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 1] + "…"
    return text
