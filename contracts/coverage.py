"""Contract coverage: how much of the documented contract a run really saw.

Every answer a run judges is observed: its operation and status, and for job
bodies the job types, statuses and ``meta`` variants, for error bodies the
error statuses. The documented sets come from the contract itself (the
routing table and the enums and conditionals of ``schemas/job.json``), so the
report can say what was observed and what was not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from contracts import routing
from contracts.errors import UnknownRoute
from contracts.registry import documented_values, load, walk

OTHER_META = "other job types"


@cache
def documented() -> dict[str, tuple[str, ...]]:
    """The documented values of every dimension the report covers."""
    job = load().get("job.json")
    variants = tuple(
        node["const"]
        for node, parts in walk(job)
        if "if" in parts and parts[-1] == "type" and isinstance(node.get("const"), str)
    )
    operations = routing.operations()
    return {
        "operations": tuple(f"{op.method} {op.template}" for op in operations),
        "job types": documented_values("jobType"),
        "job statuses": documented_values("jobStatus"),
        "meta variants": (*variants, OTHER_META),
        "error statuses": tuple(sorted({str(s) for op in operations for s in op.documented_statuses if s >= 400})),
    }


@dataclass
class Coverage:
    """What was observed, by dimension (``statuses`` per operation)."""

    seen: dict[str, set[str]] = field(default_factory=lambda: {name: set() for name in documented()})
    statuses: dict[str, set[int]] = field(default_factory=dict)
    _last: routing.Route | None = field(default=None, repr=False, compare=False)
    """The route observed last, whose operation and status are noted already."""

    def __getstate__(self) -> dict[str, Any]:
        """What a worker process sends back: what it saw, not the route it saw last."""
        return {**self.__dict__, "_last": None}

    def observe(self, method: str, path: str, status: int, body: Any) -> None:
        """Observe an answer to ``method path`` (a request of no documented operation is ignored)."""
        try:
            route = routing.resolve(method, path, status)
        except UnknownRoute:
            return
        self.observe_route(route, body)

    def observe_route(self, route: routing.Route, body: Any) -> None:
        if route is not self._last:  # a run judges one route after another: its own part is noted once
            label, status = route.operation.label, route.status
            observed = self.statuses.get(label)
            if observed is None:
                self.seen["operations"].add(label)
                observed = self.statuses[label] = set()
            observed.add(status)
            if status >= 400:
                self.seen["error statuses"].add(str(status))
            self._last = route
        if route.status >= 400:
            return
        data = body.get("data") if isinstance(body, dict) else None
        for job in data if isinstance(data, list) else (data,):  # a job, or a list of jobs
            attributes = job.get("attributes") if isinstance(job, dict) else None
            if isinstance(attributes, dict):
                kind, state = attributes.get("type"), attributes.get("status")
                if isinstance(kind, str):
                    self.seen["job types"].add(kind)
                if isinstance(state, str):
                    self.seen["job statuses"].add(state)

    def observe_jobs(self, route: routing.Route, kinds: Iterable[str], states: Iterable[str]) -> None:
        """Observe answers on ``route`` whose jobs' types and statuses are
        ``kinds`` and ``states`` (many at once: :meth:`observe_route` of each)."""
        self.observe_route(route, None)
        self.seen["job types"].update(kinds)
        self.seen["job statuses"].update(states)

    def merge(self, other: Coverage) -> None:
        """Add what ``other`` observed (e.g. a worker process's share)."""
        for name, values in other.seen.items():
            self.seen.setdefault(name, set()).update(values)
        for label, statuses in other.statuses.items():
            self.statuses.setdefault(label, set()).update(statuses)

    def report(self) -> dict[str, Any]:
        """``{dimension: {"observed": [...], "missing": [...]}}``, plus statuses per operation.

        A job's ``meta`` variant is its type's, or :data:`OTHER_META` for a
        type without a variant of its own."""
        variants = documented()["meta variants"]
        self.seen["meta variants"] = {kind if kind in variants else OTHER_META for kind in self.seen["job types"]}
        found: dict[str, Any] = {}
        for name, values in documented().items():
            found[name] = {
                "observed": [v for v in values if v in self.seen[name]],
                "missing": [v for v in values if v not in self.seen[name]],
                "undocumented": sorted(self.seen[name] - set(values)),
            }
        found["statuses by operation"] = {
            f"{op.method} {op.template}": {
                "observed": sorted(self.statuses.get(f"{op.method} {op.template}", ())),
                "missing": [
                    s for s in op.documented_statuses if s not in self.statuses.get(f"{op.method} {op.template}", ())
                ],
            }
            for op in routing.operations()
        }
        return found

    def lines(self) -> list[str]:
        """The report as text, one line a dimension."""
        lines = []
        for name, part in self.report().items():
            if name == "statuses by operation":
                for label, statuses in part.items():
                    lines.append(f"  {label}: statuses {_seen(statuses)}")
                continue
            total = len(part["observed"]) + len(part["missing"])
            extra = f"; undocumented seen: {', '.join(part['undocumented'])}" if part["undocumented"] else ""
            lines.append(f"  {name}: {len(part['observed'])}/{total}{_missing(part['missing'])}{extra}")
        return lines


def _missing(values: list[Any]) -> str:
    return f" (not seen: {', '.join(map(str, values))})" if values else ""


def _seen(part: dict[str, list[int]]) -> str:
    observed = ", ".join(map(str, part["observed"])) or "none"
    return observed + _missing(part["missing"])
