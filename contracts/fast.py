"""The schemas compiled by jsonschema-rs (Rust, installed with schemathesis).

Two uses, each compiled once a schema:

* the fast path, :meth:`FastSchemas.passes`: a yes/no verdict for the common
  valid case, at a fraction of a JSON parse;
* the detailed findings, :meth:`FastSchemas.errors`: every error with its
  keyword, instance path and absolute schema location, from the schemas
  exactly as written, with jsonschema's ``date-time`` check
  (:func:`date_time`). They are computed only for a body the fast path
  rejects. jsonschema (Python) gives
  the same findings at about 30 times the cost; tests compare the two over
  the recorded examples and the whole drift corpus.

The fast path must never accept what the detailed path rejects (rejecting
more only costs time). Two things keep it so:

* ``format: date-time`` is checked by jsonschema-rs natively (a Python
  callback a timestamp costs more than the rest of the body), narrowed by
  :data:`RFC3339`, the grammar of the detailed check (``rfc3339-validator``)
  without the edges where the two engines differ: a leap second and year 0000
  pass jsonschema-rs, not the detailed check.
* :meth:`FastSchemas.passes` checks a body's schema and, in the same call, the
  semantic rules stated as data (:class:`contracts.rules.RunTimes`), so only
  the rules written as Python functions run in Python.

Tests run the recorded examples, the whole drift corpus and generated
timestamps through both paths.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any

import jsonschema_rs

from contracts.registry import Schema, SchemaSet, resolve_id, walk
from contracts.rules import rules_for, screen_of

RFC3339 = (
    r"^(?:[0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"  # a year, not 0000
    r"-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])[Tt]"
    r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?"  # no leap second
    r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$"
)
"""RFC 3339 date-time, ASCII digits only; the day of the month is jsonschema-rs's check."""


def narrowed(schema: Schema) -> Schema:
    """A deep copy in which every ``format: date-time`` also carries :data:`RFC3339`."""
    copied = copy.deepcopy(schema)
    for node, _ in walk(copied):
        if node.get("format") == "date-time":
            node["allOf"] = [*node.get("allOf", []), {"pattern": RFC3339}]
    return copied


LEAP_YEAR = r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)"
"""A year of 4 digits that ``calendar.isleap`` holds (0000 among them: :data:`DATE_TIME` leaves it out)."""

DATE_TIME = re.compile(
    r"(?!0000)(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|1[0-9]|2[0-8]))|" + LEAP_YEAR + r"-02-29)"
    r"[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])\n?"
)
"""jsonschema's ``date-time`` check as one regular expression, for :meth:`re.Pattern.fullmatch`.

``jsonschema._format.is_datetime`` is ``rfc3339-validator`` on the upper-cased
value: its grammar (``$`` there also matches before a final newline, hence the
``\\n?``), then no year 0 and a day that its month has (``calendar.monthrange``),
which the alternatives spell out, a 29 February only in a leap year. Upper-casing
matters only for ``t`` and ``z`` (``[Tt]``, ``[Zz]``): no other character
upper-cases into the grammar where it could stand (``ẗ``, ``ﬅ`` and ``ﬆ`` give a
``T`` with another character beside it). Given to jsonschema-rs as the
format's check itself (C, no Python frame a timestamp: half the cost of the
detailed findings was a Python function a timestamp). Tests compare it with
jsonschema's own check over every date of the calendar's edges and generated strings."""


_date_time_check: Callable[[str], Any] = DATE_TIME.fullmatch
"""jsonschema-rs's ``date-time`` format check: a match (true) or ``None``."""


def date_time(value: str) -> bool:
    """jsonschema's ``date-time`` check (:data:`DATE_TIME`); a test compares the two."""
    return DATE_TIME.fullmatch(value) is not None


