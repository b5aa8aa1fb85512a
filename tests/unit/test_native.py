"""The native pass (:mod:`contracts.native`) takes a line only where the
reference validator finds nothing, follows the schemas it is derived from,
refuses what it cannot carry over, and learns key orders."""

from __future__ import annotations

import copy
import json
import random
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import msgspec
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts import native
from contracts.jsonbody import NotJson, _careful
from contracts.registry import SCHEMA_BASE, build, load, read_schemas
from contracts.rules import RULES, moment
from contracts.validation import Validator
from tests.test_mutations import mutate, mutations
from tests.unit.test_judge import BARE_JOB_ROUTE, EDGES, STAMPS, STARTED, corpus_lines, job_bodies, job_lines

JOB = SCHEMA_BASE + "job.json"


@cache
def reference(schemas: Any = None) -> Validator:
    return Validator(schemas=schemas, fast=False, reference=True)


def screen(schemas: Any = None) -> native.Screen:
    found = native.Screen(schemas or load(), BARE_JOB_ROUTE)  # a fresh one: no order learnt yet
    return found


def taken_lines(screen: native.Screen, lines: list[bytes]) -> list[bytes]:
    left, taken, _ = screen(lines)
    assert len(left) + len(taken) == len(lines)
    return [line for index, line in enumerate(lines) if index not in left]


def holds_for_the_reference(line: bytes, validator: Validator | None = None) -> bool:
    try:
        body = _careful(line)
    except NotJson:
        return False
    return (validator or reference()).validate_route(body, BARE_JOB_ROUTE) == []


def spellings(body: Any, rng: random.Random) -> list[bytes]:
    """One body written compactly, spaced, indented, with keys reversed and shuffled, with tabs and carriage returns."""

    def shuffled(value: Any, flip: bool) -> Any:
        if isinstance(value, dict):
            keys = list(value)
            keys.reverse() if flip else rng.shuffle(keys)
            return {key: shuffled(value[key], flip) for key in keys}
        if isinstance(value, list):
            return [shuffled(item, flip) for item in value]
        return value

    return [
        orjson.dumps(body),
        json.dumps(body).encode(),
        json.dumps(body, separators=(" ,", " : ")).encode(),
        json.dumps(body, indent=1).encode().replace(b"\n", b" "),
        json.dumps(body, ensure_ascii=True).replace("e", "\\u0065", 1).encode(),
        orjson.dumps(shuffled(body, True)),
        orjson.dumps(shuffled(body, False)),
        json.dumps(shuffled(body, False), separators=(",\t", ":\r ")).encode(),  # tabs and CRs between tokens
    ]


def test_every_line_taken_from_the_corpus_has_no_finding_for_the_reference() -> None:
    rng = random.Random(11)
    lines = [*corpus_lines(), *(line for body in job_bodies() for line in spellings(body, rng))]
    taken = taken_lines(screen(), lines)
    assert len(taken) > 20  # the valid examples, in several orders
    for line in taken:
        assert holds_for_the_reference(line), line


def test_threads_sharing_a_pass_get_the_answers_of_one() -> None:
    rng = random.Random(5)
    chunks = [
        [line for body in job_bodies() for line in spellings(body, rng)][start::3] + corpus_lines()[start::7]
        for start in range(3)
    ]
    shared = screen()
    for chunk in chunks:  # the orders learnt first: what it takes no longer depends on what it met
        shared(chunk)
    alone = [shared(chunk)[0] for chunk in chunks]
    assert all(0 < len(left) < len(chunk) for left, chunk in zip(alone, chunks, strict=True))  # some taken, some left
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads taking turns within a chunk, as a busy worker's may
    try:
        with ThreadPoolExecutor(3) as pool:  # each thread writes into a buffer of its own
            for _ in range(50):
                assert [found.left for found in pool.map(shared, chunks)] == alone
    finally:
        sys.setswitchinterval(interval)


