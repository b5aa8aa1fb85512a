"""The one JSON reader: what it refuses, why (one line), and what it reads exactly."""

from __future__ import annotations

import json
from collections.abc import Callable

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.client import NOT_JSON, Answer
from contracts.jsonbody import (
    MAX_DEPTH,
    MISSING,
    WHITESPACE,
    NotJson,
    _careful,
    parse,
    quick,
    quick_all,
    token_bytes,
    too_deep,
)
from tests.cases_jsonbody import JSON
from tests.cases_jsonbody import NOT_JSON as REFUSED


@pytest.mark.parametrize(("body", "reason"), REFUSED.values(), ids=REFUSED.keys())
def test_a_body_that_is_not_json_is_refused_with_its_one_line_reason(body: bytes, reason: str) -> None:
    with pytest.raises(NotJson) as raised:
        parse(body)
    assert raised.value.reason == reason
    assert "\n" not in reason
    assert "sys." not in reason  # no Python advice (set_int_max_str_digits)


@pytest.mark.parametrize(("body", "value"), JSON.values(), ids=JSON.keys())
def test_json_is_read_exactly(body: bytes, value: object) -> None:
    assert parse(body) == value


@pytest.mark.parametrize("body", [body for body, _ in REFUSED.values()], ids=REFUSED.keys())
def test_the_fast_check_never_accepts_what_the_reader_refuses(body: bytes) -> None:
    assert quick(body.strip(WHITESPACE)) is MISSING


def test_the_fast_check_takes_compact_bodies_and_leaves_the_rest() -> None:
    assert quick(b'{"a":[1,"x"]}') == {"a": [1, "x"]}
    assert quick(b'{"a":1.0e2}') is MISSING  # spelled otherwise: orjson would not write it so, parse reads it
    assert quick(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) == parse(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)
    assert quick(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1)) is MISSING


@pytest.mark.parametrize("make", [lambda v: [v], lambda v: {"a": v}], ids=["arrays", "objects"])
def test_the_depth_limit_is_the_depth_orjson_writes(make: Callable[[object], object]) -> None:
    """What lets the fast check prove the depth limit for free: orjson.dumps
    writes MAX_DEPTH levels and refuses one more (re-check on upgrading orjson)."""
    value: object = 1
    for _ in range(MAX_DEPTH):
        value = make(value)
    assert orjson.loads(orjson.dumps(value)) == value
    with pytest.raises(orjson.JSONEncodeError):
        orjson.dumps(make(value))


def test_depth_counts_only_brackets_outside_strings() -> None:
    assert not too_deep(b'["' + b"[" * 1000 + b'"]')
    assert not too_deep(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)
    assert too_deep(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1))
    assert too_deep(b'{"a":' * (MAX_DEPTH + 1) + b"1" + b"}" * (MAX_DEPTH + 1))


@pytest.mark.parametrize("body", [body for body, _ in REFUSED.values()], ids=REFUSED.keys())
def test_a_live_answer_reads_its_body_with_the_same_reader(body: bytes) -> None:
    answer = Answer("GET", "http://127.0.0.1/pcm/jobs/x", 200, {"Content-Type": "application/json"}, body, True)
    assert answer.json() is NOT_JSON


def test_a_live_answer_reads_json_exactly() -> None:
    body = b'{"n": 123456789012345678901234567890}'
    assert Answer("GET", "u", 200, {}, body, True).json() == {"n": 123456789012345678901234567890}


def _same(a: object, b: object) -> bool:
    """Equal, and of the same JSON types all the way down (``1`` is not ``1.0``)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        assert isinstance(b, dict)
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        assert isinstance(b, list)
        return len(a) == len(b) and all(map(_same, a, b))
    return a == b


@pytest.mark.parametrize(
    "value",
    [
        {"data": {"id": "a", "attributes": {"status": "pending", "started_at": None}, "meta": {"x": [1, 2.5]}}},
        [1, "two", None, True, False, {"a": []}, {}],
        {"a": {"b": {"c": "d"}}},
        "a string, with: separators",  # written back as it is: nothing to take out
    ],
    ids=["job", "array", "nested", "string"],
)
def test_the_fast_check_takes_bodies_written_with_json_dumps_spacing(value: object) -> None:
    text = json.dumps(value).encode()
    assert _same(quick(text), value)
    assert _same(parse(text), value)


@pytest.mark.parametrize(
    "body",
    [
        b'{"a": "x, y"}',  # a separator's spacing inside a string: written back without it, so it differs
        b'{"a": "x: y"}',
        b'{"a": "x y", "b": "x, y"}',  # spaces of its own and after a separator, in strings
        b'{"a": 1.0e2}',  # a number spelled otherwise
        b'{"a": 1, "a": 1}',  # a duplicate key
        b'{"a": {"b": 1, "b": 2}}',
        b'{"a": [1, 2], "a": [1, 2]}',
    ],
)
def test_spacing_the_fast_check_does_not_take_is_left_to_the_careful_path(body: bytes) -> None:
    assert quick(body) is MISSING


@pytest.mark.parametrize(
    "body",
    [
        b'{"a":  1}',  # two spaces
        b'{"a" : 1}',  # a space before the colon
        b'{ "a": [ 1 , 2 ] }',
        b'{"a":\t1,\r"b":\n2}',
        b'{"a": "x y", "b": 1}',  # a space of the string's own
    ],
)
def test_any_whitespace_between_tokens_takes_the_fast_check(body: bytes) -> None:
    assert quick(body) == parse(body)


@pytest.mark.parametrize(
    "body",
    [
        *(b'"a\tb"', b'"a\nb"', b'"a\rb"'),  # a raw tab or line break in a string
        *(b"[1 2]", b"[- 1]", b"[1 .5]", b"[1. 5]", b"[1e 5]", b"[1.5e- 3]", b"[tr ue]", b"[n ull]"),
        *(b'["\\u00 e9"]', b'["\\ n"]'),  # in an escape
    ],
)
def test_orjson_refuses_whitespace_inside_a_token(body: bytes) -> None:
    """What the fast check's proof stands on (re-check on upgrading orjson)."""
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(body)


