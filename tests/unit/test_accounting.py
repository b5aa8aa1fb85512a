"""Every item put in is accounted for, with the same verdict, whatever the way in.

One directory holds a file of every kind the pipeline meets (good, drifted,
broken, hostile, special); the items it holds are counted as it is built. The
command must report exactly that many, ``read = valid + invalid + unreadable +
skipped``, with the same verdict for each source in every format, with
``--jobs 1`` and ``--jobs 2``, judged in bulk or one at a time; and no secret
of any capture appears in any output, whichever file holds it.
"""

from __future__ import annotations

import copy
import json
import os
import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contracts.captures import read
from contracts.captures.driver import judge_all
from contracts.captures.judge import Checker
from contracts.cli import main
from contracts.registry import EXAMPLES_DIR
from tests.casefiles import drift_cases, example
from tests.pipeline import each_result

JOB = example("get-a-job/200-product-export")["response"]["body"]
JOB_ID = JOB["data"]["id"]
CANARIES = ("canary-bearer-91ac3f7e", "canary-query-2d6b08e1", "canary-cookie-55e0a9c4", "canary-apikey-7c1f30bd")
SUMMARY_LINES = ("read ", "most frequent findings: ", "first failing: ")
BIG_LINES = 12_000  # about 5 MB: cut into ranges by the command's default split size


def drifted(**attributes: Any) -> dict[str, Any]:
    body = copy.deepcopy(JOB)
    body["data"]["attributes"].update(attributes)
    return body


def record(body: Any, *, status: int = 200, url: str | None = None, headers: Any = None) -> dict[str, Any]:
    request: dict[str, Any] = {"method": "GET", "url": url or f"https://api.test/pcm/jobs/{JOB_ID}"}
    if headers is not None:
        request["headers"] = headers
    return {"request": request, "response": {"status": status, "body": body}}


def har(*entries: Any) -> str:
    return json.dumps({"log": {"version": "1.2", "entries": list(entries)}})


def har_entry(body: Any, *, headers: Any = (), response: bool = True) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "request": {"method": "GET", "url": f"https://api.test/pcm/jobs/{JOB_ID}", "headers": list(headers)}
    }
    if response:
        entry["response"] = {
            "status": 200,
            "headers": [{"name": "Content-Type", "value": "application/json"}],
            "content": {"mimeType": "application/json", "text": json.dumps(body)},
        }
    return entry


@pytest.fixture
def every_kind(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """The directory, and the number of items it holds."""
    folder = tmp_path / "captures"
    folder.mkdir()
    items = 0

    def put(name: str, content: str | bytes, count: int) -> None:
        nonlocal items
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        items += count

    # bodies that echo the secrets, in files read before the captures that carry them
    put("a-echo.jsonl", json.dumps(drifted(status=CANARIES[0])) + "\n" + json.dumps(drifted(type=CANARIES[1])), 2)
    put("a-echo.json", json.dumps(drifted(status=CANARIES[2])), 1)
    put("a-echo.har", har(har_entry(drifted(status=CANARIES[3]))), 1)
    put("body.json", json.dumps(JOB), 1)
    put("record.json", json.dumps(record(drifted(status="archived"))), 1)
    put("har-in.json", har(har_entry(JOB), har_entry(JOB)), 2)
    put("log.jsonl", "\n".join([json.dumps(JOB), json.dumps(drifted(status="x")), "", "{not json", "  "]), 3)
    put("log.ndjson", json.dumps(JOB) + "\n", 1)
    put("spaced.jsonl", "".join(json.dumps(JOB, indent=None) + "\n" for _ in range(3)), 3)
    put("numbers.jsonl", '{"n": NaN}\n{"n": Infinity}\n{"n": 1e400}\n{"n": -Infinity}\n', 4)
    put("deep.json", "[" * 300 + "]" * 300, 1)  # between the reader's limit and the recursion limit
    put("deeper.jsonl", "[" * 2000 + "]" * 2000 + "\n", 1)
    put("bom.json", b"\xef\xbb\xbf" + json.dumps(JOB).encode(), 1)
    put("empty.json", "", 1)
    put("blank.jsonl", "\n \n\t\n", 1)
    put("no-entries.har", har(), 1)
    put("not-json.har", "<html>", 1)
    put("notes.txt", "not a capture", 1)
    put("linked-target/inside.json", json.dumps(JOB), 1)
    (folder / "z-linked").symlink_to(folder / "linked-target")  # followed: a second way in, skipped
    items += 1
    (folder / "z-loop").symlink_to(folder)  # a loop: skipped
    items += 1
    (folder / "z-broken.json").symlink_to(folder / "nowhere.json")
    items += 1
    os.mkfifo(folder / "z-pipe.jsonl")
    items += 1
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "z.sock"))
    items += 1
    put("big.jsonl", "".join(json.dumps(JOB) + "\n" for _ in range(BIG_LINES)), BIG_LINES)
    # the captures that carry the secrets, last
    put("z-record.json", json.dumps(record(JOB, headers={"Authorization": f"Bearer {CANARIES[0]}"})), 1)
    put(
        "z-records.jsonl",
        json.dumps(record(JOB, url=f"https://api.test/pcm/jobs/{JOB_ID}?access_token={CANARIES[1]}")) + "\n",
        1,
    )
    cookie = [{"name": "Cookie", "value": f"sid={CANARIES[2]}"}]
    key = [{"name": "X-Api-Key", "value": CANARIES[3]}]
    put("z-half.har", har(har_entry(None, response=False, headers=cookie), har_entry(JOB, headers=key)), 2)
    try:
        yield folder, items
    finally:
        server.close()


