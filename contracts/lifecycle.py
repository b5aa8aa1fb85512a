"""The lifecycle contract: how one job may change between two snapshots.

The documented lifecycle is ``pending -> started -> success | failed``, and a
pending job can be cancelled: ``pending -> cancelling -> cancelled`` (the
later spec's ``cancelling`` may be skipped). So, between two reads of the same
job:

* the status moves forward along those arrows, or stays (never backwards);
* a terminal status (success, failed, cancelled) stays as it is;
* ``created_at`` never changes; ``updated_at``, ``started_at`` and
  ``completed_at`` never move backwards, and once set are never unset.

Each snapshot is also checked on its own by the schemas and rules (a started
job has no completed_at, ...), so a watch reports both kinds of finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contracts.rules import moment

NEXT: Mapping[str, frozenset[str]] = {
    "pending": frozenset({"started", "cancelling", "cancelled"}),
    "started": frozenset({"success", "failed"}),
    "cancelling": frozenset({"cancelled"}),
    "success": frozenset(),
    "failed": frozenset(),
    "cancelled": frozenset(),
}
TERMINAL = frozenset(status for status, after in NEXT.items() if not after)
MOVING = ("updated_at", "started_at", "completed_at")


def reachable(start: str) -> frozenset[str]:
    """Every status ``start`` can become, itself included."""
    seen, todo = {start}, [start]
    while todo:
        for after in NEXT.get(todo.pop(), ()):
            if after not in seen:
                seen.add(after)
                todo.append(after)
    return frozenset(seen)


@dataclass
class Watch:
    """Snapshots of one job, in order, and what was wrong between them."""

    job_id: str
    statuses: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _last: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def status(self) -> str | None:
        return self.statuses[-1] if self.statuses else None

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL

    def observe(self, body: Any) -> list[str]:
        """Add a snapshot (a Get a Job 200 body); returns the new problems."""
        data = body.get("data") if isinstance(body, dict) else None
        attrs = data.get("attributes") if isinstance(data, dict) else None
        if not isinstance(attrs, dict) or not isinstance(attrs.get("status"), str):
            return []  # the snapshot's own findings say what is wrong with it
        found = self._compare(self._last, attrs) if self._last is not None else []
        if not self.statuses or self.statuses[-1] != attrs["status"]:
            self.statuses.append(attrs["status"])
        self._last = attrs
        self.problems += found
        return found

    @staticmethod
    def _compare(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
        found = []
        was, now = before.get("status"), after.get("status")
        if was in NEXT and now in NEXT and now not in reachable(str(was)):
            kind = "left the terminal status" if was in TERMINAL else "went backwards"
            found.append(f"status {kind}: {was} -> {now}")
        if before.get("created_at") != after.get("created_at"):
            found.append(f"created_at changed: {before.get('created_at')} -> {after.get('created_at')}")
        for name in MOVING:
            old, new = before.get(name), after.get(name)
            if old is not None and new is None:
                found.append(f"{name} was unset: {old} -> null")
            first, second = moment(old), moment(new)
            if first is not None and second is not None and second < first:
                found.append(f"{name} moved backwards: {old} -> {new}")
        return found
