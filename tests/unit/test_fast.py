"""The fast path (jsonschema-rs) and the detailed validator (jsonschema) agree."""

from __future__ import annotations

import pytest

from contracts.validation import Validator
from contracts.violations import Strictness
from tests.casefiles import Case, drift_cases, example_cases, params

STRICTNESSES = [Strictness(), Strictness(undocumented_field="error"), Strictness(undocumented_value="off")]


@pytest.mark.parametrize("case", params(example_cases() + drift_cases()))
def test_fast_and_detailed_validators_agree(case: Case) -> None:
    for strictness in {case.strictness, *STRICTNESSES}:
        fast, slow = Validator(strictness), Validator(strictness, fast=False)
        route_args = {"method": case.method, "path": case.path, "status": case.status}
        assert fast.validate(case.body, **route_args) == slow.validate(case.body, **route_args)
        schema = fast.fast
        assert schema is not None
        schema_id = f"{case.schema or ('job-response.json' if case.status == 200 else 'error-response.json')}"
        detailed = slow.compiled(schema_id)
        assert schema.is_valid(case.body, schema_id) == detailed.is_valid(case.body)


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
    fast, slow = Validator(), Validator(fast=False)
    assert fast.fast is not None
    assert fast.fast.is_valid(body, "job-response.json") == slow.compiled("job-response.json").is_valid(body)
