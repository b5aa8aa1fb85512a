"""Captured payloads from the command line: formats, bad input, secrets, exit codes."""

from __future__ import annotations

import base64
import copy
import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from contracts.captures import read
from contracts.captures.items import Payload, Unreadable, is_har
from contracts.captures.judge import Checker
from contracts.captures.results import Summary
from contracts.cli import main
from contracts.jsonbody import MAX_DEPTH
from contracts.mock import MockServer
from contracts.registry import ROOT
from tests.casefiles import example
from tests.cases_jsonbody import NOT_JSON

JOB = example("get-a-job/200-product-export")["response"]["body"]
JOB_ID = JOB["data"]["id"]
NOT_FOUND = example("get-a-job/404-not-found")["response"]["body"]
CANARIES = ("canary-bearer-5c1d9e", "canary-cookie-7a2f11", "canary-query-3b8e40")


def drifted(**attributes: Any) -> dict[str, Any]:
    body = copy.deepcopy(JOB)
    body["data"]["attributes"].update(attributes)
    return body


def har_entry(
    url: str,
    status: int,
    body: Any,
    *,
    method: str = "GET",
    encoding: str | None = None,
    mime: str = "application/json",
) -> dict[str, Any]:
    text = body if isinstance(body, str) else json.dumps(body)
    content: dict[str, Any] = {"mimeType": mime, "size": len(text), "text": text}
    if encoding == "base64":
        content.update(text=base64.b64encode(text.encode()).decode(), encoding="base64")
    return {
        "request": {
            "method": method,
            "url": url,
            "headers": [{"name": "Authorization", "value": f"Bearer {CANARIES[0]}"}],
            "cookies": [{"name": "session", "value": CANARIES[1]}],
        },
        "response": {"status": status, "headers": [{"name": "Content-Type", "value": mime}], "content": content},
    }


def har(*entries: dict[str, Any]) -> str:
    return json.dumps({"log": {"version": "1.2", "creator": {"name": "test"}, "entries": list(entries)}})


def validate(*argv: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "contracts", "validate", *argv],
        cwd=ROOT,
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def bad_inputs(tmp_path: Path) -> Path:
    """A directory of every kind of bad input, beside a few good ones."""
    folder = tmp_path / "captures"
    (folder / "nested").mkdir(parents=True)
    (folder / "good.json").write_text(json.dumps(JOB))
    record = {"request": {"method": "GET", "path": f"/pcm/jobs/{JOB_ID}"}, "response": {"status": 200, "body": JOB}}
    (folder / "nested" / "record.json").write_text(json.dumps(record))
    (folder / "broken.json").write_text('{"data": {"id": ')
    (folder / "empty.json").write_bytes(b"")
    (folder / "latin1.json").write_bytes('{"title": "caf\u00e9"}'.encode("latin-1"))
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "huge-number.json").write_text('{"errors": [{"status": "404", "title": "x", "n": ' + "9" * 5000 + "}]}")
    (folder / "duplicate-keys.json").write_text('{"errors": [{"status": "404", "title": "a", "title": "b"}]}')
    (folder / "gone.json").symlink_to(folder / "does-not-exist.json")
    lines = [json.dumps(JOB), json.dumps(drifted(status="archived")), "", json.dumps(NOT_FOUND), '{"data": {"id"']
    (folder / "log.jsonl").write_text("\n".join(lines))
    (folder / "capture.har").write_text(
        har(
            har_entry(f"https://api.example.test/pcm/jobs/{JOB_ID}?access_token={CANARIES[2]}", 200, JOB),
            har_entry("https://api.example.test/pcm/jobs/00000000-0000-0000-0000-000000000000", 404, NOT_FOUND),
            har_entry("https://api.example.test/pcm/products", 200, {"data": []}),
            har_entry(f"https://api.example.test/pcm/jobs/{JOB_ID}", 200, JOB, encoding="base64"),
            har_entry(f"https://api.example.test/pcm/jobs/{JOB_ID}", 200, "<html>oops</html>", mime="text/html"),
            {
                "request": {"method": "GET", "url": f"https://api.example.test/pcm/jobs/{JOB_ID}"},
                "response": {"status": 200, "content": {"mimeType": "application/json"}},
            },
        )
    )
    (folder / "no-entries.har").write_text(har())
    (folder / "notes.txt").write_text("not a capture")
    return folder


