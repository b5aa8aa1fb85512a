"""Spreading the judging over processes (``--jobs N``).

With one job, items are read and judged in this process, one at a time. With
more, the inputs are cut into units (whole files; large JSON Lines files into
byte ranges that start and end on line boundaries), judged in a process pool,
and the results come back in input order, a unit at a time.

The parent expands directories and reads standard input itself; a worker
gets the :class:`~contracts.verdicts.Checker` and one :class:`Unit`, and
answers with its results (valid lines of JSON Lines in
:class:`~contracts.verdicts.Passed` batches, which keep the traffic small)
and the secrets it remembered while reading, which the parent remembers too,
so its reports redact them.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from contracts import redaction
from contracts.captures import SUFFIXES, Item, expand, read_file, read_stdin
from contracts.coverage import Coverage
from contracts.jsonbody import WHITESPACE
from contracts.verdicts import Checker, Judged, Passed, Result

SPLIT_BYTES = 4 * 2**20
"""JSON Lines files larger than this are cut into ranges of about this size."""
BLOCK = 2**20


@dataclass(frozen=True, slots=True)
class Unit:
    """A whole file, or the lines of a JSON Lines file in ``[start, end)``
    (byte offsets on line boundaries); ``last`` marks the last range of a
    file. A worker numbers the lines of a range from 1: the parent, which
    takes the answers in input order, shifts them by the lines before."""

    path: str
    start: int = 0
    end: int | None = None
    last: bool = True


Answer = tuple[list[Judged], list[str], bool, Coverage | None, int]
"""A unit's results, the secrets remembered while reading it, whether it
held a non-blank line, what the worker's checker observed for the coverage
report, and the number of line ends in it."""


Read = Callable[[int], None]
"""Told the number of bytes of the inputs read, as they are read (the progress bar)."""


def size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def total_bytes(paths: Iterable[str]) -> int | None:
    """The bytes of every file the inputs name or hold (what ``read`` is told
    in all); ``None`` when standard input is one of them: its size is unknown."""
    total = 0
    for name in paths:
        if name == "-":
            return None
        total += sum(size_of(found) for found in expand(Path(name)) if isinstance(found, Path))
    return total


def counted_lines(handle: BinaryIO, read: Read, block: int = 2**16) -> Iterator[bytes]:
    """The lines of a binary file (without their line ends), a block at a
    time, telling ``read`` the size of each block."""
    rest = b""
    while data := handle.read(block):
        read(len(data))
        lines = (rest + data).split(b"\n")
        rest = lines.pop()
        yield from lines
    if rest:
        yield rest


def judge_path(checker: Checker, path: Path, read: Read | None = None) -> Iterator[Judged]:
    """Every result of one capture file; JSON Lines in bulk. ``read`` is told
    the file's bytes (of JSON Lines, a block at a time)."""
    if SUFFIXES.get(path.suffix.lower()) == "jsonl":
        try:
            handle = path.open("rb")
        except OSError:
            pass  # read_file says why
        else:
            with handle:
                yield from checker.check_lines(handle if read is None else counted_lines(handle, read), str(path))
            return
    yield from checker.check_all(read_file(path, skip_unknown=checker.skip_unknown))
    if read is not None:
        read(size_of(path))


def judge_unit(checker: Checker, unit: Unit) -> Answer:
    """Read and judge one unit (in a worker)."""
    before = set(redaction.SECRETS)
    if unit.end is None:
        results = list(judge_path(checker, Path(unit.path)))
        seen, ends = True, 0
    else:
        with open(unit.path, "rb") as handle:
            handle.seek(unit.start)
            data = handle.read(unit.end - unit.start)
        lines = data.split(b"\n")
        seen, ends = any(line.strip(WHITESPACE) for line in lines), len(lines) - 1
        results = list(checker.check_lines(lines, unit.path, whole=False))
    return results, sorted(redaction.SECRETS - before), seen, checker.coverage, ends


def ranges(path: str, size: int, split_bytes: int) -> Iterator[Unit]:
    """``path`` cut into units of about ``split_bytes``, each ending after a
    newline (or at the end of the file). Only the bytes around each cut are
    read: the workers read the rest, and count the lines."""
    start = 0
    with open(path, "rb") as handle:
        while start < size:
            end = start + max(split_bytes, 1)
            if end < size:  # on to the end of the line the cut falls in
                handle.seek(end - 1)
                while (block := handle.read(BLOCK)) and (found := block.find(b"\n")) == -1:
                    end += len(block)
                end = min(end + found, size) if block else size
            end = min(end, size)
            yield Unit(path, start, end, last=end >= size)
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
    checker: Checker,
    paths: Iterable[str],
    *,
    jobs: int = 1,
    split_bytes: int = SPLIT_BYTES,
    read: Read | None = None,
) -> Iterator[Judged]:
    """Every result, in input order, whatever ``jobs``; ``read`` is told the
    bytes of the files as they are judged (standard input's are not counted)."""
    if jobs > 1:
        yield from _pooled(checker, paths, jobs, split_bytes, read)
        return
    for name in paths:
        if name == "-":
            yield from checker.check_all(read_stdin())
            continue
        for found in expand(Path(name)):
            if isinstance(found, Path):
                yield from judge_path(checker, found, read)
            else:
                yield checker.check(found)


def _pooled(checker: Checker, paths: Iterable[str], jobs: int, split_bytes: int, read: Read | None) -> Iterator[Judged]:
    checker.validator.engine.compile()  # once here, inherited by forked workers
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pending: deque[tuple[Unit, Future[Answer]] | Item | str] = deque()
    seen: dict[str, bool] = {}  # whether a split file had a non-blank line so far
    lines: dict[str, int] = {}  # the line ends of a split file so far
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:

        def drain(limit: int) -> Iterator[Judged]:
            while len(pending) > limit:
                entry = pending.popleft()
                if isinstance(entry, str):
                    yield from checker.check_all(read_stdin())
                elif isinstance(entry, tuple):
                    yield from _answer(*entry, seen, lines, checker.coverage)
                    if read is not None:
                        unit = entry[0]
                        read(size_of(Path(unit.path)) if unit.end is None else unit.end - unit.start)
                else:
                    yield checker.check(entry)

        for unit in units(paths, split_bytes):
            if isinstance(unit, Unit):
                pending.append((unit, pool.submit(judge_unit, checker, unit)))
                yield from drain(2 * jobs)
            else:
                pending.append(unit)
        yield from drain(0)


def _answer(
    unit: Unit, future: Future[Answer], seen: dict[str, bool], lines: dict[str, int], coverage: Coverage | None
) -> Iterator[Judged]:
    results, secrets, nonblank, observed, ends = future.result()
    redaction.remember(*secrets)
    if coverage is not None and observed is not None:
        coverage.merge(observed)
    if unit.end is None:
        yield from results
        return
    before = lines.get(unit.path, 0)  # a range: its lines follow the lines of the ranges before it
    lines[unit.path] = before + ends
    yield from (shifted(judged, before) for judged in results) if before else results
    seen[unit.path] = seen.get(unit.path, False) or nonblank
    if unit.last:  # "empty file" only after the last range, when none had a line
        lines.pop(unit.path)
        if not seen.pop(unit.path):
            yield Result(unit.path, "unreadable", reason="empty file")


def shifted(judged: Judged, lines: int) -> Judged:
    """A result of a range's line ``N`` (source ``path:N``) as the file's line ``N + lines``."""
    if isinstance(judged, Passed):
        return Passed(judged.name, judged.numbers, judged.offset + lines)
    name, _, number = judged.source.rpartition(":")
    return replace(judged, source=f"{name}:{int(number) + lines}")
