from __future__ import annotations

import pytest

# A user's test of the target (the fixture stands in for the plugin's, so nothing is sent).
LIVE_TEST = (
    "import pytest\n\n@pytest.fixture\ndef contract_target():\n    return None\n\n"
    "def test_live(contract_target):\n    pass\n"
)
NAMES = ("PCM_CONTRACTS_BASE_URL", "EPCC_API_BASE_URL", "PCM_CONTRACTS_TOKEN", "EPCC_CLIENT_ID", "EPCC_CLIENT_SECRET")


@pytest.fixture
def plugin(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    pytester.makepyfile(LIVE_TEST)  # the plugin loads by its entry point, as for a user
    return pytester


def header(result: pytest.RunResult) -> str:
    return next(line for line in result.outlines if line.startswith("contract target:"))


def test_no_target_means_the_built_in_mock(plugin: pytest.Pytester) -> None:
    result = plugin.runpytest()
    assert header(result) == (
        "contract target: the built-in mock on 127.0.0.1 (started when a live check runs); "
        "auth: the mock's token; writes: allowed"
    )


def test_command_line_beats_environment_beats_ini(plugin: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PCM_CONTRACTS_TOKEN", "secret-token-value")
    plugin.makeini("[pytest]\nbase_url = https://ini.example.test\n")
    assert "https://ini.example.test (from ini base_url)" in header(plugin.runpytest())
    monkeypatch.setenv("EPCC_API_BASE_URL", "https://epcc.example.test/")
    assert "https://epcc.example.test (from $EPCC_API_BASE_URL)" in header(plugin.runpytest())
    monkeypatch.setenv("PCM_CONTRACTS_BASE_URL", "https://pcm.example.test")
    assert "https://pcm.example.test (from $PCM_CONTRACTS_BASE_URL)" in header(plugin.runpytest())
    result = plugin.runpytest("--base-url", "https://cli.example.test")
    assert "https://cli.example.test (from --base-url)" in header(result)
    assert "auth: bearer token from $PCM_CONTRACTS_TOKEN; writes: refused (GET only)" in header(result)
    assert "secret-token-value" not in result.stdout.str()


def test_header_names_the_credentials_never_their_values(
    plugin: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EPCC_CLIENT_ID", "client-id-value")
    monkeypatch.setenv("EPCC_CLIENT_SECRET", "client-secret-value")
    result = plugin.runpytest("--base-url", "https://x.example.test", "--allow-writes")
    assert "auth: client credentials from $EPCC_CLIENT_ID and $EPCC_CLIENT_SECRET; writes: allowed" in header(result)
    assert "client-secret-value" not in result.stdout.str()


def test_half_the_client_credentials_is_a_usage_error(plugin: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EPCC_CLIENT_ID", "client-id-value")
    result = plugin.runpytest("--base-url", "https://x.example.test")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*set both $EPCC_CLIENT_ID and $EPCC_CLIENT_SECRET, or neither*"])


def test_bad_strictness_is_a_usage_error(plugin: pytest.Pytester) -> None:
    result = plugin.runpytest("--strictness", "undocumented-field=loud")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*expected KIND=LEVEL*"])


def test_live_marker_is_registered(plugin: pytest.Pytester) -> None:
    result = plugin.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.live: sends HTTP requests to the target*"])


OTHER_SUITE = """
import pytest
import requests

@pytest.fixture
def api():
    return "their own api fixture"

@pytest.mark.live
def test_their_own_live_check(api):
    assert api == "their own api fixture"

def test_their_network_error():
    requests.get("http://127.0.0.1:9/", timeout=2)

def test_after_it():
    pass
"""


def test_another_suite_with_its_own_live_marker_and_network_errors_is_left_alone(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pytest-base-url's --base-url is shared with playwright and selenium suites:
    their `live` tests, their `api` fixture and their connection errors are theirs."""
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    pytester.makepyfile(OTHER_SUITE)
    result = pytester.runpytest("--base-url", "https://staging.example.test")
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # their one failure, not a usage error or a target error
    result.assert_outcomes(passed=2, failed=1)
    assert "contract target:" not in result.stdout.str()
    assert "target error" not in result.stdout.str()


@pytest.mark.parametrize("url", ["http://[::1", "ftp://jobs.example.test", "euwest.api.elasticpath.com"])
def test_a_base_url_that_is_no_http_url_is_a_one_line_usage_error(plugin: pytest.Pytester, url: str) -> None:
    result = plugin.runpytest("--base-url", url, "--token", "t0k3n-value-long")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*the base URL (--base-url) must be an http:// or https:// URL with a host*"])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