def test_every_bad_input_is_a_one_line_result_and_every_item_is_counted(bad_inputs: Path) -> None:
    summary = Summary()
    results = {}
    for result in map(Checker().check, read([str(bad_inputs)])):
        summary.add(result)
        results[Path(result.source).name] = result
    assert summary.as_dict() | {"rules": {}, "first_failing": []} == {
        "read": 21,  # 9 .json files, 4 JSON Lines payloads, 6 HAR entries, 1 HAR without entries, notes.txt
        "valid": 7,
        "invalid": 2,
        "unreadable": 10,
        "skipped": 2,
        "rules": {},
        "first_failing": [],
    }
    assert summary.read == sum(summary.counts[v] for v in ("valid", "invalid", "unreadable", "skipped"))
    reasons = {name: r.reason for name, r in results.items() if r.verdict in ("unreadable", "skipped")}
    assert reasons["broken.json"] == "invalid JSON (truncated?): Expecting value (line 1, column 17)"
    assert reasons["empty.json"] == "empty file"
    assert reasons["latin1.json"] == "invalid UTF-8 at byte 14 (0xe9)"
    assert reasons["deep.json"] == "nested deeper than 254 levels"
    assert reasons["huge-number.json"] == "a number of 5000 digits is out of range"
    assert reasons["duplicate-keys.json"] == "duplicate key 'title' in the object at /errors/0"
    assert reasons["gone.json"] == "a broken symbolic link (what it points to does not exist)"
    assert reasons["log.jsonl:5"].startswith("invalid JSON (truncated?)")
    assert reasons["capture.har#2"].startswith("not an operation of this contract: GET /pcm/products")
    assert reasons["capture.har#5"] == f"GET /pcm/jobs/{JOB_ID}: the HAR entry has no response body text"
    assert reasons["no-entries.har"] == "a HAR file without entries"
    assert reasons["notes.txt"].startswith("not a capture file")
    assert all("\n" not in reason for reason in reasons.values() if reason)
    assert results["log.jsonl:2"].verdict == "invalid"
    assert [v.rule for v in results["log.jsonl:2"].violations] == ["schema.enum"]
    assert results["capture.har#3"].verdict == "valid"  # base64 body decoded
    assert {v.rule for v in results["capture.har#4"].violations} == {"content_type_is_json", "body_is_json"}


def test_skipped_counts_match_the_listing(bad_inputs: Path) -> None:
    verdicts = [r.verdict for r in map(Checker().check, read([str(bad_inputs)]))]
    assert verdicts.count("skipped") == 2  # the /pcm/products entry and notes.txt


def test_sources_name_the_place_exactly(bad_inputs: Path) -> None:
    sources = [r.source for r in map(Checker().check, read([str(bad_inputs)]))]
    assert f"{bad_inputs}/log.jsonl:4" in sources  # the blank line 3 is not a payload
    assert f"{bad_inputs}/capture.har#0" in sources
    assert f"{bad_inputs}/good.json" in sources
    assert f"{bad_inputs}/nested/record.json" in sources