def verdicts_of(fmt: str, output: str) -> dict[str, str]:
    """source -> verdict, from a report of ``fmt`` (the text report with ``-v``)."""
    if fmt == "json":
        return {r["source"]: r["verdict"] for r in json.loads(output)["results"]}
    if fmt == "junit":
        found = {}
        for case in ET.fromstring(output).iter("testcase"):
            kinds = {child.tag for child in case}
            verdict = {"failure": "invalid", "error": "unreadable", "skipped": "skipped"}
            found[case.attrib["name"]] = next((verdict[k] for k in kinds), "valid")
        return found
    found = {}
    for line in output.splitlines():
        if line.startswith(SUMMARY_LINES):
            continue
        source, _, rest = line.partition(": ")
        if rest in ("valid",) or rest.startswith(("unreadable: ", "skipped: ")):
            found[source] = rest.partition(":")[0]
        elif not rest.endswith("(warning)"):
            found[source] = "invalid"
        else:
            found.setdefault(source, "valid")
    return found


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("fmt", ["text", "json", "junit"])
def test_every_item_put_in_is_reported_once_in_every_format(
    every_kind: tuple[Path, int], fmt: str, jobs: int, tmp_path: Path
) -> None:
    folder, items = every_kind
    out = tmp_path / "report"
    argv = ["validate", str(folder), "--format", fmt, "--jobs", str(jobs), "--output", str(out), "--no-progress"]
    assert main([*argv, "-v"] if fmt == "text" else argv) == 1
    written = out.read_text(encoding="utf-8")
    for canary in CANARIES:
        assert canary not in written
    verdicts = verdicts_of(fmt, written)
    assert len(verdicts) == items
    counts = {v: list(verdicts.values()).count(v) for v in ("valid", "invalid", "unreadable", "skipped")}
    assert sum(counts.values()) == items
    if fmt == "json":
        summary = json.loads(written)["summary"]
        assert summary["read"] == items == sum(summary[v] for v in counts)
        assert {v: summary[v] for v in counts} == counts
    if fmt == "junit":
        suite = ET.fromstring(written).find("testsuite")
        assert suite is not None
        assert int(suite.attrib["tests"]) == items
    if fmt == "text":
        assert f"read {items} payload(s):" in written


def test_formats_and_jobs_give_each_source_the_same_verdict(every_kind: tuple[Path, int], tmp_path: Path) -> None:
    folder, _items = every_kind
    seen = []
    for jobs in (1, 2):
        for fmt in ("text", "json", "junit"):
            out = tmp_path / f"{fmt}-{jobs}"
            argv = ["validate", str(folder), "-v", "--format", fmt, "--jobs", str(jobs), "--output", str(out)]
            main([*argv, "--no-progress"])
            seen.append(verdicts_of(fmt, out.read_text(encoding="utf-8")))
    assert all(one == seen[0] for one in seen)
    assert seen[0][f"{folder}/numbers.jsonl:2"] == "unreadable"
    assert seen[0][f"{folder}/big.jsonl:{BIG_LINES}"] == "valid"
    assert seen[0][f"{folder}/z-half.har#0"] == "unreadable"


def corpus(folder: Path) -> Path:
    """The drift corpus as capture records, one a line."""
    path = folder / "drift.jsonl"
    lines = [
        json.dumps({"request": {"method": c.method, "path": c.path}, "response": {"status": c.status, "body": c.body}})
        for c in drift_cases()
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_bulk_and_one_by_one_and_any_jobs_agree(every_kind: tuple[Path, int], tmp_path: Path) -> None:
    folder, items = every_kind
    paths = [str(folder), str(EXAMPLES_DIR), str(corpus(tmp_path))]
    checker = Checker()
    one_by_one = [checker.check(item) for item in read(paths)]
    assert len(one_by_one) > items + 100
    for jobs, split in ((1, 4 * 2**20), (1, 997), (2, 997), (2, 4 * 2**20)):
        assert list(each_result(judge_all(checker, paths, jobs=jobs, split_bytes=split))) == one_by_one
