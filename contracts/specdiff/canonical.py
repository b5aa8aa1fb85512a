"""A schema in one canonical form, so that only differences of meaning remain.

:func:`canonical` reads a self-contained 3.1-form schema (see
:mod:`contracts.specdiff.documents`) into a :class:`Node`:

- ``const: x`` and ``enum: [x]`` are the same value set; a value set also
  fixes the types (``const: pim-job`` is a string);
- ``null`` is a member of ``types`` (``type: [string, "null"]``, 3.0's
  ``nullable``), never of ``enum``; an ``enum`` without ``null`` forbids it;
- ``allOf`` is merged (the intersection: required lists add up, the tighter
  bound wins); ``anyOf``, ``oneOf`` and ``if``/``then``/``else`` are a
  **union of their branches** (types and values add up, only what every
  branch requires stays required, the looser bound wins). A property that
  only some branches declare is compared as those branches declare it: our
  per-type ``meta`` of ``job.json`` compares as one ``meta`` with every
  member any job type documents, ``x_request_id`` required;
- descriptions, titles, examples, defaults and ``x-`` extensions are not read;
- ``additionalProperties``, ``unevaluatedProperties``, ``not`` and
  ``prefixItems`` are not compared.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from contracts.specdiff.documents import ORIGIN

LOWER = ("minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum")
UPPER = ("maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum")


@dataclass(frozen=True)
class Node:
    types: frozenset[str] | None = None
    """JSON types allowed, ``null`` included; ``None``: any."""
    enum: tuple[Any, ...] | None = None
    """The non-null values allowed; ``None``: any."""
    properties: Mapping[str, Node] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    items: Node | None = None
    format: str | None = None
    pattern: str | None = None
    bounds: Mapping[str, float] = field(default_factory=dict)
    origin: str | None = None
    """Where our member is declared (``job.json#/$defs/attributes/properties/status``), the
    same in every response that uses the definition: the anchor of a finding."""

    @property
    def null_only(self) -> bool:
        return self.types == frozenset({"null"})


ANY = Node()


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _types(raw: Any) -> frozenset[str] | None:
    if not isinstance(raw, str | list | tuple | set | frozenset):
        return None  # absent, or not a type a document can mean
    types = frozenset([raw] if isinstance(raw, str) else (str(t) for t in raw))
    return types - {"integer"} if "number" in types else types


def admits(types: frozenset[str] | None, kind: str) -> bool:
    return types is None or kind in types or (kind == "integer" and "number" in types)


def canonical(schema: Any, origin: str | None = None, base: str | None = None) -> Node:
    if schema is True or schema is None:
        return replace(ANY, origin=origin)
    if schema is False:
        return Node(types=frozenset(), origin=origin)
    if not isinstance(schema, Mapping):
        return replace(ANY, origin=origin)
    base = schema.get(ORIGIN) or base or origin  # what the members' places derive from: the definition
    origin = origin or base  # where this member is declared: two members of one definition stay apart
    parts = [_own(schema, origin, base or "")]
    parts += [canonical(s, origin, base) for s in _list(schema.get("allOf"))]
    for keyword in ("anyOf", "oneOf"):
        if _list(schema.get(keyword)):
            parts.append(union(canonical(s, origin, base) for s in schema[keyword]))
    if "then" in schema or "else" in schema:
        branches = [
            canonical(schema.get("then", True), origin, base),
            canonical(schema.get("else", True), origin, base),
        ]
        parts.append(union(branches))
    return merge(parts)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _own(schema: Mapping[str, Any], origin: str | None, base: str) -> Node:
    types = _types(schema.get("type"))
    values: list[Any] | None = None
    if "enum" in schema and isinstance(schema["enum"], list):
        values = list(schema["enum"])
    if "const" in schema:
        values = [schema["const"]] if values is None else [v for v in values if key(v) == key(schema["const"])]
    enum = None
    if values is not None:
        values = [v for v in values if admits(types, json_type(v))]
        types = _types(sorted({json_type(v) for v in values}))
        enum = _unique(v for v in values if v is not None)
    properties = schema.get("properties", {})
    return Node(
        types=types,
        enum=enum,
        properties={
            str(name): canonical(sub, f"{base}/properties/{name}")
            for name, sub in (properties.items() if isinstance(properties, Mapping) else ())
        },
        required=frozenset(r for r in _list(schema.get("required")) if isinstance(r, str)),
        items=canonical(schema["items"], f"{base}/items") if isinstance(schema.get("items"), Mapping | bool) else None,
        format=schema.get("format") if isinstance(schema.get("format"), str) else None,
        pattern=schema.get("pattern") if isinstance(schema.get("pattern"), str) else None,
        bounds={
            k: schema[k]
            for k in (*LOWER, *UPPER)
            if isinstance(schema.get(k), int | float) and not isinstance(schema[k], bool)
        },
        origin=origin,
    )


def _unique(values: Iterable[Any]) -> tuple[Any, ...]:
    seen: dict[str, Any] = {}
    for value in values:
        seen.setdefault(key(value), value)
    return tuple(seen.values())


def _first(values: Iterable[Any]) -> Any:
    return next((v for v in values if v is not None), None)


def merge(parts: list[Node]) -> Node:
    """All of ``parts`` at once (``allOf``)."""
    if len(parts) == 1:
        return parts[0]
    types: frozenset[str] | None = None
    for part in parts:
        if part.types is not None:
            types = part.types if types is None else _meet(types, part.types)
    enum: tuple[Any, ...] | None = None
    for part in parts:
        if part.enum is not None:
            enum = part.enum if enum is None else tuple(v for v in enum if key(v) in {key(w) for w in part.enum})
    names = _names(parts)
    bounds: dict[str, float] = {}
    for part in parts:
        for k, v in part.bounds.items():
            bounds[k] = v if k not in bounds else (max if k in LOWER else min)(bounds[k], v)
    items = [p.items for p in parts if p.items is not None]
    return Node(
        types=types,
        enum=enum,
        properties={n: merge([p.properties[n] for p in parts if n in p.properties]) for n in names},
        required=frozenset().union(*(p.required for p in parts)),
        items=merge(items) if items else None,
        format=_first(p.format for p in parts),
        pattern=_first(p.pattern for p in parts),
        bounds=bounds,
        origin=_first(p.origin for p in parts),
    )


def _meet(a: frozenset[str], b: frozenset[str]) -> frozenset[str]:
    both = a & b
    if ("integer" in a and "number" in b) or ("number" in a and "integer" in b):
        both |= {"integer"}
    return both


def _names(parts: Iterable[Node]) -> list[str]:
    names: dict[str, None] = {}
    for part in parts:
        names.update(dict.fromkeys(part.properties))
    return list(names)


def union(variants: Iterable[Node]) -> Node:
    """Any one of ``variants`` (``anyOf``, ``oneOf``, the branches of ``if``)."""
    every = list(variants)
    if len(every) == 1:
        return every[0]
    types: frozenset[str] | None = frozenset()
    for variant in every:
        types = None if types is None or variant.types is None else _types(sorted(types | variant.types))
    parts = [v for v in every if not v.null_only] or every  # {type: null} adds null, nothing else
    enum: tuple[Any, ...] | None = None
    if all(p.enum is not None for p in parts):
        enum = _unique(v for p in parts for v in p.enum or ())
    names = _names(parts)
    bounds: dict[str, float] = {}
    for k in (*LOWER, *UPPER):
        if all(k in p.bounds for p in parts):
            bounds[k] = (min if k in LOWER else max)(p.bounds[k] for p in parts)
    items = [p.items for p in parts if p.items is not None]
    return Node(
        types=types,
        enum=enum,
        properties={n: union(p.properties[n] for p in parts if n in p.properties) for n in names},
        required=frozenset.intersection(*(p.required for p in parts)),
        items=union(items) if items else None,
        format=_agreed(p.format for p in parts),
        pattern=_agreed(p.pattern for p in parts),
        bounds=bounds,
        origin=_first(p.origin for p in every),
    )


def _agreed(values: Iterable[str | None]) -> str | None:
    found = set(values)
    return found.pop() if len(found) == 1 else None
