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


@pytest.fixture(scope="module")
def offline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Finding]]:
    """The findings of ``pcm-contracts validate`` for every case, by source: a
    HAR entry (``NAME.har``) and, where a JSON string can hold the bytes, a
    capture record's response text (``NAME.record``)."""
    folder = tmp_path_factory.mktemp("agreement")
    names = list(NOT_JSON)
    har = {
        "log": {"version": "1.2", "creator": {"name": "test"}, "entries": [har_entry(n, NOT_JSON[n][0]) for n in names]}
    }
    (folder / "bodies.har").write_text(json.dumps(har))
    records = []
    for name in names:
        try:
            text = NOT_JSON[name][0].decode("utf-8")
        except UnicodeDecodeError:
            continue  # not text: only the HAR's base64 carries it
        request = {"method": "GET", "path": f"/pcm/jobs/{name}"}
        response = {"status": 200, "headers": {"Content-Type": "application/json"}, "text": text}
        records.append((name, json.dumps({"request": request, "response": response})))
    (folder / "records.jsonl").write_text("\n".join(line for _, line in records) + "\n")
    run = validate(str(folder), "--format", "json")
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    results = {r["source"]: r for r in json.loads(run.stdout)["results"]}
    found = {}
    for index, name in enumerate(names):
        found[f"{name}.har"] = results[f"{folder}/bodies.har#{index}"]
    for number, (name, _) in enumerate(records, start=1):
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
