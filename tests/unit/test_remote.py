"""Remote inputs and globs: files served over HTTP, S3 and GCS (real servers on
127.0.0.1) and globbed local files give the reports the same files give local and named."""

from __future__ import annotations

import contextlib
import functools
import gzip
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from contracts import redaction
from contracts.captures import remote
from contracts.cli import main
from tests import gcs_server
from tests.pipeline import JOB, SECRET, log_lines, renamed


def report(*paths: str, jobs: int = 1) -> Any:
    out = io.StringIO()
    main(["validate", "--format", "json", "--no-progress", "--jobs", str(jobs), *paths], out=out)
    assert SECRET not in out.getvalue()
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of captures: plain and compressed JSON Lines, a body, a HAR."""
    folder = tmp_path_factory.mktemp("served")
    (folder / "logs" / "2026-11-29").mkdir(parents=True)
    (folder / "logs" / "2026-11-30").mkdir(parents=True)
    for day, seed in (("2026-11-29", 1), ("2026-11-30", 2)):
        data = log_lines(150, seed=seed)
        (folder / "logs" / day / "gateway.jsonl").write_bytes(data)
        (folder / "logs" / day / "gateway.jsonl.gz").write_bytes(gzip.compress(data))
    (folder / "logs" / "2026-11-30" / "README.md").write_text("not a capture")
    (folder / "body.json").write_text(json.dumps(JOB))
    (folder / "forbidden").mkdir()
    (folder / "forbidden" / "body.json").write_text(json.dumps(JOB))  # the GCS server refuses to give it
    (folder / "stalled").mkdir()
    (folder / "stalled" / "log.jsonl").write_bytes(log_lines(150, seed=3))  # both servers stop halfway through
    (folder / "slow").mkdir()
    (folder / "slow" / "log.jsonl").write_bytes(log_lines(150, seed=4))  # both servers send it slowly
    (folder / "dripping").mkdir()
    (folder / "dripping" / "log.jsonl").write_bytes(log_lines(150, seed=5))  # half, then a byte now and then
    return folder


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves the folder; ``/refused/...`` answers 500, ``/stalled/...`` stops
    sending halfway through (:func:`tests.gcs_server.stall`), ``/slow/...`` is
    sent in pieces with pauses (:func:`tests.gcs_server.paced`), ``/dripping/...``
    half at once, then a byte now and then (:func:`tests.gcs_server.drip`);
    ``/drip-head/...`` sends its status line a byte now and then (:func:`tests.gcs_server.drip_head`)."""

    gets: ClassVar[dict[str, int]] = {}
    """The GET requests answered, by path (:func:`test_a_remote_file_is_downloaded_once`)."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_HEAD(self) -> None:
        if self.path.startswith("/drip-head/"):
            gcs_server.drip_head(self)
            return
        super().do_HEAD()

    def do_GET(self) -> None:
        QuietHandler.gets[self.path] = QuietHandler.gets.get(self.path, 0) + 1
        if self.path.startswith("/drip-head/"):
            gcs_server.drip_head(self)
            return
        if self.path.startswith("/dripping/"):
            gcs_server.drip(self, Path(self.directory, self.path.lstrip("/")).read_bytes())
            return
        if self.path.startswith("/stalled/"):
            gcs_server.stall(self, Path(self.directory, self.path.lstrip("/")).read_bytes())
            return
        if self.path.startswith("/slow/"):
            data = Path(self.directory, self.path.lstrip("/")).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            gcs_server.paced(self, data)
            return
        super().do_GET()

    def send_head(self) -> Any:
        if self.path.startswith("/refused/"):
            self.send_error(500, "refused")
            return None
        return super().send_head()


@pytest.fixture(scope="module")
def http_base(served: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(served)))
    with gcs_server.running(server) as base:
        yield base


@pytest.fixture(scope="module")
def s3_bucket(served: Path) -> Iterator[str]:
    """``s3://captures`` on moto's S3-compatible server, holding the folder ``served``."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    patch = pytest.MonkeyPatch()
    for name, value in {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(served / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(served / "no-aws-credentials"),
    }.items():
        patch.setenv(name, value)
    try:
        client = boto3.client("s3", endpoint_url=endpoint)
        client.create_bucket(Bucket="captures")
        for path in sorted(served.rglob("*")):
            if path.is_file():
                client.upload_file(str(path), "captures", path.relative_to(served).as_posix())
        yield "s3://captures"
    finally:
        patch.undo()
        server.stop()


@pytest.fixture(scope="module")
def gcs_bucket(served: Path) -> Iterator[str]:
    """``gs://captures`` on a small server of the GCS JSON API (:mod:`tests.gcs_server`), holding ``served``."""
    import fsspec.config

    patch = pytest.MonkeyPatch()
    # gcsfs (2025.x on) first asks Google's storage-control API, over gRPC, for a bucket's
    # layout, and waits 60 s for an answer an emulator of the JSON API never gives; read at import
    patch.setenv("GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT", "false")
    patch.setitem(fsspec.config.conf, "gs", {"token": "anon"})  # no credentials to look for
    with gcs_server.serving(served, "captures") as base:
        patch.setenv("STORAGE_EMULATOR_HOST", base)
        try:
            yield "gs://captures"
        finally:
            patch.undo()


@pytest.fixture(scope="module", params=["s3", "gs"])
def bucket(request: pytest.FixtureRequest) -> str:
    """The folder ``served`` in a bucket of each object store."""
    return str(request.getfixturevalue("s3_bucket" if request.param == "s3" else "gcs_bucket"))


def local(served: Path, name: str) -> Any:
    return report(str(served / name))


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_file_over_http_reads_as_the_same_file_local(served: Path, http_base: str, jobs: int) -> None:
    for name in ("logs/2026-11-30/gateway.jsonl.gz", "logs/2026-11-30/gateway.jsonl", "body.json"):
        got = report(f"{http_base}/{name}", jobs=jobs)
        assert renamed(got, f"{http_base}/{name}", str(served / name)) == local(served, name)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_remote_file_is_downloaded_once(served: Path, http_base: str, jobs: int) -> None:
    """Its secrets come with its results (its task is run before anything is
    reported), not from a pass of their own that would download it again."""
    names = ["logs/2026-11-29/gateway.jsonl", "logs/2026-11-29/gateway.jsonl.gz", "body.json"]
    QuietHandler.gets.clear()
    got = report(*(f"{http_base}/{name}" for name in names), jobs=jobs)
    assert got["summary"]["read"] == sum(local(served, name)["summary"]["read"] for name in names)
    assert QuietHandler.gets == {f"/{name}": 1 for name in names}


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_secret_of_a_remote_record_is_known_before_a_file_listed_earlier_is_reported(
    served: Path, http_base: str, tmp_path: Path, jobs: int
) -> None:
    """A local body echoes a token that only a remote capture record, listed
    after it, names: the remote file is read first, so the body's report hides it."""
    token = f"remote-only-token-{jobs}-4b6e2d"  # one a run: what a process remembered, it keeps
    record = {
        "request": {"method": "GET", "url": "https://api.test/pcm/jobs/x", "headers": {"Authorization": token}},
        "response": {"status": 200, "body": JOB},
    }
    (served / "secret").mkdir(exist_ok=True)
    (served / "secret" / f"records-{jobs}.jsonl").write_text(json.dumps(record) + "\n")
    echo = tmp_path / "echo.json"
    echo.write_text(json.dumps({"data": {**JOB["data"], "type": token}}))  # a finding that shows the value
    out, records = io.StringIO(), f"{http_base}/secret/records-{jobs}.jsonl"
    main(["validate", "--no-progress", "--jobs", str(jobs), str(echo), records], out=out)
    assert "type" in out.getvalue()
    assert token not in out.getvalue()
    assert redaction.MASK in out.getvalue()


def test_payloads_read_a_remote_file_once_its_secrets_known_first(served: Path, http_base: str, tmp_path: Path) -> None:
    """``--payloads`` reads through :func:`contracts.captures.read`: the remote
    record's token is known when the first item (a local body listed before it) is given."""
    from contracts.captures import read

    token = "payloads-remote-token-71d0"
    record = {"request": {"url": "https://api.test/pcm/jobs/x", "headers": {"Authorization": token}}}
    (served / "secret").mkdir(exist_ok=True)
    (served / "secret" / "payloads.jsonl").write_text(json.dumps({**record, "response": {"status": 200, "body": JOB}}))
    echo = tmp_path / "echo.json"
    echo.write_text(json.dumps(JOB))
    QuietHandler.gets.clear()
    given = read([str(echo), f"{http_base}/secret/payloads.jsonl"])
    first = next(given)
    assert first.source == str(echo)
    assert redaction.redact(token) == redaction.MASK
    assert [item.source for item in given] == [f"{http_base}/secret/payloads.jsonl:1"]
    assert QuietHandler.gets == {"/secret/payloads.jsonl": 1}


def test_a_password_in_a_url_is_never_printed(served: Path, http_base: str, capsys: pytest.CaptureFixture[str]) -> None:
    password = "url-pass-5e1d0c7a"
    url = http_base.replace("http://", f"http://reader:{password}@") + "/body.json"
    got = report(url)
    assert [r["verdict"] for r in got["results"]] == ["valid"]
    assert password not in json.dumps(got)
    assert got["results"][0]["source"] == url.replace(password, redaction.MASK)
    assert password not in capsys.readouterr().err


def test_a_missing_remote_file_is_one_unreadable_item(http_base: str) -> None:
    got = report(f"{http_base}/nothing-here.jsonl.gz", f"{http_base}/body.json")
    assert [(r["source"], r["verdict"], r.get("reason")) for r in got["results"]] == [
        (f"{http_base}/nothing-here.jsonl.gz", "unreadable", "no such file"),
        (f"{http_base}/body.json", "valid", None),
    ]


def test_a_remote_file_that_cannot_be_opened_is_one_unreadable_item(http_base: str) -> None:
    got = report(f"{http_base}/refused/log.jsonl.gz", f"{http_base}/body.json")
    assert [(r["source"], r["verdict"]) for r in got["results"]] == [
        (f"{http_base}/refused/log.jsonl.gz", "unreadable"),
        (f"{http_base}/body.json", "valid"),
    ]
    assert got["results"][0]["reason"] == "cannot open: the server answered 500"


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_bucket_glob_reads_as_the_same_files_local(served: Path, bucket: str, jobs: int) -> None:
    got = report(f"{bucket}/logs/2026-11-*/*.jsonl.gz", jobs=jobs)
    for day in ("2026-11-29", "2026-11-30"):
        name = f"logs/{day}/gateway.jsonl.gz"
        got = renamed(got, f"{bucket}/{name}", str(served / name))
    expected = report(
        str(served / "logs/2026-11-29/gateway.jsonl.gz"), str(served / "logs/2026-11-30/gateway.jsonl.gz")
    )
    assert got == expected


def test_a_bucket_folder_is_walked_as_a_local_one(served: Path, bucket: str) -> None:
    got = renamed(report(f"{bucket}/logs"), bucket, str(served))
    assert got == report(str(served / "logs"))
    assert [r["verdict"] for r in got["results"] if r["source"].endswith("README.md")] == ["skipped"]


def test_a_bucket_glob_that_matches_nothing_and_a_missing_key_are_one_item_each(bucket: str) -> None:
    got = report(f"{bucket}/logs/1999-*/*.jsonl", f"{bucket}/missing.json", f"{bucket}/body.json")
    assert [(r["source"], r["verdict"], r.get("reason")) for r in got["results"]] == [
        (f"{bucket}/logs/1999-*/*.jsonl", "unreadable", "no file matches"),
        (f"{bucket}/missing.json", "unreadable", "no such file"),
        (f"{bucket}/body.json", "valid", None),
    ]


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_object_refused_to_a_reader_is_one_line_and_nothing_else_on_stderr(gcs_bucket: str, jobs: int) -> None:
    """gcsfs puts the server's message on a second line of its error, and fsspec
    logs the failed read with its traceback: the report gives one line, stderr
    nothing more. In a process of its own, as a user runs it (pytest's own log
    handlers would take what fsspec logs)."""
    refused, body = f"{gcs_bucket}/forbidden/body.json", f"{gcs_bucket}/body.json"
    got = report(refused, body, jobs=jobs)
    assert [(r["source"], r["verdict"]) for r in got["results"]] == [(refused, "unreadable"), (body, "valid")]
    reason = got["results"][0]["reason"]
    assert reason.startswith("cannot read: Forbidden: ")
    assert reason.endswith("/o/forbidden%2Fbody.json?alt=media")
    run = subprocess.run(
        [sys.executable, "-m", "contracts", "validate", "--no-progress", "--jobs", str(jobs), refused],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "FSSPEC_GS_TOKEN": "anon"},
    )
    summary = f"read 1 payload(s): 0 valid, 0 invalid, 1 unreadable, 0 skipped\nfirst failing: {refused}\n"
    assert (run.returncode, run.stdout) == (2, f"{refused}: unreadable: {reason}\n{summary}")  # 2: nothing readable
    assert run.stderr == "pcm-contracts: no payload of this contract could be read\n"


