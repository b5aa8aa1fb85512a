"""``--engine dask``: the reports, summary, coverage and exit code of the local engine, on a Dask cluster.

One local cluster of two worker processes serves the module (a start costs
seconds); the command reaches it with ``--scheduler``, as it would a remote
one. Skipped, with the reason, where the dask extra is not installed (CI
installs it with ``.[test]``).
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import contracts
from contracts.captures.driver import work
from contracts.captures.judge import Checker
from contracts.captures.sources import Source
from contracts.cli import main
from contracts.registry import EXAMPLES_DIR
from tests.casefiles import example
from tests.pipeline import each_result
from tests.unit.test_accounting import corpus

NO_EXTRA = "the dask extra is not installed: pip install -e '.[dask]'"
JOB = example("get-a-job/200-product-export")["response"]["body"]
BIG_LINES = 200_000
PERIOD = 50
"""The big capture repeats this many lines: valid bodies, then a drifted one, a record, one not JSON, a blank one."""


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """One ``distributed.LocalCluster`` of two single-threaded worker processes for the module."""
    distributed = pytest.importorskip("distributed", reason=NO_EXTRA)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=logging.ERROR
    ) as made:
        yield made


def big_capture(path: Path, lines: int) -> Path:
    """``lines`` lines of JSON Lines, fast: :data:`PERIOD` lines repeated, each job with its own id."""
    drifted = json.loads(json.dumps(JOB))
    drifted["data"]["attributes"]["status"] = "queued"
    record = {"request": {"method": "GET", "path": "/pcm/jobs/@ID@"}, "response": {"status": 200, "body": JOB}}
    compact = {"separators": (",", ":")}  # as logs write them: the valid ones take the fast path
    kinds = [json.dumps(one, **compact) for one in [JOB] * (PERIOD - 4) + [drifted, record]] + ["{not json", ""]
    templates = [kind.replace(JOB["data"]["id"], "@ID@").split("@ID@") for kind in kinds]
    prefix = JOB["data"]["id"][:24]
    with path.open("w") as out:
        for number in range(lines):
            parts = templates[number % len(templates)]
            out.write(f"{prefix}{number:012x}".join(parts) + "\n")
    return path


def report(paths: list[str], output: Path, *engine: str) -> tuple[int, bytes]:
    """The exit code and JSON report of ``validate`` over ``paths`` with the options ``engine``."""
    code = main(["validate", *paths, "--format", "json", "--output", str(output), "--no-progress", "-q", *engine])
    return code, output.read_bytes()


@pytest.mark.parametrize("inputs", ["examples", "drift corpus", "200,000 lines"])
def test_the_dask_engine_writes_the_json_report_of_the_local_engine_byte_for_byte(
    cluster: Any, tmp_path: Path, inputs: str
) -> None:
    if inputs == "examples":
        paths = [str(EXAMPLES_DIR)]
    elif inputs == "drift corpus":
        paths = [str(corpus(tmp_path))]
    else:
        paths = [str(big_capture(tmp_path / "big.jsonl", BIG_LINES))]
    local = report(paths, tmp_path / "local.json", "--jobs", "2")
    dask = report(paths, tmp_path / "dask.json", "--engine", "dask", "--scheduler", cluster.scheduler_address)
    assert dask == local
    assert local[0] == 1  # each holds invalid payloads
    if inputs == "200,000 lines":
        summary = json.loads(local[1])["summary"]
        kinds = [number % PERIOD for number in range(BIG_LINES)]
        assert summary["read"] == BIG_LINES - kinds.count(PERIOD - 1)  # the blank lines are no payload
        assert summary["unreadable"] == kinds.count(PERIOD - 2)
        assert summary["invalid"] == kinds.count(PERIOD - 4)


def test_without_an_address_the_engine_starts_a_local_cluster_of_jobs_workers_and_closes_it(tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason=NO_EXTRA)
    before = set(multiprocessing.active_children())
    local = report([str(EXAMPLES_DIR)], tmp_path / "local.json")
    dask = report([str(EXAMPLES_DIR)], tmp_path / "dask.json", "--engine", "dask", "--jobs", "2")
    assert dask == local
    assert set(multiprocessing.active_children()) <= before  # its workers are gone


def dying_work(checker: Checker, source: Source, *rest: Any) -> Any:
    """The driver's task, except that the worker judging ``die.jsonl`` dies the first time (a marker file tells)."""
    marker = Path(source.name).with_suffix(".died")
    if Path(source.name).name == "die.jsonl" and not marker.exists():
        marker.touch()
        os._exit(1)
    return work(checker, source, *rest)


def always_dying_work(checker: Checker, source: Source, *rest: Any) -> Any:
    """The driver's task, except that every worker judging ``die.jsonl`` dies."""
    if Path(source.name).name == "die.jsonl":
        os._exit(1)
    return work(checker, source, *rest)


def lines_of(count: int) -> str:
    return "".join(json.dumps(JOB) + "\n" for _ in range(count))


