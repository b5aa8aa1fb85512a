"""``pcm-contracts mock``: the options, ``--list-modes`` and a real serving process."""

from __future__ import annotations

import argparse
import io
import signal
import subprocess
import sys

import httpx
import pytest

from contracts.mock import DRIFT_MODES, FAULT_MODES
from contracts.mock.command import add_arguments, run
from contracts.registry import ROOT

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


def test_list_modes_prints_drift_modes_then_fault_modes_one_per_line() -> None:
    out = io.StringIO()
    assert run(parser().parse_args(["--list-modes"]), out) == 0
    assert out.getvalue().splitlines() == [*DRIFT_MODES, *FAULT_MODES]


def test_list_modes_names_the_drift_modes_of_the_list_errors_and_cancel_before_any_fault() -> None:
    out = io.StringIO()
    run(parser().parse_args(["--list-modes"]), out)
    names = out.getvalue().splitlines()
    new = ["status-regresses", "total-mismatch", "page-overlap", "errors-wrong-type", "cancel-anything"]
    assert set(new) <= set(names)
    assert max(names.index(name) for name in new) < min(names.index(name) for name in FAULT_MODES)


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
