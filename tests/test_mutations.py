"""Mutation proof: the cases pin the schemas down.

Deleting any single ``required`` entry or ``enum`` value from any schema file
must change the verdict of at least one recorded example or drift case. A
surviving mutation means a part of the contract no test depends on.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest

from contracts.registry import build, close_objects, name_of, read_schemas, walk
from contracts.validation import Validator
from contracts.violations import Strictness
from tests.casefiles import Case, drift_cases, example_cases, graded

SCHEMAS = read_schemas()
CASES = example_cases() + drift_cases()


def mutations() -> Iterator[tuple[str, str, tuple[str | int, ...], str, Any]]:
    """``(id, schema id, path to the keyword, keyword, deleted item)``."""
    for schema_id, schema in SCHEMAS.items():
        for node, parts in walk(schema):
            for keyword in ("required", "enum"):
                for item in node.get(keyword, []):
                    where = "/".join(map(str, parts)) or "(root)"
                    yield f"{name_of(schema_id)}:{where}:{keyword}-{item}", schema_id, parts, keyword, item


def mutate(schema_id: str, parts: tuple[str | int, ...], keyword: str, item: Any) -> dict[str, Any]:
    schemas = copy.deepcopy(SCHEMAS)
    node: Any = schemas[schema_id]
    for part in parts:
        node = node[part]
    node[keyword] = [x for x in node[keyword] if x != item]
    return schemas


def verdict(validator: Validator, case: Case) -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]]]:
    found = validator.validate(case.body, method=case.method, path=case.path, status=case.status)
    return graded(found, "error"), graded(found, "warning")


@cache
def baseline() -> list[tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]]]]:
    return [verdict(Validator(case.strictness), case) for case in CASES]


@pytest.mark.parametrize(
    ("schema_id", "parts", "keyword", "item"), [pytest.param(*m[1:], id=m[0]) for m in mutations()]
)
def test_deleting_a_required_entry_or_enum_value_fails_a_case(
    schema_id: str, parts: tuple[str | int, ...], keyword: str, item: Any
) -> None:
    schemas = mutate(schema_id, parts, keyword, item)
    validators: dict[Strictness, Validator] = {}
    for case, expected in zip(CASES, baseline(), strict=True):
        if case.strictness not in validators:
            closed = case.strictness.undocumented_field != "off"
            variant = {i: close_objects(s) for i, s in schemas.items()} if closed else schemas
            validators[case.strictness] = Validator(case.strictness, schemas=build(variant))
        if verdict(validators[case.strictness], case) != expected:
            return
    pytest.fail(f"no case notices the deletion of {item!r} from {keyword} in {name_of(schema_id)}")
