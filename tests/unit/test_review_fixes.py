"""Inputs a review found crashing or leaking, each now a one-line result."""

from __future__ import annotations

import json
from pathlib import Path

from contracts.captures import read
from contracts.cli import main
from contracts.redaction import SECRETS, redact, remember
from contracts.verdicts import Checker, Summary
from tests.casefiles import example

JOB = example("get-a-job/200-product-export")["response"]["body"]


def har(*entries: object) -> str:
    return json.dumps({"log": {"version": "1.2", "entries": list(entries)}})


def entry(url: str, body: object, headers: object = (), cookies: object = ()) -> dict[str, object]:
    return {
        "request": {"method": "GET", "url": url, "headers": list(headers), "cookies": list(cookies)},  # type: ignore[call-overload]
        "response": {
            "status": 200,
            "headers": None,
            "content": {"mimeType": "application/json", "text": json.dumps(body)},
        },
    }


def judge(path: Path) -> list[tuple[str, str, str | None]]:
    summary = Summary()
    found = []
    for result in Checker().check_all(read([str(path)])):
        summary.add(result)
        found.append((Path(result.source).name, result.verdict, result.reason))
    assert summary.read == len(found)
    return found


def test_null_response_headers_and_odd_records_are_results_not_crashes(tmp_path: Path) -> None:
    (tmp_path / "null-headers.har").write_text(har(entry(f"https://x.test/pcm/jobs/{JOB['data']['id']}", JOB)))
    (tmp_path / "path-int.json").write_text(
        json.dumps({"request": {"path": 5}, "response": {"status": 200, "body": JOB}})
    )
    (tmp_path / "status-bool.json").write_text(
        json.dumps({"request": {"path": "/pcm/jobs/x"}, "response": {"status": True, "body": JOB}})
    )
    surrogate = json.dumps(JOB).replace(JOB["data"]["id"], "\\ud800")
    (tmp_path / "surrogate.json").write_text(surrogate)
    (tmp_path / "bom.jsonl").write_bytes(b"\xef\xbb\xbf" + json.dumps(JOB).encode() + b"\n")
    assert judge(tmp_path) == [
        ("bom.jsonl:1", "unreadable", "a UTF-8 byte order mark before the JSON value"),
        ("null-headers.har#0", "valid", None),
        ("path-int.json", "unreadable", "a capture record whose request path, url or method is not a string"),
        ("status-bool.json", "unreadable", "a capture record without an integer response status (True)"),
        ("surrogate.json", "unreadable", "a lone surrogate \\ud800 in a string at /data/id"),
    ]


def test_digit_like_member_names_sort_without_crashing() -> None:
    body = json.loads(json.dumps(JOB))
    body["data"]["attributes"]["²"] = 1
    from contracts import Strictness, validate

    found = validate(body, path=f"/pcm/jobs/{JOB['data']['id']}", strictness=Strictness(undocumented_field="warning"))
    assert [(v.pointer, v.severity) for v in found] == [("/data/attributes/²", "warning")]


def test_secrets_are_masked_in_every_escaped_form_and_short_values_are_not_secrets() -> None:
    remember('s3cr3t"<&>value')
    remember("true")  # a cookie such as consent=true: not a secret, and masking it would corrupt reports
    assert "true" not in SECRETS
    text = json.dumps({"v": 's3cr3t"<&>value', "ok": True}) + " s3cr3t&quot;&lt;&amp;&gt;value"
    assert redact(text) == '{"v": "***", "ok": true} ***'


def test_a_har_secret_is_masked_even_in_entries_before_the_one_that_sends_it(tmp_path: Path, capsys: object) -> None:
    job_id = JOB["data"]["id"]
    leak = json.loads(json.dumps(JOB))
    leak["data"]["attributes"]["status"] = "tok-sent-later-12345"
    capture = tmp_path / "two.har"
    bearer = [{"name": "Authorization", "value": "Bearer tok-sent-later-12345"}]
    capture.write_text(
        har(entry(f"https://x.test/pcm/jobs/{job_id}", leak), entry(f"https://x.test/pcm/jobs/{job_id}", JOB, bearer))
    )
    for jobs in ("1", "2"):
        main(["validate", "--jobs", jobs, str(capture)])
        out = capsys.readouterr()  # type: ignore[attr-defined]
        assert "tok-sent-later-12345" not in out.out + out.err
        assert "[schema.enum]" in out.out
