"""JSON Lines judged in bulk give exactly the results of judging them one at a time,
and the shortcuts that make bulk fast (rules stated as JSON Schema, the narrowed
date-time check) never accept what the detailed path rejects."""

from __future__ import annotations

import json
from functools import cache
from itertools import product
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import FormatChecker

from contracts import routing
from contracts.captures.items import Lines, Unreadable, one_by_one
from contracts.captures.judge import Checker
from contracts.captures.readers import CHUNK
from contracts.captures.results import Passed
from contracts.cli import main
from contracts.coverage import Coverage
from contracts.fast import RFC3339, date_time
from contracts.registry import build, documented_values, load
from contracts.rules import JOB_LIST, JOB_RESPONSE, RULES, screen_of
from contracts.validation import Validator
from contracts.violations import Strictness
from tests.casefiles import drift_cases, example_cases
from tests.cases_jsonbody import NOT_JSON
from tests.pipeline import each_result, read_lines

JOB_ROUTE = routing.resolve("GET", "/pcm/jobs/1ea62172-57f6-45e5-a708-ab5bd634e3f9", 200)
LIST_ROUTE = routing.resolve("GET", "/pcm/jobs", 200)
BARE_JOB_ROUTE = routing.resolve("GET", "/pcm/jobs/{jobID}", 200)  # a bare body's: no job asked for
STARTED = {"data": {"type": "pim-job", "id": "j-1", "meta": {"x_request_id": "r-1"},
                    "attributes": {"created_at": "2024-01-05T13:46:42.07Z", "started_at": "2024-01-05T13:46:43Z",
                                   "completed_at": None, "updated_at": "2024-01-05T13:46:43Z",
                                   "type": "product-import", "status": "started"}}}  # fmt: skip


def corpus_lines() -> list[bytes]:
    """Every recorded and drifted body as a compact line, then lines of every other kind."""
    bodies = [case.body for case in example_cases() + drift_cases()]
    lines = [orjson.dumps(body) for body in bodies]
    compact = orjson.dumps(STARTED)
    record = {"request": {"method": "GET", "path": "/pcm/jobs/j-1"}, "response": {"status": 200, "body": STARTED}}
    return [
        *lines,
        b"",
        b"   ",
        json.dumps(STARTED, indent=None).encode(),  # spaces after separators: not byte-identical to orjson's
        compact.replace(b'"status":"started"', b'"status":"pending","status":"started"'),  # a duplicate key
        b"\xef\xbb\xbf" + compact,  # a byte order mark
        orjson.dumps(record),
        orjson.dumps({"data": []}),  # ambiguous
        orjson.dumps([1, 2]),
        compact[:-5],  # truncated
        b"\xff\xfe not UTF-8",
        b"12345678901234567890123456789",  # a number beyond 64 bits
        compact + b"\r",
        b"\x0c" + compact,  # a form feed is not JSON whitespace
        *(body.replace(b"\n", b" ") for body, _ in NOT_JSON.values()),  # everything the reader refuses
    ]


STRICTNESSES = [Strictness(), Strictness(undocumented_field="warning"), Strictness(undocumented_value="off")]


@pytest.mark.parametrize("strictness", STRICTNESSES, ids=str)
@pytest.mark.parametrize("path_status", [(None, None), ("/pcm/jobs/j-1", 200), ("/pcm/jobs/j-1", 404)], ids=str)
def test_bulk_results_are_the_one_by_one_results(
    strictness: Strictness, path_status: tuple[Any, Any], tmp_path: Path
) -> None:
    items = read_lines(tmp_path, corpus_lines())
    path, status = path_status
    one, bulk = (Checker(strictness, path=path, status=status, coverage=Coverage()) for _ in range(2))
    expected = [one.check(item) for item in one_by_one(items)]
    judged = list(bulk.judge(items))
    assert list(each_result(judged)) == expected
    assert any(isinstance(j, Passed) for j in judged)  # the bulk path did take the common lines
    assert bulk.coverage is not None
    assert one.coverage is not None
    assert bulk.coverage.report() == one.coverage.report()


def test_bulk_batches_are_bounded_and_in_line_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("contracts.captures.judge.BATCH", 3)
    compact = orjson.dumps(STARTED)
    lines = [compact] * 7 + [b"{bad"] + [compact] * 2
    judged = list(Checker().judge([Lines("f.jsonl", 10, lines[:4]), Lines("f.jsonl", 14, lines[4:])]))
    assert all(len(j.numbers) <= 3 for j in judged if isinstance(j, Passed))
    assert [j.source for j in judged if not isinstance(j, Passed)] == ["f.jsonl:17"]
    assert [r.source for r in each_result(judged)] == [f"f.jsonl:{n}" for n in range(10, 20)]


