"""Items -> Results: the verdict on each captured payload, and the summary.

Every item read gets exactly one result, so the summary accounts for every
input: ``read = valid + invalid + unreadable + skipped``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

from contracts.captures import Item, NotJson, Payload, Skipped, Unreadable
from contracts.coverage import Coverage
from contracts.errors import UnknownRoute
from contracts.responses import content_type_findings
from contracts.validation import Validator, validator_for
from contracts.violations import Strictness, Violation, is_failure

Verdict = Literal["valid", "invalid", "unreadable", "skipped"]
VERDICTS: tuple[Verdict, ...] = ("valid", "invalid", "unreadable", "skipped")
JOB_PATH = "/pcm/jobs/{jobID}"
ERRORS_PATH = "/pcm/jobs/{jobID}/errors"


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


def guess(body: Any) -> tuple[str, int] | str:
    """``(path, status)`` from a bare body's shape, or why it cannot be told.

    ``{"data": {...}}`` is Get a Job's 200 for the job ``data.id``; ``data`` as
    an array of ``pim-job`` items is the job list, of ``pim-job-error`` items a
    job's errors; ``{"errors": [...]}`` is an error body with the status its
    items agree on. Anything else (an empty array included) is not guessed."""
    if isinstance(body, dict) and isinstance(body.get("data"), dict):
        job_id = body["data"].get("id")
        known = isinstance(job_id, str) and job_id
        # surrogatepass: JSON may hold a lone surrogate; routing decodes it back the same way
        return (f"/pcm/jobs/{quote(job_id, safe='', errors='surrogatepass')}" if known else JOB_PATH), 200
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        # the status as the docs have it ("404"), or drifted to a number: the schema reports that
        statuses = {str(item.get("status")) for item in body["errors"] if isinstance(item, dict)}
        status = statuses.pop() if len(statuses) == 1 else ""
        if status.isdigit() and len(status) == 3:
            return JOB_PATH, int(status)
        return "an error body whose items do not agree on one status: pass --status"
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        kinds = {item.get("type") if isinstance(item, dict) else None for item in body["data"]}
        if kinds == {"pim-job"}:
            return "/pcm/jobs", 200
        if kinds == {"pim-job-error"}:
            return ERRORS_PATH, 200
        return "a body whose data is an array of no single known type (a job list? a job's errors?): pass --path"
    return "cannot tell which response this body is (neither a job nor an error body): pass --path and --status"


@dataclass
class Checker:
    """Judges items. ``method``, ``path`` and ``status`` apply to bare bodies
    only; a capture's own request and status always win."""

    strictness: Strictness = field(default_factory=Strictness)
    method: str = "GET"
    path: str | None = None
    status: int | None = None
    coverage: Coverage | None = None
    """When given, every judged payload is observed for the coverage report."""

    @property
    def validator(self) -> Validator:
        return validator_for(self.strictness)

    def check(self, item: Item) -> Result:
        if isinstance(item, Unreadable):
            return Result(item.source, "unreadable", reason=item.reason)
        if isinstance(item, Skipped):
            return Result(item.source, "skipped", reason=item.reason)
        route = self._route(item)
        if isinstance(route, str):
            return Result(item.source, "unreadable", reason=route)
        method, path, status = route
        found = content_type_findings(item.headers) if item.headers is not None else []
        if self.coverage is not None:
            self.coverage.observe(method, path, status, None if isinstance(item.body, NotJson) else item.body)
        if isinstance(item.body, NotJson):
            found.append(
                Violation("body_is_json", "", f"the body is not JSON: {item.body.reason}", "error", "structure")
            )
        else:
            try:
                found += self.validator.validate(item.body, method=method, path=path, status=status)
            except UnknownRoute as error:
                return Result(item.source, "skipped", reason=f"not an operation of this contract: {error}")
        return Result(item.source, "invalid" if is_failure(found) else "valid", tuple(found))

    def _route(self, item: Payload) -> tuple[str, str, int] | str:
        if item.status is not None:
            return item.method or "GET", item.path or JOB_PATH, item.status
        path, status = self.path, self.status
        if path is None or status is None:
            guessed = guess(item.body)
            if isinstance(guessed, str):
                return guessed
            path, status = path or guessed[0], status or guessed[1]
        return item.method or self.method, path, status

    def check_all(self, items: Iterable[Item]) -> Iterator[Result]:
        for item in items:
            yield self.check(item)


@dataclass
class Summary:
    """Counts by verdict, the most frequent rules, the first failing sources."""

    counts: Counter[str] = field(default_factory=Counter)
    coverage: Coverage | None = None
    rules: Counter[str] = field(default_factory=Counter)
    failing: list[str] = field(default_factory=list)
    keep_failing: int = 5

    def add(self, result: Result) -> None:
        self.counts[result.verdict] += 1
        if result.violations:
            self.rules.update(v.rule for v in result.violations if v.severity == "error")
        if result.verdict in ("invalid", "unreadable") and len(self.failing) < self.keep_failing:
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
