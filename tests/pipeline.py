"""Helpers for tests of the capture pipeline (:mod:`contracts.captures`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from contracts.captures.items import Read
from contracts.captures.readers import read
from contracts.captures.results import Judged, Passed, Result
from contracts.captures.sources import Source


def each_result(judged: Iterable[Judged]) -> Iterator[Result]:
    """One result an item: the batches spread out."""
    for one in judged:
        if isinstance(one, Passed):
            yield from one.results()
        else:
            yield one


def read_lines(folder: Path, data: Iterable[bytes], name: str = "log.jsonl") -> list[Read]:
    """What the JSON Lines reader makes of ``data`` (one bytes a line), written to ``folder/name``."""
    path = folder / name
    path.write_bytes(b"".join(line + b"\n" for line in data))
    return list(read(Source(str(path), "jsonl", path.stat().st_size)))
