"""Proof the live checks can fail: the contract suite against the mock in every mode.

Each mode runs the suite in a subprocess, as a user would (`pcm-contracts check
--base-url URL`, from the built wheel installed outside the clone), against a
mock started here, and must fail with the expected finding or target error.
Against the normal mock it passes.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from contracts.mock import DEFAULT_TOKEN, DRIFT_MODES, FAULT_MODES, MockServer
from contracts.pytest_plugin import EXIT_TARGET_ERROR
from tests.installed import installed
from tests.junit import executed
from tests.junit import failures as junit_failures

pytestmark = pytest.mark.selftest

EXPECTED: dict[str | None, tuple[int, str]] = {
    None: (0, ""),
    "status-as-integer": (1, "/errors/0/status: expected string, got integer 404 [schema.type]"),
    "undocumented-status": (1, '/data/attributes/status: "completed" is outside the documented set'),
    "missing-id": (1, "/data/id: required member 'id' is missing [schema.required]"),
    "renamed-envelope": (1, "/data: required member 'data' is missing [schema.required]"),
    "timestamps-out-of-order": (1, "[timestamps_are_ordered]"),
    "error-without-errors": (1, "/errors: required member 'errors' is missing [schema.required]"),
    "wrong-content-type": (1, "[content_type_is_json]"),
    "zone-less-timestamps": (1, "is not an RFC 3339 date-time with a zone offset"),
    "data-as-array": (1, "/data: expected object, got array"),
    "id-mismatch": (1, "[data_id_matches_request]"),
    "null-created-at": (1, "/data/attributes/created_at: expected string, got null [schema.type]"),
    "slow": (EXIT_TARGET_ERROR, "no answer within 0.5 s"),
    "reset": (EXIT_TARGET_ERROR, "target error: GET http://127.0.0.1"),
    "server-error": (1, "status 500, expected 200 [status_is_expected]"),
    "non-json": (1, "[body_is_json]"),
    "too-many-requests": (EXIT_TARGET_ERROR, "still answered 429 Too Many Requests after 2 retries"),
    "truncated": (EXIT_TARGET_ERROR, "the connection broke mid-answer"),
    "status-regresses": (1, "broke the lifecycle"),
    "total-mismatch": (1, "[page_fits_the_total]"),
    "page-overlap": (1, "is on the pages at offsets"),
    "errors-wrong-type": (1, '/data/0/type: expected "pim-job-error", got "job-error" [schema.const]'),
    "cancel-anything": (1, "[cancelled_job_is_cancelling_or_cancelled]"),
}


def extra_arguments(mode: str | None, mock: MockServer) -> list[str]:
    """What a mode needs beyond the common options to show itself."""
    if mode in (None, "status-regresses"):  # a fresh job to watch from pending to its end
        return ["--watch-job", mock.create_job().id, "--watch-interval", "0.2", "--watch-timeout", "20"]
    if mode == "cancel-anything":  # cancel is a write: allowed here, on one named, finished job
        finished = next(job.id for job in mock.seed if job.status == "success")
        return ["--allow-writes", "--cancel-job", finished]
    return []


@dataclass(frozen=True)
class Outcome:
    mode: str | None
    exit_code: int
    output: str
    failures: tuple[str, ...]
    executed: int


def run_suite(mode: str | None, tmp: Path) -> Outcome:
    drift = mode if mode in DRIFT_MODES else None
    fault = mode if mode in FAULT_MODES else None
    junit = tmp / f"{mode or 'normal'}.xml"
    # Only the slow mode needs a short timeout (its answers take 30 s); every other
    # run gets a generous one, so a busy machine never turns into a target error.
    timeout = "0.5" if mode == "slow" else "10"
    with MockServer(drift=drift, fault=fault, slow_seconds=30.0) as mock:  # type: ignore[arg-type]
        command = [
            *installed().check, "-q",
            "--base-url", mock.url, "--rate-limit", "0", "--request-timeout", timeout, "--max-examples", "5",
            "--job-id", mock.seed[0].id, "--job-id", mock.seed[-1].id, f"--junitxml={junit}",
            *extra_arguments(mode, mock),
        ]  # fmt: skip
        done = installed().run(command, env=installed().env(PCM_CONTRACTS_TOKEN=DEFAULT_TOKEN))
    return Outcome(mode, done.returncode, done.stdout + done.stderr, junit_failures(junit), executed(junit))


@cache
def outcomes(tmp: Path) -> dict[str | None, Outcome]:
    """Every mode, two at a time (this machine has two cores)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(EXPECTED, pool.map(lambda mode: run_suite(mode, tmp), EXPECTED), strict=True))


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str | None, Outcome]:
    return outcomes(tmp_path_factory.mktemp("selftest"))


def test_every_mode_of_the_mock_is_covered() -> None:
    assert set(EXPECTED) == {None, *DRIFT_MODES, *FAULT_MODES}


def test_suite_passes_against_the_normal_mock(results: dict[str | None, Outcome]) -> None:
    outcome = results[None]
    assert outcome.exit_code == 0, outcome.output
    assert outcome.failures == ()
    assert outcome.executed > 10


@pytest.mark.parametrize("mode", [m for m in EXPECTED if m is not None])
def test_suite_fails_against_a_broken_mock_with_the_expected_finding(
    results: dict[str | None, Outcome], mode: str
) -> None:
    outcome = results[mode]
    exit_code, finding = EXPECTED[mode]
    assert outcome.exit_code == exit_code, outcome.output
    assert any(finding in failure for failure in outcome.failures), "\n---\n".join(outcome.failures) or outcome.output
    if exit_code == EXIT_TARGET_ERROR:
        assert len(outcome.failures) == 1, "a target error is reported once, not per check"
        assert "pcm-contracts: the target cannot be checked: " in outcome.output