def test_secrets_of_a_har_appear_in_no_report_format(tmp_path: Path, bad_inputs: Path) -> None:
    leaky = tmp_path / "leaky.har"
    # the API echoing a secret into a value the report quotes must not leak it either
    leaky.write_text(har(har_entry(f"https://x.test/pcm/jobs/{JOB_ID}", 200, drifted(status=CANARIES[0]))))
    outputs = []
    for fmt in ("text", "json", "junit"):
        run = validate("--format", fmt, str(leaky), str(bad_inputs))
        assert run.returncode == 1, run.stderr
        outputs.append(run.stdout + run.stderr)
    written = tmp_path / "report.json"
    validate("--format", "json", "--output", str(written), str(leaky))
    outputs.append(written.read_text())
    junit = tmp_path / "pytest.xml"
    run = subprocess.run(
        [sys.executable, "-m", "contracts", "check", "-k", "test_captured_payload", "-vv",
         "--payloads", str(leaky), f"--junitxml={junit}"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 1
    outputs += [run.stdout + run.stderr, junit.read_text()]
    assert "[schema.enum]" in outputs[0]
    for text in outputs:
        for canary in CANARIES:
            assert canary not in text


def test_text_report_is_one_line_per_finding_then_a_summary(tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text(json.dumps(drifted(status="archived", created_at="yesterday")))
    run = validate(str(body))
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    assert lines[0] == f'{body}: /data/attributes/created_at: "yesterday" is not an RFC 3339 date-time' + (
        " with a zone offset (e.g. 2024-01-05T13:46:42.07Z) [schema.format]"
    )
    assert lines[1].startswith(f'{body}: /data/attributes/status: "archived" is outside the documented set')
    assert lines[2] == "read 1 payload(s): 0 valid, 1 invalid, 0 unreadable, 0 skipped"
    assert lines[3] == "most frequent findings: schema.format (1), schema.enum (1)"
    assert lines[4] == f"first failing: {body}"
    assert "\033[" not in run.stdout  # no colour off a terminal
    assert run.stderr == ""  # no progress line off a terminal


def test_json_report_has_the_documented_shape(bad_inputs: Path) -> None:
    run = validate("--format", "json", str(bad_inputs))
    report = json.loads(run.stdout)
    assert set(report) == {"results", "summary", "coverage"}
    assert report["coverage"]["operations"]["observed"] == ["GET /pcm/jobs/{jobID}"]
    assert report["coverage"]["job statuses"]["undocumented"] == ["archived"]
    assert report["coverage"]["statuses by operation"]["GET /pcm/jobs/{jobID}"]["observed"] == [200, 404]
    assert set(report["summary"]) == {"read", "valid", "invalid", "unreadable", "skipped", "rules", "first_failing"}
    assert len(report["results"]) == report["summary"]["read"] == 21
    invalid = next(r for r in report["results"] if r["verdict"] == "invalid")
    assert set(invalid) == {"source", "verdict", "valid", "violations"}
    assert set(invalid["violations"][0]) == {"rule", "pointer", "message", "severity", "kind", "schema_pointer"}
    unreadable = next(r for r in report["results"] if r["verdict"] == "unreadable")
    assert set(unreadable) == {"source", "verdict", "valid", "violations", "reason"}


def test_junit_report_has_one_case_per_payload(bad_inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "junit.xml"
    run = validate("--format", "junit", "--output", str(out), str(bad_inputs))
    assert run.returncode == 1
    suite = ET.parse(out).getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
        "21",
        "2",
        "10",
        "2",
    )
    assert len(suite.findall("testcase")) == 21
    assert run.stderr.startswith("read 21 payload(s)")  # the summary goes to stderr when the report goes to a file


def test_stdin_takes_a_document_or_json_lines() -> None:
    assert validate("-", stdin=json.dumps(NOT_FOUND).encode()).returncode == 0
    lines = (json.dumps(JOB) + "\n" + json.dumps(drifted(status="archived")) + "\n").encode()
    run = validate("-", stdin=lines)
    assert run.returncode == 1
    assert run.stdout.startswith("stdin:2: /data/attributes/status:")


def test_bare_bodies_take_path_and_status_from_options_or_shape(tmp_path: Path) -> None:
    body = tmp_path / "error.json"
    body.write_text(json.dumps(NOT_FOUND))
    assert validate(str(body)).returncode == 0  # shape: an error body saying 404
    run = validate("--status", "400", str(body))
    assert run.returncode == 1
    assert "[error_status_matches_response]" in run.stdout
    (tmp_path / "job.json").write_text(json.dumps(JOB))
    run = validate("--path", "/pcm/jobs/someone-else", str(tmp_path / "job.json"))
    assert "[data_id_matches_request]" in run.stdout


def test_lists_and_job_errors_are_told_apart_by_their_items() -> None:
    listing = example("get-all-jobs/200-documented-jobs")["response"]["body"]
    errors = example("get-job-errors/200-failed-import")["response"]["body"]
    assert Checker().check(Payload("list", listing)).verdict == "valid"
    assert Checker().check(Payload("errors", errors)).verdict == "valid"
    drifted_list = copy.deepcopy(listing)
    drifted_list["meta"]["results"]["total"] = 1
    assert [v.rule for v in Checker().check(Payload("list", drifted_list)).violations] == ["page_fits_the_total"]
    empty = Checker().check(Payload("empty", {"data": []}))
    assert (empty.verdict, empty.reason) == (
        "unreadable",
        "a body whose data is an array of no single known type (a job list? a job's errors?): pass --path",
    )
    assert Checker(path="/pcm/jobs/x/errors", status=200).check(Payload("empty", {"data": []})).verdict == "valid"


def test_an_ambiguous_body_is_said_to_be_ambiguous(tmp_path: Path) -> None:
    mixed = {"errors": [{"status": "404", "title": "a"}, {"status": "400", "title": "b"}]}
    assert (
        Checker().check(Payload("x", mixed)).reason
        == "an error body whose items do not agree on one status: pass --status"
    )
    unknown = Checker().check(Payload("y", {"message": "hi"}))
    assert (unknown.verdict, unknown.reason) == (
        "unreadable",
        "cannot tell which response this body is (neither a job nor an error body): pass --path and --status",
    )


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["--path", "/pcm/products/1", "x.json"], 2, "no documented operation matches"),
        (["--strictness", "loud", "x.json"], 2, "expected KIND=LEVEL"),
        (["--jobs", "0", "x.json"], 2, "--jobs must be at least 1"),
        (["/definitely/not/here.json"], 2, "no payload of this contract could be read"),
    ],
)
def test_usage_errors_and_unreadable_input_exit_2_with_one_line(argv: list[str], code: int, message: str) -> None:
    run = validate(*argv)
    assert run.returncode == code
    assert message in run.stderr
    assert "Traceback" not in run.stderr


