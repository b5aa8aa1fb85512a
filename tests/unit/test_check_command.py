"""`pcm-contracts check`: its own help, and pytest's passed through."""

from __future__ import annotations

import subprocess
import sys

import pytest

from contracts.cli import main


def test_check_help_says_what_it_does_and_its_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--help"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: pcm-contracts check [--base-url URL]")
    assert "exit codes: 0 the contract is kept, 1 a check failed" in text
    assert "--pytest-help" in text


def test_pytest_help_lists_the_suites_options_and_pytests() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "contracts", "check", "--pytest-help"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for option in ("--base-url", "--job-id", "--allow-writes", "--junit-xml", "-k EXPRESSION"):
        assert option in done.stdout
