"""The semantic rules' shortcuts: a rule's ``holds`` says True only where its check finds nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts import routing
from contracts.rules import RULES, TIMESTAMPS, falls, timestamps_all_read_in_order, timestamps_read_in_order
from tests.casefiles import Case, drift_cases, example_cases, params

JOB_ROUTE = routing.resolve("GET", "/pcm/jobs/{jobID}", 200)
LIST_ROUTE = routing.resolve("GET", "/pcm/jobs", 200)
SHORTCUTS = [rule for rule in RULES if rule.holds is not None]
BASE = datetime(2024, 2, 29, 23, 59, 58, tzinfo=UTC)


def test_the_timestamp_rule_has_its_shortcut() -> None:
    assert [rule.id for rule in SHORTCUTS] == ["timestamps_are_ordered"]


@pytest.mark.parametrize("case", params(example_cases() + drift_cases()))
def test_a_shortcut_that_holds_on_a_recorded_or_drifted_body_leaves_its_rule_nothing(case: Case) -> None:
    route = routing.resolve(case.method, case.path, case.status)
    for rule in SHORTCUTS:
        if rule.holds is not None and rule.holds(case.body, route):
            assert list(rule.check(case.body, route)) == []


@st.composite
def stamps(draw: st.DrawFn) -> str:
    """Timestamps close together (so their order matters), in every form a
    capture may hold: RFC 3339 or not, zoned or not, any number of digits."""
    moment = BASE + timedelta(seconds=draw(st.integers(0, 3)), microseconds=draw(st.sampled_from([0, 1, 5 * 10**5])))
    text = moment.strftime(f"%Y-%m-%d{draw(st.sampled_from('Tt '))}%H:%M:%S")
    if digits := draw(st.integers(0, 9)):
        text += "." + (f"{moment.microsecond:06d}" + draw(st.sampled_from(["000", "999", "5"])))[:digits]
    return text + draw(st.sampled_from(["Z", "z", "+00:00", "-00:00", "+01:00", "-05:30", "+0100", ""]))


VALUES = st.one_of(stamps(), st.none(), st.integers(), st.text(max_size=4))
ATTRIBUTES = st.dictionaries(st.sampled_from(TIMESTAMPS), VALUES)


@settings(max_examples=500, deadline=None)
@given(jobs=st.lists(ATTRIBUTES, min_size=1, max_size=3), listed=st.booleans())
def test_the_timestamp_shortcut_never_holds_where_the_rule_finds_something(
    jobs: list[dict[str, Any]], listed: bool
) -> None:
    rule = next(rule for rule in RULES if rule.id == "timestamps_are_ordered")
    found: Any = [{"attributes": attributes} for attributes in jobs]
    body, route = ({"data": found}, LIST_ROUTE) if listed else ({"data": found[0]}, JOB_ROUTE)
    if timestamps_read_in_order(body, route):
        assert list(rule.check(body, route)) == []


def test_the_timestamp_shortcut_holds_on_the_common_body() -> None:
    attributes = {
        "created_at": "2024-01-05T13:46:42.07Z",
        "started_at": "2024-01-05T13:46:43+00:00",
        "completed_at": "2024-01-05T15:00:00.123456789+01:00",
        "updated_at": "2024-01-05T13:46:43Z",
    }
    assert timestamps_read_in_order({"data": {"attributes": attributes}}, JOB_ROUTE)
    assert timestamps_read_in_order({"data": [{"attributes": attributes}, {"attributes": {}}]}, LIST_ROUTE)
    late = {**attributes, "started_at": "2024-01-05T13:46:42.06Z"}
    assert not timestamps_read_in_order({"data": {"attributes": late}}, JOB_ROUTE)


@settings(max_examples=300, deadline=None)
@given(jobs=st.lists(ATTRIBUTES, min_size=1, max_size=6))
def test_the_timestamp_shortcut_for_many_bodies_never_holds_where_the_rule_finds_something(
    jobs: list[dict[str, Any]],
) -> None:
    rule = next(rule for rule in RULES if rule.id == "timestamps_are_ordered")
    bodies = [{"data": {"attributes": attributes}} for attributes in jobs]
    if timestamps_all_read_in_order(bodies, JOB_ROUTE):
        assert all(list(rule.check(body, JOB_ROUTE)) == [] for body in bodies)
        assert all(timestamps_read_in_order(body, JOB_ROUTE) for body in bodies)


def test_the_timestamp_shortcut_for_many_bodies_holds_on_common_bodies() -> None:
    attributes = {"created_at": "2024-01-05T13:46:42.07Z", "updated_at": "2024-01-05T13:46:43Z"}
    bodies = [
        {"data": {"attributes": attributes}},
        {"data": {"attributes": {**attributes, "started_at": "2024-01-05T13:46:42.5+00:00", "completed_at": None}}},
        {"data": {"attributes": {**attributes, "started_at": None, "completed_at": "2024-01-05T15:00:00+01:00"}}},
    ]
    assert timestamps_all_read_in_order(bodies, JOB_ROUTE)
    assert not timestamps_all_read_in_order([*bodies, {"data": [{"attributes": attributes}]}], JOB_ROUTE)


@given(st.lists(st.booleans(), max_size=300))
def test_falls_finds_every_false_flag_in_order(flags: list[bool]) -> None:
    assert falls(flags) == [index for index, flag in enumerate(flags) if not flag]
