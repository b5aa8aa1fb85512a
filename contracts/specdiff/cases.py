"""What a difference would change: our recorded cases judged by the published spec.

The cases are the recorded examples (``examples/``, always: the package
carries them) and, in a clone, the drift corpus (``tests/cases/drift/``; an
installed package has no ``tests/``, and :func:`recorded_cases` says whether
it was read). Each case is judged by the published spec's response schema for
its operation and status (the 3.1 form :mod:`contracts.specdiff.documents`
builds, with jsonschema and its format checker) and compared with **our
schema verdict**: the recorded verdict, counting only findings of the
schemas (``schema.*``) other than closed-object ones, which a published spec
cannot be expected to share. A case whose two verdicts differ is a
:class:`VerdictChange`, with the pointers where they part.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from contracts import routing
from contracts.errors import UnknownRoute
from contracts.registry import EXAMPLES_DIR, ROOT
from contracts.specdiff.compare import JSON, Group, escape
from contracts.specdiff.documents import Document

DRIFT_DIR = ROOT / "tests" / "cases" / "drift"
OPEN_WORLD = frozenset({"schema.unevaluatedProperties", "schema.additionalProperties"})


@dataclass(frozen=True)
class Case:
    kind: str
    """``example`` or ``drift case``."""
    name: str
    operation: str
    status: str
    body: Any
    rejected: bool
    """Our schemas reject it (a recorded ``schema.*`` finding)."""
    pointers: tuple[str, ...]
    """Where our schemas reject it."""


@dataclass(frozen=True)
class VerdictChange:
    case: Case
    pointers: tuple[str, ...]
    """Where the verdicts part: our findings' pointers, or the published spec's errors'."""

    @property
    def theirs(self) -> str:
        return "rejected" if not self.case.rejected else "accepted"

    @property
    def description(self) -> str:
        short = self.case.name.rsplit("::", 1)[-1]
        return f"{self.case.kind} {short!r} is {self.theirs} by the published spec"

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": f"{self.case.kind} {self.case.name}",
            "operation": self.case.operation,
            "status": self.case.status,
            "ours": "accepted" if self.theirs == "rejected" else "rejected",
            "theirs": self.theirs,
        }


def _case(kind: str, name: str, request: Mapping[str, Any], status: int, body: Any, found: list[Any]) -> Case | None:
    try:
        route = routing.resolve(str(request["method"]), str(request["path"]), status)
    except UnknownRoute:
        return None
    pointers = tuple(
        str(f["pointer"]) for f in found if str(f["rule"]).startswith("schema.") and f["rule"] not in OPEN_WORLD
    )
    return Case(kind, name, route.operation.label, str(status), body, bool(pointers), pointers)


def recorded_cases() -> tuple[list[Case], bool]:
    """The recorded examples and, when this is a clone, the drift corpus (and whether it was read)."""
    cases: list[Case] = []
    records: dict[str, Any] = {}
    for path in sorted(EXAMPLES_DIR.rglob("*.json")):
        name = path.relative_to(EXAMPLES_DIR).with_suffix("").as_posix()
        record = records[name] = json.loads(path.read_text(encoding="utf-8"))
        response = record["response"]
        found = _case("example", name, record["request"], response["status"], response["body"],
                      record["verdict"]["violations"])  # fmt: skip
        if found:
            cases.append(found)
    try:
        import jsonpatch  # the test extra: present in a clone's development set-up
    except ImportError:
        return cases, False
    files = sorted(DRIFT_DIR.glob("*.json")) if DRIFT_DIR.is_dir() else []
    for file in files:
        for group in json.loads(file.read_text(encoding="utf-8")):
            record = records.get(group["example"])
            if record is None:
                continue
            request = {**record["request"], "path": group.get("path", record["request"]["path"])}
            status = group.get("status", record["response"]["status"])
            for test in group["tests"]:
                body = jsonpatch.apply_patch(record["response"]["body"], test["patch"])
                name = f"{file.stem}::{group['description']}::{test['description']}"
                recorded = [*test.get("violations", []), *test.get("warnings", [])]  # schema findings at any severity
                found = _case("drift case", name, request, status, body, recorded)
                if found:
                    cases.append(found)
    return cases, bool(files)


