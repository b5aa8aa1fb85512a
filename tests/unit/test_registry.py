from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing.exceptions import Unresolvable

from contracts.registry import SCHEMA_DIR, load, name_of, read_schemas, walk

SCHEMAS = read_schemas()


def refs(node: Any) -> list[str]:
    return [found["$ref"] for found, _ in walk(node) if isinstance(found.get("$ref"), str)]


@pytest.mark.parametrize("schema_id", sorted(SCHEMAS), ids=name_of)
def test_schema_is_draft_2020_12_and_its_id_ends_with_the_file_name(schema_id: str) -> None:
    schema = SCHEMAS[schema_id]
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert (SCHEMA_DIR / name_of(schema_id)).is_file()


@pytest.mark.parametrize("schema_id", sorted(SCHEMAS), ids=name_of)
def test_every_ref_resolves_through_the_registry(schema_id: str) -> None:
    resolver = load().registry.resolver(base_uri=schema_id)
    for ref in refs(SCHEMAS[schema_id]):
        resolver.lookup(ref)


def test_an_unresolvable_ref_is_detected() -> None:
    resolver = load().registry.resolver(base_uri=next(iter(SCHEMAS)))
    with pytest.raises(Unresolvable):
        resolver.lookup("job.json#/$defs/nothing-here")


@pytest.mark.parametrize("schema_id", sorted(SCHEMAS), ids=name_of)
def test_every_property_is_described(schema_id: str) -> None:
    resolver = load().registry.resolver(base_uri=schema_id)
    undescribed = []
    for node, parts in walk(SCHEMAS[schema_id]):
        if "if" in parts or parts[-1:] == ("properties",):
            continue  # conditions select a branch; they describe nothing
        for name, prop in node.get("properties", {}).items():
            target = resolver.lookup(prop["$ref"]).contents if "$ref" in prop else prop
            if "description" not in prop and "description" not in target:
                undescribed.append("/".join(map(str, (*parts, "properties", name))))
    assert undescribed == []


def test_schema_files_are_read_once_per_process() -> None:
    assert load() is load()
    assert load(strict=True) is load(strict=True)


def test_a_schema_whose_id_disagrees_with_its_file_name_is_refused(tmp_path: Path) -> None:
    (tmp_path / "job.json").write_text(json.dumps({"$id": "https://pcm-contracts.example/schemas/other.json"}))
    with pytest.raises(Exception, match="must end with the file name"):
        read_schemas(tmp_path)