def test_a_valid_line_a_screen_leaves_joins_the_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """A line the native pass leaves is judged in full at once; valid without a
    finding (here an error body among job bodies), it is in a batch as the
    holds_on test would put it, and only the drifted line stands alone."""
    from contracts import native

    compact = orjson.dumps(STARTED)
    error = orjson.dumps({"errors": [{"status": "404", "title": "Not Found", "detail": "job not found"}]})
    drifted = compact.replace(b'"started"}', b'"running"}')
    lines = [compact] * 10 + [error, drifted, error, compact]
    left: list[list[int]] = []
    screen = native.Screen.__call__

    def spied(self: native.Screen, datas: list[bytes]) -> native.Screened:
        screened = screen(self, datas)
        left.append(screened.left)
        return screened

    monkeypatch.setattr(native.Screen, "__call__", spied)
    items = [Lines("f.jsonl", 1, lines)]
    judged = list(Checker().judge(items))
    assert left == [[10, 11, 12]]  # the lines the screen left
    assert [j.source for j in judged if not isinstance(j, Passed)] == ["f.jsonl:12"]
    assert list(each_result(judged)) == [Checker().check(item) for item in one_by_one(items)]


def test_every_valid_line_is_in_the_json_and_junit_reports(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    compact = orjson.dumps(STARTED)
    log.write_bytes(b"\n".join([compact, compact, b"{bad", compact]) + b"\n")
    out = tmp_path / "report.json"
    assert main(["validate", str(log), "--format", "json", "--output", str(out)]) == 1
    report = json.loads(out.read_text())
    assert [(r["source"].rsplit(":", 1)[1], r["verdict"]) for r in report["results"]] == [
        ("1", "valid"),
        ("2", "valid"),
        ("3", "unreadable"),
        ("4", "valid"),
    ]
    assert report["summary"]["valid"] == 3
    xml = tmp_path / "report.xml"
    assert main(["validate", str(log), "--format", "junit", "--output", str(xml)]) == 1
    assert xml.read_text().count("<testcase ") == 4


# ---- rules stated as data: the screen says what the Python check says ----

RUN_TIME_RULES = [rule for rule in RULES if rule.fact is not None]
ABSENT = object()
STATUSES = [*documented_values("jobStatus"), "completed", "", None, 1, ABSENT]
RUN_TIMES = [ABSENT, None, "2024-01-05T13:46:42.07Z", "", 0, False, []]


def attribute_sets() -> list[dict[str, Any]]:
    """Every combination of status, started_at and completed_at, each also absent."""
    found = []
    for status, started, completed in product(STATUSES, RUN_TIMES, RUN_TIMES):
        values = {"status": status, "started_at": started, "completed_at": completed}
        found.append({name: value for name, value in values.items() if value is not ABSENT})
    return found


def shapes(attributes: Any) -> list[Any]:
    job = {"attributes": attributes}
    return [{"data": job}, {"data": [job]}, {"data": [{}, job, 3]}, {"data": {"attributes": [attributes]}}, job]


@pytest.mark.parametrize("rule", RUN_TIME_RULES, ids=lambda rule: rule.id)
@pytest.mark.parametrize("route", [JOB_ROUTE, LIST_ROUTE], ids=["job", "list"])
def test_a_rule_stated_as_data_screens_exactly_what_it_checks(rule: Any, route: routing.Route) -> None:
    assert route.schema_id in (JOB_RESPONSE, JOB_LIST)
    screen = jsonschema_rs.validator_for(rule.fact.screen(route.schema_id))
    for attributes in attribute_sets():
        for body in shapes(attributes):
            assert screen.is_valid(body) == (list(rule.check(body, route)) == []), body


@pytest.mark.parametrize("route", [JOB_ROUTE, LIST_ROUTE], ids=["job", "list"])
def test_the_rules_stated_as_data_screen_together_what_they_check_together(route: routing.Route) -> None:
    assert route.schema_id is not None
    facts = [rule.fact for rule in RUN_TIME_RULES if rule.fact is not None]
    screen = jsonschema_rs.validator_for(screen_of(facts, route.schema_id))
    for attributes in attribute_sets():
        for body in shapes(attributes):
            assert screen.is_valid(body) == all(list(rule.check(body, route)) == [] for rule in RUN_TIME_RULES)


# ---- the narrowed date-time check never accepts what jsonschema's rejects ----

STAMPS = st.from_regex(
    r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,10})?([Zz]|[+-][0-9]{2}:[0-9]{2})?\n?\Z"
)
EDGES = [  # the ends of months, leap years, year 0000, leap seconds, the ends of hours and offsets
    f"{year:04d}-{month:02d}-{day:02d}T{time}"
    for year, month, day, time in product(
        [0, 1, 1900, 2000, 2023, 2024, 2100, 9999],
        range(14),
        [0, 1, 28, 29, 30, 31, 32],
        ["23:59:59Z", "23:59:60Z", "24:00:00Z", "00:00:00.5+14:00", "12:00:00-00:00", "12:00:00+24:00"],
    )
]