def test_exit_codes_for_valid_and_invalid(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(JOB))
    bad.write_text(json.dumps(drifted(status="archived")))
    out = io.StringIO()
    assert main(["validate", str(good)], out=out) == 0
    assert main(["validate", str(good), str(bad)], out=out) == 1


def test_a_missing_file_is_unreadable() -> None:
    assert isinstance(next(read(["/no/such/file.json"])), Unreadable)


def test_item_types_of_any_json_value_are_told_apart() -> None:
    odd = Checker().check(Payload("odd", {"data": [{"type": {"a": 1}}, {"type": ["pim-job"]}]}))
    assert (odd.verdict, odd.reason) == (
        "unreadable",
        "a body whose data is an array of no single known type (a job list? a job's errors?): pass --path",
    )


def test_a_har_page_of_another_endpoint_is_skipped_whatever_its_body(tmp_path: Path) -> None:
    capture = tmp_path / "browse.har"
    page = "<html><body>sign in</body></html>"
    capture.write_text(
        har(
            har_entry("https://shop.example/admin/login", 200, page, mime="text/html"),
            har_entry("https://api.example/pcm/jobs/1ea62172-57f6-45e5-a708-ab5bd634e3f9", 200, page, mime="text/html"),
        )
    )
    results = list(map(Checker().check, read([str(capture)])))
    assert [(r.verdict, sorted({v.rule for v in r.violations})) for r in results] == [
        ("skipped", []),
        ("invalid", ["body_is_json", "content_type_is_json"]),
    ]


ODD_TEXT = [
    '{"errors": [{"status": "\\ud800", "title": "x"}]}',  # not JSON the reader accepts: its reason names \ud800
    '{"data": {"type": "pim-job", "id": "j\\u0001", "meta": {"x_request_id": "r"}, "\\u0003x": 1, '
    '"attributes": {"created_at": "2024-01-05T13:46:42Z", "updated_at": "2024-01-05T13:46:42Z", '
    '"type": "product-import", "status": "\\u0002"}}}',
]


@pytest.mark.parametrize("form", ["text", "json", "junit"])
def test_lone_surrogates_and_control_characters_are_written_escaped(tmp_path: Path, form: str) -> None:
    log = tmp_path / "odd.jsonl"
    log.write_text("\n".join(ODD_TEXT) + "\n")
    report = tmp_path / f"report.{form}"
    for run in (
        validate(str(log), "--format", form, "--strictness", "undocumented-field=error"),
        validate(str(log), "--format", form, "--output", str(report), "--jobs", "2"),
    ):
        assert run.returncode == 1, run.stderr
        assert "Traceback" not in run.stderr
    printed = validate(str(log), "--format", form).stdout
    for text in (printed, report.read_text(encoding="utf-8")):
        assert "\\ud800" in text
        if form == "json":
            assert json.loads(text)["summary"]["invalid"] == 1
        if form == "junit":
            assert ET.fromstring(text).find("testsuite").get("failures") == "1"  # type: ignore[union-attr]


