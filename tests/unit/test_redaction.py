"""Secrets masked in every text a report writes, without making the report unreadable."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from xml.sax.saxutils import escape

import pytest

from contracts.mock import MockServer
from contracts.redaction import SECRETS, Secret, _Matcher, forms, redact, remember, remembered, remembered_since


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


def test_the_longest_secret_wins_where_one_holds_another() -> None:
    remember("t0k3n-inside-bearer", "Bearer t0k3n-inside-bearer")
    assert redact("Authorization: Bearer t0k3n-inside-bearer.") == "Authorization: ***."
    assert redact("token=t0k3n-inside-bearer") == "token=***"


def test_secrets_that_overlap_are_masked_as_one_with_no_part_left() -> None:
    remember("0v3rlap-left-1234", "1234-right-0v3rlap")
    assert redact("x0v3rlap-left-1234-right-0v3rlapx") == "x***x"


def test_a_secret_that_is_a_prefix_of_another_is_masked_alone_and_inside_it() -> None:
    remember("pr3fix-secret-1", "pr3fix-secret-1-and-more")
    assert redact("pr3fix-secret-1-and-more, pr3fix-secret-1.") == "***, ***."
    assert redact("pr3fix-secret-1-and-les") == "***-and-les"


def test_secrets_side_by_side_are_masked_each() -> None:
    remember("s1de-by-s1de-one", "s1de-by-s1de-two")
    assert redact("s1de-by-s1de-ones1de-by-s1de-two") == "******"


def test_a_secret_remembered_after_a_redaction_is_masked_in_the_next_one() -> None:
    remember("l4zy-first-secret")
    assert redact("l4zy-first-secret l4zy-later-secret") == "*** l4zy-later-secret"
    remember("l4zy-later-secret")
    assert redact("l4zy-first-secret l4zy-later-secret") == "*** ***"


def test_many_secrets_remembered_between_reports_are_all_masked_in_few_automata() -> None:
    matcher = _Matcher()
    for n in range(1000):
        matcher.add(f"many-{n:08}")
        levels, _ = matcher.current()
        assert len(levels) <= (n + 1).bit_length()
    data = b" ".join(f"many-{n:08}".encode() for n in range(0, 1000, 7))
    assert len(list(matcher.spans(data, levels))) == len(range(0, 1000, 7))


def test_many_secrets_are_all_masked_and_the_rest_of_the_text_kept() -> None:
    tokens = [f"m4ny-{n:06}-tokens" for n in range(20_000)]
    remember(*tokens, *(f"Bearer {token}" for token in tokens))
    text = f"GET /pcm/jobs: Bearer {tokens[0]} then {tokens[12_345]}, {tokens[-1]}x and m4ny-020000-tokens"
    assert redact(text) == "GET /pcm/jobs: *** then ***, ***x and m4ny-020000-tokens"


def test_a_lone_surrogate_in_a_secret_or_a_text_is_masked_or_kept() -> None:
    remember("surr\ud800gate-secret")
    assert redact('"\udfff": surr\ud800gate-secret, \\ud800') == '"\udfff": ***, \\ud800'
    assert redact("surr\\ud800gate-secret") == "***"  # the JSON-escaped form


def test_extra_values_of_any_length_are_masked_everywhere() -> None:
    assert redact("the key k1 and k1k1", extra=["k1", ""]) == "the key *** and ******"


def test_a_value_of_printable_ascii_without_escapes_has_one_form() -> None:
    for code in range(128):
        value = chr(code) * 8
        every = {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
        every |= {escape(value), escape(value, {'"': "&quot;"})}
        assert forms(value) == every, repr(value)


def test_what_was_remembered_since_a_mark_is_what_a_parent_needs_to_remember() -> None:
    mark = remembered()
    remember("m4rk-found-value", Secret("m9"), Secret("m4rk-given-value"), "m4rk-found-value", "short")
    since = remembered_since(mark)
    assert [s if isinstance(s, str) else ("Secret", s.reveal()) for s in pickle.loads(pickle.dumps(since))] == [
        "m4rk-found-value",
        ("Secret", "m9"),
        ("Secret", "m4rk-given-value"),
    ]


def test_threads_remembering_and_redacting_at_once_each_see_their_own_secrets() -> None:
    def work(worker: int) -> bool:
        ok = True
        for n in range(200):
            secret = f"thr34d-{worker}-{n:06}"
            remember(secret)
            ok &= redact(f"<{secret}>") == "<***>"
        return ok

    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(work, range(4)))
