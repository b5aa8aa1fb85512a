"""What does reading a gzip-compressed log cost ``pcm-contracts validate``?

Generates ``--lines`` Get a Job bodies (about 2% drifted; the generator of
``validate_jsonl.py``) as compact JSON Lines, writes the same lines gzip
compressed beside them, then measures, each ``--repeat`` times (the best
counts: the machine may be noisy):

* ``gunzip`` alone: reading the compressed file through ``gzip`` (the floor of
  what decompression costs);
* ``pcm-contracts validate FILE --format text --output /dev/null`` on each file,
  with ``--jobs 1`` and ``--jobs N``, in a subprocess whose peak RSS is read
  from its resource usage.

A compressed file is one source, never cut into byte ranges (its byte offsets
are not line offsets), so ``--jobs N`` does not split it: only one worker
reads it, while the plain file is spread over N. Not a timed test::

    python benchmarks/validate_compressed.py --lines 1000000
"""

from __future__ import annotations

import gzip
import os
import random
import sys
import tempfile
from pathlib import Path

import orjson
from validate_jsonl import best_of, common_options, drift, job_body, validate


def generate(plain: Path, packed: Path, lines: int, invalid_ratio: float, *, seed: int = 20240105) -> int:
    """Write both files, line by line (the compressed one at gzip's default level 9,
    as ``gzip`` writes it); the number of drifted lines."""
    rng = random.Random(seed)
    drifted = 0
    with plain.open("wb") as out, gzip.open(packed, "wb") as zipped:
        for _ in range(lines):
            body = job_body(rng)
            if rng.random() < invalid_ratio:
                body = drift(body, rng)
                drifted += 1
            line = orjson.dumps(body) + b"\n"
            out.write(line)
            zipped.write(line)
    return drifted


def gunzip(path: Path) -> None:
    with gzip.open(path, "rb") as stream:
        while stream.read(2**20):
            pass


def main(argv: list[str] | None = None) -> int:
    args = common_options(__doc__).parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="pcm-bench-") as workdir:
        plain, packed = Path(workdir) / "jobs.jsonl", Path(workdir) / "jobs.jsonl.gz"
        drifted = generate(plain, packed, args.lines, args.invalid_ratio)
        size, compressed = plain.stat().st_size, packed.stat().st_size
        print(f"{args.lines} payloads ({drifted} drifted): {size / 2**20:.1f} MiB, gzip {compressed / 2**20:.1f} MiB")
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), best of {args.repeat}")
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

        timings: dict[str, float] = {"gunzip alone": best_of(args.repeat, lambda: gunzip(packed))}
        rss: dict[str, float] = {}
        for jobs in sorted({1, args.jobs}):
            for label, path in (("plain", plain), ("gzip", packed)):
                name = f"validate {label} --jobs {jobs}"
                peaks: list[float] = []
                timings[name] = best_of(args.repeat, lambda p=path, j=jobs, k=peaks: validate(p, j, k))
                rss[name] = max(peaks)

    width = max(map(len, timings))
    for name, seconds in timings.items():
        memory = f"   peak RSS {rss[name]:6.1f} MiB" if name in rss else ""
        print(f"{name:<{width}}  {seconds:7.2f} s  {args.lines / seconds:>10,.0f} payloads/s{memory}")
    for jobs in sorted({1, args.jobs}):
        ratio = timings[f"validate plain --jobs {jobs}"] / timings[f"validate gzip --jobs {jobs}"]
        print(f"gzip / plain, --jobs {jobs}: {ratio:.2f}x the rate")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("(peak RSS: the largest single process of the run, the parent or one worker)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