def test_the_valid_documented_jobs_are_taken_in_the_orders_learnt() -> None:
    valid = [b for b in job_bodies() if reference().validate_route(b, BARE_JOB_ROUTE) == []]
    orders: list[Any] = []
    for body in valid:
        order = tuple(native.key_order(body))
        if order not in orders and len(orders) < native.ORDERS - 1:  # the schema's own order is one plan
            orders.append(order)
    lines = [orjson.dumps(body) for body in valid if tuple(native.key_order(body)) in orders]
    assert len(lines) >= 5
    found = screen()
    found(lines)
    assert found(lines)[0] == []  # every order written there is learnt by now
    assert len(found.plans) <= native.ORDERS


def test_lines_in_more_orders_than_the_limit_are_taken_and_no_more_orders_are_compiled() -> None:
    found = screen()
    keys = list(STARTED["data"]["attributes"])
    orders = [keys[i:] + keys[:i] for i in range(len(keys))]
    lines = [
        orjson.dumps({"data": {**STARTED["data"], "attributes": {k: STARTED["data"]["attributes"][k] for k in order}}})
        for order in orders
    ]
    assert len(lines) > native.ORDERS
    calls: list[Any] = []
    line_by_line = found._line_by_line
    found._line_by_line = lambda *args: calls.append(args) or line_by_line(*args)  # type: ignore[method-assign]
    for start in range(len(lines)):  # each order first in a chunk once: its order is learnt while room is left
        assert found(lines[start:] + lines[:start]).left == []
        assert found([json.dumps(orjson.loads(line)).encode() for line in lines]).left == []
    assert calls == []  # taken by the length of the chunk, not line by line
    assert len(found.plans) == native.ORDERS
    for line in lines:
        assert holds_for_the_reference(line)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(job_lines(), min_size=1, max_size=16))
def test_a_generated_line_is_taken_only_where_the_reference_finds_nothing(lines: list[bytes]) -> None:
    """Timestamps of any form, the same key twice, either spacing (``job_lines``)."""
    for line in taken_lines(screen(), lines):
        assert holds_for_the_reference(line), line


AROUND = st.sampled_from([b"", b" ", b"\t", b"  "])
ENDS = st.sampled_from([b"", b"\n", b"\r\n", b" \n", b"\t\n", b"\n\n"])


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.tuples(AROUND, job_lines(), ENDS), min_size=1, max_size=16))
def test_a_line_as_read_whitespace_and_line_end_and_all_is_taken_only_where_the_reference_finds_nothing(
    lines: list[tuple[bytes, bytes, bytes]],
) -> None:
    """What the reader gives: each line with its line end, JSON whitespace around it, or a line end inside."""
    for line in taken_lines(screen(), [before + line + end for before, line, end in lines]):
        assert holds_for_the_reference(line), line


def test_lines_read_with_their_line_ends_are_taken_by_one_comparison_of_the_chunk() -> None:
    found = screen()
    valid = [b for b in job_bodies() if reference().validate_route(b, BARE_JOB_ROUTE) == []]
    written = [msgspec.json.encode(found.plans[0].decode(orjson.dumps(body))) for body in valid]  # in one order
    spaced = [json.dumps(orjson.loads(line)).encode() for line in written]
    assert len(written) > 5
    calls: list[Any] = []
    line_by_line = found._line_by_line
    found._line_by_line = lambda *args: calls.append(args) or line_by_line(*args)  # type: ignore[method-assign]
    for lines in (written, spaced):
        for end in (b"\n", b"\r\n"):
            as_read = [line + end for line in lines]
            assert found(as_read).left == []
            assert found([*as_read[:-1], lines[-1]]).left == []  # the last line of a file without its end
    assert calls == []
    broken = [line + b"\n" for line in written]
    broken[2] = broken[2].replace(b'"data":{', b'"data":{"type":"pim-job",', 1)  # twice: msgspec keeps the last
    assert found(broken).left == [2]
    assert len(calls) == 1
    # a member twice, its length made up for by spaces in a string: the same length as the writing once
    # the spaces are out (json.dumps' spacing), but not the same bytes
    twice = b'"type": "pim-job", '
    body = orjson.loads(written[0])
    body["data"]["meta"]["x_request_id"] = "a" + " " * len(twice.replace(b" ", b"")) + "b"
    line = json.dumps(body).encode().replace(b'"data": {', b'"data": {' + twice, 1)
    assert len(line.replace(b" ", b"")) == len(msgspec.json.encode(found.plans[0].decode(line)))
    assert found([*(line + b"\n" for line in spaced[:3]), line + b"\n"]).left == [3]


