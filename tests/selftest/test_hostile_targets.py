"""What a user sees when the deployment (or what stands in front of it)
misbehaves: ``pcm-contracts check`` against real socket servers
(tests/hostile.py) that dribble, redirect or echo the token."""

from __future__ import annotations

import re
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from contracts.pytest_plugin import EXIT_TARGET_ERROR
from tests import hostile
from tests.selftest.test_safety import CANARY, everything_written, suite

pytestmark = pytest.mark.selftest

Echoed = tuple[subprocess.CompletedProcess[str], str, int]
"""A run, everything it wrote, and how many requests the server received."""

TIMEOUT = 2.0
"""The request timeout of the hanging cases; their servers would go on for 60 s."""


COMMON = ("--request-timeout", str(TIMEOUT), "--job-id", hostile.ECHO_JOB_ID)
DRIBBLE_EVERY = 0.25
"""A byte every quarter second: never a read timeout; a hang-up is noticed within half a second."""


def test_a_target_that_dribbles_its_answer_is_one_target_error_within_twice_the_timeout() -> None:
    # Timed by the server (from the request's arrival to the client hanging up),
    # so the run's start-up, however slow on a loaded machine, does not count.
    with hostile.listening(hostile.dribbling_body(every=DRIBBLE_EVERY)) as server:
        run = suite("--base-url", server.url, *COMMON, env={"PCM_CONTRACTS_TOKEN": CANARY})
    assert run.returncode == EXIT_TARGET_ERROR, run.stdout
    assert "no answer within 2 s" in run.stdout
    assert len(server.requests) == 1  # nothing sent after the target failed
    assert max(server.held) < 2 * TIMEOUT, server.held


def test_a_target_that_dribbles_only_to_schemathesis_is_one_target_error_within_twice_the_timeout() -> None:
    echo, dribble = hostile.echoing(CANARY), hostile.dribbling_body(every=DRIBBLE_EVERY)

    def handler(received: hostile.Received, conn: socket.socket, stopped: threading.Event) -> None:
        listing = received.path.split("?", 1)[0] == "/pcm/jobs"  # the suite's own checks are deselected below
        (dribble if listing else echo)(received, conn, stopped)

    with hostile.listening(handler) as server:
        run = suite("--base-url", server.url, *COMMON, "-k", "property", env={"PCM_CONTRACTS_TOKEN": CANARY})
    assert run.returncode == EXIT_TARGET_ERROR, run.stdout
    shown = [line for line in run.stdout.splitlines() if line.startswith("target error: ")]
    assert len(shown) == 1, run.stdout
    assert "no answer within 2 s" in shown[0]
    assert len(server.requests) == 2  # the preflight, then one dribbled: nothing after the target failed
    assert max(server.held) < 2 * TIMEOUT, server.held


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
def echoed(tmp_path_factory: pytest.TempPathFactory) -> Echoed:
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


def test_a_token_the_target_echoes_appears_in_no_output(echoed: Echoed) -> None:
    run, written, _ = echoed
    assert run.returncode == 1, run.stdout  # the echoed type is a violation
    assert "test_property_based" in run.stdout  # schemathesis' failures too
    assert CANARY not in written
    assert '"type": "***"' in written  # schemathesis' excerpt of the echoing body, masked
    assert "b'Bearer ***'" in written  # httpcore's DEBUG log of the echoing header, masked


def test_the_summary_counts_every_request_the_run_sent(echoed: Echoed) -> None:
    run, _, received = echoed
    counted = re.search(r"contract target \S+: (\d+) requests", run.stdout)
    assert counted is not None, run.stdout
    assert int(counted.group(1)) == received
