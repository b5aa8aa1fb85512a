"""The suite's promises to a user pointing it at a real deployment, proven
against a mock it treats as real (given with --base-url)."""

from __future__ import annotations

import signal
import socket
import subprocess
from pathlib import Path

import pytest

from contracts.mock import MockServer
from contracts.pytest_plugin import EXIT_TARGET_ERROR
from tests.installed import installed

pytestmark = pytest.mark.selftest

CANARY = "canary-3f9c1e7a5b2d4c68"


def suite(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``pcm-contracts check ARGS``, as a user runs it: the installed command, outside the clone."""
    return installed().run([*installed().check, "--rate-limit", "0", *args], env=installed().env(**(env or {})))


def everything_written(run: subprocess.CompletedProcess[str], *files: Path) -> str:
    return run.stdout + run.stderr + "".join(f.read_text(encoding="utf-8") for f in files if f.exists())


def test_bearer_token_appears_in_no_output_at_any_verbosity(tmp_path: Path) -> None:
    junit, log = tmp_path / "junit.xml", tmp_path / "run.log"
    with MockServer(token=CANARY, drift="undocumented-status") as mock:
        run = suite(
            "--base-url", mock.url, "--job-id", mock.seed[0].id, "--max-examples", "3",
            "-vv", "-rA", "-l", "--tb=long", "--log-level=DEBUG", f"--log-file={log}", "--log-file-level=DEBUG",
            f"--junitxml={junit}", "-o", "junit_logging=all",
            env={"PCM_CONTRACTS_TOKEN": CANARY},
        )  # fmt: skip
    assert run.returncode == 1, run.stdout  # the drift was found, so requests were made with the token
    assert "[schema.enum]" in run.stdout
    assert CANARY not in everything_written(run, junit, log)


def test_client_secret_appears_nowhere_and_only_the_token_request_is_not_a_get(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    with MockServer() as mock:
        run = suite(
            "--base-url", mock.url, "--max-examples", "5", "-vv", f"--junitxml={junit}",
            env={"EPCC_CLIENT_ID": "suite-client", "EPCC_CLIENT_SECRET": CANARY},
        )  # fmt: skip
        requests = mock.requests.snapshot()
    assert run.returncode == 0, run.stdout
    assert CANARY not in everything_written(run, junit)
    assert "client credentials from $EPCC_CLIENT_ID and $EPCC_CLIENT_SECRET" in run.stdout
    writes = [(r.method, r.path) for r in requests if r.method != "GET"]
    assert writes == [("POST", "/oauth/access_token")], writes
    assert sum(r.method == "GET" for r in requests) > 20


def test_against_a_real_target_only_get_is_sent(tmp_path: Path) -> None:
    with MockServer() as mock:
        run = suite("--base-url", mock.url, "--max-examples", "10", env={"PCM_CONTRACTS_TOKEN": "mock-token"})
        methods = {r.method for r in mock.requests.snapshot()}
    assert run.returncode == 0, run.stdout
    assert methods == {"GET"}
    assert "writes: refused (GET only)" in run.stdout


def test_built_in_mock_gets_the_coverage_phase_other_methods_too() -> None:
    run = suite("--max-examples", "3", "-k", "property")
    assert run.returncode == 0, run.stdout
    assert "writes: allowed" in run.stdout


def test_unreachable_target_is_one_target_error_not_a_pass() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    run = suite("--base-url", f"http://127.0.0.1:{port}", env={"PCM_CONTRACTS_TOKEN": "t0k3n-value"})
    assert run.returncode == EXIT_TARGET_ERROR, run.stdout
    assert sum(line.startswith("target error: ") for line in run.stdout.splitlines()) == 1
    assert "1 error" in run.stdout.splitlines()[-1]  # once, not per check (CI=true repeats it in the summary)
    assert "connection failed" in run.stdout
    assert "pcm-contracts: the target cannot be checked" in run.stdout


def test_base_url_without_any_live_check_run_fails_clearly() -> None:
    with MockServer() as mock:
        run = suite("--base-url", mock.url, "-k", "no-such-test", env={"PCM_CONTRACTS_TOKEN": "mock-token"})
    assert run.returncode == 5, run.stdout
    assert "no live check ran: nothing was verified" in run.stdout


def test_base_url_without_credentials_is_a_usage_error() -> None:
    run = suite("--base-url", "http://127.0.0.1:9")
    assert run.returncode == 4, run.stdout + run.stderr
    assert "no credentials for http://127.0.0.1:9" in run.stderr


def test_jobs_of_a_target_that_is_not_the_mock_are_skipped_with_a_reason(tmp_path: Path) -> None:
    with MockServer() as mock:
        # a target without a job list: the suite cannot discover jobs there
        run = suite(
            "--base-url", mock.url + "/no-seed-here", "-rs", "-k", "known_job", env={"PCM_CONTRACTS_TOKEN": "x"}
        )
    assert "no job ids: the job list answered 404 without a list of jobs: pass --job-id ID" in run.stdout


def test_suite_passes_against_a_separately_started_mock_command() -> None:
    command = [installed().bin("pcm-contracts"), "mock", "--port", "0"]
    with subprocess.Popen(command, cwd=installed().home, stdout=subprocess.PIPE, text=True) as mock:
        assert mock.stdout is not None
        first = mock.stdout.readline().strip()
        assert first.startswith("serving http://127.0.0.1:"), first
        try:
            run = suite("--base-url", first.removeprefix("serving "), env={"PCM_CONTRACTS_TOKEN": "mock-token"})
        finally:
            mock.send_signal(signal.SIGINT)
        assert mock.wait(timeout=10) == 0
    assert run.returncode == 0, run.stdout
    assert (
        "(sampled from the job list: 74 of 74 jobs read, one per type and status: types 10, statuses 6)" in run.stdout
    )


def test_unreachable_target_is_a_target_error_even_when_only_per_job_checks_are_selected() -> None:
    only = "test_known_job_answers_200_with_itself"
    run = suite("--base-url", "http://127.0.0.1:9", "-k", only, env={"PCM_CONTRACTS_TOKEN": "t0k3n-value"})
    assert run.returncode == EXIT_TARGET_ERROR, run.stdout
    assert "pcm-contracts: the target cannot be checked: GET http://127.0.0.1:9/pcm/jobs" in run.stdout


def test_writes_allowed_against_a_deployment_reach_only_the_named_job() -> None:
    with MockServer() as mock:
        pending = mock.create_job(hold=True).id  # pending until cancelled, however loaded the machine
        run = suite(
            "--base-url", mock.url, "--allow-writes", "--cancel-job", pending, "--max-examples", "30",
            "--job-id", mock.seed[0].id, env={"PCM_CONTRACTS_TOKEN": "mock-token"},
        )  # fmt: skip
        writes = {(r.method, r.path) for r in mock.requests.snapshot() if r.method == "POST"}
    assert run.returncode == 0, run.stdout
    assert writes == {("POST", f"/pcm/jobs/{pending}/cancel")}