def test_a_worker_killed_mid_partition_costs_a_retry_never_a_lost_or_doubled_item(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "captures"
    folder.mkdir()
    for name, count in (("a.jsonl", 5), ("die.jsonl", 7), ("z.jsonl", 11)):
        (folder / name).write_text(lines_of(count))
    cluster.wait_for_workers(2, timeout=60)
    monkeypatch.setattr("contracts.captures.driver.work", dying_work)
    address = cluster.scheduler_address
    code, written = report([str(folder)], tmp_path / "dask.json", "--engine", "dask", "--scheduler", address)
    assert (folder / "die.died").exists()  # its worker did die
    results = json.loads(written)["results"]
    assert [one["source"] for one in results] == [
        *(f"{folder}/a.jsonl:{n}" for n in range(1, 6)),
        *(f"{folder}/die.jsonl:{n}" for n in range(1, 8)),
        *(f"{folder}/z.jsonl:{n}" for n in range(1, 12)),
    ]
    assert {one["verdict"] for one in results} == {"valid"}
    assert code == 0


def test_a_partition_whose_workers_keep_dying_is_one_unreadable_item_and_the_run_goes_on(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "die.jsonl").write_text(lines_of(3))
    (tmp_path / "notes.txt").write_text("the item after it, judged after it")
    cluster.wait_for_workers(2, timeout=60)  # the worker killed before is back: no other task shares the dying one
    monkeypatch.setattr(cluster.scheduler, "allowed_failures", 0)  # no retry: one death is too many
    monkeypatch.setattr("contracts.captures.driver.work", always_dying_work)
    results = contracts.validate_on_dask([str(tmp_path)], scheduler=cluster.scheduler_address).results
    assert [(Path(r.source).name, r.verdict) for r in results] == [
        ("die.jsonl", "unreadable"),
        ("notes.txt", "skipped"),
    ]
    assert results[0].reason == "could not be judged: its worker process died"


def test_the_python_function_takes_a_bag_or_paths_and_gives_the_results_and_summary_of_the_command(
    cluster: Any, tmp_path: Path
) -> None:
    import dask.bag

    paths = [str(EXAMPLES_DIR), str(corpus(tmp_path))]
    expected = json.loads(report(paths, tmp_path / "local.json")[1])
    for inputs in (paths, dask.bag.from_sequence(paths, npartitions=2)):
        found = contracts.validate_on_dask(inputs, scheduler=cluster.scheduler_address)
        assert [one.as_dict() for one in found.results] == expected["results"]
        assert found.summary.as_dict() == expected["summary"]
        assert found.coverage == expected["coverage"]


def test_the_same_source_named_twice_is_judged_twice(cluster: Any, tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text(lines_of(2))
    found = contracts.validate_on_dask([str(path), str(path)], scheduler=cluster.scheduler_address)
    assert [r.source for r in found.results] == [f"{path}:1", f"{path}:2"] * 2
    assert list(each_result(found.results)) == found.results


def test_scheduler_without_the_dask_engine_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(EXAMPLES_DIR), "--scheduler", "tcp://127.0.0.1:8786"]) == 2
    assert capsys.readouterr().err == "pcm-contracts: --scheduler needs --engine dask\n"


def test_without_the_extra_the_dask_engine_is_one_line_and_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("contracts.cli.dask_installed", lambda: False)
    output = tmp_path / "report.json"
    assert main(["validate", str(EXAMPLES_DIR), "--engine", "dask", "--output", str(output)]) == 2
    assert capsys.readouterr().err == "pcm-contracts: --engine dask needs Dask: pip install 'pcm-contracts[dask]'\n"
    assert not output.exists()


def test_a_scheduler_out_of_reach_is_one_line_without_credentials_and_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pytest.importorskip("distributed", reason=NO_EXTRA)  # its defaults in dask's config before the set below
    import dask.config

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    output = tmp_path / "report.json"
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        for address in (f"tcp://127.0.0.1:{port}", f"tcp://user:hunter2-secret@127.0.0.1:{port}"):
            argv = ["validate", str(EXAMPLES_DIR), "--engine", "dask", "--scheduler", address]
            assert main([*argv, "--output", str(output)]) == 2
            err = capsys.readouterr().err
            assert err.startswith(f"pcm-contracts: cannot reach the Dask scheduler at tcp://127.0.0.1:{port}")
            assert err.count("\n") == 1
            assert "hunter2" not in err
            assert not output.exists()


def test_workers_with_another_version_of_the_package_are_a_usage_error(
    cluster: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("contracts.captures.engines.__version__", "0.0.1")
    argv = ["validate", str(EXAMPLES_DIR), "--engine", "dask", "--scheduler", cluster.scheduler_address]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        f"pcm-contracts: the Dask workers at {cluster.scheduler_address} have pcm-contracts {contracts.__version__}, "
        "this command 0.0.1: install the same version on them\n"
    )


def test_import_contracts_imports_no_dask() -> None:
    code = "import sys, contracts, contracts.cli; print(sorted({'dask', 'distributed'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"