def _schema_for(theirs: Document, operation: str, status: str) -> Any:
    op = theirs.operations.get(operation)
    content = op.responses.get(status) if op else None
    if not content:
        return None
    media = next((m for m in content if JSON.match(m)), None)
    return content[media] if media else None


def _pointer(parts: Iterable[Any]) -> str:
    return "".join(f"/{escape(str(p))}" for p in parts)


def _error_pointers(errors: Iterable[Any]) -> Iterator[str]:
    for error in errors:
        at = _pointer(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, Mapping):
            yield from (f"{at}/{escape(name)}" for name in error.validator_value if name not in error.instance)
        else:
            yield at


def verdict_changes(theirs: Document, cases: Iterable[Case]) -> list[VerdictChange]:
    """The cases the published spec judges otherwise than our schemas."""
    from jsonschema import Draft202012Validator, FormatChecker
    from jsonschema.exceptions import SchemaError

    validators: dict[tuple[str, str], Any] = {}
    changed = []
    for case in cases:
        where = (case.operation, case.status)
        if where not in validators:
            schema = _schema_for(theirs, *where)
            try:
                Draft202012Validator.check_schema(schema if schema is not None else True)
            except SchemaError:
                schema = None  # a schema jsonschema cannot use judges nothing
            validators[where] = None if schema is None else Draft202012Validator(schema, format_checker=FormatChecker())
        validator = validators[where]
        if validator is None:
            continue
        errors = list(validator.iter_errors(case.body))
        if bool(errors) == case.rejected:
            continue
        pointers = case.pointers if case.rejected else tuple(dict.fromkeys(_error_pointers(errors)))
        changed.append(VerdictChange(case, pointers))
    return changed


def within(pointer: str, finding: str) -> bool:
    """``pointer`` (a concrete body pointer) is at or below ``finding`` (``*``: any array index)."""
    parts, prefix = pointer.split("/")[1:], finding.split("/")[1:] if finding else []
    if len(prefix) > len(parts):
        return False
    return all(p == q or (p == "*" and q.isdigit()) for p, q in zip(prefix, parts, strict=False))


MISSING = object()


def _value_at(body: Any, pointer: str) -> Any:
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(body, Mapping) and part in body:
            body = body[part]
        elif isinstance(body, list) and part.isdigit() and int(part) < len(body):
            body = body[int(part)]
        else:
            return MISSING
    return body


def _fits(group: Group, change: VerdictChange, value: Any) -> bool:
    """Whether the finding explains the change: a looser spec (a breaking finding) can only accept
    what we reject, a narrower one only reject what we accept (a changed type either), and the
    value where the verdicts part must be one the finding is about."""
    rule = group.id
    if rule != "type-changed" and group.breaking != change.case.rejected:
        return False
    if rule == "enum-value-added":
        return bool(value == group.theirs)
    if rule == "enum-value-removed":
        return bool(value == group.ours)
    if rule in ("became-nullable", "became-non-nullable"):
        return value is None
    if rule in ("property-became-optional", "property-became-required"):
        return value is MISSING
    if rule.startswith(("format-", "pattern-", "min-length-", "max-length-")):
        return isinstance(value, str)
    if rule.startswith(("min-items-", "max-items-")):
        return isinstance(value, list)
    return rule == "property-removed" or value is not MISSING


def attribute(
    groups: list[Group], changed: Iterable[VerdictChange]
) -> tuple[dict[int, list[VerdictChange]], list[VerdictChange]]:
    """Each verdict change to the finding(s) it shows: same operation and status, the value
    where the verdicts part one the finding is about, the deepest such finding pointer."""
    by_group: dict[int, list[VerdictChange]] = {}
    unattributed = []
    for change in changed:
        best: list[int] = []
        depth = -1
        for index, group in enumerate(groups):
            for place in group.places:
                if (place.operation, place.status) != (change.case.operation, change.case.status):
                    continue
                length = place.pointer.count("/")
                concrete = ["/".join(p.split("/")[: length + 1]) for p in change.pointers if within(p, place.pointer)]
                if not any(_fits(group, change, _value_at(change.case.body, at)) for at in concrete):
                    continue
                if length > depth:
                    best, depth = [index], length
                elif length == depth and index not in best:
                    best.append(index)
        for index in best:
            by_group.setdefault(index, []).append(change)
        if not best:
            unattributed.append(change)
    return by_group, unattributed
