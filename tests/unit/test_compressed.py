"""Compressed inputs: every format, by name or by first bytes, in a directory and on
standard input, give the report the same file gives uncompressed; damage is one item."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contracts.captures import opening
from contracts.captures.driver import judge_all
from contracts.captures.items import one_by_one
from contracts.captures.judge import Checker
from contracts.captures.readers import TOO_LONG, Reading
from contracts.captures.sources import Source, sources
from contracts.cli import main
from tests.pipeline import JOB, SECRET, each_result, log_lines, renamed

try:
    from compression import zstd  # type: ignore[import-not-found, unused-ignore]
except ImportError:
    from backports import zstd  # type: ignore[import-not-found, no-redef, unused-ignore]

COMPRESS: dict[str, Callable[[bytes], bytes]] = {
    ".gz": gzip.compress,
    ".bz2": bz2.compress,
    ".xz": lzma.compress,
    ".zst": zstd.compress,
}


def report(*paths: str, stdin: bytes | None = None, monkeypatch: pytest.MonkeyPatch | None = None) -> Any:
    """The JSON report of ``validate`` on ``paths``."""
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    out = io.StringIO()
    main(["validate", "--format", "json", "--no-progress", *paths], out=out)
    assert SECRET not in out.getvalue()
    return json.loads(out.getvalue())


@pytest.mark.parametrize("suffix", sorted(COMPRESS))
def test_each_compression_by_name_gives_the_report_of_the_plain_file(tmp_path: Path, suffix: str) -> None:
    data = log_lines(300)
    plain, packed = tmp_path / "gateway.jsonl", tmp_path / f"gateway.jsonl{suffix}"
    plain.write_bytes(data)
    packed.write_bytes(COMPRESS[suffix](data))
    expected = report(str(plain))
    assert all(expected["summary"][verdict] for verdict in ("valid", "invalid", "unreadable"))
    assert renamed(report(str(packed)), str(packed), str(plain)) == expected
    assert any(r["source"] == f"{packed}:17" for r in report(str(packed))["results"])


@pytest.mark.parametrize("suffix", sorted(COMPRESS))
def test_a_compressed_file_named_plainly_is_told_by_its_first_bytes(tmp_path: Path, suffix: str) -> None:
    data = log_lines(120)
    plain, sneaky = tmp_path / "a" / "log.jsonl", tmp_path / "b" / "log.jsonl"
    plain.parent.mkdir()
    sneaky.parent.mkdir()
    plain.write_bytes(data)
    sneaky.write_bytes(COMPRESS[suffix](data))
    assert renamed(report(str(sneaky)), str(sneaky), str(plain)) == report(str(plain))


def test_compressed_documents_and_hars_read_as_plain_ones(tmp_path: Path) -> None:
    har = {"log": {"entries": [{"request": {"method": "GET", "url": "https://x/pcm/jobs/1"},
                                "response": {"status": 200, "content": {"text": json.dumps(JOB)}}}]}}  # fmt: skip
    files = {"body.json": json.dumps(JOB).encode(), "capture.har": json.dumps(har).encode()}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        (tmp_path / f"{name}.zst").write_bytes(zstd.compress(data))
        (tmp_path / f"{name}.gz").write_bytes(gzip.compress(data))
        for packed in (f"{name}.zst", f"{name}.gz"):
            got = renamed(report(str(tmp_path / packed)), str(tmp_path / packed), str(tmp_path / name))
            assert got == report(str(tmp_path / name))


def test_a_directory_of_compressed_files_reads_as_the_same_files_plain(tmp_path: Path) -> None:
    plain, packed = tmp_path / "plain", tmp_path / "packed"
    for folder in (plain / "sub", packed / "sub"):
        folder.mkdir(parents=True)
    for index, suffix in enumerate(sorted(COMPRESS)):
        data = log_lines(40 + index, seed=index)
        (plain / "sub" / f"{index}.jsonl").write_bytes(data)
        (packed / "sub" / f"{index}.jsonl{suffix}").write_bytes(COMPRESS[suffix](data))
    (plain / "notes.txt").write_text("not a capture")
    (packed / "notes.txt").write_text("not a capture")
    (packed / "notes.txt.gz").write_bytes(gzip.compress(b"not a capture"))  # a .gz of no capture kind: skipped
    got = report(str(packed))
    for index, suffix in enumerate(sorted(COMPRESS)):
        got = renamed(got, str(packed / "sub" / f"{index}.jsonl{suffix}"), str(plain / "sub" / f"{index}.jsonl"))
    got = renamed(got, str(packed), str(plain))
    expected = report(str(plain))
    extra = [r for r in got["results"] if r["source"].endswith("notes.txt.gz")]
    assert [r["verdict"] for r in extra] == ["skipped"]
    got["results"].remove(extra[0])
    got["summary"]["read"] -= 1
    got["summary"]["skipped"] -= 1
    assert got == expected


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_large_compressed_log_is_one_source_never_cut(tmp_path: Path, jobs: int) -> None:
    data = log_lines(2000)
    (tmp_path / "plain.jsonl").write_bytes(data)
    (tmp_path / "big.jsonl").write_bytes(gzip.compress(data))  # compressed, named as plain: told by its bytes
    (tmp_path / "big.jsonl.xz").write_bytes(lzma.compress(data))
    found = list(sources([str(tmp_path / "big.jsonl"), str(tmp_path / "big.jsonl.xz")], split_bytes=1000))
    assert [(one.name, one.is_range) for one in found if isinstance(one, Source)] == [
        (str(tmp_path / "big.jsonl"), False),
        (str(tmp_path / "big.jsonl.xz"), False),
    ]
    expected = list(each_result(judge_all(Checker(), [str(tmp_path / "plain.jsonl")], split_bytes=1000, jobs=jobs)))
    for name in ("big.jsonl", "big.jsonl.xz"):
        got = list(each_result(judge_all(Checker(), [str(tmp_path / name)], split_bytes=1000, jobs=jobs)))
        assert [(r.source.replace(name, "plain.jsonl"), r.verdict, r.reason) for r in got] == [
            (r.source, r.verdict, r.reason) for r in expected
        ]


@pytest.mark.parametrize("suffix", sorted(COMPRESS))
def test_compressed_standard_input_reads_as_plain_standard_input(
    tmp_path: Path, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = log_lines(100)
    assert report("-", stdin=COMPRESS[suffix](data), monkeypatch=monkeypatch) == report(
        "-", stdin=data, monkeypatch=monkeypatch
    )
    document = json.dumps(JOB).encode()
    got = report("-", stdin=COMPRESS[suffix](document), monkeypatch=monkeypatch)
    assert [(r["source"], r["verdict"]) for r in got["results"]] == [("stdin", "valid")]


@pytest.mark.parametrize("suffix", sorted(COMPRESS))
def test_a_truncated_file_gives_the_lines_before_and_one_unreadable_item(tmp_path: Path, suffix: str) -> None:
    data = log_lines(6000)  # about 3.6 MB: several bzip2 blocks (900 kB each), and zstd blocks (128 kB)
    packed = COMPRESS[suffix](data)
    path = tmp_path / f"log.jsonl{suffix}"
    path.write_bytes(packed[: len(packed) * 3 // 4])
    results = list(each_result(judge_all(Checker(), [str(path)])))
    *lines, last = results
    assert last.source == str(path)
    assert last.verdict == "unreadable"
    assert last.reason is not None
    assert last.reason.startswith("truncated ")
    assert "\n" not in last.reason
    numbers = [int(r.source.rpartition(":")[2]) for r in lines]
    assert numbers == sorted(numbers)
    assert len(lines) > 100
    after = int(last.reason.rpartition(", after line ")[2])  # the whole lines read; the partial one is in the item
    assert numbers[-1] <= after <= numbers[-1] + 1  # (the line after the last result may be blank)
    plain = tmp_path / "plain.jsonl"
    plain.write_bytes(data)
    whole = {r.source.rpartition(":")[2]: r.verdict for r in each_result(judge_all(Checker(), [str(plain)]))}
    assert all(whole[str(n)] == r.verdict for n, r in zip(numbers, lines, strict=True))  # the same verdicts


def test_corrupt_data_is_one_unreadable_item_after_the_lines_before(tmp_path: Path) -> None:
    data = log_lines(3000)
    packed = bytearray(gzip.compress(data))
    packed[len(packed) // 2 : len(packed) // 2 + 64] = bytes(64)
    path = tmp_path / "log.jsonl.gz"
    path.write_bytes(bytes(packed))
    results = list(each_result(judge_all(Checker(), [str(path)])))
    assert results[-1].source == str(path)
    assert results[-1].verdict == "unreadable"
    assert results[-1].reason is not None
    assert results[-1].reason.startswith("corrupt gzip data (")
    assert len(results) > 100


def test_a_damaged_compressed_document_is_one_unreadable_item(tmp_path: Path) -> None:
    path = tmp_path / "body.json.bz2"
    path.write_bytes(bz2.compress(json.dumps(JOB).encode())[:-10])
    assert [(r.source, r.verdict, r.reason) for r in each_result(judge_all(Checker(), [str(path)]))] == [
        (str(path), "unreadable", "truncated bzip2 data (it ends before its end-of-stream marker)")
    ]


def test_a_decompression_bomb_is_read_a_block_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # lines of zeros without a line end, then one good line: the long one is one item, never held whole
    monkeypatch.setattr(opening, "MAX_LINE", 2**20)
    monkeypatch.setattr("contracts.captures.readers.opening.MAX_LINE", 2**20)
    good = json.dumps(JOB).encode()
    path = tmp_path / "bomb.jsonl.gz"
    with gzip.open(path, "wb") as out:
        for _ in range(64):
            out.write(b"0" * 2**20)  # 64 MiB of one line
        out.write(b"\n" + good + b"\n")
    assert path.stat().st_size < 2**20
    results = [(r.source, r.verdict, r.reason) for r in each_result(judge_all(Checker(), [str(path)]))]
    assert results == [(f"{path}:1", "unreadable", TOO_LONG), (f"{path}:2", "valid", None)]


def test_a_compressed_document_larger_than_the_limit_is_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(opening, "DOCUMENT_LIMIT", 2**20)
    path = tmp_path / "huge.json.gz"
    path.write_bytes(gzip.compress(b" " * 3 * 2**20 + json.dumps(JOB).encode()))
    assert [(r.verdict, r.reason) for r in each_result(judge_all(Checker(), [str(path)]))] == [
        ("unreadable", "larger than 1 MiB when decompressed: not read whole")
    ]


def test_the_reader_holds_a_block_not_the_file() -> None:
    blocks = []
    stream = opening.Stream(io.BytesIO(gzip.compress(b"x\n" * 3 * 2**20)), opening._decompression_errors())
    for block in stream.blocks():
        blocks.append(len(block))
    assert max(blocks) <= opening.BLOCK
    assert sum(blocks) == 6 * 2**20


def test_the_names_kind_comes_before_its_compression() -> None:
    assert opening.kind_suffix("gateway-2026-11-30.jsonl.gz") == (".jsonl", "gzip")
    assert opening.kind_suffix("capture.har.zst") == (".har", "zstd")
    assert opening.kind_suffix("s3://b/logs/body.JSON.XZ") == (".json", "xz")
    assert opening.kind_suffix("log.jsonl") == (".jsonl", None)
    assert opening.kind_suffix("notes.gz") == ("", "gzip")
    assert opening.kind_suffix(".gz") == ("", "gzip")


def test_no_json_text_starts_like_a_compressed_stream() -> None:
    starts = b' \t\r\n{["-0123456789tfn\xef'
    assert all(opening.compression_of(bytes([byte])) is None for byte in starts)
    for magic, _ in opening.MAGIC:
        assert magic[0] not in starts


def test_a_reading_of_a_compressed_file_counts_its_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl.gz"
    path.write_bytes(gzip.compress(b"{}\n\n{}\n"))
    reading = Reading(Source(str(path), "jsonl", path.stat().st_size))
    assert [getattr(item, "source", None) for item in one_by_one(reading)] == [f"{path}:1", f"{path}:3"]
    assert (reading.lines, reading.nonblank) == (3, True)


def test_compressed_standard_input_beyond_the_document_limit_is_json_lines_streamed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(opening, "DOCUMENT_LIMIT", 2**18)
    data = log_lines(2000)
    assert len(data) > 2 * 2**18
    plain = report("-", stdin=data, monkeypatch=monkeypatch)
    assert report("-", stdin=gzip.compress(data), monkeypatch=monkeypatch) == plain  # the secret masked too
    assert len(plain["results"]) > 1000


def test_the_progress_bar_counts_a_compressed_file_by_its_compressed_size(tmp_path: Path) -> None:
    from contracts.captures.driver import Run

    path = tmp_path / "log.jsonl.gz"
    path.write_bytes(gzip.compress(log_lines(50)))
    told: list[int] = []
    run = Run(Checker(), [str(path)])
    list(run.results(told.append))
    assert told == [run.total] == [path.stat().st_size]