@cache
def engines() -> tuple[Any, Validator]:
    narrowed = {"type": "string", "format": "date-time", "pattern": RFC3339}
    return jsonschema_rs.validator_for(narrowed, validate_formats=True), Validator(fast=False, reference=True)


def accepted_by_jsonschema(value: str) -> bool:
    body = {"data": {**STARTED["data"], "attributes": {**STARTED["data"]["attributes"], "updated_at": value}}}
    return engines()[1].schema_findings(body, "job-response.json") == []


def test_the_narrowed_date_time_check_is_never_more_lenient_at_the_edges() -> None:
    narrowed, _ = engines()
    lenient = [value for value in EDGES if narrowed.is_valid(value) and not accepted_by_jsonschema(value)]
    assert lenient == []
    assert sum(map(narrowed.is_valid, EDGES)) > len(EDGES) / 10  # and it does accept timestamps


@settings(max_examples=1000, deadline=None)
@given(value=st.one_of(STAMPS, st.text(max_size=30)))
def test_the_narrowed_date_time_check_is_never_more_lenient(value: str) -> None:
    narrowed, _ = engines()
    if narrowed.is_valid(value):
        assert accepted_by_jsonschema(value)


# ---- a body whose request is not known names no job ----


def test_a_body_whose_request_is_not_known_is_not_compared_with_an_id(tmp_path: Path) -> None:
    record = {"request": {"method": "GET"}, "response": {"status": 200, "body": STARTED}}
    lines = [orjson.dumps(record), orjson.dumps(STARTED)]
    items = one_by_one(read_lines(tmp_path, lines, "x.jsonl"))
    assert [(r.verdict, r.violations) for r in map(Checker().check, items)] == [
        ("valid", ()),
        ("valid", ()),
    ]
    route = routing.resolve("GET", "/pcm/jobs/{jobID}", 200)
    assert dict(route.params) == {}
    asked = routing.resolve("GET", "/pcm/jobs/other-job", 200)
    assert [v.rule for v in Validator().validate_route(STARTED, asked)] == ["data_id_matches_request"]


@settings(max_examples=500, deadline=None)
@given(value=st.one_of(st.sampled_from(EDGES), STAMPS, st.text(max_size=30)))
def test_the_date_time_check_is_jsonschemas_own(value: str) -> None:
    assert date_time(value) == FormatChecker().conforms(value, "date-time")


def test_member_names_any_unicode_can_hold_name_the_same_schema_place_in_both_engines() -> None:
    schema_id = "https://pcm-contracts.example/schemas/odd.json"
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id,
        "type": "object",
        "properties": {"página": {"type": "string"}, "a b": {"enum": ["x"]}, "c/d~e%f": {"const": 1}},
        "required": ["ø"],
    }
    schemas = build({**load().schemas, schema_id: schema})
    body = {"página": 1, "a b": "y", "c/d~e%f": 2}
    rust = Validator(schemas=schemas, fast=False).schema_findings(body, schema_id)
    reference = Validator(schemas=schemas, fast=False, reference=True).schema_findings(body, schema_id)
    assert rust == reference
    assert {v.schema_pointer for v in rust} == {
        f"{schema_id}#/properties/página/type",
        f"{schema_id}#/properties/a b/enum",
        f"{schema_id}#/properties/c~1d~0e%f/const",
        f"{schema_id}#/required",
    }


def test_a_lone_surrogate_gets_its_findings_from_the_reference_engine() -> None:
    body = {"data": {**STARTED["data"], "attributes": {**STARTED["data"]["attributes"], "status": "\ud800"}}}
    route = routing.resolve("GET", "/pcm/jobs/j-1", 200)
    found = Validator().validate_route(body, route)
    assert [(v.rule, v.pointer) for v in found] == [("schema.enum", "/data/attributes/status")]
    assert Validator().holds_on(route)(body) is False


