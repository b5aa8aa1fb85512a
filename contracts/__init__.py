"""Contract checks for the Elastic Path PCM Jobs API.

The public API::

    import contracts
    contracts.validate(body, path="/pcm/jobs/1ea62172-...", status=200)  # -> [Violation, ...]
    contracts.assert_keeps_contract(response)  # an httpx or requests response; AssertionError if not
    contracts.spec_diff("published-openapi.yaml")  # -> SpecDiff: differences, summary
    contracts.validate_on_dask(["captures/"])  # -> Validated: results, summary, coverage (the dask extra)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contracts.assertions import assert_keeps_contract
from contracts.bundling import bundle
from contracts.errors import ContractError, OptionError, SpecError, UnknownRoute, UnknownSchema
from contracts.validation import Validator, validate
from contracts.violations import Kind, Severity, Strictness, Violation, is_failure

__all__ = [
    "ContractError",
    "Kind",
    "OptionError",
    "Severity",
    "SpecError",
    "Strictness",
    "UnknownRoute",
    "UnknownSchema",
    "Validator",
    "Violation",
    "assert_keeps_contract",
    "bundle",
    "is_failure",
    "spec_diff",
    "validate",
    "validate_on_dask",
]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from contracts.captures.engines import Validated
    from contracts.specdiff.findings import SpecDiff


def spec_diff(spec: str | Path | Mapping[str, Any], **options: Any) -> SpecDiff:
    """How a published OpenAPI document differs from the contract: see
    :func:`contracts.specdiff.findings.spec_diff` (imported when called, so that
    ``import contracts`` does not pay for it)."""
    from contracts.specdiff.findings import spec_diff as compare

    return compare(spec, **options)


def validate_on_dask(inputs: Any, **options: Any) -> Validated:
    """Captured payloads judged on a Dask cluster, as ``pcm-contracts validate
    --engine dask`` judges them: see :func:`contracts.captures.engines.validate_on_dask`
    (imported when called: ``import contracts`` imports no Dask)."""
    from contracts.captures.engines import validate_on_dask as judge

    return judge(inputs, **options)
