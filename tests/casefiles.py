"""One loader for the data-driven cases: recorded examples and drift cases."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonpatch
import pytest

from contracts.registry import ROOT
from contracts.violations import Strictness, Violation

EXAMPLES = ROOT / "examples"
DRIFT = Path(__file__).parent / "cases" / "drift"
CASE_SCHEMA = Path(__file__).parent / "cases" / "case-file.schema.json"

Finding = tuple[str, str]


@dataclass(frozen=True)
class Case:
    """A body, the request it answered, and the verdict it must get."""

    id: str
    method: str
    path: str
    status: int
    body: Any
    valid: bool
    violations: frozenset[Finding]
    warnings: frozenset[Finding] | None = None
    strictness: Strictness = field(default_factory=Strictness)
    schema: str | None = None


def findings(items: Iterable[dict[str, str]]) -> frozenset[Finding]:
    return frozenset((item["rule"], item["pointer"]) for item in items)


def graded(found: Iterable[Violation], severity: str) -> frozenset[Finding]:
    return frozenset((v.rule, v.pointer) for v in found if v.severity == severity)


@cache
def example(name: str) -> dict[str, Any]:
    """The recorded example ``examples/<name>.json``."""
    record: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return record


def example_names() -> list[str]:
    return sorted(str(p.relative_to(EXAMPLES).with_suffix("")) for p in EXAMPLES.rglob("*.json"))


def example_cases() -> list[Case]:
    cases = []
    for name in example_names():
        record = example(name)
        cases.append(
            Case(
                id=name,
                method=record["request"]["method"],
                path=record["request"]["path"],
                status=record["response"]["status"],
                body=record["response"]["body"],
                valid=record["verdict"]["valid"],
                violations=findings(record["verdict"]["violations"]),
            )
        )
    return cases


def drift_files() -> list[Path]:
    return sorted(DRIFT.glob("*.json"))


def drift_cases(base_only: bool = False) -> list[Case]:
    """Every drift test (or, with ``base_only``, every group's unpatched base)."""
    cases = []
    for file in drift_files():
        for group in json.loads(file.read_text(encoding="utf-8")):
            record = example(group["example"])
            common: dict[str, Any] = dict(  # noqa: C408 - keyword arguments of Case
                method=record["request"]["method"],
                path=group.get("path", record["request"]["path"]),
                status=group.get("status", record["response"]["status"]),
                strictness=Strictness.parse(group.get("strictness", [])),
                schema=group["schema"],
            )
            body = record["response"]["body"]
            if base_only:
                cases.append(
                    Case(
                        id=f"{file.stem}::{group['description']}",
                        body=body,
                        valid=True,
                        violations=frozenset(),
                        **common,
                    )
                )  # type: ignore[arg-type]
                continue
            for test in group["tests"]:
                cases.append(
                    Case(
                        id=f"{file.stem}::{group['description']}::{test['description']}",
                        body=jsonpatch.apply_patch(body, test["patch"]),
                        valid=test["valid"],
                        violations=findings(test.get("violations", [])),
                        warnings=findings(test["warnings"]) if "warnings" in test else None,
                        **common,  # type: ignore[arg-type]
                    )
                )
    return cases


def params(cases: list[Case]) -> list[Any]:
    return [pytest.param(case, id=case.id) for case in cases]
