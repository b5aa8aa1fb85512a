"""Property-based checks with schemathesis over the contract document.

GET operations only (cancel is exercised by its own checks); against the
built-in mock, schemathesis' coverage phase also sends other methods to them
and expects 405. Bounded by --max-examples; every response judged by this
suite's schemas and semantic rules.
"""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import response_schema_conformance, status_code_conformance

from contracts.live import schemathesis_check
from contracts.target import Target

# GET only, whatever the target: the fixture's own filters are replaced by these
# when schemathesis clones the schema, so the filter must be stated here.
schema = schemathesis.pytest.from_fixture("contract_schema").include(method="GET")


@schema.parametrize()
@pytest.mark.live
def test_property_based(
    case: schemathesis.Case,  # type: ignore[type-arg]
    contract_target: Target,
) -> None:
    case.call_and_validate(
        headers=contract_target.auth_headers(),
        excluded_checks=[response_schema_conformance, status_code_conformance],
        additional_checks=[
            schemathesis_check(contract_target.settings.strictness, contract_target.coverage, contract_target.sent)
        ],
    )


@pytest.mark.live
def test_stateful_chain_follows_the_links(contract_schema: Any, contract_target: Target) -> None:
    """The contract's links chained: the list -> a listed job -> its errors.
    GET only, whatever the target (``schemathesis.toml`` disables cancel: even
    with --allow-writes the suite cancels nothing but the --cancel-job ids,
    which the cancel check handles). Bounded like the property run."""
    machine = contract_schema.include(method="GET").as_state_machine()
    check = schemathesis_check(contract_target.settings.strictness, contract_target.coverage, contract_target.sent)

    class Chain(machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": contract_target.auth_headers()}  # per call: a token renewed mid-chain is used

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            kwargs.pop("additional_checks", None)
            case.validate_response(
                response,
                excluded_checks=[response_schema_conformance, status_code_conformance],
                additional_checks=[check],
                transport_kwargs=kwargs,
            )

    Chain.run(
        settings=hypothesis.settings(
            max_examples=contract_target.settings.max_examples,
            stateful_step_count=4,
            deadline=None,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )
