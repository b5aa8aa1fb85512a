"""How fast is ``pcm-contracts validate`` next to parsing the same JSON Lines?

Generates ``--lines`` Get a Job bodies (every documented job type and status,
varied ids and timestamps, about ``--invalid-ratio`` of them drifted) as
compact JSON Lines in a temporary directory, then measures in one run:

* parse only: read the file line by line and ``json.loads`` each line (the
  baseline), and the same with ``orjson.loads`` (for transparency);
* ``pcm-contracts validate FILE --format text --output /dev/null`` with
  ``--jobs 1`` and with ``--jobs N``, each in a subprocess, whose peak RSS is
  read from its resource usage (``os.wait4``).

Each measurement runs ``--repeat`` times and the best is kept: the machine
may be noisy, and the best run is the one least disturbed. Not a timed test::

    python benchmarks/validate_jsonl.py --lines 200000 --jobs 2
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from contracts.registry import documented_values

ROOT = Path(__file__).resolve().parent.parent
TYPES = documented_values("jobType")
STATUSES = documented_values("jobStatus")
EPOCH = datetime(2023, 1, 1, tzinfo=UTC)


def stamp(moment: datetime, rng: random.Random, digits: int) -> str:
    """RFC 3339 with a zone, in the shapes the docs show (``Z`` or an offset, 0-3 fraction digits)."""
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if digits:
        text += "." + f"{moment.microsecond:06d}"[:digits]
    return text + rng.choice(("Z", "Z", "Z", "+00:00"))


def job_body(rng: random.Random) -> dict[str, Any]:
    job_type, status = rng.choice(TYPES), rng.choice(STATUSES)
    created = EPOCH + timedelta(seconds=rng.randrange(60 * 60 * 24 * 700), microseconds=rng.randrange(10**6))
    started = created + timedelta(milliseconds=rng.randrange(1, 5000))
    completed = started + timedelta(milliseconds=rng.randrange(1, 600_000))
    digits = rng.choice((0, 1, 2, 3, 3, 3))  # one precision a body, so truncation keeps the order
    attributes: dict[str, Any] = {"created_at": stamp(created, rng, digits)}
    if status in ("pending", "cancelled", "cancelling"):
        attributes |= {"started_at": None, "completed_at": None, "updated_at": stamp(created, rng, digits)}
    elif status == "started":
        attributes |= {
            "started_at": stamp(started, rng, digits),
            "completed_at": None,
            "updated_at": stamp(started, rng, digits),
        }
    else:
        attributes |= {
            "started_at": stamp(started, rng, digits),
            "completed_at": stamp(completed, rng, digits),
            "updated_at": stamp(started, rng, digits),
        }
    attributes |= {"status": status, "type": job_type}
    meta: dict[str, Any] = {"x_request_id": str(uuid.UUID(int=rng.getrandbits(128), version=4))}
    if job_type == "product-export":
        meta |= {"file_locations": [], "filter": f"eq(sku,product-{rng.randrange(1000)})"}
        if status == "success" and rng.random() < 0.5:
            meta["file_locations"] = [f"https://files.example/exports/{rng.getrandbits(64):016x}.csv"]
    elif job_type == "hierarchy-duplicate":
        meta |= {"copied_from": str(uuid.UUID(int=rng.getrandbits(128))), "hierarchy_id": str(uuid.uuid4())}
    job = {"type": "pim-job", "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "attributes": attributes}
    return {"data": {**job, "meta": meta}}


def drift(body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """One realistic break: an undocumented value, a missing member, a zone-less or out-of-order time."""
    job = body["data"]
    attributes = job["attributes"]
    how = rng.randrange(6)
    if how == 0:
        attributes["status"] = rng.choice(("queued", "running", "done"))
    elif how == 1:
        del job["id"]
    elif how == 2:
        attributes["created_at"] = attributes["created_at"][:19]
    elif how == 3:
        attributes["type"] = "catalog-release"
    elif how == 4:
        attributes |= {
            "status": "started",
            "started_at": attributes["created_at"],
            "completed_at": "2030-01-01T00:00:00Z",
        }
    else:
        del job["meta"]
    return body


def generate(path: Path, lines: int, invalid_ratio: float, *, seed: int = 20240105) -> int:
    """Write the file; the number of drifted lines."""
    rng = random.Random(seed)
    drifted = 0
    with path.open("wb") as out:
        for _ in range(lines):
            body = job_body(rng)
            if rng.random() < invalid_ratio:
                body = drift(body, rng)
                drifted += 1
            out.write(orjson.dumps(body) + b"\n")
    return drifted


def parse_with(loads: Callable[[bytes], Any], path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        for line in handle:
            loads(line)
            count += 1
    return count


def best_of(repeat: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def validate(path: Path, jobs: int, peaks: list[float]) -> None:
    """One ``pcm-contracts validate`` run in a subprocess; its peak RSS (MiB) appended to ``peaks``.

    ``os.wait4`` gives the resource usage of that one child (as
    ``getrusage(RUSAGE_CHILDREN)`` would, but per run): ``ru_maxrss`` is the
    largest resident set of the process or of any worker it waited for."""
    command = [sys.executable, "-m", "contracts", "validate", str(path), "--format", "text"]
    command += ["--output", os.devnull, "--jobs", str(jobs), "--no-progress"]
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        if child.returncode not in (0, 1):
            raise SystemExit(f"validate failed ({child.returncode}): {errors.read().decode().strip()}")
    peaks.append(usage.ru_maxrss / 1024)  # kilobytes on Linux


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    options.add_argument("--lines", type=int, default=200_000, help="payloads to generate (200000)")
    options.add_argument("--invalid-ratio", type=float, default=0.02, help="share of drifted payloads (0.02)")
    options.add_argument("--jobs", type=int, default=2, help="processes for the parallel run (2)")
    options.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the best counts (3)")
    options.add_argument("--keep", action="store_true", help="keep the generated file and print its path")
    args = options.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="pcm-bench-"))
    path = workdir / "jobs.jsonl"
    drifted = generate(path, args.lines, args.invalid_ratio)
    size = path.stat().st_size
    where = path if args.keep else "a temporary file"
    print(f"{args.lines} payloads ({drifted} drifted), {size / 2**20:.1f} MiB in {where}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), best of {args.repeat}")

    timings: dict[str, float] = {}
    timings["parse (json.loads)"] = best_of(args.repeat, lambda: parse_with(json.loads, path))
    timings["parse (orjson.loads)"] = best_of(args.repeat, lambda: parse_with(orjson.loads, path))
    rss: dict[str, float] = {}
    for jobs in sorted({1, args.jobs}):
        peaks: list[float] = []
        timings[f"validate --jobs {jobs}"] = best_of(args.repeat, lambda j=jobs, p=peaks: validate(path, j, p))
        rss[f"validate --jobs {jobs}"] = max(peaks)

    width = max(map(len, timings))
    for name, seconds in timings.items():
        memory = f"   peak RSS {rss[name]:6.1f} MiB" if name in rss else ""
        print(f"{name:<{width}}  {seconds:7.2f} s  {args.lines / seconds:>10,.0f} payloads/s{memory}")
    one, many = timings["validate --jobs 1"], timings[f"validate --jobs {args.jobs}"]
    print(f"validate --jobs 1 / parse (json.loads):   {timings['parse (json.loads)'] / one:.2f}x the rate")
    print(f"validate --jobs 1 / parse (orjson.loads): {timings['parse (orjson.loads)'] / one:.2f}x the rate")
    if args.jobs != 1:
        print(f"validate --jobs {args.jobs} / --jobs 1:             {one / many:.2f}x the rate")
    print("(peak RSS: the largest single process of the run, the parent or one worker)")
    if not args.keep:
        path.unlink()
        workdir.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
