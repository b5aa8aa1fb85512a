"""The one JSON reader: what it refuses, why (one line), and what it reads exactly."""

from __future__ import annotations

from collections.abc import Callable

import orjson
import pytest

from contracts.client import NOT_JSON, Answer
from contracts.jsonbody import MAX_DEPTH, MISSING, WHITESPACE, NotJson, parse, quick, too_deep
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
    assert quick(b'{"a": 1}') is MISSING  # spaced: orjson would not write it so, parse reads it
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
