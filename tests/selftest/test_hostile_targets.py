"""What a user sees when the deployment (or what stands in front of it)
misbehaves: ``pcm-contracts check`` against real socket servers
(tests/hostile.py) that dribble, redirect or echo the token."""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path

import pytest

from contracts.pytest_plugin import EXIT_TARGET_ERROR
from tests import hostile
from tests.selftest.test_safety import CANARY, everything_written, suite

pytestmark = pytest.mark.selftest

TIMEOUT = 1.0
SLACK = 3.0
"""Seconds allowed on top of a run's start-up (measured in the same test) and
twice the request timeout; the hanging server would take 60 s."""


def timed(*args: str) -> tuple[float, object]:
    start = time.monotonic()
    run = suite(*args, env={"PCM_CONTRACTS_TOKEN": CANARY})
    return time.monotonic() - start, run


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_target_that_dribbles_its_answer_is_one_target_error_within_twice_the_timeout() -> None:
    common = ("--request-timeout", str(TIMEOUT), "--job-id", hostile.ECHO_JOB_ID)
    start_up, refused = timed("--base-url", f"http://127.0.0.1:{closed_port()}", *common)
    assert refused.returncode == EXIT_TARGET_ERROR  # type: ignore[attr-defined]
    with hostile.listening(hostile.dribbling_body()) as server:
        took, run = timed("--base-url", server.url, *common)
    assert run.returncode == EXIT_TARGET_ERROR, run.stdout  # type: ignore[attr-defined]
    assert "no answer within 1 s" in run.stdout  # type: ignore[attr-defined]
    assert took < start_up + 2 * TIMEOUT + SLACK, (took, start_up)


def test_a_redirect_to_another_host_is_one_target_error_showing_the_location_and_never_followed() -> None:
    with (
        hostile.listening(hostile.answer_recorder, host="127.0.0.2") as elsewhere,
        hostile.listening(hostile.redirecting(301, elsewhere.url)) as server,
    ):
        run = suite("--base-url", server.url, env={"PCM_CONTRACTS_TOKEN": CANARY})
    assert run.returncode == EXIT_TARGET_ERROR, run.stdout
    assert f"answered 301 redirecting to {elsewhere.url}/pcm/jobs" in run.stdout
    assert sum(line.startswith("target error: ") for line in run.stdout.splitlines()) <= 1
    assert elsewhere.requests == []  # nothing reached the other host, with credentials or without
    assert CANARY not in run.stdout + run.stderr


def test_a_redirect_to_a_missing_path_prefix_is_one_target_error() -> None:
    with hostile.listening(hostile.redirecting(308, "/v2")) as server:
        run = suite("--base-url", server.url, "--job-id", hostile.ECHO_JOB_ID, env={"PCM_CONTRACTS_TOKEN": CANARY})
    assert run.returncode == EXIT_TARGET_ERROR, run.stdout
    assert f"redirecting to /v2/pcm/jobs/{hostile.ECHO_JOB_ID}" in run.stdout
    assert len(server.requests) == 1  # the preflight; nothing after it


@pytest.fixture(scope="module")
def echoed(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, str, int]:
    """One run against a target that echoes the token into a header, job fields
    and error details, at every verbosity, with every log on."""
    out = tmp_path_factory.mktemp("echo")
    junit, log = out / "junit.xml", out / "run.log"
    with hostile.listening(hostile.echoing(CANARY)) as server:
        run = suite(
            "--base-url", server.url, "--job-id", hostile.ECHO_JOB_ID, "--max-examples", "3",
            "-vv", "-rA", "-l", "--tb=long", "--log-level=DEBUG", f"--log-file={log}", "--log-file-level=DEBUG",
            "-o", "log_cli=true", "--log-cli-level=DEBUG", f"--junitxml={junit}", "-o", "junit_logging=all",
            env={"PCM_CONTRACTS_TOKEN": CANARY},
        )  # fmt: skip
        received = len(server.requests)
    return run, everything_written(run, Path(junit), Path(log)), received


def test_a_token_the_target_echoes_appears_in_no_output(echoed: tuple[object, str, int]) -> None:
    run, written, _ = echoed
    assert run.returncode == 1, run.stdout  # type: ignore[attr-defined]  # the echoed type is a violation
    assert "test_property_based" in run.stdout  # type: ignore[attr-defined]  # schemathesis' failures too
    assert CANARY not in written
    assert '"type": "***"' in written  # schemathesis' excerpt of the echoing body, masked
    assert "b'Bearer ***'" in written  # httpcore's DEBUG log of the echoing header, masked


def test_the_summary_counts_every_request_the_run_sent(echoed: tuple[object, str, int]) -> None:
    run, _, received = echoed
    counted = re.search(r"contract target \S+: (\d+) requests", run.stdout)  # type: ignore[attr-defined]
    assert counted is not None, run.stdout  # type: ignore[attr-defined]
    assert int(counted.group(1)) == received
