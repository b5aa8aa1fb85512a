"""``pcm-contracts mock``: the options, ``--list-modes`` and a real serving process."""

from __future__ import annotations

import argparse
import io
import signal
import socket
import subprocess
import sys

import httpx
import pytest

from contracts.cli import parser as cli_parser
from contracts.mock import DRIFT_MODES, FAULT_MODES, MockServer
from contracts.mock.command import add_arguments, run
from contracts.mock.modes import DRIFT_DESCRIPTIONS, FAULT_DESCRIPTIONS
from contracts.registry import ROOT
from tests.mock.conftest import AUTH

RUN_COMMAND = (
    "import argparse, sys\n"
    "from contracts.mock.command import add_arguments, run\n"
    "parser = argparse.ArgumentParser(prog='pcm-contracts mock')\n"
    "add_arguments(parser)\n"
    "sys.exit(run(parser.parse_args(sys.argv[1:]), sys.stdout))\n"
)


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(prog="pcm-contracts mock")
    add_arguments(command)
    return command


def test_defaults_are_a_free_port_the_fixed_token_and_no_modes() -> None:
    args = parser().parse_args([])
    assert (args.port, args.drift, args.fault, args.token, args.list_modes) == (0, None, None, "mock-token", False)


def listing() -> list[str]:
    out = io.StringIO()
    assert run(parser().parse_args(["--list-modes"]), out) == 0
    return out.getvalue().splitlines()


def test_list_modes_says_which_modes_are_drifts_and_which_faults_each_with_its_description() -> None:
    lines = listing()
    drift_heading, fault_heading = (
        next(i for i, line in enumerate(lines) if line.startswith(kind)) for kind in ("drift modes", "fault modes")
    )
    assert drift_heading == 0 < fault_heading
    drifts, faults = lines[1:fault_heading], lines[fault_heading + 1 :]
    assert [line.split()[0] for line in drifts] == list(DRIFT_MODES)
    assert [line.split()[0] for line in faults] == list(FAULT_MODES)
    for line in drifts:
        assert line.split(None, 1)[1] == DRIFT_DESCRIPTIONS[line.split()[0]]
    for line in faults:
        assert line.split(None, 1)[1] == FAULT_DESCRIPTIONS[line.split()[0]]


def test_every_mode_has_a_one_line_description_beside_its_definition() -> None:
    assert list(DRIFT_DESCRIPTIONS) == list(DRIFT_MODES)
    assert list(FAULT_DESCRIPTIONS) == list(FAULT_MODES)
    for description in (*DRIFT_DESCRIPTIONS.values(), *FAULT_DESCRIPTIONS.values()):
        assert 0 < len(description) < 100
        assert "\n" not in description


def test_help_says_what_the_mock_does_with_an_example_and_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli_parser().parse_args(["mock", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "Serve the mock PCM Jobs API" in text
    assert "pcm-contracts mock --drift missing-id --fault slow" in text
    assert "exit codes:\n  0  stopped by Ctrl-C or SIGTERM" in text
    assert "2  usage error, or the port cannot be listened on" in text


def test_a_busy_port_is_one_line_and_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "contracts", "mock", "--port", str(port)],
            cwd=ROOT, capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == (
        f"pcm-contracts: port {port} is in use; choose another with --port, or --port 0 for a free one\n"
    )
    assert done.stdout == ""


def test_a_drift_and_a_fault_combine_the_fault_on_the_drifted_answers(http: httpx.Client) -> None:
    with MockServer(drift="missing-id", fault="slow", slow_seconds=0.01) as mock:
        answer = http.get(f"{mock.url}/pcm/jobs/{mock.seed[0].id}", headers=AUTH)
    assert answer.status_code == 200
    assert "id" not in answer.json()["data"]


def test_an_answer_a_fault_makes_up_is_not_drifted(http: httpx.Client) -> None:
    with MockServer(drift="error-without-errors", fault="server-error") as mock:
        answer = http.get(f"{mock.url}/pcm/jobs/{mock.seed[0].id}", headers=AUTH)
    assert answer.status_code == 500
    assert answer.json()["errors"][0]["status"] == "500"


@pytest.mark.parametrize("option", ["--drift", "--fault"])
def test_unknown_mode_is_a_usage_error(option: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parser().parse_args([option, "no-such-mode"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'no-such-mode'" in capsys.readouterr().err


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_run_serves_until_a_signal_and_exits_0(http: httpx.Client, stop_signal: signal.Signals) -> None:
    command = [sys.executable, "-c", RUN_COMMAND, "--drift", "missing-id"]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            first = process.stdout.readline()
            assert first.startswith("serving http://127.0.0.1:")
            url = first.split()[1]
            assert process.stdout.readline() == f"seed: GET {url}/__mock__/seed lists the seeded job ids\n"
            assert process.stdout.readline() == "drift: missing-id\n"
            seed = http.get(f"{url}/__mock__/seed").json()
            job = seed["jobs"][0]["id"]
            answer = http.get(f"{url}/pcm/jobs/{job}", headers={"Authorization": "Bearer mock-token"}).json()
            assert "id" not in answer["data"]
            process.send_signal(stop_signal)
            stdout, stderr = process.communicate(timeout=5)
        finally:
            process.kill()
    assert process.returncode == 0
    assert stderr == ""
    assert stdout == ""


def test_the_command_takes_a_drift_and_a_fault_together(http: httpx.Client) -> None:
    command = [sys.executable, "-m", "contracts", "mock", "--drift", "missing-id", "--fault", "server-error"]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().split()[1]
            assert process.stdout.readline().startswith("seed: ")
            assert [process.stdout.readline(), process.stdout.readline()] == [
                "drift: missing-id\n",
                "fault: server-error\n",
            ]
            assert http.get(f"{url}/__mock__/seed").status_code == 200  # the mock's own paths are never faulted
            assert http.get(f"{url}/pcm/jobs", headers=AUTH).status_code == 500
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=5)
        finally:
            process.kill()
    assert (process.returncode, stderr) == (0, "")
