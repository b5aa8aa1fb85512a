"""Decided and accepted differences.

**Decided**: ``schemas/decisions.yaml`` (in a package: ``contracts/schemas/``)
lists the differences the project chose on purpose, each with its reason. A
finding one of them matches is classified ``decided`` and never fails the
command. An entry::

    - id: enum-value-removed                 # the finding id
      pointer: /data/attributes/type         # a body pointer, or a list; any place of the finding
      values: [pricebook-import]             # optional: our value or theirs is one of them
      operation: GET /pcm/jobs/{jobID}       # optional: a label, or a list
      status: "200"                          # optional
      reason: Both generations of job types are documented.

**Accepted**: an accepted-differences file (``--write-accepted`` writes one,
``--accept`` reads it) holds the keys of findings a team has seen and
accepted: ``{id, operations, pointer, ours, theirs}``. An accepted finding is
reported as such and does not fail the command, so CI fails only on new drift.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from contracts.errors import OptionError
from contracts.registry import SCHEMA_DIR
from contracts.specdiff.canonical import key
from contracts.specdiff.compare import Group

DECISIONS_PATH = SCHEMA_DIR / "decisions.yaml"


def _strings(value: Any) -> frozenset[str]:
    if value is None:
        return frozenset()
    return frozenset([str(value)] if isinstance(value, str | int) else (str(v) for v in value))


@dataclass(frozen=True)
class Decision:
    id: str
    reason: str
    pointers: frozenset[str] = frozenset()
    operations: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    values: frozenset[str] | None = None
    """Canonical JSON of the values; ``None``: any."""

    def matches(self, group: Group) -> bool:
        if group.id != self.id:
            return False
        if self.values is not None and not {key(group.ours), key(group.theirs)} & self.values:
            return False
        return any(
            (not self.pointers or place.pointer in self.pointers)
            and (not self.operations or place.operation in self.operations)
            and (not self.statuses or place.status in self.statuses)
            for place in group.places
        )


def _read(path: Path, what: str) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))  # YAML is a superset of JSON
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise OptionError(f"{path}: cannot read the {what} file ({type(error).__name__})") from None


def read_decisions(path: Path = DECISIONS_PATH) -> tuple[Decision, ...]:
    loaded = _read(path, "decisions")
    entries = loaded.get("decisions") if isinstance(loaded, Mapping) else None
    if not isinstance(entries, list):
        raise OptionError(f"{path}: a decisions file is a mapping with a 'decisions' list")
    decisions = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, Mapping) or not {"id", "reason"} <= set(entry):
            raise OptionError(f"{path}: decision {number} needs an 'id' and a 'reason'")
        decisions.append(
            Decision(
                id=str(entry["id"]),
                reason=" ".join(str(entry["reason"]).split()),
                pointers=_strings(entry.get("pointer")),
                operations=_strings(entry.get("operation")),
                statuses=_strings(entry.get("status")),
                values=frozenset(key(v) for v in entry["values"]) if isinstance(entry.get("values"), list) else None,
            )
        )
    return tuple(decisions)


def decision_for(group: Group, decisions: Iterable[Decision]) -> Decision | None:
    return next((d for d in decisions if d.matches(group)), None)


def accept_key(group: Group) -> dict[str, Any]:
    """What identifies a finding across runs (and spec revisions)."""
    return {
        "id": group.id,
        "operations": sorted({p.operation for p in group.places}),
        "pointer": group.places[0].pointer,
        "ours": group.ours,
        "theirs": group.theirs,
    }


def _fingerprint(entry: Mapping[str, Any]) -> str:
    return key({k: entry.get(k) for k in ("id", "operations", "pointer", "ours", "theirs")})


def read_accepted(path: Path) -> frozenset[str]:
    loaded = _read(path, "accepted-differences")
    entries = loaded.get("accepted") if isinstance(loaded, Mapping) else None
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) and "id" in e for e in entries):
        raise OptionError(f"{path}: an accepted-differences file is a mapping with an 'accepted' list of findings")
    return frozenset(_fingerprint(e) for e in entries)


def is_accepted(group: Group, accepted: frozenset[str]) -> bool:
    return _fingerprint(accept_key(group)) in accepted


def write_accepted(path: Path, groups: Sequence[Group]) -> None:
    document = {"accepted": [accept_key(g) for g in groups]}
    path.write_text(
        "# Differences from the published spec accepted on purpose: pcm-contracts spec-diff --accept FILE\n"
        + yaml.safe_dump(document, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