SHORT_ESCAPES = '"\\\b\f\n\r\t'
"""The characters JSON spells with a two-byte escape (``\\"``, ``\\n``, ...)."""


def shortest_spelling(character: str) -> int:
    """The bytes of the shortest spelling of ``character`` inside a JSON string."""
    if character in SHORT_ESCAPES:
        return 2
    if character < " ":
        return 6  # only \\u00XX: JSON forbids them raw
    return len(character.encode())


def test_msgspec_writes_every_character_in_its_shortest_spelling() -> None:
    """What the chunk's length comparison rests on (Screen._written_back): no
    string of a line can be spelled shorter than msgspec writes it."""
    characters = [chr(point) for point in range(0x110000) if not 0xD800 <= point <= 0xDFFF]
    written = msgspec.json.encode(characters)
    assert written == b"[" + b",".join(msgspec.json.encode(c) for c in characters) + b"]"
    longer = [c for c in characters if len(msgspec.json.encode(c)) - 2 != shortest_spelling(c)]
    assert longer == []


@pytest.mark.parametrize("character", [chr(point) for point in range(0x20)])
def test_msgspec_refuses_a_raw_control_character_in_a_string(character: str) -> None:
    with pytest.raises(msgspec.DecodeError):
        msgspec.json.decode(b'"a' + character.encode() + b'b"', type=str)


@pytest.mark.parametrize("spelling", [b"1.0", b"1e2", b"1E2", b"1e+2", b"10e-1", b"-0.0", b"1.5"])
def test_msgspec_refuses_an_integer_spelled_as_a_fraction_or_with_an_exponent(spelling: bytes) -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(spelling, type=int)
    assert len(msgspec.json.encode(msgspec.json.decode(b"-0", type=int))) < len(b"-0")  # the one other: longer


def test_a_spaced_chunk_in_any_key_order_is_taken_at_once_but_a_member_twice_or_spelled_otherwise() -> None:
    found = screen()
    valid = [b for b in job_bodies() if reference().validate_route(b, BARE_JOB_ROUTE) == []]
    plan = found.plans[0]
    known = [b for b in valid if len(msgspec.json.encode(plan.decode(orjson.dumps(b)))) == len(orjson.dumps(b))]
    rng = random.Random(7)  # the bodies without a member the types drop (those are left: longer than the writing)
    lines = [spellings(body, rng)[rng.choice((1, 5, 6))] for body in known]  # spaced, or keys reversed, shuffled
    lines = [json.dumps(orjson.loads(line)).encode() + b"\n" for line in lines]
    assert len(lines) > 5
    calls: list[Any] = []
    line_by_line = found._line_by_line
    found._line_by_line = lambda *args: calls.append(args) or line_by_line(*args)  # type: ignore[method-assign]
    assert found(lines).left == []
    assert calls == []
    twice = lines.copy()
    twice[1] = twice[1].replace(b'"data": {', b'"data": {"type": "pim-job", ', 1)
    escaped = lines.copy()
    escaped[2] = escaped[2].replace(b'"pim-job"', b'"pim\\u002djob"', 1)  # the same value, spelled longer
    missing_end = [line.rstrip(b"\n") for line in lines]  # no line end counted where there is none
    missing_end[3] += b" " * 4
    tabbed = [line.replace(b", ", b",\t").replace(b": ", b":\r") for line in lines]  # other whitespace, same count
    tabbed_twice = tabbed.copy()
    tabbed_twice[4] = tabbed_twice[4].replace(b'"data":\r{', b'"data":\r{"type":\t"pim-job",\t', 1)
    assert found(tabbed).left == []
    assert calls == []  # counted at once too, in any key order
    for chunk, left in ((twice, [1]), (escaped, [2]), (missing_end, []), (tabbed_twice, [4])):
        assert found(chunk).left == left
    assert holds_for_the_reference(escaped[2])  # left only for speed


