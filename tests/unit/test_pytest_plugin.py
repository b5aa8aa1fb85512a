from __future__ import annotations

import pytest

LIVE_TEST = "import pytest\n\n@pytest.mark.live\ndef test_live():\n    pass\n"
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
