"""Findings: the stages run in order, for :func:`spec_diff`.

A :class:`Difference` is one change of meaning (a
:class:`~contracts.specdiff.compare.Group` of places) with its
classification, the decision's reason, whether it was accepted, and the
recorded cases it changes; a :class:`SpecDiff` holds them all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from contracts.errors import SpecError
from contracts.specdiff import documents
from contracts.specdiff.cases import VerdictChange, attribute, recorded_cases, verdict_changes
from contracts.specdiff.classify import (
    DECISIONS_PATH,
    Decision,
    accept_key,
    decision_for,
    is_accepted,
    read_decisions,
)
from contracts.specdiff.compare import Group, Place, changes, grouped

Classification = Literal["breaking", "not-breaking", "decided"]
CLASSIFICATIONS: tuple[Classification, ...] = ("breaking", "not-breaking", "decided")


@dataclass(frozen=True)
class Difference:
    """One finding: a change of meaning, every place it appears, and what it means for a consumer."""

    group: Group
    classification: Classification
    reason: str | None = None
    """Why it was decided (``decided`` only)."""
    accepted: bool = False
    cases: tuple[VerdictChange, ...] = ()

    @property
    def id(self) -> str:
        return self.group.id

    @property
    def places(self) -> tuple[Place, ...]:
        return self.group.places

    @property
    def fails(self) -> bool:
        return self.classification == "breaking" and not self.accepted

    def as_dict(self) -> dict[str, Any]:
        first = self.places[0]
        return {
            "id": self.id,
            "operation": first.operation,
            "status": first.status,
            "pointer": first.pointer,
            "ours": self.group.ours,
            "theirs": self.group.theirs,
            "classification": self.classification,
            "message": self.group.message,
            "places": [p.as_dict() for p in self.places],
            "reason": self.reason,
            "accepted": self.accepted,
            "cases": [c.as_dict() for c in self.cases],
        }

    def key(self) -> dict[str, Any]:
        return accept_key(self.group)


@dataclass(frozen=True)
class SpecDiff:
    source: str
    version: str
    differences: tuple[Difference, ...]
    cases_read: int
    drift_corpus: bool
    """Whether the drift corpus was read (a clone) or only the recorded examples (a package)."""
    unattributed: tuple[VerdictChange, ...] = field(default=())
    """Cases judged otherwise that no finding explains."""

    @property
    def failed(self) -> bool:
        return any(d.fails for d in self.differences)

    @property
    def summary(self) -> dict[str, int]:
        counts = Counter(d.classification for d in self.differences)
        return {
            **{c: counts[c] for c in CLASSIFICATIONS},
            "accepted": sum(d.accepted for d in self.differences),
            "total": len(self.differences),
        }


def spec_diff(
    spec: str | Path | Mapping[str, Any],
    *,
    decisions: Iterable[Decision] | Path | None = None,
    accepted: frozenset[str] = frozenset(),
    cases: bool = True,
) -> SpecDiff:
    """Compare a published OpenAPI document (a path, ``-`` for standard input, or a parsed
    mapping) with our contract. ``decisions`` defaults to ``schemas/decisions.yaml``;
    ``accepted`` holds keys read by :func:`contracts.specdiff.classify.read_accepted`;
    ``cases=False`` skips judging the recorded cases. Raises
    :class:`~contracts.errors.SpecError` for a document that cannot be read."""
    theirs = documents.theirs(spec)
    try:
        groups = grouped(changes(documents.ours(), theirs))
    except (TypeError, ValueError, AttributeError) as error:  # a member of the wrong kind deep inside theirs
        raise SpecError(f"{theirs.source}: malformed OpenAPI document ({error})") from None
    if decisions is None or isinstance(decisions, Path):
        decisions = read_decisions(decisions or DECISIONS_PATH)
    decided = tuple(decisions)
    read, drift = recorded_cases() if cases else ([], False)
    attributed, unattributed = attribute(groups, verdict_changes(theirs, read))
    found = []
    for index, group in enumerate(groups):
        decision = decision_for(group, decided)
        direction: Classification = "breaking" if group.breaking else "not-breaking"
        found.append(
            Difference(
                group=group,
                classification="decided" if decision else direction,
                reason=decision.reason if decision else None,
                accepted=is_accepted(group, accepted),
                cases=tuple(attributed.get(index, ())),
            )
        )
    return SpecDiff(theirs.source, theirs.version, tuple(found), len(read), drift, tuple(unattributed))
