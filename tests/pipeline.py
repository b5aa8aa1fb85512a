"""Helpers for tests of the capture pipeline (:mod:`contracts.captures`)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from contracts.captures.items import Read
from contracts.captures.readers import read
from contracts.captures.results import Judged, Passed, Result
from contracts.captures.sources import Source
from tests.casefiles import example

JOB = example("get-a-job/200-product-export")["response"]["body"]
SECRET = "canary-compressed-7f3a91"
"""A token the capture records of :func:`log_lines` carry (and echo): no report may show it."""


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


def log_lines(count: int, seed: int = 7) -> bytes:
    """JSON Lines of every verdict: valid, drifted, not JSON, blank, a capture record with a secret."""
    rng = random.Random(seed)
    out = []
    for index in range(count):
        body = json.loads(json.dumps(JOB))
        body["data"]["meta"]["x_request_id"] = f"{rng.getrandbits(64):016x}"  # incompressible enough
        kind = index % 9
        if kind == 1:
            body["data"]["attributes"]["status"] = "queued"
        elif kind == 2:
            out.append(b'{"data": {"type": "pim')
            continue
        elif kind == 3:
            out.append(b"  ")
            continue
        elif kind == 4:
            request = {"method": "GET", "url": "https://api.test/pcm/jobs/x", "headers": {"Authorization": SECRET}}
            body = {"request": request, "response": {"status": 200, "body": {"data": {"echo": SECRET}}}}
        out.append(json.dumps(body).encode())
    return b"\n".join(out) + b"\n"


def renamed(found: Any, old: str, new: str) -> Any:
    """A report with every source name ``old`` (and ``old:N``, ``old#N``) written ``new``."""
    return json.loads(json.dumps(found).replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1]))
