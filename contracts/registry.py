"""Every schema of ``schemas/``, loaded once, by ``$id``.

Two sets are built from the same files:

``open``
    the schemas as written: unknown members are tolerated.
``strict``
    a derived copy in which every object schema that declares ``properties``
    (and does not set ``unevaluatedProperties`` itself) is closed with
    ``unevaluatedProperties: false``, so undocumented members become findings.

The files are the single source of truth; the strict copy exists only in
memory. Each schema's ``$id`` ends with its file name, so ``$ref`` by relative
file name resolves the same way here (by ``$id``) and in schemathesis (by file
location).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from referencing import Registry

from contracts.errors import UnknownSchema
from contracts.violations import pointer

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
"""The checkout's top level (meaningful only in a clone: tests, schemathesis.toml)."""
SCHEMA_DIR = PACKAGE / "schemas"
"""``schemas/``: in a clone, ``contracts/schemas`` is a link to it; in a built package, a copy."""
EXAMPLES_DIR = PACKAGE / "examples"
"""``examples/``, the recorded examples, reached the same way."""
SCHEMA_BASE = "https://pcm-contracts.example/schemas/"

Schema = dict[str, Any]


@dataclass(frozen=True)
class SchemaSet:
    """The loaded schemas, by ``$id``, with a ``referencing`` registry to
    resolve ``$ref`` for jsonschema (Python), built when first used."""

    schemas: Mapping[str, Schema]

    @cached_property
    def registry(self) -> Registry[Any]:
        from referencing import Registry, Resource  # imported here: only jsonschema (Python) needs it
        from referencing.jsonschema import DRAFT202012

        resources = [(i, Resource.from_contents(s, default_specification=DRAFT202012)) for i, s in self.schemas.items()]
        return Registry().with_resources(resources).crawl()

    @cached_property
    def locations(self) -> Mapping[int, str]:
        """``id()`` of every subschema object -> ``<$id>#<pointer>``, so a
        jsonschema error's ``schema`` can be named."""
        return {id(node): f"{i}#{pointer(parts)}" for i, s in self.schemas.items() for node, parts in walk(s)}

    def get(self, schema_id: str) -> Schema:
        try:
            return self.schemas[resolve_id(schema_id)]
        except KeyError:
            known = ", ".join(sorted(name_of(i) for i in self.schemas))
            raise UnknownSchema(f"no schema {schema_id!r} (known: {known})") from None


def resolve_id(schema_id: str) -> str:
    """Accept a full ``$id`` or a bare file name such as ``job.json``."""
    return schema_id if "://" in schema_id else SCHEMA_BASE + schema_id


def name_of(schema_id: str) -> str:
    """The file name a ``$id`` ends with."""
    return schema_id.rsplit("/", 1)[-1]


def read_schemas(directory: Path = SCHEMA_DIR) -> dict[str, Schema]:
    """Every ``*.json`` file of ``directory`` by its ``$id``."""
    schemas: dict[str, Schema] = {}
    for path in sorted(directory.glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        schema_id = schema.get("$id", "")
        if name_of(schema_id) != path.name:
            raise UnknownSchema(f"{path.name}: $id {schema_id!r} must end with the file name")
        schemas[schema_id] = schema
    if not schemas:
        raise UnknownSchema(f"no schemas found in {directory}")
    return schemas


def close_objects(schema: Schema) -> Schema:
    """A deep copy with every object schema closed to undocumented members."""
    closed = copy.deepcopy(schema)
    for node, _ in walk(closed):
        if node.get("type") == "object" and "properties" in node:
            node.setdefault("unevaluatedProperties", False)
    return closed


def walk(node: Any, parts: tuple[str | int, ...] = ()) -> Iterator[tuple[dict[str, Any], tuple[str | int, ...]]]:
    """Every schema object below ``node`` with its path."""
    if isinstance(node, dict):
        yield node, parts
        for key, value in node.items():
            if key not in ("enum", "const", "examples", "default"):
                yield from walk(value, (*parts, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, (*parts, index))


def build(schemas: Mapping[str, Schema]) -> SchemaSet:
    return SchemaSet(schemas=dict(schemas))


def documented_values(definition: str) -> tuple[str, ...]:
    """The ``enum`` of ``job.json#/$defs/<definition>`` (``jobType``, ``jobStatus``):
    the one list of documented job types and statuses everything else reads."""
    return tuple(load().get("job.json")["$defs"][definition]["enum"])


@cache
def load(*, strict: bool = False) -> SchemaSet:
    """The schemas of ``schemas/``, open or closed; built once per process."""
    schemas = read_schemas()
    if strict:
        schemas = {i: close_objects(s) for i, s in schemas.items()}
    return build(schemas)
