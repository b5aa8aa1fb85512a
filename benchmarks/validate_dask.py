"""What does ``--engine dask`` cost next to the local engine, on the same machine?

Generates one JSON Lines file of ``--lines`` Get a Job bodies (the recorded
examples' jobs, each line with its own id, about 2% drifted; written fast, by
repeating those lines), then measures, each run a subprocess:

* ``pcm-contracts validate FILE --jobs N`` (the local engine: a pool of N processes);
* ``pcm-contracts validate FILE --engine dask --jobs N`` (a ``LocalCluster`` of
  N worker processes, started and closed by the run: its start is part of the
  cost), or ``--scheduler ADDRESS`` for a cluster already running.

Each runs ``--repeat`` times and the best counts (the machine may be noisy;
the best run is the one least disturbed). The ratio of the two is the
engine's overhead; both reports must be the same, byte for byte. Not a timed
test::

    python benchmarks/validate_dask.py --lines 1000000 --jobs 2
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "get-a-job"
DRIFTED_EVERY = 50
"""One line in this many has an undocumented status."""


def bodies() -> list[dict[str, Any]]:
    """The Get a Job 200 bodies of the recorded examples that keep the contract."""
    records = (json.loads(path.read_text()) for path in sorted(EXAMPLES.glob("200-*.json")))
    return [record["response"]["body"] for record in records if record.get("verdict", {}).get("valid")]


def template(body: dict[str, Any]) -> list[str]:
    """A compact line of ``body`` cut where its job id goes."""
    return json.dumps(body, separators=(",", ":")).replace(body["data"]["id"], "@ID@").split("@ID@")


def generate(path: Path, lines: int) -> int:
    """Write ``lines`` compact lines (each job its own id); the number drifted."""
    valid = bodies()
    drifted = copy.deepcopy(valid[0])
    drifted["data"]["attributes"]["status"] = "queued"  # an undocumented value
    templates, drift = [template(body) for body in valid], template(drifted)
    count = 0
    with path.open("w") as out:
        for number in range(lines):
            if number % DRIFTED_EVERY == DRIFTED_EVERY - 1:
                parts, count = drift, count + 1
            else:
                parts = templates[number % len(templates)]
            out.write(f"00000000-0000-4000-8000-{number:012x}".join(parts) + "\n")
    return count


def validate(path: Path, report: Path, options: list[str]) -> float:
    """One ``validate`` run in a subprocess (text report to ``report``); its wall time."""
    command = [sys.executable, "-m", "contracts", "validate", str(path), "--format", "text"]
    command += ["--output", str(report), "--no-progress", *options]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"validate {' '.join(options)} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    options.add_argument("--lines", type=int, default=200_000, help="payloads to generate (200000)")
    options.add_argument("--jobs", type=int, default=2, help="processes of each engine (2)")
    options.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts (3)")
    options.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler instead of a local cluster")
    args = options.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="pcm-bench-dask-") as work:
        folder = Path(work)
        path = folder / "jobs.jsonl"
        drifted = generate(path, args.lines)
        print(f"{args.lines} payloads ({drifted} drifted), {path.stat().st_size / 2**20:.1f} MiB")
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), best of {args.repeat}")
        dask = ["--engine", "dask", "--jobs", str(args.jobs)]
        dask += ["--scheduler", args.scheduler] if args.scheduler else []
        runs = {f"validate --jobs {args.jobs}": ["--jobs", str(args.jobs)], f"validate {' '.join(dask)}": dask}
        timings: dict[str, float] = {}
        digests: set[str] = set()
        for index, (name, extra) in enumerate(runs.items()):
            report = folder / f"report-{index}.txt"
            timings[name] = min(validate(path, report, extra) for _ in range(args.repeat))
            digests.add(hashlib.sha256(report.read_bytes()).hexdigest())
        width = max(map(len, timings))
        for name, seconds in timings.items():
            print(f"{name:<{width}}  {seconds:7.2f} s  {args.lines / seconds:>10,.0f} payloads/s")
        local, remote = timings.values()
        print(f"dask / local: {remote / local:.2f}x the time (the engine's overhead)")
        print(f"the same report: {'yes' if len(digests) == 1 else 'NO'}")
        return 0 if len(digests) == 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
