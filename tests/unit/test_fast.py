"""jsonschema-rs (the fast path and the detailed findings) and jsonschema (the reference) agree."""

from __future__ import annotations

import pytest
from jsonschema import FormatChecker

from contracts.fast import date_time
from contracts.routing import resolve
from contracts.rules import RULES
from contracts.validation import Validator
from contracts.violations import Strictness
from tests.casefiles import Case, drift_cases, example_cases, params
from tests.unit.test_judge import attribute_sets, shapes

STRICTNESSES = [Strictness(), Strictness(undocumented_field="error"), Strictness(undocumented_value="off")]


@pytest.mark.parametrize("case", params(example_cases() + drift_cases()))
def test_fast_and_detailed_validators_agree(case: Case) -> None:
    for strictness in {case.strictness, *STRICTNESSES}:
        fast, rust, reference = (
            Validator(strictness),
            Validator(strictness, fast=False),
            Validator(strictness, fast=False, reference=True),
        )
        route_args = {"method": case.method, "path": case.path, "status": case.status}
        expected = reference.validate(case.body, **route_args)
        assert rust.validate(case.body, **route_args) == expected
        assert fast.validate(case.body, **route_args) == expected
        schema_id = f"{case.schema or ('job-response.json' if case.status == 200 else 'error-response.json')}"
        assert fast.engine.is_valid(case.body, schema_id) == (reference.schema_findings(case.body, schema_id) == [])


@pytest.mark.parametrize(
    "value",
    [
        "2024-01-05T23:59:60Z",
        "2024-12-31T23:59:60Z",
        "0000-01-01T00:00:00Z",
        "2024-02-29T10:00:00Z",
        "2023-02-29T10:00:00Z",
        "2024-01-05t13:46:42.07z",
        "2024-01-05T13:46:42.123456789+14:00",
        "2024-01-05T13:46:42-00:00",
        "2024-01-05 13:46:42Z",
    ],
)
def test_fast_and_detailed_validators_agree_on_date_time_edges(value: str) -> None:
    body = {"data": {"id": "x", "type": "pim-job", "meta": {"x_request_id": "r"},
                     "attributes": {"created_at": "2020-01-01T00:00:00Z", "updated_at": value,
                                    "type": "product-import", "status": "pending"}}}  # fmt: skip
    fast, reference = Validator(), Validator(fast=False, reference=True)
    assert fast.engine.is_valid(body, "job-response.json") == (
        reference.schema_violations(body, "job-response.json") == []
    )


# ---- the detailed path's own date-time check is jsonschema's ----

CALENDAR_YEARS = [0, 1, 4, 100, 400, 1582, 1900, 2000, 2023, 2024, 2100, 2400, 9996, 9999]
TIMES = ["T00:00:00Z", "t23:59:59.123456z", "T12:00:00+23:59", "T12:00:00-00:00", "T23:59:60Z", "T24:00:00Z",
         "T12:00:00Z\n", "T12:00:00Z\n\n", "T12:00:00Z\r", "T12:00:00", "T12:00:00+24:00", "T12:00:00.Z",
         " 12:00:00Z", "ẗ12:00:00Z", "T12:00:00ẕ", "T１2:00:00Z"]  # fmt: skip


def calendar_edges() -> list[str]:
    """Every day 00-32 of every month 00-13 of the calendar's edge years, the
    end of February of every year 0000-9999, each with one of :data:`TIMES`."""
    days = [f"{y:04d}-{m:02d}-{d:02d}" for y in CALENDAR_YEARS for m in range(14) for d in range(33)]
    days += [f"{y:04d}-02-{d}" for y in range(10000) for d in (28, 29, 30)]
    return [day + TIMES[index % len(TIMES)] for index, day in enumerate(days)] + [days[5] + t for t in TIMES]


def test_the_date_time_pattern_is_jsonschemas_check_on_every_calendar_edge() -> None:
    checker = FormatChecker()
    differ = [value for value in calendar_edges() if date_time(value) != checker.conforms(value, "date-time")]
    assert differ == []


# ---- the shortcuts of the detailed path ----


def test_the_facts_of_a_schema_hold_where_its_rules_stated_as_data_find_nothing() -> None:
    engine = Validator().engine
    for route in (resolve("GET", "/pcm/jobs/{jobID}", 200), resolve("GET", "/pcm/jobs", 200)):
        assert route.schema_id is not None
        facts = [rule for rule in RULES if rule.fact is not None and route.schema_id in rule.schemas]
        for attributes in attribute_sets():
            for body in shapes(attributes):
                found = any(True for rule in facts for _ in rule.check(body, route))
                assert engine.facts_hold(body, route.schema_id) == (not found), body
    assert engine.facts_hold({"errors": "x"}, "error-response.json")  # no such rules: nothing to find


def test_findings_remembered_from_an_earlier_body_are_the_findings_afresh() -> None:
    cases = example_cases() + drift_cases()
    for strictness in STRICTNESSES:
        remembering, reference = Validator(strictness), Validator(strictness, fast=False, reference=True)
        for _ in range(2):  # the second time, every error seen before is remembered
            for case in cases:
                route_args = {"method": case.method, "path": case.path, "status": case.status}
                assert remembering.validate(case.body, **route_args) == reference.validate(case.body, **route_args)
