"""Results and their summary: what the judge says of each item.

Every item read gets exactly one result, so the summary accounts for every
input: ``read = valid + invalid + unreadable + skipped``. Valid lines of JSON
Lines without any finding come as :class:`Passed` batches, each standing for
one valid result a line, so a large log costs little more than parsing it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from contracts.violations import Violation

Verdict = Literal["valid", "invalid", "unreadable", "skipped"]
VERDICTS: tuple[Verdict, ...] = ("valid", "invalid", "unreadable", "skipped")
FIRST_FAILING = 5
"""How many failing sources the summary names."""


@dataclass(frozen=True, slots=True)
class Result:
    """The verdict on one input item; ``reason`` says why it is unreadable or skipped."""

    source: str
    verdict: Verdict
    violations: tuple[Violation, ...] = ()
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "source": self.source,
            "verdict": self.verdict,
            "valid": self.verdict == "valid",
            "violations": [v.as_dict() for v in self.violations],
        }
        if self.reason is not None:
            found["reason"] = self.reason
        return found


@dataclass(frozen=True, slots=True)
class Passed:
    """Lines of the JSON Lines source ``name`` whose payloads are valid without
    any finding: one valid result each, with the source ``name:N`` for each
    ``N`` of ``numbers`` plus ``offset``."""

    name: str
    numbers: list[int]
    offset: int = 0

    def results(self) -> Iterator[Result]:
        name, offset = self.name, self.offset
        return (Result(f"{name}:{number + offset}", "valid") for number in self.numbers)


Judged = Result | Passed
"""What judging yields: one result, or a batch of valid ones."""


@dataclass
class Summary:
    """Counts by verdict, the most frequent rules, the first failing sources."""

    counts: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    failing: list[str] = field(default_factory=list)

    def add(self, result: Judged) -> None:
        if isinstance(result, Passed):
            self.counts["valid"] += len(result.numbers)
            return
        self.counts[result.verdict] += 1
        if result.violations:
            self.rules.update(v.rule for v in result.violations if v.severity == "error")
        if result.verdict in ("invalid", "unreadable") and len(self.failing) < FIRST_FAILING:
            self.failing.append(result.source)

    @property
    def read(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            **{verdict: self.counts[verdict] for verdict in VERDICTS},
            "rules": dict(self.rules.most_common()),
            "first_failing": list(self.failing),
        }
