from __future__ import annotations

import io
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from contracts.cli import main
from contracts.mock import DRIFT_MODES, FAULT_MODES
from contracts.registry import EXAMPLES_DIR, ROOT
from contracts.rules import RULES


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def test_examples_prints_every_recorded_example_with_its_verdict() -> None:
    code, out = run("examples")
    assert code == 0
    lines = [line for line in out.splitlines() if not line.startswith(" ")]
    assert len(lines) == len(list(EXAMPLES_DIR.rglob("*.json")))
    assert all(line.startswith("ok   ") for line in lines)
    assert "get-a-job/200-example-from-schema.json: invalid (documented verdict: invalid)" in out


def test_examples_under_strict_mode_report_undocumented_fields() -> None:
    code, out = run("examples", "--strictness", "undocumented-field=error")
    assert code == 0  # same verdicts: only the generated example (already invalid) mixes job types' meta
    assert "error: /data/meta/copied_from: undocumented member 'copied_from'" in out


def test_bad_strictness_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("examples", "--strictness", "everything=error")
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("pcm-contracts: strictness 'everything=error'")


def test_rules_lists_every_rule() -> None:
    code, out = run("rules")
    assert code == 0
    assert [line.split(" ", 1)[0] for line in out.splitlines()] == [rule.id for rule in RULES]


def test_mock_lists_its_modes() -> None:
    code, out = run("mock", "--list-modes")
    assert (code, out.split()) == (0, [*DRIFT_MODES, *FAULT_MODES])


def test_python_dash_m_is_the_same_command() -> None:
    done = subprocess.run([sys.executable, "-m", "contracts", "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.startswith("pcm-contracts ")


def test_unknown_mode_is_a_usage_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "contracts", "mock", "--drift", "nope"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "invalid choice: 'nope'" in done.stderr
    assert "Traceback" not in done.stderr


def test_pre_commit_hook_runs_the_validate_command(tmp_path: Path) -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "pcm-contracts-validate"
    assert hook["language"] == "python"
    program, *args = shlex.split(hook["entry"])
    assert program == "pcm-contracts"
    files = re.compile(hook["files"])
    good, bad = tmp_path / "good.json", tmp_path / "bad.jsonl"
    good.write_text((ROOT / "examples/get-a-job/404-not-found.json").read_text(encoding="utf-8"))
    bad.write_text('{"errors": [{"status": 404, "title": "Not Found"}]}\n')
    assert files.search(good.name)
    assert files.search(bad.name)
    assert not files.search("notes.txt")
    command = [sys.executable, "-m", "contracts", *args]
    assert subprocess.run([*command, str(good)], capture_output=True, check=False).returncode == 0
    failed = subprocess.run([*command, str(good), str(bad)], capture_output=True, text=True, check=False)
    assert failed.returncode == 1
    assert f"{bad}:1: /errors/0/status: expected string, got integer 404 [schema.type]" in failed.stdout
