from __future__ import annotations

import copy
import io
import json
import os
import pty
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml
from rich import filesize

from contracts.cli import main
from contracts.cli import parser as cli_parser
from contracts.mock import DRIFT_MODES, FAULT_MODES
from contracts.registry import EXAMPLES_DIR, ROOT
from contracts.rules import RULES
from tests import gcs_server
from tests.casefiles import example
from tests.pipeline import each_result


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
    names = [line.split()[0] for line in out.splitlines() if line.startswith("  ")]
    assert (code, names) == (0, [*DRIFT_MODES, *FAULT_MODES])


def test_python_dash_m_is_the_same_command() -> None:
    done = subprocess.run([sys.executable, "-m", "contracts", "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.startswith("pcm-contracts ")


def test_validate_starts_without_the_mock_server_and_every_command_is_named() -> None:
    body = EXAMPLES_DIR / "get-a-job" / "200-product-export.json"
    program = (
        "import sys; from contracts import cli; code = cli.main(['validate', sys.argv[1], '-q']);"
        "print(code, 'contracts.mock' in sys.modules, 'http.server' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", program, str(body)], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "False", "False"]
    full, lean = (
        next(action for action in built._actions if action.dest == "command").choices
        for built in (cli_parser(), cli_parser("validate"))
    )
    assert isinstance(full, dict)
    assert isinstance(lean, dict)
    assert list(lean) == list(full)  # every command named, in the same order, with the same help
    assert cli_parser("validate").format_help() == cli_parser().format_help()
    assert all(lean[name].format_help() == full[name].format_help() for name in full if name != "mock")
    assert "--drift" in full["mock"].format_help()  # the mock's options: only where it may be the command
    assert "--drift" not in lean["mock"].format_help()
    assert run("mock", "--list-modes")[0] == 0  # the mock's own options, when it is the command


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


JOB = example("get-a-job/200-product-export")["response"]["body"]
FINDING = "[schema.enum]"


def job_line(**attributes: Any) -> str:
    body = copy.deepcopy(JOB)
    body["data"]["attributes"].update(attributes)
    return json.dumps(body) + "\n"


def command(*argv: str) -> list[str]:
    return [sys.executable, "-m", "contracts", *argv]


def validate(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run(
        command("validate", *argv), cwd=ROOT, env={**environ, **(env or {})},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """Two valid bodies (one with a warning), one invalid, one unreadable, one skipped."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a-valid.json").write_text(job_line())
    (folder / "b-warning.json").write_text(job_line(extra=1))
    (folder / "c-invalid.json").write_text(job_line(status="archived"))
    (folder / "d-broken.json").write_text('{"data": ')
    (folder / "e-notes.txt").write_text("notes")
    return folder


WARN = ("--strictness", "undocumented-field=warning")


def test_a_closed_pipe_keeps_the_verdict_of_payloads_after_the_cut(tmp_path: Path) -> None:
    """Thousands of warnings fill the pipe; the reader takes one line and goes;
    the one invalid payload comes after that: exit 1, no traceback."""
    big = tmp_path / "big.jsonl"
    big.write_text(job_line(extra=1) * 5000 + job_line(status="archived"))
    reader = subprocess.Popen(
        command("validate", *WARN, str(big)), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert reader.stdout is not None
    assert reader.stderr is not None
    first = reader.stdout.readline()
    reader.stdout.close()  # what `| head -1` does: well before the 600 KB of findings are written
    stderr = reader.stderr.read().decode()
    assert reader.wait(timeout=120) == 1
    assert first.startswith(f"{big}:1: ".encode())
    assert stderr == ""  # no traceback, no "Exception ignored ... BrokenPipeError"


def test_a_closed_pipe_after_valid_payloads_only_exits_0(tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    big.write_text(job_line(extra=1) * 5000)
    done = subprocess.run(
        f"{shlex.join(command('validate', *WARN, str(big)))} | head -1", shell=True, cwd=ROOT,
        capture_output=True, text=True, timeout=120, check=False, executable="/bin/bash",
    )  # fmt: skip
    assert done.stdout.count("\n") == 1
    assert "Traceback" not in done.stderr
    assert "BrokenPipe" not in done.stderr
    piped = subprocess.run(
        f"set -o pipefail; {shlex.join(command('validate', *WARN, str(big)))} | head -1", shell=True, cwd=ROOT,
        capture_output=True, text=True, timeout=120, check=False, executable="/bin/bash",
    )  # fmt: skip
    assert piped.returncode == 0


def test_examples_into_a_closed_pipe_still_exit_with_their_verdict() -> None:
    reader = subprocess.Popen(command("examples"), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert reader.stdout is not None
    assert reader.stderr is not None
    reader.stdout.close()
    assert reader.wait(timeout=120) == 0
    assert reader.stderr.read() == b""


def test_text_report_to_a_file_has_the_summary_and_standard_error_has_it_too(mixed: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    done = validate("--output", str(report), str(mixed))
    assert done.returncode == 1
    assert done.stdout == ""
    written = report.read_text()
    assert f"{mixed / 'c-invalid.json'}: /data/attributes/status:" in written
    summary = "read 5 payload(s): 2 valid, 1 invalid, 1 unreadable, 1 skipped\n"
    assert summary in written
    assert done.stderr.startswith(summary)
    assert FINDING not in done.stderr.splitlines()[0]


@pytest.mark.parametrize("kind", ["json", "junit"])
def test_other_formats_to_a_file_put_the_summary_on_standard_error(mixed: Path, tmp_path: Path, kind: str) -> None:
    done = validate("--format", kind, "--output", str(tmp_path / "report"), str(mixed))
    assert done.stderr.startswith("read 5 payload(s): 2 valid, 1 invalid, 1 unreadable, 1 skipped\n")


def test_quiet_prints_only_what_fails(mixed: Path) -> None:
    done = validate("-q", *WARN, str(mixed))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines == [
        f'{mixed / "c-invalid.json"}: /data/attributes/status: "archived" is outside the documented set '
        "(pending, started, success, failed, cancelled, cancelling) [schema.enum]",
        f"{mixed / 'd-broken.json'}: unreadable: invalid JSON (truncated?): Expecting value (line 1, column 10)",
    ]
    assert done.stderr == ""


def test_quiet_on_valid_payloads_prints_nothing(mixed: Path) -> None:
    done = validate("-q", str(mixed / "a-valid.json"), str(mixed / "b-warning.json"), *WARN)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_verbose_also_lists_valid_and_skipped_items(mixed: Path, tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    log.write_text(job_line() * 2)
    done = validate("-v", *WARN, str(mixed), str(log))
    out = done.stdout
    assert f"{mixed / 'a-valid.json'}: valid\n" in out
    assert f"{log}:1: valid\n{log}:2: valid\n" in out  # the bulk batches too
    assert f"{mixed / 'b-warning.json'}: /data/attributes/extra: undocumented member 'extra'" in out
    assert f"{mixed / 'e-notes.txt'}: skipped: not a capture file" in out
    assert "read 7 payload(s): 4 valid, 1 invalid, 1 unreadable, 1 skipped" in out


def test_quiet_and_verbose_together_are_a_usage_error(mixed: Path) -> None:
    done = validate("-q", "-v", str(mixed))
    assert done.returncode == 2
    assert "not allowed with argument" in done.stderr


@pytest.mark.parametrize(
    ("argv", "env", "coloured"),
    [
        ([], {}, False),
        ([], {"FORCE_COLOR": "1"}, True),
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        (["--color", "always"], {"NO_COLOR": "1"}, True),
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
    ],
)
def test_colour_of_the_text_report(mixed: Path, argv: list[str], env: dict[str, str], coloured: bool) -> None:
    done = validate(*argv, str(mixed / "c-invalid.json"), env=env)
    red = "\033[31m"
    assert (red in done.stdout) is coloured
    if coloured:  # the error finding itself in red
        assert f'{mixed / "c-invalid.json"}: {red}/data/attributes/status: "archived"' in done.stdout
    assert done.stderr == ""  # never a progress bar off a terminal, whatever FORCE_COLOR says


def test_a_bad_colour_choice_is_a_usage_error(mixed: Path) -> None:
    done = validate("--color", "sometimes", str(mixed))
    assert done.returncode == 2
    assert "invalid choice: 'sometimes'" in done.stderr


def read_terminal(argv: list[str], *, stderr_too: bool = True) -> tuple[int, str, bytes]:
    """Run the command with standard output (and error, unless not ``stderr_too``: then a pipe)
    on a pseudo-terminal; all it wrote to the terminal, and to the pipe."""
    controller, terminal = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    with subprocess.Popen(
        command(*argv), cwd=ROOT, env={**environ, "COLUMNS": "160"}, stdin=terminal, stdout=terminal,
        stderr=terminal if stderr_too else subprocess.PIPE,
    ) as process:  # fmt: skip
        os.close(terminal)
        chunks = []
        while True:
            try:
                data = os.read(controller, 65536)
            except OSError:  # EIO: the terminal's other end is closed
                break
            if not data:
                break
            chunks.append(data)
        piped = process.stderr.read() if process.stderr is not None else b""
        code = process.wait(timeout=120)
    os.close(controller)
    return code, b"".join(chunks).decode(), piped


CSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def test_on_a_terminal_a_progress_bar_shows_the_total_and_findings_print_above_it(tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    big.write_text(job_line(extra=1) * 2000 + job_line(status="archived"))
    code, text, _ = read_terminal(["validate", *WARN, str(big)])
    assert code == 1
    assert "checking" in text
    assert f"/{filesize.decimal(big.stat().st_size)}" in text  # the total: the input's size
    assert "payloads" in text
    assert "ETA" in text
    plain = CSI.sub("", text).replace("\r\n", "\n")
    lines = [line.rsplit("\r", 1)[-1] for line in plain.split("\n")]  # what stays on each line of the screen
    findings = [line for line in lines if line.startswith(f"{big}:")]
    assert len(findings) == 2001  # every finding on a line of its own: none glued to the bar
    assert findings[-1].endswith(FINDING)
    assert all(line.endswith("(warning)") for line in findings[:-1])
    assert "read 2001 payload(s): 2000 valid, 1 invalid, 0 unreadable, 0 skipped" in lines
    assert "\x1b[31m" in text  # errors in red on a terminal


@pytest.mark.parametrize("argv", [["--no-progress"], ["-q"]], ids=["no-progress", "quiet"])
def test_no_progress_and_quiet_draw_no_bar_even_on_a_terminal(tmp_path: Path, argv: list[str]) -> None:
    body = tmp_path / "body.json"
    body.write_text(job_line())
    code, text, _ = read_terminal(["validate", *argv, str(body)])
    assert code == 0
    assert "checking" not in text


@pytest.mark.parametrize("name", [None, "examples", "rules", "validate", "mock", "schemas"])
def test_help_says_what_the_command_does_with_an_example_and_the_exit_codes(
    name: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([name, "--help"] if name else ["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "example" in text
    assert "exit codes:\n  0  " in text
    assert "pcm-contracts" in text.split("exit codes:")[0].split("example", 1)[1]


def hook_command() -> list[str]:
    """The hook's entry exactly as .pre-commit-hooks.yaml says, its program from this environment."""
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    program, *args = shlex.split(hook["entry"])
    installed = Path(sys.executable).parent / program
    if not installed.exists():
        pytest.skip(f"{program} is not installed beside {sys.executable} (pip install -e .)")
    return [str(installed), *args]


def staged(repository: Path, files: str) -> list[str]:
    """What pre-commit passes with the README's config (`files:` of the user replaces the hook's; `types: [file]`)."""
    pattern = re.compile(files)
    found = (path.relative_to(repository).as_posix() for path in sorted(repository.rglob("*")) if path.is_file())
    return [name for name in found if pattern.search(name)]


@pytest.fixture
def fixtures_repository(tmp_path: Path) -> Path:
    folder = tmp_path / "fixtures" / "pcm-jobs"
    folder.mkdir(parents=True)
    (folder / "README.md").write_text("# Captured PCM Jobs API answers\n")
    (folder / "package.json").write_text(json.dumps({"name": "pcm-fixtures", "private": True}))
    for name in ("get-a-job/200-product-export", "get-a-job/404-not-found", "get-all-jobs/200-documented-jobs"):
        (folder / f"{name.replace('/', '-')}.json").write_text((EXAMPLES_DIR / f"{name}.json").read_text())
    (folder / "gateway.jsonl").write_text(job_line() * 3)
    (tmp_path / "package.json").write_text("{}")  # outside the folder: never passed
    return tmp_path


def test_the_hook_with_the_readme_config_skips_readme_and_package_json(fixtures_repository: Path) -> None:
    names = staged(fixtures_repository, "^fixtures/pcm-jobs/")
    assert "fixtures/pcm-jobs/README.md" in names
    assert "fixtures/pcm-jobs/package.json" in names
    done = subprocess.run(
        [*hook_command(), *names], cwd=fixtures_repository, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "read 8 payload(s): 6 valid, 0 invalid, 0 unreadable, 2 skipped" in done.stdout


def test_the_hook_fails_on_a_payload_that_breaks_the_contract_beside_readme_and_package_json(
    fixtures_repository: Path,
) -> None:
    (fixtures_repository / "fixtures/pcm-jobs/drifted.json").write_text(job_line(status="archived"))
    names = staged(fixtures_repository, "^fixtures/pcm-jobs/")
    done = subprocess.run(
        [*hook_command(), *names], cwd=fixtures_repository, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 1
    assert 'fixtures/pcm-jobs/drifted.json: /data/attributes/status: "archived"' in done.stdout


def test_a_commit_touching_only_the_readme_of_the_fixtures_passes_the_hook(fixtures_repository: Path) -> None:
    done = subprocess.run(
        [*hook_command(), "fixtures/pcm-jobs/README.md"], cwd=fixtures_repository,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0


def test_real_pre_commit_runs_the_hook_with_the_readme_config(tmp_path: Path) -> None:
    """The hook through pre-commit itself, installed from this checkout's HEAD (opt-in: it installs
    an environment with every dependency from PyPI, a couple of minutes the first time)."""
    if os.environ.get("PCM_CONTRACTS_PRE_COMMIT") != "1":
        pytest.skip("set PCM_CONTRACTS_PRE_COMMIT=1 to run real pre-commit (it installs the hook from PyPI)")
    program = shutil.which("pre-commit") or shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    if program is None or shutil.which("git") is None:
        pytest.skip("pre-commit and git are needed (pip install pre-commit)")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
    repository = tmp_path / "fixtures-repository"
    folder = repository / "fixtures" / "pcm-jobs"
    folder.mkdir(parents=True)
    (folder / "README.md").write_text("# Captured PCM Jobs API answers\n")
    (folder / "package.json").write_text(json.dumps({"name": "pcm-fixtures", "private": True}))
    (folder / "job.json").write_text(job_line())
    config = {"repos": [{"repo": str(ROOT), "rev": head.stdout.strip(),
                         "hooks": [{"id": "pcm-contracts-validate", "files": "^fixtures/pcm-jobs/"}]}]}  # fmt: skip
    (repository / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))

    def pre_commit() -> subprocess.CompletedProcess[str]:
        git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.test"]
        subprocess.run([*git, "init", "-q"], cwd=repository, check=True)
        subprocess.run([*git, "add", "-A"], cwd=repository, check=True)
        return subprocess.run(
            [program, "run", "--all-files", "--verbose"], cwd=repository,
            capture_output=True, text=True, timeout=900, check=False,
        )  # fmt: skip

    passed = pre_commit()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "skipped" in passed.stdout
    (folder / "drifted.json").write_text(job_line(status="archived"))
    failed = pre_commit()
    assert failed.returncode == 1
    assert 'fixtures/pcm-jobs/drifted.json: /data/attributes/status: "archived"' in failed.stdout


def test_no_bar_when_standard_error_is_not_a_terminal_even_if_standard_output_is(tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    big.write_text(job_line() * 500 + job_line(status="archived"))
    code, text, stderr = read_terminal(["validate", str(big)], stderr_too=False)
    assert code == 1
    assert stderr == b""
    assert "checking" not in text
    assert f"{big}:501: /data/attributes/status:" in CSI.sub("", text)


# ---- interrupted: Ctrl-C, SIGTERM ----


class _StallingHandler(BaseHTTPRequestHandler):
    """Serves one log of drifted bodies: the first half, then nothing more
    until the server shuts down (a download that the run waits on)."""

    data = job_line(status="archived").encode() * 12_000

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_HEAD(self) -> None:
        gcs_server.whole_answer(self, self.data)

    def do_GET(self) -> None:
        gcs_server.stall(self, self.data)


@pytest.fixture(scope="module")
def stalling() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StallingHandler)
    with gcs_server.running(server) as base:
        yield f"{base}/log.jsonl"


def _interruptible() -> None:
    """Ctrl-C as a terminal's foreground process gets it: a test run started
    in the background (``pytest &``) ignores SIGINT, and its children inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_says_so_in_one_line_exits_128_plus_the_signal_and_leaves_no_file(
    stalling: str, tmp_path: Path, stop: signal.Signals, jobs: str
) -> None:
    """Stopped while it waits on a download whose first half it has judged
    (its results beyond the first in its temporary file): the exit code a shell
    gives a process that the signal ended (never 0, never the verdict of a part),
    one line on standard error, no traceback from it or its workers, and none
    of its temporary files left behind."""
    temporary = tmp_path / "tmp"
    code, err, spilled = _signalled_midway(temporary, stop, "--jobs", jobs, "--no-progress", stalling)
    assert spilled
    assert (code, err) == (128 + stop, f"pcm-contracts: interrupted by {stop.name}: the report is incomplete\n")
    assert list(temporary.iterdir()) == []


def _signalled_midway(temporary: Path, stop: signal.Signals, *argv: str) -> tuple[int, str, bool]:
    """``validate *argv`` with ``temporary`` (made here) as its ``TMPDIR``, sent
    ``stop`` once a result is in its temporary file (or once it ended): its exit
    code, its standard error, and whether that file was there when the signal went."""
    temporary.mkdir()
    run = subprocess.Popen(
        command("validate", *argv),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "TMPDIR": str(temporary)},
        preexec_fn=_interruptible,
    )
    try:
        for _ in range(1200):  # until a result is in the run's temporary file (or the run ended)
            if list(temporary.rglob("pcm-contracts-results-*")) or run.poll() is not None:
                break
            time.sleep(0.05)
        spilled = bool(list(temporary.rglob("pcm-contracts-results-*")))
        run.send_signal(stop)
        _, err = run.communicate(timeout=60)
    finally:
        run.kill()
    return run.returncode, err.decode(), spilled


def _report_says_it_was_interrupted(kind: str, text: str, signum: int, judged: int) -> None:
    """``text`` is a whole report of ``kind``: ``judged`` items, then the word that the run was stopped."""
    word = f"interrupted by {signal.Signals(signum).name}: the report is incomplete"
    if kind == "json":
        report = json.loads(text)  # it parses: never cut off
        assert (report["interrupted"], report["summary"]["read"], len(report["results"])) == (word, judged, judged)
    elif kind == "junit":
        suite = ElementTree.fromstring(text).find("testsuite")
        assert suite is not None
        cases = suite.findall("testcase")
        assert (suite.get("tests"), suite.get("errors"), len(cases)) == (str(judged + 1), str(1), judged + 1)
        error = cases[-1].find("error")
        assert error is not None
        assert (cases[-1].get("name"), error.get("type"), error.get("message")) == ("the run", "interrupted", word)
    else:
        lines = text.splitlines()
        valid, invalid = max(judged - 1, 0), min(judged, 1)  # the second line of the log is the drifted one
        summary = f"read {judged} payload(s): {valid} valid, {invalid} invalid, 0 unreadable, 0 skipped"
        assert [line for line in lines if line.startswith("read ")] == [summary]
        assert lines[-1] == word


@pytest.mark.parametrize("kind", ["text", "json", "junit"])
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_ends_its_report_well_formed_with_what_it_judged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, stop: signal.Signals
) -> None:
    """The signal lands after 3 of 5 results (a Ctrl-C as Python raises it by
    default, or the run's own handler's exception): the report holds those 3
    and says the run was interrupted, the exit code is the signal's."""
    from contracts import cli

    log = tmp_path / "log.jsonl"
    log.write_text(job_line() + job_line(status="archived") + job_line() * 3)
    real = cli.Run.results

    def stopped(self: Any, told: Any = None) -> Iterator[Any]:
        for count, judged in enumerate(each_result(real(self, told))):
            if count == 3:
                raise KeyboardInterrupt if stop == signal.SIGINT else cli.Terminated(stop)
            yield judged

    monkeypatch.setattr(cli.Run, "results", stopped)
    out = tmp_path / f"report.{kind}"
    assert run("validate", str(log), "--format", kind, "--output", str(out))[0] == 128 + stop
    _report_says_it_was_interrupted(kind, out.read_text(), stop, 3)


@pytest.mark.parametrize("kind", ["json", "junit"])
def test_a_signal_while_a_result_is_written_waits_until_it_is_counted_and_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """SIGTERM to this process as the report starts writing a batch of valid
    lines: the batch is written whole and counted once, then the run stops, so
    the report's counts are those of what it shows."""
    from contracts import cli
    from contracts.captures import reports

    log = tmp_path / "log.jsonl"
    log.write_text(job_line(status="archived") + job_line() * 4 + job_line(status="archived"))
    reporter = reports.JsonReporter if kind == "json" else reports.JUnitReporter
    real = reporter.result

    def signalled(self: Any, judged: Any) -> None:
        if isinstance(judged, cli.Passed):
            os.kill(os.getpid(), signal.SIGTERM)  # its handler runs at once, in this thread, here
        real(self, judged)

    monkeypatch.setattr(reporter, "result", signalled)
    out = tmp_path / f"report.{kind}"
    assert run("validate", str(log), "--format", kind, "--output", str(out))[0] == 128 + signal.SIGTERM
    _report_says_it_was_interrupted(kind, out.read_text(), signal.SIGTERM, 5)  # line 6 not judged


@pytest.mark.parametrize("kind", ["text", "json", "junit"])
def test_a_run_stopped_by_a_signal_leaves_a_well_formed_report(stalling: str, tmp_path: Path, kind: str) -> None:
    """A real SIGTERM to ``validate --jobs 2`` waiting on a download (as a CI
    job's timeout sends it): its report parses and says so, nothing judged in it."""
    temporary = tmp_path / "tmp"
    out = tmp_path / f"report.{kind}"
    code, err, _ = _signalled_midway(
        temporary, signal.SIGTERM, "--jobs", "2", "--format", kind, "--output", str(out), stalling
    )
    assert (code, err.count("\n")) == (128 + signal.SIGTERM, 1)
    _report_says_it_was_interrupted(kind, out.read_text(), signal.SIGTERM, 0)
    assert list(temporary.iterdir()) == []


def test_a_signal_that_lands_in_a_finalizer_is_sent_again_not_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    """Raised inside a ``__del__`` (an asyncio transport of a download, collected
    in the main thread), the interrupt would be printed and ignored, and the run
    would go on: there the handler sends the signal again, to land elsewhere."""
    from contracts import cli

    sent: list[tuple[int, int]] = []
    later = lambda delay, call, args: SimpleNamespace(start=lambda: sent.append(args))  # noqa: E731
    monkeypatch.setattr(cli.threading, "Timer", later)
    stopping = cli._Stopping()

    class Collected:
        def __del__(self) -> None:
            stopping(signal.SIGTERM, sys._getframe())

    Collected()
    assert sent == [(os.getpid(), signal.SIGTERM)]
    with pytest.raises(cli.Terminated):
        stopping(signal.SIGTERM, sys._getframe())
