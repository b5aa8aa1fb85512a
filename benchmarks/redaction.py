"""What does masking cost with many distinct secrets?

Models a HAR of ``N`` entries, each sending its own bearer token: every entry
remembers ``Bearer TOKEN`` and ``TOKEN`` (as :mod:`contracts.captures` does),
then the report writes one line an entry, every twentieth quoting its token,
each line through :func:`contracts.redaction.redact` (as the reporters do).
Measured in one run, each case in a fresh process (the secrets of one case do
not stay for the next):

* ``one HAR``: remember all ``N``, then the report, with 1k, 4k, 10k and 100k
  distinct secrets; the same with the algorithm this replaced (one
  ``str.replace`` per secret form, longest first, for every line) at 1k and 4k;
* ``between reports``: ``N`` secrets in HARs of 100 entries, each file's report
  written before the next file is read (the lazy rebuild at work).

Times are CPU seconds of the measuring process (what a busy machine changes
least) and wall seconds. Each case runs ``--repeat`` times; the best is kept.
Not a timed test::

    python benchmarks/redaction.py
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import secrets
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from xml.sax.saxutils import escape

Remember = Callable[..., None]
Redact = Callable[[str], str]


def old_algorithm() -> tuple[Remember, Redact]:
    """The redaction before this benchmark existed: a set of forms, one
    ``str.replace`` each, sorted longest first on every call."""
    known: set[str] = set()

    def remember(*values: str | None) -> None:
        for value in values:
            if value is not None and len(value) >= 8:
                known.update(
                    {
                        value,
                        json.dumps(value)[1:-1],
                        json.dumps(value, ensure_ascii=False)[1:-1],
                        escape(value),
                        escape(value, {'"': "&quot;"}),
                    }
                )

    def redact(text: str) -> str:
        for value in sorted(known, key=len, reverse=True):
            text = text.replace(value, "***")
        return text

    return remember, redact


def new_algorithm() -> tuple[Remember, Redact]:
    from contracts import redaction

    return redaction.remember, redaction.redact


def report_line(index: int, token: str) -> str:
    line = f"captures/run.har#{index}: GET /pcm/jobs/{index:08x}-5e1f-4d7e-9a1b-3c2d1e0f: /data/attributes/status"
    if index % 20 == 0:
        return f"{line}: the body echoes the header 'Authorization: Bearer {token}' (warning)"
    return f"{line}: 'finished' is not one of ['pending', 'processing', 'success', 'failed'] (error)"


def entries(tokens: Iterable[str], remember: Remember, redact: Redact, start: int) -> None:
    """A HAR's secrets, then its report."""
    tokens = list(tokens)
    for token in tokens:
        remember(f"Bearer {token}", token)
    for index, token in enumerate(tokens, start):
        masked = redact(report_line(index, token))
        assert token not in masked, masked


def measure(algorithm: str, count: int, per_file: int) -> tuple[float, float]:
    """CPU and wall seconds to remember ``count`` tokens and write their report,
    ``per_file`` entries a HAR."""
    remember, redact = old_algorithm() if algorithm == "old" else new_algorithm()
    tokens = [secrets.token_urlsafe(24) for _ in range(count)]
    cpu, wall = time.process_time(), time.perf_counter()
    for start in range(0, count, per_file):
        entries(tokens[start : start + per_file], remember, redact, start)
    return time.process_time() - cpu, time.perf_counter() - wall


def best(algorithm: str, count: int, per_file: int, repeat: int) -> tuple[float, float]:
    runs = []
    for _ in range(repeat):
        context = multiprocessing.get_context("spawn")  # a fresh process: no secrets of earlier cases
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            runs.append(pool.submit(measure, algorithm, count, per_file).result())
    return min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each case, the best kept (default 1)")
    options = parser.parse_args()
    with open("/proc/loadavg") as handle:
        print(f"load average at start: {handle.read().split()[0]}")
    print(f"{'case':<34} {'secrets':>8} {'cpu s':>8} {'wall s':>8} {'µs/secret':>10}")
    results: dict[tuple[str, str, int], float] = {}
    cases = [("new", "one HAR", n) for n in (1_000, 4_000, 10_000, 100_000)]
    cases += [("old", "one HAR", n) for n in (1_000, 4_000)]
    cases += [("new", "between reports (100 a HAR)", n) for n in (10_000, 100_000)]
    for algorithm, case, count in cases:
        per_file = count if case == "one HAR" else 100
        cpu, wall = best(algorithm, count, per_file, options.repeat)
        results[algorithm, case, count] = cpu
        label = f"{algorithm}: {case}"
        print(f"{label:<34} {count:>8,} {cpu:>8.3f} {wall:>8.3f} {cpu / count * 1e6:>10.1f}", flush=True)
    new, old = results["new", "one HAR", 1_000], results["old", "one HAR", 1_000]
    new4, old4 = results["new", "one HAR", 4_000], results["old", "one HAR", 4_000]
    print(f"old / new: {old / new:.0f}x at 1k, {old4 / new4:.0f}x at 4k")
    print(f"4x the secrets cost: old {old4 / old:.1f}x, new {new4 / new:.1f}x (linear: 4x, quadratic: 16x)")
    ten, hundred = results["new", "one HAR", 10_000], results["new", "one HAR", 100_000]
    print(f"10x the secrets (10k -> 100k) cost: new {hundred / ten:.1f}x (linear: 10x)")
    with open("/proc/loadavg") as handle:
        print(f"load average at end: {handle.read().split()[0]}")


if __name__ == "__main__":
    main()
