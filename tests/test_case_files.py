"""Sanity of the case files themselves: the format, the descriptions, the balance."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from contracts.registry import name_of
from contracts.routing import operations
from tests.casefiles import CASE_SCHEMA, drift_files, example, example_names

CASE_VALIDATOR = Draft202012Validator(json.loads(CASE_SCHEMA.read_text(encoding="utf-8")))
NOT_PRESENT_TENSE = re.compile(r"^(should|must|test|will|it |check)", re.IGNORECASE)


def groups(file: Path) -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads(file.read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize("file", drift_files(), ids=lambda f: f.name)
def test_case_file_follows_its_schema(file: Path) -> None:
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in CASE_VALIDATOR.iter_errors(groups(file))]
    assert errors == []


@pytest.mark.parametrize("file", drift_files(), ids=lambda f: f.name)
def test_case_file_is_named_after_its_schema_and_bases_exist(file: Path) -> None:
    for group in groups(file):
        assert group["schema"] == file.name, group["description"]
        assert group["example"] in example_names(), group["description"]


@pytest.mark.parametrize("file", drift_files(), ids=lambda f: f.name)
def test_descriptions_are_unique_short_and_present_tense(file: Path) -> None:
    seen: set[str] = set()
    for group in groups(file):
        for text in (group["description"], *(t["description"] for t in group["tests"])):
            assert not NOT_PRESENT_TENSE.match(text), text
        assert group["description"] not in seen, group["description"]
        seen.add(group["description"])
        names = [t["description"] for t in group["tests"]]
        assert len(names) == len(set(names)), group["description"]


@pytest.mark.parametrize("file", drift_files(), ids=lambda f: f.name)
def test_every_case_file_accepts_and_rejects_something(file: Path) -> None:
    verdicts = {test["valid"] for group in groups(file) for test in group["tests"]}
    assert verdicts == {True, False}


def test_every_body_schema_has_a_drift_file_and_the_corpus_is_large() -> None:
    routed = {name_of(schema) for op in operations() for schema in op.responses.values()}
    assert routed == {f.name for f in drift_files()}
    assert sum(len(group["tests"]) for file in drift_files() for group in groups(file)) >= 80


def test_every_example_says_what_it_is_and_its_verdict() -> None:
    for name in example_names():
        record = example(name)
        assert set(record) == {"description", "source", "request", "response", "verdict"}, name
        assert record["verdict"]["valid"] == (record["verdict"]["violations"] == []), name
        status, _, variant = Path(name).name.partition("-")
        assert int(status) == record["response"]["status"], name
        assert variant, name


def test_case_schema_rejects_a_rejected_test_without_findings() -> None:
    broken = [{"description": "x group", "example": "get-a-job/404-not-found", "schema": "error-response.json",
               "tests": [{"description": "no findings", "patch": [], "valid": False}]}]  # fmt: skip
    assert not CASE_VALIDATOR.is_valid(broken)
    broken[0]["tests"][0]["violations"] = [{"rule": "schema.required", "pointer": "/errors"}]
    assert CASE_VALIDATOR.is_valid(broken)
