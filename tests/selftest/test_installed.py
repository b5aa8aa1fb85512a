"""The package as users get it: the built wheel in a fresh virtualenv, outside
the clone, with pytest-playwright (and so pytest-base-url) beside it.

The contract suite runs from there as `pcm-contracts check` and as `pytest
--pyargs contracts.suite`; a user's own tests use the plugin's fixtures and
`contracts.assert_keeps_contract`. (Every drift and fault mode through the
installed command: tests/selftest/test_modes.py.)
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest

from contracts.mock import DEFAULT_TOKEN, MockServer
from contracts.pytest_plugin import EXIT_TARGET_ERROR
from tests.installed import installed
from tests.junit import failures

pytestmark = pytest.mark.selftest

QUICK = ("--rate-limit", "0", "--max-examples", "3")


def test_package_carries_the_suite_and_nothing_of_the_clone() -> None:
    done = installed().run(
        [installed().bin("python"), "-c", "import contracts, contracts.suite; print(contracts.__file__)"]
    )
    assert done.returncode == 0, done.stderr
    assert "site-packages" in done.stdout


def test_the_wheel_builds_without_a_warning_of_the_build_backend() -> None:
    """The data folders (schemas, examples) are declared, so setuptools does not
    warn of an importable package it would leave out."""
    assert "BuildBackendWarning" not in installed().built
    assert "is absent from the `packages` configuration" not in installed().built


def test_check_passes_against_the_built_in_mock(tmp_path: Path) -> None:
    done = installed().run([*installed().check, "-q", "--max-examples", "3", f"--junitxml={tmp_path / 'x.xml'}"])
    assert done.returncode == 0, done.stdout[-3000:]
    assert "contract target: the built-in mock on 127.0.0.1" in done.stdout
    assert failures(tmp_path / "x.xml") == ()
    assert not list(installed().home.iterdir()), "a run leaves nothing in the working directory"


@pytest.mark.parametrize("runner", ["check", "pytest --pyargs"])
def test_suite_passes_against_a_separately_started_mock_command(runner: str) -> None:
    command = [installed().bin("pcm-contracts"), "mock", "--port", "0"]
    with subprocess.Popen(command, cwd=installed().home, stdout=subprocess.PIPE, text=True) as mock:
        assert mock.stdout is not None
        url = mock.stdout.readline().split()[1]
        try:
            suite = installed().check if runner == "check" else [*installed().pytest, "--pyargs", "contracts.suite"]
            done = installed().run(
                [*suite, "--base-url", url, *QUICK], env=installed().env(PCM_CONTRACTS_TOKEN=DEFAULT_TOKEN)
            )
        finally:
            mock.send_signal(signal.SIGINT)
        assert mock.wait(timeout=10) == 0
    assert done.returncode == 0, done.stdout[-3000:]
    assert f"contract target: {url} (from --base-url)" in done.stdout
    assert "sampled from the job list: 74 of 74 jobs read" in done.stdout


@pytest.mark.parametrize("runner", ["check", "pytest --pyargs"])
def test_suite_fails_against_a_drift_and_exits_6_against_a_refused_port(runner: str, tmp_path: Path) -> None:
    suite = installed().check if runner == "check" else [*installed().pytest, "--pyargs", "contracts.suite"]
    env = installed().env(PCM_CONTRACTS_TOKEN=DEFAULT_TOKEN)
    with MockServer(drift="undocumented-status") as mock:
        done = installed().run([*suite, "--base-url", mock.url, *QUICK, f"--junitxml={tmp_path / 'd.xml'}"], env=env)
    assert done.returncode == 1, done.stdout[-3000:]
    assert any('"completed" is outside the documented set' in f for f in failures(tmp_path / "d.xml"))
    done = installed().run([*suite, "--base-url", "http://127.0.0.1:9", *QUICK], env=env)
    assert done.returncode == EXIT_TARGET_ERROR, done.stdout[-3000:]
    assert "pcm-contracts: the target cannot be checked" in done.stdout


def test_suite_loads_beside_pytest_playwright_and_shares_its_base_url() -> None:
    if not installed().playwright:
        pytest.skip("pytest-playwright could not be installed from the package index here")
    listed = installed().run([*installed().pytest, "--pyargs", "contracts.suite", "--help"])
    assert listed.returncode == 0, listed.stderr
    for option in ("--base-url", "--browser", "--headed", "--job-id", "--allow-writes"):
        assert option in listed.stdout
    with MockServer() as mock:
        done = installed().run(
            [*installed().check, *QUICK, "-k", "test_known_job"],
            env=installed().env(PYTEST_BASE_URL=mock.url, PCM_CONTRACTS_TOKEN=DEFAULT_TOKEN),
        )
    assert done.returncode == 0, done.stdout[-3000:]
    assert f"contract target: {mock.url} (from $PYTEST_BASE_URL)" in done.stdout
    assert f"baseurl: {mock.url}" in done.stdout  # pytest-base-url's own header: one option, one meaning


def test_ini_base_url_comes_after_the_projects_variables(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\nbase_url = http://127.0.0.1:9\n", encoding="utf-8")
    with MockServer() as mock:
        env = installed().env(PCM_CONTRACTS_BASE_URL=mock.url, PCM_CONTRACTS_TOKEN=DEFAULT_TOKEN)
        command = [*installed().pytest, "-c", str(tmp_path / "pytest.ini"), "--pyargs", "contracts.suite"]
        done = installed().run([*command, *QUICK, "-k", "test_unknown_job"], env=env)
    assert done.returncode == 0, done.stdout[-3000:]
    assert f"contract target: {mock.url} (from $PCM_CONTRACTS_BASE_URL)" in done.stdout


def test_collect_only_needs_no_credentials_and_sends_nothing() -> None:
    with MockServer() as mock:
        done = installed().run([*installed().check, "--collect-only", "-q", "--base-url", mock.url])
        sent = mock.requests.snapshot()
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "test_known_job_answers_200_with_itself[sampled-from-the-job-list]" in done.stdout
    assert sent == []


USER_TESTS = """
import httpx
import pytest
import contracts


def test_my_call_keeps_the_contract(contract_target, api):
    answer = api.get("/pcm/jobs/" + contract_target.job_ids[0])
    assert answer.status == 200
    response = httpx.get(contract_target.base_url + "/pcm/jobs/" + contract_target.job_ids[0],
                         headers=contract_target.auth_headers())
    assert contracts.assert_keeps_contract(response) == []


def test_a_broken_answer_fails_with_the_findings(contract_target):
    response = httpx.get(contract_target.base_url + "/pcm/jobs/" + contract_target.job_ids[0],
                         headers=contract_target.auth_headers())
    body = response.json()
    body["data"]["attributes"]["status"] = "completed"
    broken = httpx.Response(200, json=body, request=response.request)
    with pytest.raises(AssertionError) as failed:
        contracts.assert_keeps_contract(broken)
    assert '/data/attributes/status: "completed" is outside the documented set' in str(failed.value)
    assert "[schema.enum]" in str(failed.value)
"""


def test_a_users_own_tests_use_the_fixtures_and_the_assertion(tmp_path: Path) -> None:
    (tmp_path / "test_mine.py").write_text(USER_TESTS, encoding="utf-8")
    done = installed().run([*installed().pytest, str(tmp_path / "test_mine.py"), "-q"])
    assert done.returncode == 0, done.stdout[-3000:]
    assert "2 passed" in done.stdout
