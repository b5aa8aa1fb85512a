"""The driver: the same results, in the same order, whatever ``--jobs`` and however files are cut."""

from __future__ import annotations

import gzip
import io
import json
import os
import pickle
import tempfile
import threading
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from contracts import redaction
from contracts.captures import driver
from contracts.captures.driver import Run, judge_all, work
from contracts.captures.judge import Checker
from contracts.captures.sources import Source, ranges
from tests.pipeline import each_result, log_lines

JOB = {
    "data": {
        "type": "pim-job",
        "id": "7e1b9ba1-c844-4556-9b16-4ae3f0988b0f",
        "attributes": {
            "created_at": "2024-01-05T15:27:23.161Z",
            "started_at": "2024-01-05T15:27:23.65Z",
            "completed_at": "2024-01-05T15:27:23.663Z",
            "updated_at": "2024-01-05T15:27:23.65Z",
            "status": "success",
            "type": "product-export",
        },
        "meta": {"file_locations": [], "filter": "eq(sku,product-1)", "x_request_id": "fad8c5c0"},
    }
}


def line(index: int) -> bytes:
    body = json.loads(json.dumps(JOB))
    body["data"]["id"] = f"job-{index}"
    kind = index % 7
    if kind == 1:
        body["data"]["attributes"]["status"] = "queued"  # undocumented value
    elif kind == 2:
        return b"{not json"
    elif kind == 3:
        return b"   "  # blank: not a payload
    elif kind == 4:
        body["data"]["attributes"]["created_at"] = "2024-01-05T15:27:23"  # zone-less
    elif kind == 5:
        return b'{"data": {"id": "a", "id": "b"}}'  # duplicate key
    return json.dumps(body).encode()


@pytest.fixture
def captures(tmp_path: Path) -> list[str]:
    log = tmp_path / "log.jsonl"
    log.write_bytes(b"\n".join(line(i) for i in range(300)) + b'\n{"data": {"type": "pim')  # truncated last line
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.jsonl").write_bytes(b"\n".join(line(i) for i in range(40)) + b"\n")
    (folder / "notes.txt").write_text("not a capture")
    (folder / "sub" / "b.json").write_bytes(line(0))
    (folder / "sub" / "blank.jsonl").write_bytes(b"\n\n" * 200)
    (tmp_path / "empty").mkdir()
    return [str(log), str(folder), str(tmp_path / "missing.jsonl"), str(tmp_path / "empty")]


@pytest.mark.parametrize("jobs, split_bytes", [(2, 1000), (3, 257), (2, 10**9)])
def test_any_jobs_gives_the_results_of_one_job_in_order(captures: list[str], jobs: int, split_bytes: int) -> None:
    checker = Checker()
    serial = list(each_result(judge_all(checker, captures, jobs=1)))
    pooled = list(each_result(judge_all(checker, captures, jobs=jobs, split_bytes=split_bytes)))
    assert pooled == serial
    assert {r.verdict for r in serial} == {"valid", "invalid", "unreadable", "skipped"}
    assert any(r.source.endswith("log.jsonl:301") and r.verdict == "unreadable" for r in serial)
    assert any(r.source.endswith("blank.jsonl") and r.reason == "empty file" for r in serial)


def test_results_and_their_findings_cross_from_a_worker_whole(captures: list[str]) -> None:
    judged = [one for one in each_result(judge_all(Checker(), captures)) if one.violations]
    assert judged
    assert any(v.schema_pointer for one in judged for v in one.violations)
    assert pickle.loads(pickle.dumps(judged, protocol=pickle.HIGHEST_PROTOCOL)) == judged


