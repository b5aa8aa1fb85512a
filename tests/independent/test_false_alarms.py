"""No false alarms, no blind spots: the suite against an independent deployment.

``tests/independent/server.py`` implements the documented Jobs API without
this project's code, and switches on, one by one and all at once, what real
deployments do where the docs leave the choice open (page caps, 403 and HTML
refusals, short-lived tokens, gzip, chunked, charset, HTTP/1.0, latency).
The suite runs against it as a user runs it (``pcm-contracts check
--base-url URL``, writes allowed on one named pending job, a watched job) and
must pass every time; with each break switch it must fail, naming the break.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from tests.independent.server import (
    BEHAVIOURS,
    FIXED_TOKEN,
    PENDING_IDS,
    PROGRESSING_ID,
    IndependentServer,
)
from tests.junit import executed
from tests.junit import failures as junit_failures

pytestmark = pytest.mark.selftest

ROOT = Path(__file__).resolve().parents[2]
ALL = ",".join(BEHAVIOURS)
RUNS: tuple[str, ...] = ("", *BEHAVIOURS, ALL)
"""Each behaviour alone, then all of them at once ("" is none)."""
ENV_NAMES = (
    "PCM_CONTRACTS_BASE_URL",
    "EPCC_API_BASE_URL",
    "PCM_CONTRACTS_TOKEN",
    "EPCC_CLIENT_ID",
    "EPCC_CLIENT_SECRET",
)
CLIENT = {"EPCC_CLIENT_ID": "independent-client", "EPCC_CLIENT_SECRET": "independent-secret-4b1d9e"}


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    output: str
    failures: tuple[str, ...]
    executed: int
    log: tuple[tuple[str, str, int], ...]
    gzipped: int
    expired_uses: int

    def explain(self) -> str:
        return "\n---\n".join(self.failures) or self.output[-4000:]


def run_suite(switches: str, tmp: Path, *selection: str) -> Outcome:
    flags = [flag for flag in switches.split(",") if flag]
    junit = tmp / f"{switches.replace(',', '+') or 'plain'}{'-'.join(selection)}.xml"
    with IndependentServer(flags) as server:
        env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
        env.update(CLIENT if "short-token" in flags else {"PCM_CONTRACTS_TOKEN": FIXED_TOKEN})
        command = [
            sys.executable, "-m", "contracts", "check", "-q", "-rw",
            "--base-url", server.url, "--rate-limit", "0", "--request-timeout", "5", "--max-examples", "3",
            "--allow-writes", "--cancel-job", PENDING_IDS[0],
            "--watch-job", PROGRESSING_ID, "--watch-interval", "0.01", "--watch-timeout", "60",
            f"--junitxml={junit}", *selection,
        ]  # fmt: skip
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
        log, gzipped, expired = tuple(server.api.log), server.api.gzipped, server.api.expired_uses
    return Outcome(
        done.returncode, done.stdout + done.stderr, junit_failures(junit), executed(junit), log, gzipped, expired
    )


@cache
def outcomes(tmp: Path) -> dict[str, Outcome]:
    """Every run of :data:`RUNS`, two at a time (this machine has two cores)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(RUNS, pool.map(lambda switches: run_suite(switches, tmp), RUNS), strict=True))


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    return outcomes(tmp_path_factory.mktemp("independent"))


def count(log: Iterable[tuple[str, str, int]], *, path: str | None = None, status: int | None = None) -> int:
    return sum((path is None or p == path) and (status is None or s == status) for _, p, s in log)


@pytest.mark.parametrize("switches", RUNS, ids=[run or "documented-only" for run in RUNS])
def test_suite_passes_against_an_independent_deployment(results: dict[str, Outcome], switches: str) -> None:
    outcome = results[switches]
    assert outcome.exit_code == 0, outcome.explain()
    assert outcome.failures == ()
    assert outcome.executed >= 30, outcome.output[-3000:]
    cancels = [(m, p, s) for m, p, s in outcome.log if m == "POST" and p.endswith("/cancel")]
    assert cancels == [
        ("POST", f"/pcm/jobs/{PENDING_IDS[0]}/cancel", 200),
        ("POST", f"/pcm/jobs/{PENDING_IDS[0]}/cancel", 422),  # cancelled twice: the second is refused
    ]


