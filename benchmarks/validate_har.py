"""How much memory and time does ``pcm-contracts validate`` take on a large HAR?

Generates a HAR file of about ``--mb`` megabytes in a temporary directory, as
a browser writes one (indented, every entry with request and response
headers, cookies, timings; the Authorization header carries a token), whose
response bodies are compact Get a Job bodies (about ``--invalid-ratio`` of
them drifted), then measures in one run:

* the baseline: ``json.loads`` of every entry's response body, the bodies
  taken from the file beforehand (the parse every validator must pay);
* ``pcm-contracts validate FILE --format text --output /dev/null`` with
  ``--jobs 1`` and ``--jobs 2``, each in a subprocess, whose peak RSS is read
  from its resource usage (``os.wait4``: the largest resident set of the
  process or of any worker it waited for), started from a small process of
  its own (:data:`PEAK_OF_A_CHILD`): a child's peak counts the pages it
  shared with its parent when forked, and this one held the bodies.

Rates are given as ratios to the baseline measured in the same run, since the
machine may be noisy. Not a timed test::

    python benchmarks/validate_har.py --mb 1024
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
from pathlib import Path
from typing import Any

import orjson

from contracts.registry import EXAMPLES_DIR

ROOT = Path(__file__).resolve().parent.parent
JOB = json.loads((EXAMPLES_DIR / "get-a-job" / "200-product-export.json").read_text())["response"]["body"]
HEAD = b'{\n  "log": {\n    "version": "1.2",\n    "creator": {"name": "validate_har", "version": "1"},\n'
HEAD += b'    "entries": [\n'
TAIL = b"\n    ]\n  }\n}\n"


def entry(rng: random.Random, index: int, invalid_ratio: float) -> dict[str, Any]:
    """One HAR entry for Get a Job, its body compact as an API sends it."""
    body = json.loads(json.dumps(JOB))
    job_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    body["data"]["id"] = job_id
    if rng.random() < invalid_ratio:
        body["data"]["attributes"]["status"] = rng.choice(("queued", "running", "done"))
    text = orjson.dumps(body).decode()
    url = f"https://useast.api.elasticpath.com/pcm/jobs/{job_id}"
    return {
        "startedDateTime": "2024-01-05T15:27:23.161Z",
        "time": round(rng.uniform(20, 400), 3),
        "request": {
            "method": "GET",
            "url": url,
            "httpVersion": "HTTP/1.1",
            "headers": [
                {"name": "Authorization", "value": f"Bearer bench-token-{index // 1000:08d}"},
                {"name": "Accept", "value": "application/json"},
                {"name": "User-Agent", "value": "Mozilla/5.0 (X11; Linux x86_64)"},
            ],
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": {
            "status": 200,
            "statusText": "OK",
            "httpVersion": "HTTP/1.1",
            "headers": [
                {"name": "Content-Type", "value": "application/json"},
                {"name": "Content-Length", "value": str(len(text))},
            ],
            "cookies": [],
            "content": {"size": len(text), "mimeType": "application/json", "text": text},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(text),
        },
        "cache": {},
        "timings": {"send": 0.1, "wait": 120.3, "receive": 0.5},
    }


def generate(path: Path, megabytes: float, invalid_ratio: float, *, seed: int = 20240105) -> int:
    """Write the HAR; the number of entries."""
    rng = random.Random(seed)
    target = int(megabytes * 2**20)
    count = 0
    with path.open("wb") as out:
        out.write(HEAD)
        written = len(HEAD)
        while written < target:
            one = (b",\n" if count else b"") + json.dumps(entry(rng, count, invalid_ratio), indent=2).encode()
            out.write(one)
            written += len(one)
            count += 1
        out.write(TAIL)
    return count


def bodies(path: Path) -> list[bytes]:
    """Every entry's response body, taken from the file (not timed)."""
    found = []
    with path.open("rb") as handle:
        for line in handle:
            stripped = line.strip()
            if stripped.startswith(b'"text": '):
                found.append(json.loads(stripped[len(b'"text": ') :].rstrip(b",")).encode())
    return found


PEAK_OF_A_CHILD = """
import os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
cpu = usage.ru_utime + usage.ru_stime
print(time.perf_counter() - started, cpu, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""
"""Runs a command; prints its seconds, its CPU seconds (with the workers it
waited for), its peak RSS (kilobytes on Linux) and its exit code."""


def validate(path: Path, jobs: int, report: str = "text") -> tuple[float, float, float, int]:
    """One ``pcm-contracts validate`` run in a subprocess, started by
    :data:`PEAK_OF_A_CHILD`: seconds, CPU seconds, peak RSS (MiB), exit code."""
    command = [sys.executable, "-m", "contracts", "validate", str(path), "--format", report]
    command += ["--output", os.devnull, "--jobs", str(jobs), "--no-progress"]
    run = subprocess.run(
        [sys.executable, "-c", PEAK_OF_A_CHILD, *command], cwd=ROOT, capture_output=True, text=True, check=True
    )
    seconds, cpu, peak, code = run.stdout.split()
    if int(code) not in (0, 1):
        raise SystemExit(f"validate failed ({code}): {run.stderr.strip()}")
    return float(seconds), float(cpu), int(peak) / 1024, int(code)


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    options.add_argument("--mb", type=float, default=200, help="size of the HAR to generate, in MiB (200)")
    options.add_argument("--invalid-ratio", type=float, default=0.02, help="share of drifted bodies (0.02)")
    options.add_argument("--keep", action="store_true", help="keep the generated file and print its path")
    options.add_argument("--file", type=Path, help="measure this HAR (one this script wrote) instead of a new one")
    args = options.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="pcm-bench-har-"))
    path = args.file or workdir / "capture.har"
    if args.file is None:
        generate(path, args.mb, args.invalid_ratio)
    texts = bodies(path)
    entries = len(texts)
    size = path.stat().st_size
    print(f"{entries} entries, {size / 2**20:.1f} MiB in {path if args.keep or args.file else 'a temporary file'}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s)")

    started, cpu_started = time.perf_counter(), time.process_time()
    for text in texts:
        json.loads(text)
    baseline, baseline_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    del texts
    print(f"{'json.loads of the bodies':<24}  {baseline:8.2f} s  {baseline_cpu:8.2f} s CPU")
    for jobs in (1, 2):
        seconds, cpu, peak, _ = validate(path, jobs)
        print(
            f"{f'validate --jobs {jobs}':<24}  {seconds:8.2f} s  {cpu:8.2f} s CPU  {entries / seconds:>8,.0f} entries/s"
            f"  {baseline / seconds:6.3f}x the rate of json.loads ({baseline_cpu / cpu:6.3f}x by CPU)"
            f"  peak RSS {peak:6.1f} MiB"
        )
    print("(peak RSS: the largest single process of the run, the parent or one worker;")
    print(" CPU: of the process and its workers, the measure least disturbed by a busy machine)")
    if not args.keep and args.file is None:
        path.unlink()
    if not any(workdir.iterdir()):
        workdir.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
