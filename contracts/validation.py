"""Payloads -> Violations: the JSON Schemas first, then the semantic rules.

:class:`Validator` compiles each schema once and is cheap to reuse;
:func:`validate` is the one-call public API on top of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from jsonschema._utils import find_evaluated_property_keys_by_schema

from contracts import registry, routing
from contracts.fast import FastSchemas
from contracts.rules import rules_for
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
    replaces the files of ``schemas/`` (tests use it to mutate them). With
    ``fast`` (the default) a body jsonschema-rs accepts skips the detailed
    jsonschema pass (:mod:`contracts.fast`).
    """

    def __init__(
        self, strictness: Strictness = Strictness(), *, schemas: registry.SchemaSet | None = None, fast: bool = True
    ) -> None:
        self.strictness = strictness
        self.schemas = schemas or registry.load(strict=strictness.undocumented_field != "off")
        self.fast = FastSchemas(self.schemas) if fast else None
        self.format_checker = FormatChecker()
        self._compiled: dict[str, Draft202012Validator] = {}

    def compiled(self, schema_id: str) -> Draft202012Validator:
        schema_id = registry.resolve_id(schema_id)
        if schema_id not in self._compiled:
            self._compiled[schema_id] = Draft202012Validator(
                self.schemas.get(schema_id),
                registry=self.schemas.registry,
                format_checker=self.format_checker,
            )
        return self._compiled[schema_id]

    def schema_violations(self, body: Any, schema_id: str) -> list[Violation]:
        """Findings of the JSON Schema ``schema_id`` alone, graded by strictness."""
        if self.fast is not None and self.fast.is_valid(body, schema_id):
            return []
        validator = self.compiled(schema_id)
        found = [v for error in validator.iter_errors(body) for v in self._violations(validator, error)]
        return self.strictness.apply(first_of_each(found))

    def validate(self, body: Any, *, method: str = "GET", path: str, status: int = 200) -> list[Violation]:
        """Findings for ``body`` answered with ``status`` to ``method path``.

        Raises :class:`contracts.errors.UnknownRoute` when no documented
        operation matches ``method`` and ``path``.
        """
        route = routing.resolve(method, path, status)
        op = route.operation
        if route.schema_id is None:
            documented = ", ".join(str(s) for s in op.documented_statuses)
            message = f"status {status} is not documented for {op.method} {op.template} (documented: {documented})"
            return [Violation("status_is_documented", "", message, "error", "structure")]
        found = self.schema_violations(body, route.schema_id)
        for rule in rules_for(route.schema_id):
            found.extend(
                Violation(rule.id, at, message, rule.severity, "semantic") for at, message in rule.check(body, route)
            )
        if not route.documented:
            message = f"status {status} is not on the documented page for {op.method} {op.template} (x-undocumented)"
            found.extend(
                self.strictness.apply([Violation("status_is_documented", "", message, "error", "undocumented-value")])
            )
        return sorted(found, key=lambda v: (pointer_order(v.pointer), v.rule))

    def _violations(self, validator: Draft202012Validator, error: ValidationError) -> Iterator[Violation]:
        keyword = str(error.validator)
        at = pointer(error.absolute_path)
        location = self.schemas.locations.get(id(error.schema), "")
        schema_at = f"{location}/{keyword}" if location else None
        rule, kind, value = f"schema.{keyword}", kind_of(keyword), error.instance
        if keyword == "required" and isinstance(value, dict):
            # jsonschema raises one error per missing member, in order, each saying "'name' is a required property"
            name = next(n for n in error.validator_value if n not in value and error.message.startswith(repr(n)))
            missing = pointer((*error.absolute_path, name))
            yield Violation(rule, missing, f"required member {name!r} is missing", "error", kind, schema_at)
            return
        if keyword == "unevaluatedProperties" and isinstance(value, dict):
            evaluated = find_evaluated_property_keys_by_schema(validator, value, error.schema)
            for name in value:
                if name not in evaluated:
                    yield Violation(
                        rule,
                        pointer((*error.absolute_path, name)),
                        f"undocumented member {name!r}",
                        "error",
                        kind,
                        schema_at,
                    )
            return
        yield Violation(rule, at, message_for(keyword, error), "error", kind, schema_at)


def first_of_each(found: list[Violation]) -> list[Violation]:
    """One finding per (rule, pointer): the same break seen by two subschemas
    (e.g. ``meta`` typed at the job level and in its per-type branch) is one."""
    seen: set[tuple[str, str]] = set()
    unique = []
    for violation in found:
        if (violation.rule, violation.pointer) not in seen:
            seen.add((violation.rule, violation.pointer))
            unique.append(violation)
    return unique


def message_for(keyword: str, error: ValidationError) -> str:
    value, expected = error.instance, error.validator_value
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
    text = str(error.message)
    return text if len(text) <= 200 else text[:199] + "…"


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
