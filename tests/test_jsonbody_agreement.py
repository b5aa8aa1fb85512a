"""The same bytes, the same verdict: every body the JSON reader refuses gets the
same ``body_is_json`` finding, with the same reason, from a live check over a
real socket and from ``pcm-contracts validate`` on a capture holding those bytes
(a HAR entry, base64 so the bytes are carried exactly, and a capture record)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from contracts.client import ApiClient, StaticToken
from contracts.live import judge
from contracts.redaction import Secret
from contracts.registry import ROOT
from contracts.responses import check_response
from contracts.violations import Strictness
from tests.cases_jsonbody import NOT_JSON

Finding = tuple[str, str, str]
"""rule, pointer, message."""


class Bodies(BaseHTTPRequestHandler):
    """``GET /pcm/jobs/NAME`` answers 200, ``application/json``, the bytes of case NAME."""

    def do_GET(self) -> None:
        name = self.path.rsplit("/", 1)[-1]
        body = NOT_JSON[name][0] if self.path.startswith("/pcm/jobs/") and name in NOT_JSON else b"{}"
        self.send_response(200 if name in NOT_JSON else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Bodies)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture(scope="module")
def live(server: str) -> dict[str, list[Finding]]:
    """The findings of a live check of every case, over the socket."""
    found = {}
    with ApiClient(server, token=StaticToken(Secret("agreement-token"))) as client:
        for name in NOT_JSON:
            answer = client.get(f"/pcm/jobs/{name}")
            assert (answer.status, answer.content) == (200, NOT_JSON[name][0])
            violations = check_response(
                method=answer.method,
                url=answer.url,
                status=answer.status,
                headers=answer.headers,
                content=answer.content,
            )
            found[name] = [(v.rule, v.pointer, v.message) for v in violations]
    return found


def har_entry(name: str, body: bytes) -> dict[str, object]:
    return {
        "request": {"method": "GET", "url": f"https://api.example.test/pcm/jobs/{name}", "headers": []},
        "response": {
            "status": 200,
            "headers": [{"name": "Content-Type", "value": "application/json"}],
            "content": {"mimeType": "application/json", "encoding": "base64", "text": base64.b64encode(body).decode()},
        },
    }


def validate(*argv: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "contracts", "validate", *argv]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def record_names() -> list[str]:
    """The cases with a capture record, in the order of ``records.jsonl``."""
    names = []
    for name, (body, _) in NOT_JSON.items():
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            continue
        names.append(name)
    return names


@pytest.fixture(scope="module")
def captures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every case as a HAR entry (``bodies.har#N``, in table order) and, where a
    JSON string can hold the bytes, as a capture record's response text (a line
    of ``records.jsonl``)."""
    folder = tmp_path_factory.mktemp("agreement")
    names = list(NOT_JSON)
    har = {
        "log": {"version": "1.2", "creator": {"name": "test"}, "entries": [har_entry(n, NOT_JSON[n][0]) for n in names]}
    }
    (folder / "bodies.har").write_text(json.dumps(har))
    records = []
    for name in record_names():  # the cases a JSON string can hold
        request = {"method": "GET", "path": f"/pcm/jobs/{name}"}
        response = {"status": 200, "headers": {"Content-Type": "application/json"}, "text": NOT_JSON[name][0].decode()}
        records.append(json.dumps({"request": request, "response": response}))
    (folder / "records.jsonl").write_text("\n".join(records) + "\n")
    return folder


@pytest.fixture(scope="module")
def offline(captures: Path) -> dict[str, list[Finding]]:
    """The findings of ``pcm-contracts validate`` for every case, by source
    (``NAME.har``, ``NAME.record``)."""
    folder = captures
    names = list(NOT_JSON)
    records = record_names()
    run = validate(str(folder), "--format", "json")
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    results = {r["source"]: r for r in json.loads(run.stdout)["results"]}
    found = {}
    for index, name in enumerate(names):
        found[f"{name}.har"] = results[f"{folder}/bodies.har#{index}"]
    for number, name in enumerate(records, start=1):
        found[f"{name}.record"] = results[f"{folder}/records.jsonl:{number}"]
    assert all(result["verdict"] == "invalid" for result in found.values())
    return {source: [(v["rule"], v["pointer"], v["message"]) for v in r["violations"]] for source, r in found.items()}


@pytest.mark.parametrize("name", NOT_JSON, ids=NOT_JSON)
def test_live_and_captured_bodies_get_the_same_finding_and_reason(
    name: str, live: dict[str, list[Finding]], offline: dict[str, list[Finding]]
) -> None:
    expected = [("body_is_json", "", f"the body is not JSON: {NOT_JSON[name][1]}")]
    assert live[name] == expected
    assert offline[f"{name}.har"] == expected
    if f"{name}.record" in offline:
        assert offline[f"{name}.record"] == expected


@pytest.mark.parametrize("name", ["nan", "duplicate-nested", "depth-1000"])
def test_a_live_check_fails_with_the_reason(name: str, server: str) -> None:
    with ApiClient(server) as client:
        answer = client.get(f"/pcm/jobs/{name}")
    with pytest.raises(pytest.fail.Exception) as failed:
        judge(answer, statuses={200}, strictness=Strictness())
    assert f"the body is not JSON: {NOT_JSON[name][1]} [body_is_json]" in str(failed.value)


@pytest.mark.parametrize("name", ["nan", "1e400"])
def test_the_shipped_suite_reports_the_same_finding_in_its_junit_report(name: str, server: str, tmp_path: Path) -> None:
    report = tmp_path / "live.xml"
    command = [sys.executable, "-m", "contracts", "check", "--base-url", server, "--job-id", name]
    command += ["-k", "test_known_job_answers_200_with_itself", f"--junitxml={report}", "-p", "no:cacheprovider"]
    env = {**os.environ, "PCM_CONTRACTS_TOKEN": "agreement-token"}
    run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 1, run.stdout + run.stderr
    failures = [f.get("message", "") + (f.text or "") for f in ET.parse(report).iter("failure")]
    assert len(failures) == 1, run.stdout
    assert f"the body is not JSON: {NOT_JSON[name][1]} [body_is_json]" in failures[0]


def test_pytest_payloads_report_the_same_finding(captures: Path, tmp_path: Path) -> None:
    report = tmp_path / "payloads.xml"
    command = [sys.executable, "-m", "contracts", "check", "--payloads", str(captures)]
    command += ["-k", "test_captured_payload_keeps_the_contract", f"--junitxml={report}", "-p", "no:cacheprovider"]
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 1, run.stdout + run.stderr
    failures = {
        case.get("name", ""): " ".join((f.get("message", ""), f.text or ""))
        for case in ET.parse(report).iter("testcase")
        for f in case.iter("failure")
    }
    for index, (name, (_, reason)) in enumerate(NOT_JSON.items()):
        found = [text for case, text in failures.items() if case.endswith(f"bodies.har#{index}]")]
        assert len(found) == 1, (name, sorted(failures))
        assert f"the body is not JSON: {reason} [body_is_json]" in found[0]
    for number, name in enumerate(record_names(), start=1):
        found = [text for case, text in failures.items() if case.endswith(f"records.jsonl:{number}]")]
        assert f"the body is not JSON: {NOT_JSON[name][1]} [body_is_json]" in found[0]
