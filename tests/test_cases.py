"""The recorded examples and the drift corpus, checked offline."""

from __future__ import annotations

import pytest

import contracts
from contracts import routing
from contracts.registry import resolve_id
from tests.casefiles import Case, drift_cases, example_cases, graded, params


def check(case: Case) -> None:
    found = contracts.validate(
        case.body, method=case.method, path=case.path, status=case.status, strictness=case.strictness
    )
    assert len({(v.rule, v.pointer) for v in found}) == len(found), "a finding is reported twice"
    assert graded(found, "error") == case.violations, "\n".join(map(str, found))
    if case.warnings is not None:
        assert graded(found, "warning") == case.warnings, "\n".join(map(str, found))


@pytest.mark.parametrize("case", params(example_cases()))
def test_recorded_example_gets_its_documented_verdict(case: Case) -> None:
    check(case)


@pytest.mark.parametrize("case", params(drift_cases(base_only=True)))
def test_drift_base_is_valid_and_routed_to_its_schema(case: Case) -> None:
    route = routing.resolve(case.method, case.path, case.status)
    assert route.schema_id == resolve_id(str(case.schema))
    check(case)


@pytest.mark.parametrize("case", params(drift_cases()))
def test_drift_case(case: Case) -> None:
    check(case)