def test_token_bytes_counts_every_byte_but_json_whitespace() -> None:
    """What the native pass's write-back proof counts (re-check on upgrading stringzilla):
    each byte value alone, all of them at once, none, and form feeds and vertical tabs
    (whitespace to ``bytes.strip``, not to JSON) counted as tokens."""
    assert token_bytes(b"") == 0
    for byte in range(256):
        assert token_bytes(bytes([byte]) * 3) == (0 if byte in WHITESPACE else 3), byte
    everything = bytes(range(256)) * 1000  # past any SIMD register width, and any length's tail
    assert token_bytes(everything) == len(everything.translate(None, WHITESPACE)) == 252_000
    assert token_bytes(b"\x0b\x0c \t\r\n") == 2


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=700), st.integers(0, 64))
def test_token_bytes_is_the_length_without_json_whitespace(data: bytes, start: int) -> None:
    view = data[start:]  # a slice starting anywhere: not aligned
    assert token_bytes(view) == len(view.translate(None, WHITESPACE))


_KEYS = st.sampled_from(["a", "b", "a b", "a, b", "a: b", ", ", ": ", "é", "x\\"])
_STRINGS = st.sampled_from(
    ["", "x", "x y", "x, y", "x: y", "x,y", "x:y", " , ", "\u00e9", "\\", '"', "\n", "\ud83d\ude00"]
)
_NUMBERS = st.sampled_from(["0", "-0", "1", "1.5", "1.0", "1e2", "1E2", "1.5e-3", "100", "1e400", "-1e400", "0.1"])
_SEPARATORS = st.sampled_from([",", ", ", ", ", ", ", " ,", ",  ", ",\t"])
_COLONS = st.sampled_from([":", ": ", ": ", ": ", " :", ":  ", ":\t"])
_PADDING = st.sampled_from(["", "", "", " ", "\r\n"])


@st.composite
def _texts(draw: st.DrawFn, depth: int = 0) -> str:
    """A JSON text written any way JSON allows: keys possibly repeated,
    strings with separators in them, numbers spelled in many ways, spacing
    as ``json.dumps`` writes it or otherwise."""
    kind = draw(st.sampled_from(["object", "array", "string", "number", "literal"] if depth < 3 else ["string"]))
    if kind == "object":
        members = draw(st.lists(st.tuples(_KEYS, _texts(depth + 1)), max_size=4))
        inside = draw(_SEPARATORS).join(json.dumps(k) + draw(_COLONS) + v for k, v in members)
        return "{" + draw(_PADDING) + inside + draw(_PADDING) + "}"
    if kind == "array":
        inside = draw(_SEPARATORS).join(draw(st.lists(_texts(depth + 1), max_size=4)))
        return "[" + draw(_PADDING) + inside + draw(_PADDING) + "]"
    if kind == "number":
        return draw(_NUMBERS)
    if kind == "literal":
        return draw(st.sampled_from(["true", "false", "null"]))
    return json.dumps(draw(_STRINGS), ensure_ascii=draw(st.booleans()))


@settings(max_examples=400, deadline=None)
@given(_texts())
def test_what_the_fast_check_takes_the_careful_reader_reads_as_the_same_value(text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    found = quick(data)
    if found is MISSING:
        return
    assert _same(_careful(data), found)  # never a duplicate key, an odd number or anything else it refuses


def test_json_dumps_spacing_of_a_job_line_takes_the_fast_check() -> None:
    """The shape the benchmark writes with Python's default spacing (every line, not just some)."""
    job = {"data": {"type": "pim-job", "id": "x", "attributes": {"created_at": "2024-01-05T13:46:42.07Z"}}}
    assert quick(json.dumps(job).encode()) == job
    assert quick(json.dumps(job, separators=(",", ":")).encode()) == job


@settings(max_examples=300, deadline=None)
@given(st.lists(_texts(), min_size=1, max_size=6))
def test_what_the_bulk_fast_check_takes_the_fast_check_takes_as_the_same_value(texts: list[str]) -> None:
    datas = [text.encode("utf-8", "surrogatepass") for text in texts]
    read = quick_all(datas)
    if read is None:
        assert any(_orjson_refuses(data) for data in datas)
        return
    values, todo = read
    for index, (data, value) in enumerate(zip(datas, values, strict=True)):
        if index not in todo:
            assert _same(quick(data), value)


def _orjson_refuses(data: bytes) -> bool:
    try:
        orjson.dumps(orjson.loads(data))
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return True
    return False