def test_ranges_cut_on_line_boundaries(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    data = b"".join(b"x" * (i % 13) + b"\n" for i in range(500)) + b"tail"
    path.write_bytes(data)
    cut = list(ranges(path, path.stat(), 64))
    assert (cut[0].start, cut[-1].end, cut[-1].last) == (0, len(data), True)
    assert all(a.end == b.start for a, b in pairwise(cut))
    assert not any(unit.last for unit in cut[:-1])
    for unit in cut:
        assert isinstance(unit, Source)
        assert unit.start == 0 or data[unit.start - 1 : unit.start] == b"\n"
        assert unit.end is not None
        assert 64 <= unit.end - unit.start <= 64 + 13 or unit.last


def test_a_line_longer_than_a_unit_stays_whole(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    data = b"a\n" + b"b" * 5000 + b"\nc\n"
    path.write_bytes(data)
    assert [(u.start, u.end) for u in ranges(path, path.stat(), 16)] == [(0, 5003), (5003, 5005)]


def test_secrets_read_by_workers_are_redacted_by_the_parent(tmp_path: Path) -> None:
    secret = "Bearer sekret-token-1234"
    har = {
        "log": {
            "entries": [
                {
                    "request": {"method": "GET", "url": "https://x/pcm/jobs/1", "headers": [
                        {"name": "Authorization", "value": secret}
                    ]},
                    "response": {"status": 200, "headers": [], "content": {"text": "{}"}},
                }
            ]
        }
    }  # fmt: skip
    (tmp_path / "a.har").write_text(json.dumps(har))
    (tmp_path / "b.json").write_text("{}")
    redaction.SECRETS.discard("sekret-token-1234")
    redaction.SECRETS.discard(secret)
    list(judge_all(Checker(), [str(tmp_path)], jobs=2))
    assert redaction.redact(f"header {secret}") == "header ***"


def test_coverage_is_the_same_for_any_number_of_jobs(tmp_path: Path) -> None:
    from contracts.coverage import Coverage
    from contracts.registry import EXAMPLES_DIR

    reports = []
    for jobs in (1, 2):
        checker = Checker(coverage=Coverage())
        list(judge_all(checker, [str(EXAMPLES_DIR)], jobs=jobs, split_bytes=64))
        assert checker.coverage is not None
        reports.append(checker.coverage.report())
    assert reports[0] == reports[1]
    assert reports[0]["operations"]["missing"] == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_bytes_told_add_up_to_the_total_and_counting_changes_no_result(captures: list[str], jobs: int) -> None:
    checker = Checker()
    told: list[int] = []
    run = Run(checker, captures, jobs, split_bytes=1000)
    counted = list(each_result(run.results(told.append)))
    assert counted == list(each_result(judge_all(checker, captures)))
    assert sum(told) == run.total > 0
    assert len(told) > 2  # a source at a time (JSON Lines a range at a time), not one lump at the end


def test_standard_input_has_no_total() -> None:
    assert Run(Checker(), ["-"], stdin=io.BytesIO(b"{}")).total is None


# ---- inputs that change under the run ----


def dying_work(checker: Checker, source: Source, *rest: Any) -> Any:
    """The driver's task, except that a worker judging ``die.jsonl`` dies on the spot."""
    if source.name.endswith("die.jsonl"):
        os._exit(1)
    return work(checker, source, *rest)


def spilling_then_dying_work(checker: Checker, source: Source, *rest: Any) -> Any:
    """The driver's task, except that a worker judging ``die.jsonl`` dies once its results are in their file."""
    answer = work(checker, source, *rest)
    if source.name.endswith("die.jsonl") and answer[0].spilled is not None:
        os._exit(1)
    return answer


def hanging_work(checker: Checker, source: Source, *rest: Any) -> Any:
    """The driver's task, except that a worker judging ``hang.jsonl`` never answers."""
    if source.name.endswith("hang.jsonl"):
        time.sleep(600)
    return work(checker, source, *rest)


def half_sent_work(checker: Checker, source: Source, *rest: Any) -> Any:
    """A worker that has sent the first bytes of its answer and no more (as
    one the driver terminates in the middle of sending it): the pool's thread
    that reads the answers waits for the rest. ``source`` names the file to
    touch once the bytes are sent."""
    import sys

    frame: Any = sys._getframe()
    while frame.f_code.co_name != "_process_worker":  # concurrent.futures' worker loop holds the answers' pipe
        frame = frame.f_back
    writer = frame.f_locals["result_queue"]._writer
    os.write(writer.fileno(), (1000).to_bytes(4, "big") + b"\x80\x05 half")  # a message of 1000 bytes, 7 sent
    Path(source.name).touch()
    time.sleep(600)


def lines_of(count: int) -> bytes:
    return b"".join(json.dumps(JOB).encode() + b"\n" for _ in range(count))


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("split_bytes", [10**9, 3000])
def test_a_file_that_vanishes_after_the_listing_is_one_item(tmp_path: Path, jobs: int, split_bytes: int) -> None:
    (tmp_path / "a.jsonl").write_bytes(lines_of(40))
    (tmp_path / "b.json").write_text(json.dumps(JOB))
    run = Run(Checker(), [str(tmp_path)], jobs, split_bytes=split_bytes)
    (tmp_path / "a.jsonl").unlink()
    results = list(each_result(run.results()))
    assert [(Path(r.source).name, r.verdict, r.reason) for r in results] == [
        ("a.jsonl", "unreadable", "no such file (it vanished during the run)"),
        ("b.json", "valid", None),
    ]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_split_file_cut_short_mid_run_is_reported_once_after_the_lines_read_before(tmp_path: Path, jobs: int) -> None:
    log = tmp_path / "log.jsonl"
    log.write_bytes(lines_of(400))
    (tmp_path / "z.json").write_text(json.dumps(JOB))
    results = []
    for judged in Run(Checker(), [str(tmp_path)], jobs, split_bytes=3000).results():
        first = not results
        results.extend(each_result([judged]))
        if first:
            log.write_bytes(lines_of(10))  # truncated while the first ranges are judged
    names = [Path(r.source).name for r in results]
    changed = [r for r in results if r.source == str(log)]
    assert len(changed) == 1
    assert changed[0].verdict == "unreadable"
    assert changed[0].reason is not None
    assert changed[0].reason.startswith("the file changed while it was read (")
    assert names[-1] == "z.json"
    assert 0 < names.index("log.jsonl") < len(names) - 1  # the lines read before, then the one item, then on
    assert all(r.verdict == "valid" for r in results if r is not changed[0])


def test_a_log_that_grows_while_it_is_read_is_judged_as_listed(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    log.write_bytes(lines_of(400))
    run = Run(Checker(), [str(log)], 2, split_bytes=3000)
    with log.open("ab") as handle:
        handle.write(lines_of(100))
    results = list(each_result(run.results()))
    assert [r.source for r in results] == [f"{log}:{n}" for n in range(1, 401)]


def test_a_worker_that_dies_costs_its_source_one_item_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a.jsonl", "die.jsonl", "z.jsonl"):
        (tmp_path / name).write_bytes(lines_of(3))
    monkeypatch.setattr("contracts.captures.driver.work", dying_work)
    results = list(each_result(judge_all(Checker(), [str(tmp_path)], jobs=2)))
    assert [(Path(r.source).name, r.verdict) for r in results] == [
        *((f"a.jsonl:{n}", "valid") for n in (1, 2, 3)),
        ("die.jsonl", "unreadable"),
        *((f"z.jsonl:{n}", "valid") for n in (1, 2, 3)),
    ]
    assert results[3].reason == "could not be judged: its worker process died"


def test_results_spilled_to_disk_are_not_readable_there(monkeypatch: pytest.MonkeyPatch) -> None:
    """A finding may show a token a deployment echoed, before any record naming it is read
    (the report redacts it when it writes, knowing every secret by then): the temporary
    file of a task's results holds them encrypted, by a key that never leaves memory,
    and one changed byte of it is refused rather than unpickled."""
    from contracts.captures.driver import Results, Unspillable
    from contracts.captures.results import Result
    from contracts.violations import Violation

    echoed = "echoed-token-never-on-disk-5a2c"
    monkeypatch.setattr(driver, "KEPT", 4)
    made = [
        Result(f"log.jsonl:{n}", "invalid", (Violation("schema.enum", "/data/type", f"{echoed} {n}", "error", "x"),))
        for n in range(40)
    ]
    results = Results(kept=4)
    for one in made:
        results.add(one)
    assert results.spilled is not None
    data = Path(results.spilled).read_bytes()
    assert len(data) > 1000
    assert echoed.encode() not in data
    assert b"log.jsonl" not in data
    again = pickle.loads(pickle.dumps(results))  # as a worker's answer reaches the driver
    assert list(again) == made
    assert not Path(results.spilled).exists()

    files: list[Path] = []

    def tampered() -> Results:
        spilling = Results(kept=4)
        for one in made:
            spilling.add(one)
        assert spilling.spilled is not None
        spilled = Path(spilling.spilled)
        files.append(spilled)
        changed = bytearray(spilled.read_bytes())
        changed[-5] ^= 1
        spilled.write_bytes(bytes(changed))
        return spilling

    with pytest.raises(Unspillable, match="changed on disk"):
        list(tampered())
    source = Source("log.jsonl", "jsonl", 1)
    read = list(driver._read(source, tampered()))  # as the driver reports it: one item more, no traceback
    assert read[:4] == made[:4]
    assert read[-1] == Result(
        "log.jsonl", "unreadable", reason="could not be judged: its temporary file of results changed on disk"
    )
    assert len(files) == 2
    assert not any(file.exists() for file in files)


def test_answers_that_wait_their_turn_hold_few_of_their_results_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source read once is judged before its turn, with every other such
    source: its answer holds none of its first results in memory and fewer
    than KEPT of its last, and the driver puts those away too once the
    answers waiting hold more than KEPT in all; the same results, in the same order."""
    monkeypatch.setattr(driver, "KEPT", 8)
    path = tmp_path / "log.jsonl"
    path.write_bytes(log_lines(300))
    source = Source(str(path), "jsonl", path.stat().st_size)
    kept = list(work(Checker(), source)[0])
    waiting = work(Checker(), source, waits=True)[0]
    assert waiting.first == []
    assert 0 < len(waiting.last) < 8
    assert waiting.spilled is not None
    assert list(waiting) == kept
    assert len(kept) > 10

    put_away: list[int] = []
    original = driver.Results.put_away

    def counted(results: driver.Results) -> driver.Results:
        put_away.append(len(results.last))
        return original(results)

    monkeypatch.setattr(driver.Results, "put_away", counted)
    paths = []
    for n in range(6):  # read once, each: a few results, held until their turn
        packed = tmp_path / f"log-{n}.jsonl.gz"
        packed.write_bytes(gzip.compress(log_lines(20, seed=n)))
        paths.append(str(packed))
    alone = [list(each_result(judge_all(Checker(), [one]))) for one in paths]
    assert not put_away  # one file alone: its answer waits for no other
    assert list(each_result(judge_all(Checker(), paths))) == [r for one in alone for r in one]
    assert put_away  # the answers waiting held more than KEPT: put away


@pytest.fixture
def temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system's folder of temporary files, for this test (and the workers it forks) alone."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_a_worker_that_dies_with_results_in_their_file_leaves_no_file_behind(
    tmp_path: Path, temporary: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file of a task whose worker died (twice: it is retried) is the
    run's to remove: only the worker knew its name."""
    monkeypatch.setattr(driver, "KEPT", 4)
    monkeypatch.setattr("contracts.captures.driver.work", spilling_then_dying_work)
    for name in ("a.jsonl", "die.jsonl"):
        (tmp_path / name).write_bytes(log_lines(200))
    results = list(each_result(judge_all(Checker(), [str(tmp_path / "a.jsonl"), str(tmp_path / "die.jsonl")], jobs=2)))
    assert results[-1].reason == "could not be judged: its worker process died"
    assert len(results) > 100
    assert list(temporary.iterdir()) == []


def test_a_run_closed_before_its_end_stops_its_workers_and_leaves_no_file_behind(
    tmp_path: Path, temporary: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Results no longer wanted (the report's reader gone, Ctrl-C): the run
    does not wait for a task still running, and the answers it had not
    reported yet leave none of their temporary files."""
    monkeypatch.setattr(driver, "KEPT", 4)
    monkeypatch.setattr("contracts.captures.driver.work", hanging_work)
    paths = []
    for name in ("a.jsonl", "b.jsonl", "hang.jsonl"):
        (tmp_path / name).write_bytes(log_lines(200))
        paths.append(str(tmp_path / name))
    results = Run(Checker(), paths, jobs=2).results()
    next(results)
    closing = threading.Thread(target=results.close)
    closing.start()
    closing.join(timeout=60)  # it waited for hang.jsonl's 600 seconds without the workers stopped
    assert not closing.is_alive()
    assert list(temporary.iterdir()) == []


def test_workers_stopped_while_one_sends_its_answer_end_and_are_not_waited_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker terminated in the middle of sending its answer leaves the
    pool's reading thread waiting for bytes that never come: stopping the
    workers ends that wait, so the run's end (Ctrl-C, SIGTERM) does not hang."""
    monkeypatch.setattr("contracts.captures.driver.work", half_sent_work)
    sent = tmp_path / "sent"
    workers = driver.Workers(Checker(), 2, folder=str(tmp_path))
    future = workers.submit(Source(str(sent), "jsonl"))
    for _ in range(1200):
        if sent.exists():
            break
        time.sleep(0.05)
    assert sent.exists()
    workers.stop()
    ending = threading.Thread(target=workers.shutdown)
    ending.start()
    ending.join(timeout=60)  # it waited for ever
    assert not ending.is_alive()
    with pytest.raises(driver.BrokenProcessPool):
        future.result(timeout=0)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_costly_local_source_is_read_once_its_secrets_known_before_the_first_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """A compressed log and a HAR streamed from the disk are read by their
    judging only (a second reading would cost a decompression, a strict
    parse of every entry), a small body by the secrets pass and its judging;
    the tokens that only those read once name are still hidden in a body
    listed before them."""
    from contracts.captures import opening, readers
    from contracts.cli import main

    tokens = [f"read-once-token-{jobs}-{n}-c41e" for n in (1, 2)]  # one a run: a process keeps what it remembered
    log = tmp_path / "opened.log"  # one line a file opened to be read, in this process or a worker
    opened, opened_file = opening.opened, readers._open

    def counted(name: str, **options: Any) -> Any:
        with log.open("a") as out:
            out.write(f"{Path(name).name}\n")
        return opened(name, **options)

    def counted_file(name: str) -> Any:
        with log.open("a") as out:
            out.write(f"{Path(name).name}\n")
        return opened_file(name)

    monkeypatch.setattr(opening, "opened", counted)
    monkeypatch.setattr(readers, "_open", counted_file)
    monkeypatch.setattr(readers, "WHOLE_BYTES", 1000)  # the HAR below is streamed from its file
    echo = tmp_path / "a-echo.json"
    echo.write_text(json.dumps({"data": {**JOB["data"], "type": " ".join(tokens)}}))  # a finding that shows them
    record = {
        "request": {"method": "GET", "url": "https://api.test/pcm/jobs/x", "headers": {"Authorization": tokens[0]}},
        "response": {"status": 200, "body": JOB},
    }
    (tmp_path / "b-records.jsonl.gz").write_bytes(gzip.compress(json.dumps(record).encode() + b"\n"))
    entry = {
        "request": {
            "method": "GET",
            "url": f"https://api.test/pcm/jobs/{JOB['data']['id']}",
            "headers": [{"name": "Authorization", "value": f"Bearer {tokens[1]}"}],
        },
        "response": {"status": 200, "content": {"mimeType": "application/json", "text": json.dumps(JOB)}},
    }
    (tmp_path / "c-capture.har").write_text(json.dumps({"log": {"entries": [entry] * 20}}, indent=2))
    assert (tmp_path / "c-capture.har").stat().st_size > readers.WHOLE_BYTES
    out = io.StringIO()
    main(["validate", "--no-progress", "--jobs", str(jobs), *sorted(map(str, tmp_path.glob("[abc]-*")))], out=out)
    assert "type" in out.getvalue()
    assert not any(token in out.getvalue() for token in tokens)
    assert sorted(log.read_text().split()) == ["a-echo.json", "a-echo.json", "b-records.jsonl.gz", "c-capture.har"]


def test_a_source_read_first_moves_the_progress_bar_when_it_is_read(tmp_path: Path) -> None:
    """A compressed file listed last is judged first: the bar counts it then,
    not when its results' turn comes (it stood still while such files were read)."""
    plain, packed = tmp_path / "a.jsonl", tmp_path / "b.jsonl.gz"
    plain.write_bytes(lines_of(5))
    packed.write_bytes(gzip.compress(lines_of(5)))
    told: list[int] = []
    results = Run(Checker(), [str(plain), str(packed)]).results(told.append)
    next(results)
    assert told == [packed.stat().st_size, plain.stat().st_size]
    list(results)
    assert told == [packed.stat().st_size, plain.stat().st_size]