@pytest.fixture
def not_json_files(tmp_path: Path) -> Path:
    """Every body the reader refuses as a bare .json file and as a line of one
    JSON Lines file, after a valid line."""
    folder = tmp_path / "not-json"
    folder.mkdir()
    lines = [json.dumps(JOB).encode()]
    for name, (body, _) in NOT_JSON.items():
        (folder / f"{name}.json").write_bytes(body)
        if body.strip():
            lines.append(body)  # none holds a newline but trailing-after-whitespace, which stays one item
    (folder / "deepest.json").write_bytes(deepest_job())
    (folder / "log.jsonl").write_bytes(
        b"\n".join(line.replace(b"\n", b" ") for line in [*lines, deepest_job()]) + b"\n"
    )
    return folder


def deepest_job() -> bytes:
    """A valid job whose ``meta`` holds an undocumented member nested to the reader's depth limit."""
    body = copy.deepcopy(JOB)
    value: Any = 1
    for _ in range(MAX_DEPTH - 3):  # /data/meta/x: three levels above
        value = [value]
    body["data"]["meta"]["x"] = value
    return json.dumps(body).encode()


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("form", ["text", "json", "junit"])
def test_a_capture_that_is_not_json_is_one_unreadable_item_in_every_format(
    not_json_files: Path, form: str, jobs: str
) -> None:
    run = validate(str(not_json_files), "--format", form, "--jobs", jobs)
    assert run.returncode == 1, run.stderr  # unreadable among the readable
    assert "Traceback" not in run.stderr + run.stdout
    if form == "json":
        results = {Path(r["source"]).name: r for r in json.loads(run.stdout)["results"]}
        for name, (body, reason) in NOT_JSON.items():
            expected = reason if body.strip() else "empty file"
            assert (results[f"{name}.json"]["verdict"], results[f"{name}.json"]["reason"]) == ("unreadable", expected)
        assert results["log.jsonl:1"]["verdict"] == "valid"
        assert results["deepest.json"]["verdict"] == "valid"
        assert (
            results[f"log.jsonl:{len(NOT_JSON)}"]["verdict"] == "valid"
        )  # the last line: 1 valid + every non-blank case + 1
        assert {r["verdict"] for source, r in results.items() if source.startswith("log.jsonl:")} - {"valid"} == {
            "unreadable"
        }
    elif form == "junit":
        suite = ET.fromstring(run.stdout).find("testsuite")
        assert suite is not None
        assert int(suite.get("errors", "0")) == len(NOT_JSON) + len(NOT_JSON) - 2
        assert int(suite.get("failures", "0")) == 0
    else:
        assert "nested deeper than 254 levels" in run.stdout
        assert "a number of 5000 digits is out of range" in run.stdout


def test_a_har_file_may_start_with_a_bom_but_its_bodies_may_not(tmp_path: Path) -> None:
    capture = tmp_path / "fiddler.har"
    bom = base64.b64encode(b"\xef\xbb\xbf" + json.dumps(JOB).encode()).decode()
    entry = har_entry(f"https://api.example.test/pcm/jobs/{JOB_ID}", 200, JOB)
    with_bom = har_entry(f"https://api.example.test/pcm/jobs/{JOB_ID}", 200, JOB)
    with_bom["response"]["content"].update(text=bom, encoding="base64")
    capture.write_bytes(b"\xef\xbb\xbf" + har(entry, with_bom).encode())
    results = list(map(Checker().check, read([str(capture)])))
    assert [r.verdict for r in results] == ["valid", "invalid"]
    assert [(v.rule, v.message) for v in results[1].violations] == [
        ("body_is_json", "the body is not JSON: a UTF-8 byte order mark before the JSON value")
    ]


def test_a_json_file_holding_a_har_is_read_as_a_har(tmp_path: Path) -> None:
    """schemathesis' --report har writes har-<time>.json: the content says HAR, not the name."""
    document = har(
        har_entry(f"https://api.example.test/pcm/jobs/{JOB_ID}", 200, JOB),
        har_entry(f"https://api.example.test/pcm/jobs/{JOB_ID}", 200, drifted(status="archived")),
        har_entry("https://api.example.test/pcm/products", 200, {"data": []}),
    )
    named_json, named_har = tmp_path / "har-20241201T101500Z.json", tmp_path / "capture.har"
    named_json.write_text(document)
    named_har.write_text(document)
    as_json, as_har = (json.loads(validate("--format", "json", str(path)).stdout) for path in (named_json, named_har))
    assert [r["source"] for r in as_json["results"]] == [f"{named_json}#{n}" for n in range(3)]
    assert [r["verdict"] for r in as_json["results"]] == ["valid", "invalid", "skipped"]
    assert [r["verdict"] for r in as_json["results"]] == [r["verdict"] for r in as_har["results"]]
    on_stdin = validate("--format", "json", "-", stdin=document.encode())
    assert [r["source"] for r in json.loads(on_stdin.stdout)["results"]] == ["stdin#0", "stdin#1", "stdin#2"]