@pytest.mark.parametrize("switches", ["page-cap", ALL])
def test_a_page_cap_is_reported_once_as_an_observation(results: dict[str, Outcome], switches: str) -> None:
    output = results[switches].output
    assert output.count("GET /pcm/jobs caps page[limit]: 3 jobs at offset 0 asked with page[limit]=10") == 1, output
    assert "(sampled from the job list: 14 of 14 jobs read" in output  # discovery read every page too


def test_no_cap_is_reported_where_pages_are_full(results: dict[str, Outcome]) -> None:
    assert "caps page[limit]" not in results[""].output


@pytest.mark.parametrize("switches", ["refuse-403", ALL])
def test_refusals_were_answered_403(results: dict[str, Outcome], switches: str) -> None:
    log = results[switches].log
    assert count(log, status=403) >= 2
    assert count(log, status=401) == 0


def test_a_gateway_page_refusing_a_request_is_a_warning_not_a_failure(results: dict[str, Outcome]) -> None:
    output = results["refuse-html"].output
    assert 'Content-Type is "text/html", expected application/json [content_type_is_json]' in output
    assert "[body_is_json]" in output


@pytest.mark.parametrize("switches", ["short-token", ALL])
def test_short_lived_tokens_are_renewed_in_proportion(results: dict[str, Outcome], switches: str) -> None:
    outcome = results[switches]
    tokens = count(outcome.log, path="/oauth/access_token", status=200)
    assert tokens >= 2, "a token living 2 s was never renewed in a run of several seconds"
    assert tokens * 10 <= len(outcome.log), (
        f"{tokens} token requests for {len(outcome.log)} requests: not in proportion"
    )
    assert outcome.expired_uses == 0, "requests were sent with an expired token"


@pytest.mark.parametrize("switches", ["gzip", ALL])
def test_answers_were_gzip_encoded(results: dict[str, Outcome], switches: str) -> None:
    assert results[switches].gzipped > 20


BREAKS = {
    "page-repeat": (("-k", "pages_add_up"), "is on the pages at offsets"),
    "page-cap,page-repeat": (("-k", "pages_add_up"), "is on the pages at offsets"),
    "cancel-twice-accepted": (("-k", "cancel"), "status 200, expected 400 or 422 [status_is_expected]"),
    "null-links": (("-k", "job_list_keeps"), "/links/next: expected string, got null [schema.type]"),
}


@pytest.mark.parametrize("switches", BREAKS)
def test_suite_fails_where_the_independent_deployment_breaks_the_contract(tmp_path: Path, switches: str) -> None:
    selection, finding = BREAKS[switches]
    outcome = run_suite(switches, tmp_path, *selection)
    assert outcome.exit_code == 1, outcome.output[-3000:]
    assert any(finding in failure for failure in outcome.failures), outcome.explain()


def test_schemathesis_cli_agrees_with_the_suite_on_refusals_and_page_caps() -> None:
    """The CLI reads the same schemathesis.toml: a 403 gateway page and a capped page are no failure there either."""
    with IndependentServer(["refuse-403", "refuse-html", "page-cap", "gzip", "charset"]) as server:
        command = [
            sys.executable, "-m", "schemathesis.cli", "run", "contracts/openapi.yaml", "--url", server.url,
            "-H", f"Authorization: Bearer {FIXED_TOKEN}", "--max-examples", "10", "--seed", "1",
        ]  # fmt: skip
        run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
        refused = count(server.api.log, status=403)
    assert run.returncode == 0, run.stdout[-3000:]
    assert refused > 0  # the refusals were really sent and answered 403
