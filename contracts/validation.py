"""Payloads -> Violations: the JSON Schemas first, then the semantic rules.

:class:`Validator` compiles each schema once and is cheap to reuse;
:func:`validate` is the one-call public API on top of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from itertools import compress
from operator import not_
from typing import Any
from urllib.parse import unquote

from contracts import registry, routing
from contracts.fast import FastSchemas
from contracts.rules import python_rules, rules_for
from contracts.violations import Kind, Strictness, Violation, pointer, pointer_order, show

JSON_TYPES = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


def json_type(value: object) -> str:
    if value is None:
        return "null"
    return next((name for cls, name in JSON_TYPES if isinstance(value, cls)), type(value).__name__)


SCALARS = (str, int, bool, type(None))
"""The types of values a schema error's findings are remembered by (see :data:`MADE`):
hashable, and two of one type that are equal show the same (unlike ``0.0`` and ``-0.0``)."""

MADE = 4096
"""How many schema errors' findings a :class:`Validator` remembers, by keyword, schema
location, instance path, message and value (or, for ``required`` and
``unevaluatedProperties``, the members named): a drift seen again, as most are
in a log, costs no new findings (they are frozen, so shared)."""


def kind_of(keyword: str) -> Kind:
    if keyword == "enum":
        return "undocumented-value"
    if keyword == "unevaluatedProperties":
        return "undocumented-field"
    return "structure"


class Validator:
    """Validates bodies against the schemas of ``schemas/`` and the rules.

    One instance per :class:`Strictness`: when undocumented fields are
    reported, the closed (strict) variant of the schemas is used. ``schemas``
    replaces the files of ``schemas/`` (tests use it to mutate them).

    The schemas are checked by jsonschema-rs (:mod:`contracts.fast`): with
    ``fast`` (the default) a body the fast path accepts has no schema finding
    without further work; the findings of any other body come from its
    detailed errors. ``reference=True`` takes the findings from jsonschema
    (Python) instead: the same findings, at about 30 times the cost, which
    tests use to check the Rust ones.
    """

    def __init__(
        self,
        strictness: Strictness = Strictness(),
        *,
        schemas: registry.SchemaSet | None = None,
        fast: bool = True,
        reference: bool = False,
    ) -> None:
        self.strictness = strictness
        self.schemas = schemas or registry.load(strict=strictness.undocumented_field != "off")
        self.engine = FastSchemas(self.schemas)
        self.fast = fast
        self.reference = reference
        self._compiled: dict[str, Any] = {}
        self._values: dict[str, Any] = {}
        self._made: dict[tuple[Any, ...], list[Violation]] = {}  # the findings of an error seen before

    def schema_violations(self, body: Any, schema_id: str) -> list[Violation]:
        """Findings of the JSON Schema ``schema_id`` alone, graded by strictness."""
        if self.fast and self.engine.is_valid(body, schema_id):
            return []
        return self.strictness.apply(self.schema_findings(body, schema_id))

    def schema_findings(self, body: Any, schema_id: str) -> list[Violation]:
        """Every finding of the JSON Schema ``schema_id``, before strictness grades them."""
        found = self._reference_findings(body, schema_id) if self.reference else self._findings(body, schema_id)
        return first_of_each(found)

    def _findings(self, body: Any, schema_id: str) -> list[Violation]:
        errors = self.engine.errors(body, schema_id)
        if errors is None:  # a body jsonschema-rs cannot read: jsonschema can
            return self._reference_findings(body, schema_id)
        found = []
        for error in errors:
            kind = error.kind
            keyword, at = kind.name, error.absolute_keyword_location
            if at and "%" in at:  # jsonschema-rs percent-encodes the pointer; ours is a plain JSON pointer
                base, _, fragment = at.partition("#")
                at = f"{base}#{unquote(fragment)}"
            if keyword == "required":
                names = [kind.as_dict()["property"]]
            elif keyword == "unevaluatedProperties":
                names = kind.as_dict().get("unexpected", [])
            else:  # findings() names members only for the two above
                names = []
            expected = self._value_at(at) if at else None
            value = body  # the body's own value (error.instance is a copy, its members reordered)
            path = tuple(error.instance_path)
            for part in path:
                value = value[part]
            message, kind_of_value = error.message, type(value)
            if names and kind_of_value is dict:  # findings() names the members, whatever their values
                key: tuple[Any, ...] | None = (keyword, at, path, message, *names)
            elif kind_of_value in SCALARS:  # a value its type and equality tell apart, and hashable
                key = (keyword, at, path, message, kind_of_value, value)
            else:
                key = None
            made = self._made.get(key) if key is not None else None
            if made is None:
                made = findings(keyword, path, value, expected, at, message, names)
                if key is not None:
                    if len(self._made) >= MADE:
                        self._made.clear()
                    self._made[key] = made
            found += made
        return found

    def _value_at(self, location: str) -> Any:
        """The schema value at an absolute keyword location (``<$id>#/pointer``)."""
        if location not in self._values:
            schema_id, _, at = location.partition("#")
            value: Any = self.schemas.get(schema_id)
            for part in at.split("/")[1:]:
                part = part.replace("~1", "/").replace("~0", "~")
                value = value[int(part)] if isinstance(value, list) else value[part]
            self._values[location] = value
        return self._values[location]

    def _reference_findings(self, body: Any, schema_id: str) -> list[Violation]:
        from jsonschema import FormatChecker
        from jsonschema._utils import find_evaluated_property_keys_by_schema

        schema_id = registry.resolve_id(schema_id)
        if schema_id not in self._compiled:
            self._compiled[schema_id] = ecma_validator()(
                self.schemas.get(schema_id), registry=self.schemas.registry, format_checker=FormatChecker()
            )
        validator = self._compiled[schema_id]
        found = []
        for error in validator.iter_errors(body):
            keyword, value = str(error.validator), error.instance
            location = self.schemas.locations.get(id(error.schema), "")
            names: list[str] = []
            if keyword == "required" and isinstance(value, dict):
                # one error per missing member, in order, each saying "'name' is a required property"
                names = [next(n for n in error.validator_value if n not in value and error.message.startswith(repr(n)))]
            elif keyword == "unevaluatedProperties" and isinstance(value, dict):
                evaluated = find_evaluated_property_keys_by_schema(validator, value, error.schema)
                names = [name for name in value if name not in evaluated]
            at = f"{location}/{keyword}" if location else None
            found += findings(keyword, error.absolute_path, value, error.validator_value, at, error.message, names)
        return found

    def validate(self, body: Any, *, method: str = "GET", path: str, status: int = 200) -> list[Violation]:
        """Findings for ``body`` answered with ``status`` to ``method path``.

        Raises :class:`contracts.errors.UnknownRoute` when no documented
        operation matches ``method`` and ``path``.
        """
        return self.validate_route(body, routing.resolve(method, path, status))

    def validate_route(self, body: Any, route: routing.Route) -> list[Violation]:
        """Findings for ``body`` answered on ``route``."""
        op, status = route.operation, route.status
        if route.schema_id is None:
            documented = ", ".join(str(s) for s in op.documented_statuses)
            message = f"status {status} is not documented for {op.label} (documented: {documented})"
            return [Violation("status_is_documented", "", message, "error", "structure")]
        schema_id, asked = route.schema_id, bool(route.params)
        if not self.fast:
            found = self.schema_violations(body, schema_id)
            rules = rules_for(schema_id, op.operation_id, asked)
        elif self.engine.passes(body, schema_id):
            found, rules = [], python_rules(schema_id, op.operation_id, asked)  # schema and screens hold
        elif self.engine.facts_hold(body, schema_id):
            # the rules stated as data find nothing, so the schema is what the screen rejected
            found = self.strictness.apply(self.schema_findings(body, schema_id))
            rules = python_rules(schema_id, op.operation_id, asked)
        else:
            found = self.schema_violations(body, schema_id)
            rules = rules_for(schema_id, op.operation_id, asked)
        for rule in rules:
            if self.fast and rule.holds is not None and rule.holds(body, route):
                continue  # the rule's own shortcut: its check would find nothing
            for at, message in rule.check(body, route):
                found.append(Violation(rule.id, at, message, rule.severity, "semantic"))
        if not route.documented:
            message = f"status {status} is not on the documented page for {op.label} (x-undocumented)"
            found.extend(
                self.strictness.apply([Violation("status_is_documented", "", message, "error", "undocumented-value")])
            )
        if len(found) > 1:
            found.sort(key=order)
        return found

    def holds_on(self, route: routing.Route) -> Callable[[Any], bool]:
        """A test for bodies answered on ``route``, set up once for many: True
        when a body certainly has no finding at all, as :meth:`validate_route`
        would say, at the cost of the fast path and the Python rules alone;
        False means "ask :meth:`validate_route`"."""
        if not self.fast or route.schema_id is None or not route.documented:
            return lambda body: False
        passes = self.engine.screen(route.schema_id)
        rules = python_rules(route.schema_id, route.operation.operation_id, bool(route.params))
        checks = [(rule.holds, rule.check) for rule in rules]

        def holds(body: Any) -> bool:
            try:
                if not passes(body):
                    return False
            except UnicodeError:  # unreadable for jsonschema-rs: the detailed path says why
                return False
            for shortcut, check in checks:
                if shortcut is not None and shortcut(body, route):
                    continue
                for _ in check(body, route):
                    return False
            return True

        return holds

    def holding_on(self, route: routing.Route) -> Callable[[list[Any]], list[int] | None]:
        """:meth:`holds_on` for many bodies answered on ``route`` at once, set
        up once for many lists: the indices of the bodies it cannot say hold
        (the others certainly have no finding at all), or ``None`` when it
        cannot answer for the list (then ask :meth:`holds_on` one at a time).

        The schema and the rules stated as data are checked by the same
        compiled screen as :meth:`holds_on`, mapped over the list; each Python
        rule by its ``holds_all`` shortcut over the bodies that pass, else
        body by body as :meth:`holds_on` does."""
        if not self.fast or route.schema_id is None or not route.documented:
            return lambda bodies: None
        passes = self.engine.screen(route.schema_id)
        rules = python_rules(route.schema_id, route.operation.operation_id, bool(route.params))

        def holding(bodies: list[Any]) -> list[int] | None:
            try:
                passed = list(map(passes, bodies))
            except UnicodeError:  # some body jsonschema-rs cannot read: one at a time
                return None
            failed = set(compress(range(len(bodies)), map(not_, passed)))
            kept = list(compress(bodies, passed))
            for rule in rules:
                if rule.holds_all is not None and rule.holds_all(kept, route):
                    continue
                for index, body in enumerate(bodies):
                    if index in failed or (rule.holds is not None and rule.holds(body, route)):
                        continue
                    if any(True for _ in rule.check(body, route)):
                        failed.add(index)
            return sorted(failed)

        return holding


def order(violation: Violation) -> tuple[tuple[tuple[int, int | str], ...], str]:
    """The order of a body's findings: by pointer in document order, then by rule."""
    return pointer_order(violation.pointer), violation.rule


@cache
def ecma_validator() -> Any:
    """jsonschema's Draft 2020-12 validator class with patterns as ECMA 262
    reads them (as JSON Schema says, and jsonschema-rs does): a final ``$``
    does not match before a final newline. Imported when first needed."""
    from jsonschema import Draft202012Validator, ValidationError, validators

    def pattern(validator: Any, expected: str, value: Any, schema: Any) -> Iterator[ValidationError]:
        strict = expected[:-1] + r"\Z" if expected.endswith("$") and not expected.endswith("\\$") else expected
        if validator.is_type(value, "string") and not re.search(strict, value):
            yield ValidationError(f"{value!r} does not match {expected!r}")

    return validators.extend(Draft202012Validator, {"pattern": pattern})


def findings(
    keyword: str,
    path: Iterable[str | int],
    instance: Any,
    expected: Any,
    schema_at: str | None,
    message: str,
    names: list[str],
) -> list[Violation]:
    """The findings of one schema error, whichever engine reported it: one
    per missing member (``required``) or undocumented member
    (``unevaluatedProperties``) in ``names``, else one."""
    rule, kind, path = f"schema.{keyword}", kind_of(keyword), tuple(path)
    if keyword == "required" and isinstance(instance, dict):
        text = "required member {!r} is missing"
    elif keyword == "unevaluatedProperties" and isinstance(instance, dict):
        text = "undocumented member {!r}"
    else:
        return [
            Violation(rule, pointer(path), message_for(keyword, instance, expected, message), "error", kind, schema_at)
        ]
    return [Violation(rule, pointer((*path, name)), text.format(name), "error", kind, schema_at) for name in names]


def first_of_each(found: list[Violation]) -> list[Violation]:
    """One finding per (rule, pointer): the same break seen by two subschemas
    (e.g. ``meta`` typed at the job level and in its per-type branch) is one,
    with the first schema location in text order (engines report in
    different orders)."""
    if len(found) < 2:
        return found
    unique: dict[tuple[str, str], Violation] = {}
    for violation in sorted(found, key=lambda v: v.schema_pointer or ""):
        unique.setdefault((violation.rule, violation.pointer), violation)
    return list(unique.values())


def message_for(keyword: str, value: Any, expected: Any, fallback: str) -> str:
    """The message of a finding: the offending value and what the schema expects."""
    if keyword == "type":
        wanted = " or ".join(expected) if isinstance(expected, list) else expected
        got = json_type(value)
        return f"expected {wanted}, got {got}" + ("" if value is None else f" {show(value)}")
    if keyword == "enum":
        return f"{show(value)} is outside the documented set ({', '.join(map(str, expected))})"
    if keyword == "const":
        return f"expected {show(expected)}, got {show(value)}"
    if keyword == "format" and expected == "date-time":
        return f"{show(value)} is not an RFC 3339 date-time with a zone offset (e.g. 2024-01-05T13:46:42.07Z)"
    if keyword == "pattern":
        return f"{show(value)} does not match {expected}"
    if keyword == "minItems":
        return f"expected at least {expected} item(s), got {len(value)}"
    if keyword == "minLength":
        return f"expected at least {expected} character(s), got {show(value)}"
    if keyword == "maxLength":
        return f"expected at most {expected} character(s), got {len(value)}"
    if keyword == "minimum":
        return f"expected at least {expected}, got {show(value)}"
    return fallback if len(fallback) <= 200 else fallback[:199] + "…"


@cache
def validator_for(strictness: Strictness = Strictness()) -> Validator:
    """A shared :class:`Validator` per strictness policy."""
    return Validator(strictness)


def validate(
    body: Any,
    *,
    method: str = "GET",
    path: str,
    status: int = 200,
    strictness: Strictness | None = None,
) -> list[Violation]:
    """Findings for ``body`` answered with ``status`` to ``method path``.

    ``path`` is the concrete request path (``/pcm/jobs/1ea62172-...``); the
    routing table picks the operation and schema. An empty list means the body
    keeps the contract. Raises :class:`contracts.errors.UnknownRoute` for a
    request no documented operation matches.
    """
    return validator_for(strictness or Strictness()).validate(body, method=method, path=path, status=status)