@settings(max_examples=200, deadline=None)
@given(
    stamps=st.lists(st.one_of(STAMPS, st.sampled_from(EDGES)), min_size=4, max_size=4),
    nulls=st.lists(st.booleans(), min_size=2, max_size=2),
    status=st.sampled_from(["pending", "started", "success", "failed", "cancelled", "cancelling", "done"]),
)
def test_timestamps_and_statuses_of_any_form_are_taken_only_where_they_hold(
    stamps: list[str], nulls: list[bool], status: str
) -> None:
    created, updated, started, completed = (stamp.rstrip("\n") for stamp in stamps)
    attributes = {
        **STARTED["data"]["attributes"],
        "created_at": created,
        "updated_at": updated,
        "started_at": None if nulls[0] else started,
        "completed_at": None if nulls[1] else completed,
        "status": status,
    }
    line = orjson.dumps({"data": {**STARTED["data"], "attributes": attributes}})
    for taken in taken_lines(screen(), [line]):
        assert holds_for_the_reference(taken)


@pytest.mark.parametrize(("schema_id", "parts", "keyword", "item"), [m[1:] for m in mutations()])
def test_the_pass_follows_a_mutated_schema(schema_id: str, parts: Any, keyword: str, item: Any) -> None:
    """Deleting a ``required`` entry or an ``enum`` value: the pass built from
    the mutated files takes only what the reference finds nothing in under them."""
    schemas = build(mutate(schema_id, parts, keyword, item))
    rng = random.Random(3)
    lines = [*corpus_lines(), *(line for body in job_bodies() for line in spellings(body, rng)[:3])]
    found = native.screen_for(schemas, BARE_JOB_ROUTE)
    if found is None:
        return
    validator = Validator(schemas=schemas, fast=False, reference=True)
    for line in taken_lines(found, lines):
        assert holds_for_the_reference(line, validator), line


def with_job(change: Any) -> Any:
    files = read_schemas()
    job = copy.deepcopy(files[JOB])
    change(job)
    return build({**files, JOB: job})


UNSUPPORTED = {
    "a pattern": lambda job: job["properties"]["id"].update(pattern="^[a-f0-9-]+$"),
    "a closed object": lambda job: job["$defs"]["attributes"].update(additionalProperties=False),
    "undocumented members closed": lambda job: job["$defs"]["attributes"].update(unevaluatedProperties=False),
    "another format": lambda job: job["properties"]["id"].update(format="uuid"),
    "oneOf": lambda job: job["properties"]["id"].update(oneOf=[{"type": "string"}]),
    "a number's bound": lambda job: job["properties"].update(n={"type": "integer", "minimum": 1}),
    "an untyped member": lambda job: job["properties"].update(n={"description": "anything"}),
    "a member name no identifier": lambda job: job["properties"].update({"a-b": {"type": "string"}}),
}


@pytest.mark.parametrize("change", UNSUPPORTED.values(), ids=UNSUPPORTED.keys())
def test_a_schema_the_pass_cannot_carry_over_has_no_pass(change: Any) -> None:
    assert native.screen_for(with_job(change), BARE_JOB_ROUTE) is None


def test_the_strict_schemas_and_routes_with_other_rules_have_no_pass() -> None:
    from contracts import routing

    assert native.screen_for(load(strict=True), BARE_JOB_ROUTE) is None
    asked = routing.resolve("GET", "/pcm/jobs/j-1", 200)  # data_id_matches_request has no native shortcut
    assert native.screen_for(load(), asked) is None
    assert native.screen_for(load(), routing.resolve("GET", "/pcm/jobs", 200)) is None


