"""Contract checks for the Elastic Path PCM Jobs API.

The public API::

    import contracts
    contracts.validate(body, path="/pcm/jobs/1ea62172-...", status=200)  # -> [Violation, ...]
    contracts.assert_keeps_contract(response)  # an httpx or requests response; AssertionError if not
    contracts.spec_diff("published-openapi.yaml")  # -> SpecDiff: differences, summary
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
]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from contracts.specdiff.findings import SpecDiff


def spec_diff(spec: str | Path | Mapping[str, Any], **options: Any) -> SpecDiff:
    """How a published OpenAPI document differs from the contract: see
    :func:`contracts.specdiff.findings.spec_diff` (imported when called, so that
    ``import contracts`` does not pay for it)."""
    from contracts.specdiff.findings import spec_diff as compare

    return compare(spec, **options)
