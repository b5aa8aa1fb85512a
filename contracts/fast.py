"""The fast path: a yes/no verdict from jsonschema-rs for the common valid case.

jsonschema (Python) gives the detailed findings, with pointers and schema
locations, but costs several times a JSON parse. jsonschema-rs (Rust, already
installed with schemathesis) answers "valid or not" at a fraction of that. The
validator asks it first and computes the detailed findings only for a body it
rejects, so findings are always jsonschema's. A test runs the recorded
examples and the whole drift corpus through both and requires the same
verdicts.
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs
from jsonschema import FormatChecker

from contracts.registry import SchemaSet, resolve_id


class FastSchemas:
    """jsonschema-rs validators over the same schemas, compiled once each."""

    def __init__(self, schemas: SchemaSet) -> None:
        self._schemas = schemas
        checker = FormatChecker()
        # The detailed validator's own date-time check (rfc3339-validator), so the two
        # engines agree on the edges (a leap second, year 0000) where theirs differ.
        self._date_time = lambda value: checker.conforms(value, "date-time")
        self._registry = jsonschema_rs.Registry(list(schemas.schemas.items()))
        self._compiled: dict[str, Any] = {}

    def is_valid(self, body: Any, schema_id: str) -> bool:
        """True when ``body`` has no finding at all under ``schema_id``."""
        schema_id = resolve_id(schema_id)
        validator = self._compiled.get(schema_id)
        if validator is None:
            validator = self._compiled[schema_id] = jsonschema_rs.validator_for(
                self._schemas.get(schema_id),
                registry=self._registry,
                validate_formats=True,
                formats={"date-time": self._date_time},
            )
        return bool(validator.is_valid(body))
