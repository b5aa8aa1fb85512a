"""Contract checks for the Elastic Path PCM Jobs API.

The public API::

    import contracts
    contracts.validate(body, path="/pcm/jobs/1ea62172-...", status=200)  # -> [Violation, ...]
"""

from __future__ import annotations

from contracts.bundling import bundle
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
    "bundle",
    "is_failure",
    "validate",
]
__version__ = "0.1.0"
