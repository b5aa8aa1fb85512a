"""HAR files read as a stream: the verdicts of a whole reading, the document
refused where a whole reading refuses it, memory that does not grow with the
file, and every secret known before the first result."""

from __future__ import annotations

import base64
import io
import json
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks.validate_har import generate
from contracts import redaction
from contracts.captures import driver, readers, streamed
from contracts.captures.driver import judge_all, work
from contracts.captures.judge import Checker
from contracts.captures.results import Passed, Result
from contracts.captures.sources import Source
from contracts.captures.streamed import Entries
from contracts.jsonbody import parse
from contracts.registry import ROOT
from tests.casefiles import example
from tests.cases_jsonbody import NOT_JSON
from tests.pipeline import each_result

JOB = example("get-a-job/200-product-export")["response"]["body"]
JOB_ID = JOB["data"]["id"]


def entry(body: Any = JOB, *, token: str = "stream-token-0001", response: bool = True, **extra: Any) -> dict[str, Any]:
    one: dict[str, Any] = {
        "request": {
            "method": "GET",
            "url": f"https://api.example.test/pcm/jobs/{JOB_ID}",
            "headers": [{"name": "Authorization", "value": f"Bearer {token}"}],
            "cookies": [],
        },
        **extra,
    }
    if response:
        text = json.dumps(body, separators=(",", ":"))
        one["response"] = {
            "status": 200,
            "headers": [{"name": "Content-Type", "value": "application/json"}],
            "content": {"mimeType": "application/json", "text": text},
        }
    return one


def har(*entries: Any, indent: int | None = 2) -> bytes:
    return json.dumps({"log": {"version": "1.2", "entries": list(entries)}}, indent=indent).encode()


def results(path: Path, **options: Any) -> list[tuple[str, str, str | None]]:
    """(source name, verdict, reason) of every item of ``path``, as the command judges them."""
    found = each_result(judge_all(Checker(), [str(path)], **options))
    return [(Path(r.source).name, r.verdict, r.reason) for r in found]


