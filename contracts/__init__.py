"""Contract checks for the Elastic Path PCM Jobs API.

The public API::

    import contracts
    contracts.validate(body, path="/pcm/jobs/1ea62172-...", status=200)  # -> [Violation, ...]
    contracts.spec_diff("published-openapi.yaml")  # -> SpecDiff: differences, summary
"""

from __future__ import annotations

from contracts.errors import ContractError, OptionError, SpecError, UnknownRoute, UnknownSchema
from contracts.specdiff import Difference, SpecDiff, spec_diff
from contracts.validation import Validator, validate
from contracts.violations import Kind, Severity, Strictness, Violation, is_failure

__all__ = [
    "ContractError",
    "Difference",
    "Kind",
    "OptionError",
    "Severity",
    "SpecDiff",
    "SpecError",
    "Strictness",
    "UnknownRoute",
    "UnknownSchema",
    "Validator",
    "Violation",
    "is_failure",
    "spec_diff",
    "validate",
]
__version__ = "0.1.0"
