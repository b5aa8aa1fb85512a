"""jsonschema-rs (the fast path and the detailed findings) and jsonschema (the reference) agree."""

from __future__ import annotations

import pytest

from contracts.validation import Validator
from contracts.violations import Strictness
from tests.casefiles import Case, drift_cases, example_cases, params

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