@pytest.mark.parametrize(
    "document",
    [{"log": "a message"}, {"log": {"lines": []}}, {"data": {"log": {"entries": []}}}],
    ids=["log-not-an-object", "log-without-entries", "log-below-the-top"],
)
def test_a_document_is_a_har_only_with_a_top_level_log_holding_entries(document: dict[str, Any]) -> None:
    assert not is_har(document)
    assert is_har({"log": {"version": "1.2", "creator": {"name": "x"}, "entries": []}})
    assert not any(is_har(example(name)) for name in ("get-a-job/200-started", "get-a-job/404-not-found"))


def test_an_empty_har_in_a_json_file_says_it_has_no_entries(tmp_path: Path) -> None:
    path = tmp_path / "har-20241201T101500Z.json"
    path.write_text(har())
    run = validate(str(path))
    assert run.returncode == 2
    assert f"{path}: unreadable: a HAR file without entries" in run.stdout


def test_a_har_written_by_schemathesis_report_har_is_read_as_a_har(tmp_path: Path) -> None:
    with MockServer() as mock:
        command = [
            sys.executable, "-m", "schemathesis.cli", "run", "contracts/openapi.yaml", "--url", mock.url,
            "-H", "Authorization: Bearer mock-token", "--phases", "examples", "--max-examples", "3", "--seed", "1",
            "--report", "har", "--report-dir", str(tmp_path),
        ]  # fmt: skip
        subprocess.run(command, cwd=ROOT, capture_output=True, timeout=300, check=False)
    (written,) = tmp_path.glob("har-*.json")
    entries = json.loads(written.read_text())["log"]["entries"]
    report = json.loads(validate("--format", "json", str(written)).stdout)
    assert report["summary"]["read"] == len(entries) > 0
    assert report["summary"]["unreadable"] == 0
    assert report["summary"]["valid"] > 0
    assert [r["source"] for r in report["results"]] == [f"{written}#{n}" for n in range(len(entries))]


def test_skip_unknown_skips_other_file_types_and_json_that_is_no_body_of_the_contract(tmp_path: Path) -> None:
    readme, package = tmp_path / "README.md", tmp_path / "package.json"
    readme.write_text("# fixtures\n")
    package.write_text(json.dumps({"name": "fixtures", "version": "1.0.0"}))
    good = tmp_path / "job.json"
    good.write_text(json.dumps(JOB))
    run = validate("--format", "json", "--skip-unknown", str(readme), str(package), str(good))
    assert run.returncode == 0
    results = {Path(r["source"]).name: r for r in json.loads(run.stdout)["results"]}
    assert results["README.md"]["verdict"] == results["package.json"]["verdict"] == "skipped"
    assert results["README.md"]["reason"] == "not a capture file (.json, .jsonl, .ndjson, .har)"
    assert results["package.json"]["reason"].startswith("not a response body of this contract")
    assert results["job.json"]["verdict"] == "valid"
    only_skipped = validate("--skip-unknown", str(readme), str(package))
    assert only_skipped.returncode == 0  # nothing of the contract to check is not a failure in this mode
    assert "read 2 payload(s): 0 valid, 0 invalid, 0 unreadable, 2 skipped" in only_skipped.stdout


def test_without_skip_unknown_a_body_of_no_known_shape_and_another_file_type_are_unreadable(tmp_path: Path) -> None:
    readme, package = tmp_path / "README.md", tmp_path / "package.json"
    readme.write_text("# fixtures\n")
    package.write_text(json.dumps({"name": "fixtures", "version": "1.0.0"}))
    run = validate(str(readme), str(package))
    assert run.returncode == 2
    assert f"{readme}: unreadable: unknown file type" in run.stdout
    assert f"{package}: unreadable: cannot tell which response this body is" in run.stdout