def test_a_glob_that_matches_a_folder_and_what_is_in_it_reads_each_file_once(served: Path, bucket: str) -> None:
    """``logs/**`` matches ``logs/``, each day's folder and each file: each file
    is read once, as the walk of ``logs`` reads it."""
    walked = report(str(served / "logs"))
    assert report(str(served / "logs" / "**")) == walked
    assert renamed(report(f"{bucket}/logs/**"), bucket, str(served)) == walked
    files = sorted((served / "logs").glob("*/gateway.jsonl*"))
    assert walked["summary"]["read"] == sum(report(str(file))["summary"]["read"] for file in files) + 1  # the README


@pytest.fixture(scope="module")
def silent() -> Iterator[str]:
    """A server on 127.0.0.1 that accepts every connection and never answers: its address."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            while True:
                held.append(listener.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()
        for connection in held:
            connection.close()


def validate_timing_out(
    arguments: list[str], env: dict[str, str], timeout: float = 0.5, deadline: float = remote.DEADLINE
) -> subprocess.CompletedProcess[str]:
    """``pcm-contracts validate ARGUMENTS`` with remote.TIMEOUT at ``timeout`` seconds and
    remote.DEADLINE at ``deadline``, in a process of its own (ended by the test if it hangs), with
    ``env`` added to this one's environment.
    gcsfs retries a timeout 6 times, 1 to 16 s apart: here without the pauses (31 s a call)."""
    code = "import asyncio, types, gcsfs.retry; "
    code += "gcsfs.retry.asyncio = types.SimpleNamespace(sleep=lambda seconds: asyncio.sleep(0)); "
    code += f"from contracts.captures import remote; remote.TIMEOUT = {timeout}; remote.DEADLINE = {deadline}; "
    code += "from contracts.cli import main; "
    code += f"raise SystemExit(main(['validate', *{arguments!r}]))"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env={**os.environ, **env}
    )


@pytest.mark.parametrize("url", ["http://{silent}/logs/x.jsonl", "gs://captures/logs/x.jsonl", "s3://captures/x.jsonl"])
def test_a_server_that_never_answers_is_one_unreadable_item_not_a_hang(silent: str, url: str) -> None:
    """Every remote request is bounded (remote.TIMEOUT, 0.5 s here, and each package's retries):
    the run ends with one line for the URL."""
    url = url.format(silent=silent)
    stores = {"STORAGE_EMULATOR_HOST": f"http://{silent}", "AWS_ENDPOINT_URL": f"http://{silent}"}
    aws = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    gcs = {"GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT": "false", "FSSPEC_GS_TOKEN": "anon"}
    run = validate_timing_out(["--no-progress", url], {**stores, **aws, **gcs})
    assert run.returncode == 2, run.stderr  # nothing could be read
    assert run.stdout.splitlines()[0] in (
        f"{url}: unreadable: {why}" for why in ("no answer within 0.5 s", "cannot open: no answer within 0.5 s")
    )
    assert run.stderr == "pcm-contracts: no payload of this contract could be read\n"


@pytest.mark.parametrize("store", ["http", "gs"])
def test_a_store_that_stops_answering_mid_read_is_said_as_a_timeout(
    served: Path, http_base: str, gcs_bucket: str, store: str
) -> None:
    """A store that answers, sends half a file and goes quiet: one item says that no answer
    came within the timeout (not the name of an exception). Over HTTP the file streams, so the
    lines read whole before are judged first; gcsfs fetches a range whole before it gives any
    of it, so nothing of the file is read."""
    url = f"{http_base if store == 'http' else gcs_bucket}/stalled/log.jsonl"
    run = validate_timing_out(["--no-progress", "--format", "json", url], {"FSSPEC_GS_TOKEN": "anon"})
    lines = lines_before_the_cut(run, url, store == "http", "no answer within 0.5 s")
    whole = (served / "stalled" / "log.jsonl").read_bytes()
    assert store == "gs" or len(b"".join(whole.splitlines(keepends=True)[:lines])) <= len(whole) // 2


def lines_before_the_cut(run: subprocess.CompletedProcess[str], url: str, streamed: bool, why: str) -> int:
    """The lines read whole before a remote read was cut short (its JSON report's last item says
    ``why``), having checked that they alone were judged: those before it when the file was
    ``streamed`` (over HTTP), none from gcsfs or s3fs (which fetch a range whole before they give any of it)."""
    *judged, last = json.loads(run.stdout)["results"]
    assert (last["source"], last["verdict"]) == (url, "unreadable")
    if not streamed:
        assert (run.returncode, judged, last["reason"]) == (2, [], f"cannot read: {why}")
        return 0
    prefix = f"cannot read on: {why}, after line "
    assert (run.returncode, run.stderr) == (1, "")
    assert last["reason"].startswith(prefix)
    lines = int(last["reason"].removeprefix(prefix))
    assert 0 < lines < 150
    assert judged
    assert all(r["source"].rpartition(":")[0] == url for r in judged)
    assert int(judged[-1]["source"].rpartition(":")[2]) <= lines
    return lines


@pytest.mark.parametrize("store", ["http", "gs"])
def test_a_store_that_drips_is_cut_off_at_the_deadline(
    served: Path, http_base: str, gcs_bucket: str, store: str
) -> None:
    """A store that sends half a file, then a byte every 0.2 s, never waits long enough for the
    timeout (1 s here): remote.DEADLINE (2 s here) ends it, as one item that says so. Over HTTP the
    lines read whole before are judged first; gcsfs fetches a range whole, so nothing is."""
    url = f"{http_base if store == 'http' else gcs_bucket}/dripping/log.jsonl"
    run = validate_timing_out(
        ["--no-progress", "--format", "json", url], {"FSSPEC_GS_TOKEN": "anon"}, timeout=1, deadline=2
    )
    lines_before_the_cut(run, url, store == "http", "took longer than 2 s in all")


class DrippingS3Handler(BaseHTTPRequestHandler):
    """The read side of S3's REST API for one object of :data:`DRIPPED` bytes, whatever the key:
    ``HEAD`` answers its size; ``GET`` (with or without ``Range``) sends half of what it asks for,
    then a byte every 0.2 s (:func:`tests.gcs_server.dripped`). moto cannot pace its answers."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _headers(self, size: int, first: int | None = None) -> None:
        self.send_response(200 if first is None else 206)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.send_header("ETag", '"0123456789abcdef0123456789abcdef"')
        self.send_header("Last-Modified", "Tue, 01 Dec 2026 00:00:00 GMT")
        if first is not None:
            self.send_header("Content-Range", f"bytes {first}-{first + size - 1}/{len(DRIPPED)}")
        self.end_headers()

    def do_HEAD(self) -> None:
        self._headers(len(DRIPPED))

    def do_GET(self) -> None:
        asked = self.headers.get("Range", "")
        if not asked.startswith("bytes="):
            self._headers(len(DRIPPED))
            gcs_server.dripped(self, DRIPPED)
            return
        begin, _, end = asked.removeprefix("bytes=").partition("-")
        first, last = int(begin), min(int(end) if end else len(DRIPPED) - 1, len(DRIPPED) - 1)
        self._headers(last + 1 - first, first)
        gcs_server.dripped(self, DRIPPED[first : last + 1])


DRIPPED = log_lines(150, seed=6)


@pytest.fixture(scope="module")
def dripping_s3() -> Iterator[str]:
    """The base URL of a :class:`DrippingS3Handler` server (module-scoped, as the other servers:
    shutting one down lets every drip and stall go, :data:`tests.gcs_server.STALLED`)."""
    with gcs_server.running(gcs_server.Server(("127.0.0.1", 0), DrippingS3Handler)) as base:
        yield base


def test_an_s3_store_that_drips_is_cut_off_at_the_deadline(dripping_s3: str) -> None:
    """The dripping file of test_a_store_that_drips_is_cut_off_at_the_deadline from an S3-shaped
    server: s3fs fetches a range whole too, so one item says the deadline passed, nothing judged."""
    aws = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    url = "s3://captures/dripping/log.jsonl"
    run = validate_timing_out(
        ["--no-progress", "--format", "json", url], {"AWS_ENDPOINT_URL": dripping_s3, **aws}, timeout=1, deadline=2
    )
    assert lines_before_the_cut(run, url, False, "took longer than 2 s in all") == 0


def test_a_server_whose_headers_never_end_is_cut_off_at_the_deadline(http_base: str) -> None:
    """An answer whose status line comes a byte every 0.2 s: no wait is long, the listing
    (fsspec's ``info``) never ends; remote.DEADLINE (2 s here) ends it, as one item."""
    url = f"{http_base}/drip-head/log.jsonl"
    run = validate_timing_out(["--no-progress", url], {}, timeout=1, deadline=2)
    assert run.returncode == 2, run.stderr
    assert run.stdout.splitlines()[0] == f"{url}: unreadable: cannot open: took longer than 2 s in all"


@pytest.mark.parametrize("store", ["http", "gs"])
def test_a_slow_store_is_read_to_the_end_whatever_it_takes_in_all(
    served: Path, http_base: str, gcs_bucket: str, store: str
) -> None:
    """The timeout bounds each wait for the next bytes, not a whole answer: a file sent in
    pieces 0.2 s apart, 3 s in all, is read whole with a timeout of 2 s (gcsfs took its
    ``requests_timeout`` for a whole answer's: such a file was unreadable)."""
    url = f"{http_base if store == 'http' else gcs_bucket}/slow/log.jsonl"
    run = validate_timing_out(["--no-progress", "--format", "json", url], {"FSSPEC_GS_TOKEN": "anon"}, timeout=2)
    assert run.stderr == ""
    got = renamed(json.loads(run.stdout), url, str(served / "slow" / "log.jsonl"))
    assert got == local(served, "slow/log.jsonl")
    assert gcs_server.PIECES * gcs_server.PAUSE > 2


def test_a_local_glob_reads_as_the_files_it_matches(served: Path) -> None:
    pattern = str(served / "logs" / "*" / "gateway.jsonl")
    named = [str(served / "logs" / day / "gateway.jsonl") for day in ("2026-11-29", "2026-11-30")]
    assert report(pattern) == report(*named)
    nothing = str(served / "logs" / "*.har")
    assert [(r["source"], r["verdict"], r.get("reason")) for r in report(nothing, named[0])["results"][:1]] == [
        (nothing, "unreadable", "no file matches")
    ]


def test_without_the_extra_a_url_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(remote.NEEDS, "s3", "no_such_package_for_s3")
    assert main(["validate", "s3://bucket/logs/*.jsonl.gz"], out=io.StringIO()) == 2
    err = capsys.readouterr().err
    assert err == "pcm-contracts: s3:// inputs need optional packages: pip install 'pcm-contracts[s3]'\n"


def test_within_gives_a_call_until_its_deadline_and_closes_what_it_opened_late() -> None:
    """remote.within: a call's value or its error, as it gave them; TooSlow for one still running at
    its deadline (held here until after it) or given no time at all; a file such a call opened once
    given up on is closed."""
    release, closed = threading.Event(), threading.Event()

    class Late:
        def close(self) -> None:
            closed.set()

    def opening() -> Late:
        release.wait(60)
        return Late()

    with pytest.raises(remote.TooSlow, match=r"^took longer than 900 s in all$"):
        remote.within(time.monotonic() + 0.05, opening)
    release.set()
    assert closed.wait(60)
    assert remote.within(time.monotonic() + 60, lambda: 7) == 7
    with pytest.raises(KeyError):
        remote.within(time.monotonic() + 60, {}.__getitem__, "missing")
    with pytest.raises(remote.TooSlow):
        remote.within(time.monotonic() - 1, lambda: 7)
    assert remote.timeout_reason(remote.TooSlow()) == "took longer than 900 s in all"
