"""Contract checks for the Elastic Path PCM Jobs API.

The public API::

    import contracts
    contracts.validate(body, path="/pcm/jobs/1ea62172-...", status=200)  # -> [Violation, ...]
    contracts.assert_keeps_contract(response)  # an httpx or requests response; AssertionError if not
"""

from __future__ import annotations

from contracts.assertions import assert_keeps_contract
from contracts.errors import ContractError, OptionError, UnknownRoute, UnknownSchema
from contracts.validation import Validator, validate
from contracts.violations import Kind, Severity, Strictness, Violation, is_failure

__all__ = [
    "ContractError",
    "Kind",
    "OptionError",
    "Severity",
    "Strictness",
    "UnknownRoute",
    "UnknownSchema",
    "Validator",
    "Violation",
    "assert_keeps_contract",
    "is_failure",
    "validate",
]
__version__ = "0.1.0"
