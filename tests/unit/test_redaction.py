"""Secrets masked in every text a report writes, without making the report unreadable."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from contracts.mock import MockServer
from contracts.redaction import SECRETS, Secret, redact, remember


def test_a_short_given_secret_is_masked_where_it_stands_alone_not_inside_words() -> None:
    remember(Secret("q7"))
    assert redact('client secret q7 refused: "q7" (Bearer q7)') == 'client secret *** refused: "***" (Bearer ***)'
    assert redact("q7x and xq7 and deployment-q7 stay: no secret stands there") == (
        "q7x and xq7 and deployment-q7 stay: no secret stands there"
    )


def test_a_long_given_secret_is_masked_everywhere_even_inside_words() -> None:
    remember(Secret("s3cr3t-t0k3n-value"))
    assert redact("xs3cr3t-t0k3n-valuex") == "x***x"


def test_a_one_letter_client_secret_neither_crashes_nor_garbles_a_run_with_skipped_checks() -> None:
    """Skipped checks carry their reason as a (path, line, reason) tuple that
    pytest's summary needs: masking must keep it one (it was made a string,
    and the run ended in an INTERNALERROR with exit 1)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PCM_CONTRACTS_", "EPCC_", "PYTEST_BASE"))}
    with MockServer() as mock:
        done = subprocess.run(
            [sys.executable, "-m", "contracts", "check", "--base-url", mock.url, "--rate-limit", "0",
             "--max-examples", "1", "-k", "test_known_job or cancel", "--job-id", mock.seed[0].id],
            env={**env, "EPCC_CLIENT_ID": "x", "EPCC_CLIENT_SECRET": "y"},
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "INTERNALERROR" not in done.stdout + done.stderr
    assert "SKIPPED" in done.stdout
    assert "deployment" in done.stdout  # a skip reason, not "deplo***ment"


def test_a_skip_reason_holding_a_secret_is_masked_and_stays_a_skip(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from contracts.redaction import Secret, remember

        def test_skipped():
            remember(Secret("hunter2-long-secret"))
            pytest.skip("the token hunter2-long-secret has expired")
        """
    )
    result = pytester.runpytest("-rs")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(["SKIPPED [[]1[]] *: the token *** has expired"])
    assert "hunter2-long-secret" not in result.stdout.str()


def test_secrets_are_masked_in_every_escaped_form_and_short_values_are_not_secrets() -> None:
    remember('s3cr3t"<&>value')
    remember("true")  # a cookie such as consent=true: not a secret, and masking it would corrupt reports
    assert "true" not in SECRETS
    text = json.dumps({"v": 's3cr3t"<&>value', "ok": True}) + " s3cr3t&quot;&lt;&amp;&gt;value"
    assert redact(text) == '{"v": "***", "ok": true} ***'