times = st.one_of(
    st.none(),
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2024, 1, 2), timezones=st.just(UTC)),
    st.integers(-120, 120).map(lambda m: datetime(2024, 1, 1, 12, tzinfo=UTC) + timedelta(minutes=m)),
)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.tuples(times, times, times, times), min_size=1, max_size=10))
def test_the_timestamp_columns_fail_exactly_the_jobs_the_rule_finds_something_in(rows: list[Any]) -> None:
    rule = next(rule for rule in RULES if rule.id == "timestamps_are_ordered")
    assert rule.holds_times is not None
    names = ("created_at", "updated_at", "started_at", "completed_at")
    columns: dict[str, Any] = {}
    for i, name in enumerate(names):  # a list where every job has it (as the native pass gives), else a dict
        values = [row[i] for row in rows]
        columns[name] = values if None not in values else {j: v for j, v in enumerate(values) if v is not None}
    expected = set()
    for index, row in enumerate(rows):
        attributes = {
            name: None if value is None else value.isoformat() for name, value in zip(names, row, strict=True)
        }
        if list(rule.check({"data": {"attributes": attributes}}, BARE_JOB_ROUTE)):
            expected.add(index)
    assert rule.holds_times(columns, len(rows)) == expected
    sparse = {name: dict(enumerate(column)) if isinstance(column, list) else column for name, column in columns.items()}
    assert rule.holds_times(sparse, len(rows)) == expected


@pytest.mark.parametrize(
    "created",
    ["2024-01-05t13:46:42.07z", "2024-01-05T13:46:42.0700001Z", "2024-01-05T13:46:42+00:60", "2024-01-05 13:46:42Z"],
)
def test_edge_forms_of_a_timestamp_are_taken_only_where_they_hold(created: str) -> None:
    attributes = {**STARTED["data"]["attributes"], "created_at": created}
    lines = [orjson.dumps({"data": {**STARTED["data"], "attributes": attributes}}), orjson.dumps(STARTED)]
    taken = taken_lines(screen(), lines)
    assert orjson.dumps(STARTED) in taken
    for line in taken:
        assert holds_for_the_reference(line)


TIME_FORMS = st.from_regex(  # what RFC 3339 allows and what msgspec or fromisoformat read besides
    r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2})?"
    r"([.,][0-9]{0,9})?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)?\Z"
)


@settings(max_examples=500, deadline=None)
@given(
    strings=st.lists(
        st.one_of(TIME_FORMS, STAMPS, st.sampled_from(EDGES), st.text(max_size=30)), min_size=1, max_size=12
    )
)
def test_a_column_is_read_at_once_only_where_each_date_time_is_certainly_accepted(strings: list[str]) -> None:
    """Where :func:`native.read_dates` reads a column in one call, each
    position it does not set apart holds a date-time the reference accepts,
    read as the rule reads it (same instant, same offset)."""
    from jsonschema import FormatChecker

    assert not FormatChecker().conforms("2024-01-05 13:46:42Z", "date-time")  # the check is there to ask
    dated = native.read_dates(strings)
    if dated is None:  # each string is checked on its own, as the tests above test
        return
    bad, read = dated
    assert len(read) == len(strings)
    for index, string in enumerate(strings):
        if index not in bad:
            assert FormatChecker().conforms(string, "date-time"), string
            reading = moment(string)
            assert reading is not None, string
            assert reading == read[index], string
            assert reading.utcoffset() == read[index].utcoffset(), string


