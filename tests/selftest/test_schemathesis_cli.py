"""The contract document with the schemathesis CLI, as a user would run it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from contracts.mock import DEFAULT_TOKEN, MockServer
from contracts.registry import ROOT

pytestmark = pytest.mark.selftest


def schemathesis_run(url: str) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", "contracts/openapi.yaml", "--url", url,
        "-H", f"Authorization: Bearer {DEFAULT_TOKEN}", "--max-examples", "20", "--seed", "1",
    ]  # fmt: skip
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def test_schemathesis_cli_passes_against_the_normal_mock() -> None:
    with MockServer() as mock:
        run = schemathesis_run(mock.url)
    assert run.returncode == 0, run.stdout[-3000:]


def test_schemathesis_cli_fails_against_a_drifted_mock() -> None:
    with MockServer(drift="undocumented-status") as mock:
        run = schemathesis_run(mock.url)
    assert run.returncode == 1, run.stdout[-3000:]
    assert "Response violates schema" in run.stdout
    assert '"completed" is not one of' in run.stdout


def test_schemathesis_cli_only_reads_with_the_projects_configuration() -> None:
    """The README's line, pasted against a deployment, sends GET only: the
    configuration disables cancel (no stateful link reaches it) and the coverage
    phase's probes with other methods."""
    with MockServer() as mock:
        run = schemathesis_run(mock.url)
        methods = {r.method for r in mock.requests.snapshot()}
    assert run.returncode == 0, run.stdout[-3000:]
    assert methods == {"GET"}