@pytest.fixture
def streaming(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every .json and .har file streamed from its file, however small."""
    monkeypatch.setattr(readers, "WHOLE_BYTES", 0)


# the document damaged after two sound entries: (bytes of the damaged document, the reason's start)
TWO = [entry(), entry()]
BAD_ENTRY = b'{"request": {"method": "GET", "url": "https://x.test/pcm/jobs/1"}, "x": %s}'
DAMAGED: dict[str, tuple[bytes, str]] = {
    "duplicate-key-in-an-entry": (b'{"a": 1, "a": 2}', "duplicate key 'a' in the object at /log/entries/2"),
    "duplicate-key-deep-in-an-entry": (
        BAD_ENTRY % b'{"y": [0, {"z": 1, "z": 1}]}',
        "duplicate key 'z' in the object at /log/entries/2/x/y/1",
    ),
    "nan": (BAD_ENTRY % b"NaN", "invalid JSON: invalid char in json text"),
    "infinity": (BAD_ENTRY % b"-Infinity", "invalid JSON: malformed number"),
    "1e400": (BAD_ENTRY % b"1e400", "a number is out of range"),
    "5000-digits": (BAD_ENTRY % (b"9" * 5000), "a number is out of range"),
    "invalid-utf-8": (BAD_ENTRY % b'"caf\xe9"', "invalid UTF-8 in a string"),
    "lone-high-surrogate": (BAD_ENTRY % b'"\\ud800"', "a lone surrogate escape in a string"),
    "lone-low-surrogate": (BAD_ENTRY % b'"\\udc00"', "a lone surrogate escape in a string"),
    "two-high-surrogates": (BAD_ENTRY % b'"\\ud800\\ud800"', "a lone surrogate escape in a string"),
    "form-feed": (BAD_ENTRY % b"\x0c1", "invalid JSON: a form feed or vertical tab outside a string"),
    "depth-300": (BAD_ENTRY % (b"[" * 300 + b"]" * 300), "nested deeper than 254 levels"),
    "depth-2000": (BAD_ENTRY % (b"[" * 2000 + b"]" * 2000), "nested deeper than 254 levels"),
    "depth-100000": (BAD_ENTRY % (b"[" * 100_000 + b"]" * 100_000), "nested deeper than 254 levels"),
}


def damaged(case: str) -> bytes:
    """Two sound entries, then the damaged one, then a sound one."""
    sound = [json.dumps(one).encode() for one in TWO]
    parts = [*sound, DAMAGED[case][0], sound[0]]
    return b'{"log": {"version": "1.2", "entries": [' + b", ".join(parts) + b"]}}"


@pytest.mark.parametrize("whole", [False, True], ids=["streamed-from-the-file", "small-file"])
@pytest.mark.parametrize("case", list(DAMAGED))
def test_a_har_damaged_after_its_first_entries_gives_them_then_one_unreadable_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, whole: bool
) -> None:
    if not whole:
        monkeypatch.setattr(readers, "WHOLE_BYTES", 0)
    for suffix in (".har", ".json"):
        path = tmp_path / f"capture{suffix}"
        path.write_bytes(damaged(case))
        found = results(path)
        assert found[:2] == [(f"{path.name}#0", "valid", None), (f"{path.name}#1", "valid", None)]
        assert len(found) == 3
        name, verdict, reason = found[2]
        assert (name, verdict) == (path.name, "unreadable")
        assert reason is not None
        assert reason.startswith(f"not a HAR file beyond entry #1: {DAMAGED[case][1]}"), reason
        assert "\n" not in reason


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_truncated_har_gives_the_entries_before_the_cut_then_one_unreadable_item(
    tmp_path: Path, streaming: None, jobs: int
) -> None:
    document = har(*[entry() for _ in range(50)])
    cut = document.index(b'"request"', len(document) // 2) - 40  # inside entry 25 or so
    path = tmp_path / "cut.har"
    path.write_bytes(document[:cut])
    found = results(path, jobs=jobs)
    *entries, last = found
    assert entries == [(f"cut.har#{n}", "valid", None) for n in range(len(entries))]
    assert 20 < len(entries) < 30
    assert last == ("cut.har", "unreadable", f"not a HAR file beyond entry #{len(entries) - 1}: " + TRUNCATED)


TRUNCATED = "invalid JSON (truncated?): the document ends early"


@pytest.mark.parametrize(
    "document, reason",
    [
        (b'{"log": {"entries": []}, "log": {}}', "duplicate key 'log' in the top-level object"),
        (b'{"log": {"creator": {"a": 1, "a": 1}, "entries": []}}', "duplicate key 'a' in the object at /log/creator"),
        (b'{"log": {"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}", "nested deeper than 254 levels"),
        (b'{"log": {"entries": [' + b"[" * 252 + b"]" * 252 + b"]}}", "nested deeper than 254 levels"),
        (b'{"log": {"x": NaN, "entries": []}}', "invalid JSON: invalid char in json text"),
        (b'{"log": {"entries": []}} {}', "trailing data after the JSON value"),
        (b'{"log": {"entries": []}}\x0c', "invalid JSON: a form feed or vertical tab outside a string"),
        (b'{"log": {"entries": [], "x": "\\ud800"}}', "a lone surrogate escape in a string"),
        (b'{"log": {"entries": [{"a": "caf\xe9"}]}}', "invalid UTF-8 in a string"),
        (b'{"log": {"entries": [', TRUNCATED),
        (b'{"log": {"version": "1.2"}}', "no log.entries"),
        (b"<html>", "invalid JSON: invalid char in json text"),
    ],
    ids=[
        "duplicate-log",
        "duplicate-in-the-skeleton",
        "depth-100000-in-the-skeleton",
        "depth-255",
        "nan",
        "trailing-data",
        "form-feed",
        "lone-surrogate",
        "invalid-utf-8",
        "truncated",
        "no-entries",
        "html",
    ],
)
def test_a_large_har_broken_before_its_first_entry_is_one_unreadable_item(
    tmp_path: Path, streaming: None, document: bytes, reason: str
) -> None:
    path = tmp_path / "broken.har"
    path.write_bytes(document)
    ((name, verdict, said),) = results(path)
    assert (name, verdict) == ("broken.har", "unreadable")
    assert said is not None
    assert said.startswith(f"not a HAR file: {reason}"), said


def test_a_small_har_broken_before_its_first_entry_has_the_reason_of_a_whole_reading(tmp_path: Path) -> None:
    path = tmp_path / "broken.har"
    path.write_bytes(b'{"log": {"entries": []}, "log": {}}')
    assert results(path) == [
        ("broken.har", "unreadable", "not a HAR file: duplicate key 'log' in the top-level object")
    ]
    body = tmp_path / "body.json"  # not a HAR: a body's reasons, as ever
    body.write_bytes(NOT_JSON["duplicate-nested"][0])
    assert results(body) == [("body.json", "unreadable", NOT_JSON["duplicate-nested"][1])]


def test_a_large_json_file_that_is_no_har_is_read_whole_with_the_reasons_of_a_whole_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, (body, _) in NOT_JSON.items():
        (tmp_path / f"{name}.json").write_bytes(body)
    (tmp_path / "job.json").write_text(json.dumps(JOB, indent=2))
    (tmp_path / "record.json").write_text(json.dumps({"request": {"path": "/pcm/jobs/x"}, "response": {"status": 404}}))
    (tmp_path / "log-first.json").write_text(json.dumps({"log": ["a message"], "data": JOB["data"]}))
    whole = results(tmp_path)
    assert [verdict for _, verdict, _ in whole].count("unreadable") == len(NOT_JSON) + 1
    monkeypatch.setattr(readers, "WHOLE_BYTES", 0)
    assert results(tmp_path) == whole


def test_a_har_file_may_start_with_a_bom_a_json_file_may_not(tmp_path: Path, streaming: None) -> None:
    document = b"\xef\xbb\xbf" + har(entry())
    (tmp_path / "a.har").write_bytes(document)
    (tmp_path / "b.json").write_bytes(document)
    assert results(tmp_path) == [
        ("a.har#0", "valid", None),
        ("b.json", "unreadable", "a UTF-8 byte order mark before the JSON value"),
    ]


def test_streaming_gives_the_verdicts_of_a_whole_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every body the strict reader refuses, base64 and as text, in HAR and
    .json files, with entries without a response or of other endpoints."""
    entries = []
    for body, _ in NOT_JSON.values():
        one = entry()
        one["response"]["content"] |= {"text": base64.b64encode(body).decode(), "encoding": "base64"}
        entries.append(one)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if "\\ud800" not in text:
            as_text = entry()
            as_text["response"]["content"]["text"] = text
            entries.append(as_text)
    other = entry()
    other["request"]["url"] = "https://api.example.test/pcm/products"
    entries += [entry(response=False), other, entry({"data": {"id": 1}}), entry(comment="caf\u00e9 \U0001f600")]
    for indent in (None, 2):
        (tmp_path / f"capture-{indent}.har").write_bytes(har(*entries, indent=indent))
        (tmp_path / f"har-{indent}.json").write_bytes(har(*entries, indent=indent))
    whole = []  # as a whole reading reads them: the document parsed whole by the strict reader
    for path in sorted(tmp_path.iterdir()):
        items = readers.document_items(parse(path.read_bytes()), str(path))
        whole += [(Path(r.source).name, r.verdict, r.reason) for r in map(Checker().check, items)]
    assert len(whole) == 4 * len(entries)
    assert results(tmp_path) == whole
    monkeypatch.setattr(readers, "WHOLE_BYTES", 0)
    assert results(tmp_path) == whole
    assert results(tmp_path, jobs=2) == whole


@pytest.mark.parametrize("block", [7, 16, 64])
def test_escapes_cut_between_blocks_are_read_whole(monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    monkeypatch.setattr(streamed, "BLOCK", block)
    text = 'a "quoted" \\ back\\\\slash \U0001f600 caf\u00e9 \\ud800 ' * 3
    document = json.dumps({"log": {"entries": [{"t": text, "k\U0001f600": 1}] * 5}}).encode()
    for shift in range(block):
        padded = b" " * shift + document
        entries = Entries(io.BytesIO(padded))
        assert list(entries) == [{"t": text, "k\U0001f600": 1}] * 5
        assert (entries.har, entries.reason) == (True, None)
        lone = padded.replace(b"\\ud83d\\ude00", b"\\ud83d\\u0041", 1)
        assert lone != padded
        entries = Entries(io.BytesIO(lone))
        assert list(entries) == []
        assert entries.reason is not None
        assert entries.reason.startswith("a lone surrogate escape in a string")


def test_the_first_pass_remembers_every_secret_of_a_streamed_har(tmp_path: Path, streaming: None) -> None:
    tokens = [f"stream-canary-{n:04d}-4f1c" for n in range(5)]
    echo = json.loads(json.dumps(JOB))
    echo["data"]["attributes"]["status"] = tokens[3]  # echoed before the entry that sends it
    (tmp_path / "a.json").write_text(json.dumps(echo))
    late = entry(token=tokens[2])
    late["response"]["headers"].append({"name": "Set-Cookie", "value": f"sid={tokens[1]}; Path=/"})
    late["request"]["url"] += f"?access_token={tokens[0]}"
    late["request"]["cookies"] = [{"name": "session", "value": tokens[4]}]
    (tmp_path / "b.har").write_bytes(har(entry(token="x" * 12), entry(response=False, token=tokens[3]), late))
    for token in tokens:
        redaction.SECRETS.discard(token)
    for jobs in (1, 2):
        for result in judge_all(Checker(), [str(tmp_path)], jobs=jobs):
            assert isinstance(result, Passed | Result)
            for token in tokens:
                assert token in redaction.SECRETS, token  # known before the first result
    for token in tokens:
        assert redaction.redact(f"x {token} y") == "x *** y"


def test_valid_har_entries_come_back_as_a_few_small_batches(tmp_path: Path, streaming: None) -> None:
    path = tmp_path / "many.har"
    path.write_bytes(har(*[entry() for _ in range(10_000)], indent=None))
    answered, *_ = work(Checker(), Source(str(path), "har", path.stat().st_size))
    assert answered.spilled is None
    found = list(answered)
    assert all(isinstance(one, Passed) and one.mark == "#" for one in found)
    assert len(found) <= 3
    assert len(pickle.dumps(found)) < 1000  # runs of entries as ranges: what a worker sends back
    assert [r.source for r in each_result(found)] == [f"{path}#{n}" for n in range(10_000)]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_task_with_many_results_keeps_few_in_memory_and_gives_them_all_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streaming: None, jobs: int
) -> None:
    drifted = json.loads(json.dumps(JOB))
    drifted["data"]["attributes"]["status"] = "queued"
    path = tmp_path / "failing.har"
    path.write_bytes(har(*[entry(drifted if n % 3 else JOB) for n in range(300)], indent=None))
    expected = results(path, jobs=jobs)
    monkeypatch.setattr(driver, "KEPT", 8)
    answered, *_ = work(Checker(), Source(str(path), "har", path.stat().st_size))
    assert len(answered.first) == 8
    assert len(answered.last) < 8
    spilled = answered.spilled
    assert spilled is not None
    assert Path(spilled).exists()
    assert [(Path(r.source).name, r.verdict, r.reason) for r in each_result(answered)] == expected
    assert not Path(spilled).exists()  # removed once read back
    assert results(path, jobs=jobs) == expected
    assert [verdict for _, verdict, _ in expected].count("invalid") == 200


HAR_MB = 64
PEAK_OF_A_CHILD = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(child.pid, 0)
print(usage.ru_maxrss, os.waitstatus_to_exitcode(status), file=sys.stderr)
"""
"""Runs a command and says its peak RSS (kilobytes on Linux) and exit code.
From a small process of its own: a child's peak counts the pages it shared
with its parent when forked, and this test's process is large."""


def test_a_large_har_is_validated_in_memory_well_below_its_size(tmp_path: Path) -> None:
    """A memory test, not a timed one: the peak RSS of the command (the
    parent, or its largest worker) on a generated HAR of 64 MiB."""
    path = tmp_path / "large.har"
    count = generate(path, HAR_MB, 0.01)
    size = path.stat().st_size
    assert size > HAR_MB * 2**20
    for jobs in ("1", "2"):
        command = [sys.executable, "-m", "contracts", "validate", str(path), "--jobs", jobs, "--no-progress"]
        run = subprocess.run(
            [sys.executable, "-c", PEAK_OF_A_CHILD, *command], cwd=ROOT, capture_output=True, text=True, check=True
        )
        peak, code = map(int, run.stderr.split())
        assert code == 1  # the drifted bodies
        assert f"read {count} payload(s): " in run.stdout
        assert peak * 1024 < size * 0.75, f"--jobs {jobs}: peak RSS {peak / 1024:.0f} MiB for {size / 2**20:.0f} MiB"