@pytest.mark.parametrize(
    ("content", "verdict"),
    [
        ('{"data": ', "unreadable"),  # broken JSON is broken, even in this mode
        ('{"data": []}', "unreadable"),  # a body of the contract whose kind cannot be told
        ('{"errors": [{"status": "404"}, {"status": "500"}]}', "unreadable"),
        (json.dumps(drifted(status="archived")), "invalid"),
    ],
)
def test_skip_unknown_never_skips_a_broken_or_doubtful_payload(tmp_path: Path, content: str, verdict: str) -> None:
    path = tmp_path / "fixture.json"
    path.write_text(content)
    run = validate("--format", "json", "--skip-unknown", str(path))
    assert run.returncode != 0
    assert json.loads(run.stdout)["results"][0]["verdict"] == verdict


def test_a_schemathesis_har_of_a_correct_deployment_keeps_the_contract(tmp_path: Path) -> None:
    """The README's schemathesis line records its auth probes too: requests
    without a token or with a wrong one, refused 401. A capture cannot tell
    whose credentials were refused: a refusal is a plausible answer there
    (contracts.responses.as_refusal), not a contract failure."""
    with MockServer() as mock:
        command = [
            sys.executable, "-m", "schemathesis.cli", "run", "contracts/openapi.yaml", "--url", mock.url,
            "-H", "Authorization: Bearer mock-token", "--max-examples", "5", "--seed", "1",
            "--report", "har", "--report-dir", str(tmp_path),
        ]  # fmt: skip
        subprocess.run(command, cwd=ROOT, capture_output=True, timeout=300, check=False)
    (written,) = tmp_path.glob("har-*.json")
    entries = json.loads(written.read_text())["log"]["entries"]
    refused = [e for e in entries if e["response"]["status"] == 401]
    assert refused, "the run sent no request without a (valid) token"
    run = validate("--format", "json", str(written))
    assert run.returncode == 0, [r for r in json.loads(run.stdout)["results"] if r["verdict"] != "valid"][:3]


def plain_entry(url: str, body: object, headers: object = (), cookies: object = ()) -> dict[str, object]:
    return {
        "request": {"method": "GET", "url": url, "headers": list(headers), "cookies": list(cookies)},  # type: ignore[call-overload]
        "response": {
            "status": 200,
            "headers": None,
            "content": {"mimeType": "application/json", "text": json.dumps(body)},
        },
    }


def judged_names(path: Path) -> list[tuple[str, str, str | None]]:
    summary = Summary()
    found = []
    for result in map(Checker().check, read([str(path)])):
        summary.add(result)
        found.append((Path(result.source).name, result.verdict, result.reason))
    assert summary.read == len(found)
    return found


def test_null_response_headers_and_odd_records_are_results_not_crashes(tmp_path: Path) -> None:
    (tmp_path / "null-headers.har").write_text(har(plain_entry(f"https://x.test/pcm/jobs/{JOB['data']['id']}", JOB)))
    (tmp_path / "path-int.json").write_text(
        json.dumps({"request": {"path": 5}, "response": {"status": 200, "body": JOB}})
    )
    (tmp_path / "status-bool.json").write_text(
        json.dumps({"request": {"path": "/pcm/jobs/x"}, "response": {"status": True, "body": JOB}})
    )
    surrogate = json.dumps(JOB).replace(JOB["data"]["id"], "\\ud800")
    (tmp_path / "surrogate.json").write_text(surrogate)
    (tmp_path / "bom.jsonl").write_bytes(b"\xef\xbb\xbf" + json.dumps(JOB).encode() + b"\n")
    assert judged_names(tmp_path) == [
        ("bom.jsonl:1", "unreadable", "a UTF-8 byte order mark before the JSON value"),
        ("null-headers.har#0", "valid", None),
        ("path-int.json", "unreadable", "a capture record whose request path, url or method is not a string"),
        ("status-bool.json", "unreadable", "a capture record without an integer response status (True)"),
        ("surrogate.json", "unreadable", "a lone surrogate \\ud800 in a string at /data/id"),
    ]


