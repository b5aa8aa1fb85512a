"""The composite GitHub Action (`action.yml`): its shell steps, run here as the
runner would run them, against the built-in mock and a mock given as base URL."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from contracts.mock import DEFAULT_TOKEN, MockServer
from contracts.registry import ROOT
from tests.installed import installed

pytestmark = pytest.mark.selftest

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*inputs\.([a-z-]+)\s*\}\}")


def shell_steps() -> list[dict[str, Any]]:
    return [step for step in ACTION["runs"]["steps"] if "run" in step]


def run_action(inputs: dict[str, str], workspace: Path) -> subprocess.CompletedProcess[str]:
    """Every shell step in order, as GitHub's runner does (bash -eo pipefail,
    inputs substituted into the steps' env, GITHUB_ACTION_PATH the checkout)."""
    given = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()} | inputs
    for step in shell_steps():
        env = {k: EXPRESSION.sub(lambda m: given[m.group(1)], str(v)) for k, v in step.get("env", {}).items()}
        assert step["shell"] == "bash"
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=workspace,
            env=installed().env(GITHUB_ACTION_PATH=str(ROOT), **env),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            return done
    return done


def test_action_declares_its_inputs_and_uploads_the_report_whatever_the_outcome() -> None:
    assert ACTION["runs"]["using"] == "composite"
    used = {step["uses"].split("@")[0]: step for step in ACTION["runs"]["steps"] if "uses" in step}
    assert set(used) == {"actions/setup-python", "actions/upload-artifact"}
    assert used["actions/upload-artifact"]["if"] == "always()"
    assert used["actions/upload-artifact"]["with"]["path"] == "${{ inputs.junit-path }}"
    referenced = {m.group(1) for m in EXPRESSION.finditer((ROOT / "action.yml").read_text(encoding="utf-8"))}
    assert referenced == set(ACTION["inputs"])
    for step in shell_steps():  # inputs reach the shell through env only: no script injection
        assert not EXPRESSION.search(step["run"])
    assert tuple(map(int, ACTION["inputs"]["python-version"]["default"].split("."))) >= (3, 11)


def test_action_passes_against_the_built_in_mock(tmp_path: Path) -> None:
    done = run_action({"args": "--max-examples 3"}, tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    cases = list(ET.parse(tmp_path / "pcm-contracts.xml").iter("testcase"))
    assert len(cases) > 20


def test_action_checks_a_base_url_with_the_token_and_job_ids_and_fails_on_drift(tmp_path: Path) -> None:
    with MockServer() as mock:
        inputs = {
            "base-url": mock.url,
            "token": DEFAULT_TOKEN,
            "job-ids": f"{mock.seed[0].id}\n{mock.seed[1].id}",
            "args": "--rate-limit 0 --max-examples 3 -x",
            "junit-path": "reports/contract.xml",
        }
        (tmp_path / "reports").mkdir()
        done = run_action(inputs, tmp_path)
        sent = {r.path for r in mock.requests.snapshot()}
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert f"/pcm/jobs/{mock.seed[1].id}" in sent
    assert "given with --job-id" in done.stdout
    with MockServer(drift="missing-id") as mock:
        done = run_action({**inputs, "base-url": mock.url, "job-ids": mock.seed[0].id}, tmp_path)
    assert done.returncode == 1, done.stdout[-3000:]
    assert "[schema.required]" in (tmp_path / "reports/contract.xml").read_text(encoding="utf-8")
