"""The JSON report writes a batch of valid lines exactly as it writes each of them."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from contracts import redaction
from contracts.captures.reports import JsonReporter
from contracts.captures.results import Judged, Passed, Result, Summary
from contracts.violations import Violation
from tests.pipeline import each_result


def report(judged: list[Judged]) -> str:
    out = io.StringIO()
    reporter = JsonReporter(out)
    for one in judged:
        reporter.result(one)
    reporter.finish(Summary())
    return out.getvalue()


def batches(name: str) -> list[Judged]:
    invalid = Result(f"{name}:3", "invalid", (Violation("schema.enum", "/data", "no", "error", "structure"),))
    return [Passed(name, [1, 2]), invalid, Passed(name, [4, 9, 4096], offset=10), Passed(name, [7])]


@pytest.fixture
def secret() -> Iterator[str]:
    value = "sekret-file-name-5678"
    redaction.remember(value)
    yield value
    for form in redaction.forms(value):
        redaction.SECRETS.discard(form)


@pytest.mark.parametrize("name", ["log.jsonl", 'a "quoted" \\ pàth.jsonl', "stdin", "dir/日本.ndjson"])
def test_a_batch_of_valid_lines_is_written_as_each_valid_line(name: str) -> None:
    judged = batches(name)
    written = report(judged)
    assert written == report(list(each_result(judged)))
    sources = [result["source"] for result in json.loads(written)["results"]]
    assert sources == [f"{name}:{n}" for n in (1, 2, 3, 14, 19, 4106, 7)]


def test_a_batch_naming_a_secret_is_redacted_as_each_valid_line(secret: str) -> None:
    judged = batches(f"captures/{secret}.jsonl")
    written = report(judged)
    assert written == report(list(each_result(judged)))
    assert secret not in written
    assert written.count(redaction.MASK) == 7


def test_a_report_that_starts_with_a_batch_is_json() -> None:
    assert json.loads(report([Passed("x.jsonl", [1])]))["results"] == [
        {"source": "x.jsonl:1", "verdict": "valid", "valid": True, "violations": []}
    ]