def test_a_har_secret_is_masked_even_in_entries_before_the_one_that_sends_it(tmp_path: Path, capsys: object) -> None:
    job_id = JOB["data"]["id"]
    leak = json.loads(json.dumps(JOB))
    leak["data"]["attributes"]["status"] = "tok-sent-later-12345"
    capture = tmp_path / "two.har"
    bearer = [{"name": "Authorization", "value": "Bearer tok-sent-later-12345"}]
    capture.write_text(
        har(
            plain_entry(f"https://x.test/pcm/jobs/{job_id}", leak),
            plain_entry(f"https://x.test/pcm/jobs/{job_id}", JOB, bearer),
        )
    )
    for jobs in ("1", "2"):
        main(["validate", "--jobs", jobs, str(capture)])
        out = capsys.readouterr()  # type: ignore[attr-defined]
        assert "tok-sent-later-12345" not in out.out + out.err
        assert "[schema.enum]" in out.out


def blocks_of(data: bytes, size: int) -> list[bytes]:
    return [data[start : start + size] for start in range(0, len(data), size)]


LINES_TO_CUT = (
    b'{"a": 1}\n\n  {"b": [1, 2]}  \r\n\t\n{"c": "x y"}\r\n' + b'{"long": "' + b"z" * 40 + b'"}\n   \n{"last": true}'
)
"""Blank lines, JSON whitespace around lines, CRLF, a line longer than the small blocks, no final line end."""


@pytest.mark.parametrize("size", [1, 2, 3, 7, 10, 64, 10_000])
def test_lines_are_the_same_however_the_stream_is_cut_into_blocks(size: int) -> None:
    from contracts.captures.items import Lines
    from contracts.captures.readers import Reading
    from contracts.captures.sources import Source

    reading = Reading(Source("log.jsonl", "jsonl"))
    chunks = list(reading._lines(blocks_of(LINES_TO_CUT, size), "log.jsonl", whole=True))
    assert all(isinstance(one, Lines) for one in chunks)
    kept = b"".join(line for one in chunks for line in one.lines)  # as read: line ends and all (blank chunks aside)
    assert all(line.endswith(b"\n") for one in chunks for line in one.lines[:-1])
    assert kept.translate(None, b" \t\r\n") == LINES_TO_CUT.translate(None, b" \t\r\n")
    found = [(line.number, line.data) for one in chunks for line in one.each()]
    expected = [(number, line.strip(b" \t\r\n")) for number, line in enumerate(LINES_TO_CUT.split(b"\n"), 1)]
    assert found == [(number, line) for number, line in expected if line]
    assert reading.lines == LINES_TO_CUT.count(b"\n")
    assert reading.nonblank


@pytest.mark.parametrize("size", [1, 4, 8, 9, 10, 17, 100, 10_000])
def test_the_secrets_pass_finds_every_record_however_the_stream_is_cut_into_blocks(size: int) -> None:
    from contracts import redaction
    from contracts.captures.readers import _block_secrets

    tokens = [f"canary-cut-{size}-{index}-0f3e9a" for index in range(4)]
    records = [
        {"request": {"method": "GET", "path": "/pcm/jobs", "headers": {"Authorization": f"Bearer {token}"}}}
        | {"response": {"status": 200, "body": JOB}}
        for token in tokens
    ]
    lines = [json.dumps(JOB).encode(), *map(json.dumps, records[:2]), json.dumps(JOB), json.dumps(records[2])]
    data = b"\n".join(line if isinstance(line, bytes) else line.encode() for line in lines)
    data += b"\n" + json.dumps(records[3]).encode()  # the last line, without a line end
    before = redaction.remembered()
    _block_secrets(blocks_of(data, size))
    assert set(tokens) <= set(map(str, redaction.remembered_since(before)))


def test_a_record_whose_request_is_no_object_still_has_its_response_secrets_known() -> None:
    """A remote file's secrets are known only from its reading (it is not downloaded twice):
    the reader remembers what :func:`~contracts.captures.readers.secrets_of` would, an unreadable record's too."""
    from contracts import redaction
    from contracts.captures.readers import record_item

    cookie = "session-of-an-odd-record-9c1f"
    record = {"request": "GET /pcm/jobs/x", "response": {"status": 200, "headers": {"Set-Cookie": f"s={cookie}"}}}
    item = record_item(record, "odd.jsonl:1")
    assert isinstance(item, Unreadable)
    assert item.reason == "a capture record whose request is not an object"
    assert redaction.redact(f"echoed {cookie}") == f"echoed {redaction.MASK}"
