"""What a JUnit XML report of a suite run says, for the self-tests."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path


def failures(junit: Path) -> tuple[str, ...]:
    """The message and text of every failure and error, in report order."""
    tree = ET.parse(junit)
    return tuple(
        (element.get("message") or "") + "\n" + (element.text or "")
        for element in tree.iter()
        if element.tag in ("failure", "error")
    )


def executed(junit: Path) -> int:
    """How many test cases ran (were not skipped)."""
    return sum(1 for case in ET.parse(junit).iter("testcase") if case.find("skipped") is None)
