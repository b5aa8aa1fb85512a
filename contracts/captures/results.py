"""Results and their summary: what the judge says of each item.

Every item read gets exactly one result, so the summary accounts for every
input: ``read = valid + invalid + unreadable + skipped``. Valid lines of JSON
Lines and valid HAR entries without any finding come as :class:`Passed`
batches, each standing for one valid result an item (a run of consecutive
ones as a ``range``), so a large log or HAR costs little more than parsing
it, and its results stay small whatever its number of items.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
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

    def __reduce__(self) -> tuple[type[Result], tuple[str, Verdict, tuple[Violation, ...], str | None]]:
        # a worker's results cross to the driver pickled: built again by one call, not set field by field
        return Result, (self.source, self.verdict, self.violations, self.reason)

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
    """Items of the source ``name`` whose payloads are valid without any
    finding: one valid result each, with the source ``name:N`` (lines of JSON
    Lines) or ``name#N`` (HAR entries, ``mark`` ``#``) for each ``N`` of
    ``numbers`` plus ``offset``."""

    name: str
    numbers: Sequence[int]
    offset: int = 0
    mark: str = ":"

    def __reduce__(self) -> tuple[type[Passed], tuple[str, Sequence[int], int, str]]:
        return Passed, (self.name, self.numbers, self.offset, self.mark)

    def results(self) -> Iterator[Result]:
        name, offset, mark = self.name, self.offset, self.mark
        return (Result(f"{name}{mark}{number + offset}", "valid") for number in self.numbers)


def passed(name: str, numbers: list[int], mark: str = ":") -> Passed:
    """A batch of valid items (``numbers`` in increasing order); a run of consecutive ones kept as a ``range``."""
    if numbers and numbers[-1] - numbers[0] + 1 == len(numbers):
        return Passed(name, range(numbers[0], numbers[-1] + 1), mark=mark)
    return Passed(name, numbers, mark=mark)


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
        rules = self.rules
        for violation in result.violations:  # a few: Counter.update costs more than it saves
            if violation.severity == "error":
                rules[violation.rule] += 1
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
