"""Property-based checks with schemathesis over the contract document.

GET only against any target but the built-in mock (whose 405 answers to other
methods schemathesis' coverage phase checks too); bounded by --max-examples;
every response judged by this suite's schemas and semantic rules.
"""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis.checks import response_schema_conformance, status_code_conformance

from contracts.live import schemathesis_check
from contracts.pytest_plugin import Target

schema = schemathesis.pytest.from_fixture("contract_schema")


@schema.parametrize()
@pytest.mark.live
def test_property_based(case: schemathesis.Case, contract_target: Target) -> None:
    case.call_and_validate(
        headers=contract_target.auth_headers(),
        excluded_checks=[response_schema_conformance, status_code_conformance],
        additional_checks=[schemathesis_check(contract_target.settings.strictness)],
    )
