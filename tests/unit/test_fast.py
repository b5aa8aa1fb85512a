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