# ---- chunks: read and screened at once, the same results as line by line ----


@cache
def job_bodies() -> list[Any]:
    """Every recorded and drifted Get a Job body, and the started job with its
    timestamps in order, out of order and in mixed forms."""
    bodies = [case.body for case in example_cases() + drift_cases()]
    found = [b for b in bodies if isinstance(b, dict) and isinstance(b.get("data"), dict) and "response" not in b]
    stamps = [
        "2024-01-05T13:46:42.07Z",
        "2024-01-05T13:46:43+00:00",
        "2024-01-05T14:46:42.07+02:00",
        "2024-01-05T13:46:42",
    ]
    for created, started, updated in product(stamps, repeat=3):
        attributes = {**STARTED["data"]["attributes"], "created_at": created, "started_at": started}
        found.append({"data": {**STARTED["data"], "attributes": {**attributes, "updated_at": updated}}})
    return found


def chunked_lines(seed: int) -> list[bytes]:
    """Over three chunks of job bodies, compact and spaced, one chunk with odd lines among them."""
    import random

    rng = random.Random(seed)
    bodies = job_bodies()
    lines = [orjson.dumps(rng.choice(bodies)) for _ in range(CHUNK)]
    lines += [json.dumps(rng.choice(bodies)).encode() for _ in range(CHUNK)]
    lines += [rng.choice([orjson.dumps(rng.choice(bodies)), *corpus_lines()]) for _ in range(CHUNK // 2)]
    return lines


@pytest.mark.parametrize("strictness", STRICTNESSES, ids=str)
@pytest.mark.parametrize("native_pass", [True, False], ids=["native", "without-native"])
def test_lines_judged_a_chunk_at_a_time_give_the_one_by_one_results(
    strictness: Strictness, native_pass: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from contracts import native
    from contracts.captures import judge

    taken: list[bool] = []
    all_jobs, screen = judge.all_jobs, native.Screen.__call__
    monkeypatch.setattr(judge, "all_jobs", lambda values: taken.append(all_jobs(values)) or taken[-1])
    monkeypatch.setattr(native.Screen, "__call__", lambda self, datas: taken.append(True) or screen(self, datas))
    if not native_pass:
        monkeypatch.setattr(native, "screen_for", lambda schemas, route: None)
    items = read_lines(tmp_path, chunked_lines(len(str(strictness))))
    one, bulk = (Checker(strictness, coverage=Coverage()) for _ in range(2))
    expected = [one.check(item) for item in one_by_one(items)]
    judged = list(bulk.judge(items))
    assert list(each_result(judged)) == expected
    assert True in taken  # chunks did take the bulk path
    assert bulk.coverage is not None
    assert one.coverage is not None
    assert bulk.coverage.report() == one.coverage.report()


@pytest.mark.parametrize(("waiting", "waiting_bytes"), [(1, 10**9), (300, 10**9), (10**6, 10**9), (10**6, 2000)])
def test_lines_screened_ahead_of_their_detailed_check_are_judged_in_line_order(
    waiting: int, waiting_bytes: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """However many lines wait for the lines the screens left to be judged
    (:data:`judge.WAITING`, :data:`judge.WAITING_BYTES`), across files and
    other items between them, the results are the one-by-one results."""
    from contracts.captures import judge

    monkeypatch.setattr(judge, "WAITING", waiting)
    monkeypatch.setattr(judge, "WAITING_BYTES", waiting_bytes)
    first = read_lines(tmp_path, chunked_lines(1), "a.jsonl")
    second = read_lines(tmp_path, chunked_lines(2), "b.jsonl")
    items = [*first, Unreadable("c.json", "empty file"), *second, *first]
    one, bulk = (Checker(coverage=Coverage()) for _ in range(2))
    expected = [one.check(item) for item in one_by_one(items)]
    judged = list(bulk.judge(items))
    assert list(each_result(judged)) == expected
    assert bulk.coverage is not None
    assert one.coverage is not None
    assert bulk.coverage.report() == one.coverage.report()


def test_what_the_bulk_reader_takes_the_reader_takes_as_the_same_value() -> None:
    from contracts import jsonbody

    lines = [line.strip(b" \t\r\n") for line in chunked_lines(3)]
    lines = [line for line in lines if orjson_reads(line)]
    assert jsonbody.quick_all([*lines, b"{bad"]) is None
    read = jsonbody.quick_all(lines)
    assert read is not None
    values, todo = read
    assert 0 < len(todo) < len(lines)
    for index, (line, value) in enumerate(zip(lines, values, strict=True)):
        if index not in todo:
            assert jsonbody.quick(line) == value
            assert jsonbody.parse(line) == value


def orjson_reads(line: bytes) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


def test_all_jobs_takes_only_bare_bodies_guessed_as_get_a_job() -> None:
    from contracts.captures.items import is_record
    from contracts.captures.judge import JOB_PATH, all_jobs, guess

    values = [v for v in (jsonbody_read(line) for line in corpus_lines()) if v is not None]
    for value in values:
        if all_jobs([value]):
            assert not is_record(value)
            assert guess(value) == (JOB_PATH, 200)
    assert any(all_jobs([v]) for v in values)
    assert not all_jobs([*[v for v in values if is_record(v)][:1], STARTED])


def jsonbody_read(line: bytes) -> Any:
    from contracts.jsonbody import NotJson, parse

    try:
        return parse(line)
    except NotJson:
        return None


@pytest.mark.parametrize("strictness", STRICTNESSES, ids=str)
def test_what_holding_leaves_out_holds(strictness: Strictness) -> None:
    validator = Validator(strictness)
    bodies = job_bodies()
    failed = validator.holding_on(JOB_ROUTE)(bodies)
    assert failed is not None
    assert 0 < len(failed) < len(bodies)
    for index, body in enumerate(bodies):
        assert (index not in failed) == validator.holds_on(JOB_ROUTE)(body)
        if index not in failed:
            assert validator.validate_route(body, JOB_ROUTE) == []


@settings(max_examples=300, deadline=None)
@given(picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=8))
def test_the_timestamp_shortcut_for_many_bodies_never_holds_where_the_rule_finds_something(picks: list[int]) -> None:
    from contracts.rules import timestamps_all_read_in_order

    rule = next(rule for rule in RULES if rule.id == "timestamps_are_ordered")
    everything = job_bodies()
    bodies = [everything[pick % len(everything)] for pick in picks]
    if timestamps_all_read_in_order(bodies, JOB_ROUTE):
        assert all(list(rule.check(body, JOB_ROUTE)) == [] for body in bodies)


@st.composite
def job_lines(draw: st.DrawFn) -> bytes:
    """A Get a Job line with what a capture may hold: a timestamp of any form, a key twice, any spacing."""
    attributes = {**STARTED["data"]["attributes"]}
    for name in draw(st.sets(st.sampled_from(["created_at", "started_at", "updated_at"]))):
        attributes[name] = draw(STAMPS).rstrip("\n")
    body = {"data": {**STARTED["data"], "attributes": attributes}}
    line = draw(st.sampled_from([orjson.dumps, lambda b: json.dumps(b).encode()]))(body)
    if draw(st.booleans()):  # the same key twice, compact or spaced, with the same or another value
        key = draw(st.sampled_from([b'"status"', b'"type"', b'"created_at"', b'"data"']))
        second = draw(st.sampled_from([b'"started"', b'"pending"', b"{}", b'"2024-01-05T13:46:42Z"']))
        line = line.replace(key + b":", key + b":" + second + b"," + key + b":", 1)
        line = line.replace(key + b": ", key + b": " + second + b", " + key + b": ", 1)
    return line


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(job_lines(), min_size=1, max_size=12))
def test_a_line_the_bulk_path_passes_has_no_finding_for_the_reference_validator(lines: list[bytes]) -> None:
    """Duplicate keys and date-time forms through chunks of four (the bulk path)
    and line by line: what passes is JSON the careful reader reads, without any
    finding from jsonschema (Python) or the rules."""
    from contracts import jsonbody

    reference = reference_validator()
    chunks = [
        Lines("g.jsonl", i + 1, [line.strip(b" \t\r\n") for line in lines[i : i + 4]]) for i in range(0, len(lines), 4)
    ]
    judged = list(Checker().judge(chunks))
    for passed in (j for j in judged if isinstance(j, Passed)):
        for number in passed.numbers:
            body = jsonbody._careful(lines[number - 1])  # raises NotJson for a duplicate key
            assert reference.validate_route(body, BARE_JOB_ROUTE) == []


@cache
def reference_validator() -> Validator:
    return Validator(fast=False, reference=True)