class FastSchemas:
    """jsonschema-rs validators over the same schemas, compiled once each."""

    def __init__(self, schemas: SchemaSet) -> None:
        self._schemas: Mapping[str, Schema] = {i: narrowed(s) for i, s in schemas.schemas.items()}
        self._registry = jsonschema_rs.Registry(list(self._schemas.items()))
        self._compiled: dict[tuple[str, bool], Any] = {}
        self._screens: dict[str, Any] = {}  # by the id as asked: the hot path skips resolve_id
        self._facts: dict[str, Callable[[Any], bool]] = {}  # by the id as asked, as _screens
        self._exact_schemas = schemas.schemas
        self._exact_registry = jsonschema_rs.Registry(list(schemas.schemas.items()))
        self._exact: dict[str, Any] = {}

    def _validator(self, schema_id: str, screened: bool) -> Any:
        key = (schema_id, screened)
        validator = self._compiled.get(key)
        if validator is None:
            schema = self._schemas[schema_id]
            if screened:
                facts = [r.fact for r in rules_for(schema_id) if r.fact is not None]
                schema = {"allOf": [{"$ref": schema_id}, screen_of(facts, schema_id)]} if facts else schema
            validator = self._compiled[key] = jsonschema_rs.validator_for(
                schema, registry=self._registry, validate_formats=True
            )
        return validator

    def compile(self) -> None:
        """Compile every validator now (before worker processes fork, so they share them)."""
        for schema_id in self._exact_schemas:
            self.screen(schema_id)
            self.facts_hold({}, schema_id)
            self._validator(schema_id, False)
            self._exact_validator(schema_id)

    def _exact_validator(self, schema_id: str) -> Any:
        validator = self._exact.get(schema_id)
        if validator is None:
            validator = self._exact[schema_id] = jsonschema_rs.validator_for(
                self._exact_schemas[schema_id],
                registry=self._exact_registry,
                validate_formats=True,
                formats={"date-time": _date_time_check},
            )
        return validator

    def is_valid(self, body: Any, schema_id: str) -> bool:
        """True when ``body`` certainly has no finding under the schema ``schema_id``."""
        try:
            return bool(self._validator(resolve_id(schema_id), False).is_valid(body))
        except UnicodeError:  # a lone surrogate: the detailed path says what is wrong
            return False

    def passes(self, body: Any, schema_id: str) -> bool:
        """True when ``body`` certainly has no finding under ``schema_id`` nor
        under the rules stated as data (the Python rules are not run)."""
        try:
            return self.screen(schema_id)(body)
        except UnicodeError:
            return False

    def facts_hold(self, body: Any, schema_id: str) -> bool:
        """True when the rules stated as data (:class:`contracts.rules.RunTimes`)
        certainly find nothing in ``body``, whatever its schema says: their
        screen alone, without the schema (True for a schema without such rules)."""
        check = self._facts.get(schema_id)
        if check is None:
            facts = [r.fact for r in rules_for(resolve_id(schema_id)) if r.fact is not None]
            check = self._facts[schema_id] = (
                jsonschema_rs.validator_for(screen_of(facts, resolve_id(schema_id))).is_valid
                if facts
                else lambda body: True
            )
        try:
            return check(body)
        except UnicodeError:
            return False

    def screen(self, schema_id: str) -> Callable[[Any], bool]:
        """:meth:`passes` for bodies of ``schema_id``: the compiled check itself,
        which raises :class:`UnicodeError` for a body it cannot read (a string
        with a lone surrogate, valid in JSON but not in UTF-8)."""
        screen = self._screens.get(schema_id)
        if screen is None:
            screen = self._screens[schema_id] = self._validator(resolve_id(schema_id), True).is_valid
        return screen  # type: ignore[no-any-return]

    def errors(self, body: Any, schema_id: str) -> list[jsonschema_rs.ValidationError] | None:
        """Every error of ``body`` under the schema ``schema_id`` exactly as
        written; ``None`` for a body jsonschema-rs cannot read (a string with
        a lone surrogate, valid in JSON but not in UTF-8)."""
        validator = self._exact_validator(resolve_id(schema_id))
        try:
            return list(validator.iter_errors(body))
        except UnicodeError:
            return None
