"""Captured payloads as tests: `pytest --payloads PATH` (one test per payload)."""

from __future__ import annotations

import pytest

from contracts.captures.items import Item
from contracts.captures.judge import Checker
from contracts.redaction import redact
from contracts.violations import Strictness


def test_captured_payload_keeps_the_contract(payload: Item, strictness: Strictness) -> None:
    result = Checker(strictness).check(payload)
    if result.verdict == "skipped":
        pytest.skip(result.reason or "not a payload of this contract")
    if result.verdict == "unreadable":
        pytest.fail(redact(f"{result.source}: unreadable: {result.reason}"), pytrace=False)
    errors = [str(v) for v in result.violations if v.severity == "error"]
    if errors:
        pytest.fail(redact("\n".join(f"{result.source}: {line}" for line in errors)), pytrace=False)
