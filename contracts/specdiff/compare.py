"""Our contract against a published document, operation by operation.

:func:`changes` walks both :class:`~contracts.specdiff.documents.Document`
values: operations and methods, parameters (place, name, required, type),
response statuses, media types, and each response schema member by member
in canonical form (:mod:`contracts.specdiff.canonical`). Each change is one
:class:`Change` at one :class:`Place`, with its direction, seen from a
consumer that codes against our contract: **breaking** when the published
spec allows what ours forbids (a constraint or a requirement dropped, a value,
type, status or media type added, an operation or parameter gone), **not
breaking** when it is narrower. :func:`grouped` folds the same change of a
shared schema (the job resource of Get a Job, cancel and the list) into one
place list.

Pointers are RFC 6901 pointers into the response body; ``*`` stands for any
item of an array (``/data/*/attributes/status``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from contracts.specdiff.canonical import ANY, LOWER, Node, admits, canonical, key
from contracts.specdiff.documents import Document, Operation
from contracts.violations import show


@dataclass(frozen=True)
class Place:
    operation: str
    status: str | None
    pointer: str

    def as_dict(self) -> dict[str, Any]:
        return {"operation": self.operation, "status": self.status, "pointer": self.pointer}


@dataclass(frozen=True)
class Change:
    id: str
    place: Place
    ours: Any
    theirs: Any
    breaking: bool
    message: str
    anchor: str
    """What the change is about on our side: changes with the same id, anchor and values are one finding."""


@dataclass(frozen=True)
class Group:
    """One change and every place it appears."""

    id: str
    places: tuple[Place, ...]
    ours: Any
    theirs: Any
    breaking: bool
    message: str


def kebab(keyword: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"-\1", keyword).lower()


def escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _types(types: frozenset[str] | None) -> Any:
    return "any" if types is None else sorted(types - {"null"})


def _covers(ours: frozenset[str], theirs: frozenset[str]) -> bool:
    """Every type theirs allows, ours allows too."""
    return all(admits(ours, kind) for kind in theirs)


Raw = tuple[str, str, Any, Any, bool, str, str]
"""(id, pointer, ours, theirs, breaking, message, anchor) of one schema change."""


def schema_changes(ours: Node, theirs: Node, at: str = "") -> Iterator[Raw]:
    """The differences of meaning between two canonical schemas, ``at`` a body pointer."""
    anchor = ours.origin or at
    if ours.types != theirs.types:
        if ours.types is None or theirs.types is None:
            breaking = theirs.types is None
            yield (
                "type-changed",
                at,
                _types(ours.types),
                _types(theirs.types),
                breaking,
                f"type {show(_types(ours.types))} in ours, {show(_types(theirs.types))} in theirs",
                anchor,
            )
        else:
            o, t = ours.types - {"null"}, theirs.types - {"null"}
            if o != t and not (_covers(o, t) and _covers(t, o)):
                yield (
                    "type-changed",
                    at,
                    sorted(o),
                    sorted(t),
                    not _covers(o, t),
                    f"type {show(sorted(o))} in ours, {show(sorted(t))} in theirs",
                    anchor,
                )
            if "null" in theirs.types and "null" not in ours.types:
                yield ("became-nullable", at, False, True, True, "theirs allows null, ours does not", anchor)
            if "null" in ours.types and "null" not in theirs.types:
                yield ("became-non-nullable", at, True, False, False, "ours allows null, theirs does not", anchor)
    yield from _enum_changes(ours, theirs, at, anchor)
    for name, word in (("format", "format"), ("pattern", "pattern")):
        o, t = getattr(ours, name), getattr(theirs, name)
        if o == t:
            continue
        if t is None:
            yield (f"{word}-removed", at, o, None, True, f"ours requires {word} {show(o)}, theirs does not", anchor)
        elif o is None:
            yield (f"{word}-added", at, None, t, False, f"theirs requires {word} {show(t)}, ours does not", anchor)
        else:
            yield (f"{word}-changed", at, o, t, True, f"{word} {show(o)} in ours, {show(t)} in theirs", anchor)
    yield from _bound_changes(ours, theirs, at, anchor)
    yield from _member_changes(ours, theirs, at, anchor)
    if ours.items is not None or theirs.items is not None:
        yield from schema_changes(ours.items or ANY, theirs.items or ANY, f"{at}/*")


def _enum_changes(ours: Node, theirs: Node, at: str, anchor: str) -> Iterator[Raw]:
    if ours.enum is None and theirs.enum is None:
        return
    if ours.enum is None:
        yield (
            "enum-added",
            at,
            None,
            list(theirs.enum or ()),
            False,
            f"theirs allows only {show(list(theirs.enum or ()))}, ours any value",
            anchor,
        )
        return
    if theirs.enum is None:
        yield (
            "enum-removed",
            at,
            list(ours.enum),
            None,
            True,
            f"ours allows only {show(list(ours.enum))}, theirs any value",
            anchor,
        )
        return
    our_keys, their_keys = {key(v) for v in ours.enum}, {key(v) for v in theirs.enum}
    for value in theirs.enum:
        if key(value) not in our_keys:
            yield ("enum-value-added", at, None, value, True, f"theirs allows {show(value)}, ours does not", anchor)
    for value in ours.enum:
        if key(value) not in their_keys:
            yield ("enum-value-removed", at, value, None, False, f"ours allows {show(value)}, theirs does not", anchor)


def _bound_changes(ours: Node, theirs: Node, at: str, anchor: str) -> Iterator[Raw]:
    for keyword in sorted(set(ours.bounds) | set(theirs.bounds)):
        o, t, word = ours.bounds.get(keyword), theirs.bounds.get(keyword), kebab(keyword)
        if o == t:
            continue
        if t is None:
            yield (f"{word}-removed", at, o, None, True, f"ours has {keyword} {o}, theirs none", anchor)
        elif o is None:
            yield (f"{word}-added", at, None, t, False, f"theirs has {keyword} {t}, ours none", anchor)
        else:
            looser = t < o if keyword in LOWER else t > o
            verb = "decreased" if t < o else "increased"
            yield (f"{word}-{verb}", at, o, t, looser, f"{keyword} {o} in ours, {t} in theirs", anchor)


def _member_changes(ours: Node, theirs: Node, at: str, anchor: str) -> Iterator[Raw]:
    removed = set()
    for name, node in ours.properties.items():
        where = f"{at}/{escape(name)}"
        if name in theirs.properties:
            yield from schema_changes(node, theirs.properties[name], where)
        else:
            removed.add(name)
            yield (
                "property-removed",
                where,
                name,
                None,
                True,
                f"ours documents {name!r}, theirs does not",
                f"{anchor}/properties/{name}",
            )
    for name in theirs.properties:
        if name not in ours.properties:
            yield (
                "property-added",
                f"{at}/{escape(name)}",
                None,
                name,
                False,
                f"theirs documents {name!r}, ours does not",
                f"{anchor}/properties/{name}",
            )
    for name in sorted(ours.required - theirs.required - removed):
        yield (
            "property-became-optional",
            f"{at}/{escape(name)}",
            True,
            False,
            True,
            f"{name!r} is required by ours, optional in theirs",
            f"{anchor}/required/{name}",
        )
    for name in sorted(theirs.required - ours.required):
        yield (
            "property-became-required",
            f"{at}/{escape(name)}",
            False,
            True,
            False,
            f"{name!r} is required by theirs, optional in ours",
            f"{anchor}/required/{name}",
        )


JSON = re.compile(r"^application/(.+\+)?json$")


def _counterpart(media: str, theirs: dict[str, Any]) -> str | None:
    if media in theirs:
        return media
    if JSON.match(media):
        return next((m for m in theirs if JSON.match(m)), None)
    return None


def changes(ours: Document, theirs: Document) -> Iterator[Change]:
    """Every change, operation by operation, in our document order."""
    for label, op in ours.operations.items():
        other = theirs.operations.get(label)
        if other is None:
            yield Change(
                "operation-removed",
                Place(label, None, ""),
                label,
                None,
                True,
                f"ours documents {label}, theirs does not",
                f"operation {label}",
            )
            continue
        yield from _parameter_changes(op, other)
        yield from _response_changes(op, other)
    for label in theirs.operations:
        if label not in ours.operations:
            yield Change(
                "operation-added",
                Place(label, None, ""),
                None,
                label,
                False,
                f"theirs documents {label}, ours does not",
                f"operation {label}",
            )


def _parameter_changes(op: Operation, other: Operation) -> Iterator[Change]:
    at = Place(op.label, None, "")
    for (place, name), param in op.parameters.items():
        anchor = f"parameter {place} {name}"
        theirs = other.parameters.get((place, name))
        if theirs is None:
            yield Change(
                "parameter-removed",
                at,
                f"{name} in {place}",
                None,
                True,
                f"ours declares {place} parameter {name!r}, theirs does not",
                anchor,
            )
            continue
        if param.required != theirs.required:
            verb = "required" if theirs.required else "optional"
            yield Change(
                f"parameter-became-{verb}",
                at,
                param.required,
                theirs.required,
                theirs.required,
                f"{place} parameter {name!r} is {verb} in theirs",
                anchor,
            )
        if param.type != theirs.type:
            yield Change(
                "parameter-type-changed",
                at,
                param.type,
                theirs.type,
                True,
                f"{place} parameter {name!r}: type {param.type} in ours, {theirs.type} in theirs",
                anchor,
            )
    for (place, name), param in other.parameters.items():
        if (place, name) not in op.parameters:
            yield Change(
                "parameter-added",
                at,
                None,
                f"{name} in {place}",
                param.required,
                f"theirs declares {'a required' if param.required else 'an optional'} {place} "
                f"parameter {name!r}, ours does not",
                f"parameter {place} {name}",
            )


def _response_changes(op: Operation, other: Operation) -> Iterator[Change]:
    for status, content in op.responses.items():
        if status not in other.responses:
            yield Change(
                "response-status-removed",
                Place(op.label, status, ""),
                status,
                None,
                False,
                f"ours documents status {status}, theirs does not",
                f"status {status}",
            )
            continue
        theirs = other.responses[status]
        for media, schema in content.items():
            counterpart = _counterpart(media, dict(theirs))
            if counterpart != media:
                yield Change(
                    "media-type-removed",
                    Place(op.label, status, ""),
                    media,
                    None,
                    False,
                    f"ours documents {media}, theirs does not",
                    f"media {status} {media}",
                )
            if counterpart is not None:
                for raw in schema_changes(canonical(schema), canonical(theirs[counterpart])):
                    rule, at, ours_value, theirs_value, breaking, message, anchor = raw
                    place = Place(op.label, status, at)
                    yield Change(rule, place, ours_value, theirs_value, breaking, message, anchor)
        for media in theirs:
            if media not in content:
                yield Change(
                    "media-type-added",
                    Place(op.label, status, ""),
                    None,
                    media,
                    True,
                    f"theirs documents {media}, ours does not",
                    f"media {status} {media}",
                )
    for status in other.responses:
        if status not in op.responses:
            yield Change(
                "response-status-added",
                Place(op.label, status, ""),
                None,
                status,
                True,
                f"theirs documents status {status}, ours does not",
                f"status {status}",
            )


def grouped(found: Iterator[Change]) -> list[Group]:
    """One :class:`Group` per (id, anchor, ours, theirs), places in order of appearance."""
    groups: dict[tuple[str, str, str, str], tuple[Change, list[Place]]] = {}
    for change in found:
        group_key = (change.id, change.anchor, key(change.ours), key(change.theirs))
        _first, places = groups.setdefault(group_key, (change, []))
        if change.place not in places:
            places.append(change.place)
    return [Group(c.id, tuple(p), c.ours, c.theirs, c.breaking, c.message) for c, p in groups.values()]
