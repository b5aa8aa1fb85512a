"""Spreading the judging over processes (``--jobs N``).

With one job, items are read and judged in this process, one at a time. With
more, the inputs are cut into units (whole files; large JSON Lines files into
byte ranges that start and end on line boundaries), judged in a process pool,
and the results come back in input order, a unit at a time.

The parent expands directories and reads standard input itself; a worker
gets the :class:`~contracts.verdicts.Checker` and one :class:`Unit`, and
answers with its results (a valid result without findings as its bare source,
to keep the traffic small) and the secrets it remembered while reading, which
the parent remembers too, so its reports redact them.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from contracts import client
from contracts.captures import SUFFIXES, Item, expand, read, read_file, read_jsonl, read_stdin
from contracts.coverage import Coverage
from contracts.verdicts import Checker, Result

SPLIT_BYTES = 4 * 2**20
"""JSON Lines files larger than this are cut into ranges of about this size."""
BLOCK = 2**20


@dataclass(frozen=True, slots=True)
class Unit:
    """A whole file, or the lines of a JSON Lines file in ``[start, end)``
    (byte offsets on line boundaries), the first of them numbered ``first``;
    ``last`` marks the last range of a file."""

    path: str
    start: int = 0
    end: int | None = None
    first: int = 1
    last: bool = True


Answer = tuple[list[str | Result], list[str], bool, Coverage | None]
"""A unit's results (a bare source for a valid result without findings),
the secrets remembered while reading it, whether it held a non-blank line,
and what the worker's checker observed for the coverage report."""


def judge_unit(checker: Checker, unit: Unit) -> Answer:
    """Read and judge one unit (in a worker)."""
    before = set(client.SECRETS)
    if unit.end is None:
        items: Iterator[Item] = read_file(Path(unit.path))
        seen = True
    else:
        with open(unit.path, "rb") as handle:
            handle.seek(unit.start)
            lines = handle.read(unit.end - unit.start).split(b"\n")
        seen = any(line.strip() for line in lines)
        items = read_jsonl(lines, unit.path, first=unit.first, whole=False)
    results: list[str | Result] = []
    for result in checker.check_all(items):
        results.append(result.source if result.verdict == "valid" and not result.violations else result)
    return results, sorted(client.SECRETS - before), seen, checker.coverage


def ranges(path: str, size: int, split_bytes: int) -> Iterator[Unit]:
    """``path`` cut into units of about ``split_bytes``, each ending after a
    newline (or at the end of the file), with the number of its first line."""
    start, first = 0, 1
    with open(path, "rb") as handle:
        while start < size:
            handle.seek(start)
            chunk = handle.read(split_bytes)
            cut = chunk.rfind(b"\n")
            while cut == -1 and len(chunk) < size - start:  # a line longer than a unit: read on to its end
                more = handle.read(BLOCK)
                found = more.find(b"\n")
                cut = len(chunk) + found if found != -1 else -1
                chunk += more
            end = start + (cut + 1 if cut != -1 else len(chunk))
            yield Unit(path, start, end, first, last=end >= size)
            first += chunk.count(b"\n", 0, end - start)
            start = end


def units(paths: Iterable[str], split_bytes: int) -> Iterator[Unit | Item | str]:
    """What to judge, in input order: units for the pool, items the parent
    found itself (files below a directory that are skipped, an empty
    directory), and ``-`` for standard input."""
    for name in paths:
        if name == "-":
            yield name
            continue
        for found in expand(Path(name)):
            if not isinstance(found, Path):
                yield found
                continue
            path = str(found)
            try:
                size = found.stat().st_size if SUFFIXES.get(found.suffix.lower()) == "jsonl" else 0
            except OSError:
                size = 0
            if size > split_bytes and found.is_file():
                yield from ranges(path, size, split_bytes)
            else:
                yield Unit(path)


def judge_all(
    checker: Checker, paths: Iterable[str], *, jobs: int = 1, split_bytes: int = SPLIT_BYTES
) -> Iterator[Result]:
    """Every result, in input order, whatever ``jobs``."""
    if jobs <= 1:
        yield from checker.check_all(read(paths))
    else:
        yield from _pooled(checker, paths, jobs, split_bytes)


def _pooled(checker: Checker, paths: Iterable[str], jobs: int, split_bytes: int) -> Iterator[Result]:
    checker.validator  # noqa: B018 - compiled once here, inherited by forked workers
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pending: deque[tuple[Unit, Future[Answer]] | Item | str] = deque()
    seen: dict[str, bool] = {}  # whether a split file had a non-blank line so far
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:

        def drain(limit: int) -> Iterator[Result]:
            while len(pending) > limit:
                entry = pending.popleft()
                if isinstance(entry, str):
                    yield from checker.check_all(read_stdin())
                elif isinstance(entry, tuple):
                    yield from _answer(*entry, seen, checker.coverage)
                else:
                    yield checker.check(entry)

        for unit in units(paths, split_bytes):
            if isinstance(unit, Unit):
                pending.append((unit, pool.submit(judge_unit, checker, unit)))
                yield from drain(2 * jobs)
            else:
                pending.append(unit)
        yield from drain(0)


def _answer(unit: Unit, future: Future[Answer], seen: dict[str, bool], coverage: Coverage | None) -> Iterator[Result]:
    results, secrets, nonblank, observed = future.result()
    client.remember(*secrets)
    if coverage is not None and observed is not None:
        coverage.merge(observed)
    for result in results:
        yield Result(result, "valid") if isinstance(result, str) else result
    if unit.end is not None:  # a range: "empty file" only after the last one, when none had a line
        seen[unit.path] = seen.get(unit.path, False) or nonblank
        if unit.last and not seen.pop(unit.path):
            yield Result(unit.path, "unreadable", reason="empty file")