def test_a_column_of_the_documented_forms_is_read_at_once() -> None:
    strings = ["2024-01-05T13:46:42.07Z", "2024-01-05T13:46:42+01:00", "2024-01-05T13:46:42.123456-05:30"]
    lower = "2024-01-05t13:46:42.5z"
    assert native.read_dates([*strings, lower]) == ([], [moment(s) for s in [*strings, lower]])
    for other in (
        "2024-01-05 13:46:42Z",
        "2024-01-05T13:46:42+0100",
        "2024-01-05T13:46:42",
        "2024-01-05T13:46:42.1234567Z",
    ):
        found = native.read_dates([*strings, other])
        assert found is not None, other
        assert found[0] == [len(strings)], other  # only that one set apart
        assert found[1][: len(strings)] == [moment(s) for s in strings]
    assert native.read_dates([*strings, "2024-02-30T13:46:42Z"]) is None  # out of range: each on its own
    assert native.read_dates([*strings, "2024-01-05T13:46:42Zé"]) is None


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(
        st.one_of(st.sampled_from(native.FORMS), st.binary(max_size=9).filter(lambda line: b"\n" not in line)),
        min_size=1,
        max_size=40,
    )
)
def test_the_odd_lines_of_a_column_are_those_in_none_of_the_forms(lines: list[bytes]) -> None:
    """:func:`native._odd` finds, a run of lines in a form at a time, exactly
    the lines that are none of :data:`native.FORMS`, and refuses a count of
    lines the text does not hold (a line end in a string)."""
    marks = b"\n".join(lines)
    assert native._odd(marks, len(lines)) == [index for index, line in enumerate(lines) if line not in native.FORMS]
    assert native._odd(marks, len(lines) + 1) is None


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(
        st.one_of(st.sampled_from(native.FORMS), st.binary(max_size=9).filter(lambda line: b"\n" not in line)),
        max_size=40,
    )
)
def test_stringzilla_counts_the_forms_as_bytes_count_does(lines: list[bytes]) -> None:
    """What :func:`native.read_dates` counts with stringzilla (re-check on upgrading it):
    the forms of a column's marks, as many as ``bytes.count`` finds."""
    marks = b"\n".join(lines)
    assert [native.stringzilla.count(marks, form) for form in native.FORMS] == list(map(marks.count, native.FORMS))


SEVEN_DIGITS = re.compile(rb"\.[0-9]{7}")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from([b".", b"0", b"5", b"9", b"a", b":", b"\xd9", b"\xb9", b"\n"]), max_size=40))
def test_a_fraction_beyond_microseconds_is_found_wherever_it_stands(parts: list[bytes]) -> None:
    """:func:`native.beyond_microseconds` says what ``\\.[0-9]{7}`` says (a
    non-ASCII byte is no digit to either)."""
    data = b"".join(parts)
    assert native.beyond_microseconds(data) == (SEVEN_DIGITS.search(data) is not None)


@pytest.mark.parametrize(
    ("text", "beyond"),
    [
        (b"2024-01-05T13:46:42.1234567Z", True),
        (b"x" * 61 + b".0123456789", True),  # past a SIMD register's width
        (b".1234567", True),
        (b"2024-01-05T13:46:42.123456Z", False),
        (b".12345.67", False),
        (b".123456a7", False),
        (b"", False),
    ],
)
def test_a_fraction_of_seven_digits_is_beyond_microseconds(text: bytes, beyond: bool) -> None:
    assert native.beyond_microseconds(text) is beyond


def test_a_chunk_with_lines_its_types_refuse_or_its_checks_fail_leaves_exactly_those() -> None:
    """A line the decoder refuses, and one it reads whose date-time or run times
    fail, are left wherever they stand in a chunk, alone or several; every other line is
    taken, in order (the chunk's writing compared without the refused lines)."""
    import msgspec

    found = screen()
    good = [orjson.dumps({"data": {**STARTED["data"], "id": f"job-{n}"}}) for n in range(40)]
    refused = orjson.dumps({"data": {**STARTED["data"], "type": "pim-job-error"}})
    attributes = {**STARTED["data"]["attributes"], "created_at": "2024-01-05T13:46:42"}  # no zone
    undated = orjson.dumps({"data": {**STARTED["data"], "attributes": attributes}})
    attributes = {**STARTED["data"]["attributes"], "status": "pending"}  # a pending job that started
    unstarted = orjson.dumps({"data": {**STARTED["data"], "attributes": attributes}})
    kinds = (refused, undated, unstarted)
    for spots in ([0], [39], [3, 17], [0, 1, 2], [5, 38, 39]):
        for bad in (*kinds, None):
            lines = list(good)
            for number, spot in enumerate(spots):
                lines[spot] = kinds[number % 3] if bad is None else bad
            left, taken, _ = found(lines)
            assert left == spots, (spots, bad)
            kept = [orjson.loads(line) for index, line in enumerate(lines) if index not in spots]
            assert [orjson.loads(msgspec.json.encode(body)) for body in taken] == kept, (spots, bad)
