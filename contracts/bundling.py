"""Self-contained response schemas, for validators next door (no network, no files).

:func:`bundle` makes a JSON Schema 2020-12 *compound document* (section 9.3
of the specification) of one schema of ``schemas/``: the schema as written,
with every schema resource it references, directly or not, embedded under
its ``$defs`` by file name, each keeping its own ``$id``. The ``$ref`` values
stay as written: a conforming validator resolves ``job.json#/$defs/jobStatus``
against the embedded ``$id``, so nothing is fetched. The references are
followed through the registry of :mod:`contracts.registry`, the same one
every check uses; the bundles are generated from ``schemas/``, never copied
by hand. An embedded resource drops ``$schema`` (it is the root's dialect).

``strict=True`` bundles the closed variant (undocumented members rejected),
as ``--strictness undocumented-field=error`` checks.

:func:`write_bundles` writes one file per response schema of the contract
(``pcm-contracts schemas --bundle DIR``).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from urllib.parse import urldefrag, urljoin

from contracts import routing
from contracts.errors import UnknownSchema
from contracts.registry import Schema, load, name_of, resolve_id, walk


def response_schemas() -> tuple[str, ...]:
    """The ``$id`` of every schema a documented response of the contract has, sorted."""
    return tuple(sorted({schema for op in routing.operations() for schema in op.responses.values()}))


def references(schema_id: str, *, strict: bool = False) -> tuple[str, ...]:
    """Every schema resource ``schema_id`` needs, itself first, then the rest sorted."""
    registry = load(strict=strict).registry
    root = resolve_id(schema_id)
    load(strict=strict).get(root)  # an unknown schema is an UnknownSchema error
    seen, todo = {root}, [root]
    while todo:
        current = todo.pop()
        for node, _ in walk(registry[current].contents):
            ref = node.get("$ref")
            if isinstance(ref, str):
                target = urldefrag(urljoin(current, ref)).url
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
    return (root, *sorted(seen - {root}))


def bundle(schema_id: str, *, strict: bool = False) -> Schema:
    """One self-contained document for ``schema_id`` (``job-response.json`` or its ``$id``)."""
    registry = load(strict=strict).registry
    root, *needed = references(schema_id, strict=strict)
    document: Schema = copy.deepcopy(registry[root].contents)
    defs = document.setdefault("$defs", {})
    for resource in needed:
        name = name_of(resource)
        if name in defs:
            raise UnknownSchema(f"{name_of(root)}: $defs/{name} already exists, so {resource} cannot be embedded")
        embedded = copy.deepcopy(registry[resource].contents)
        embedded.pop("$schema", None)
        defs[name] = embedded
    return document


def write_bundles(directory: Path, *, strict: bool = False) -> list[Path]:
    """A bundle of each response schema, as ``directory/<file name>``; the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for schema_id in response_schemas():
        path = directory / name_of(schema_id)
        path.write_text(json.dumps(bundle(schema_id, strict=strict), indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written
