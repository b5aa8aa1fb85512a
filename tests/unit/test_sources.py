"""The traversal: every entry accounted for, special files never opened, links followed once."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from contracts.captures.items import Skipped, Unreadable
from contracts.captures.sources import Source, below_walked, sources
from contracts.registry import ROOT

BODY = {"errors": [{"status": "404", "title": "Not Found", "detail": "No job found"}]}


def listed(*paths: Path) -> list[tuple[str, str, str]]:
    """(name below the folder, what it is, why) for everything the traversal finds."""
    found = []
    for one in sources(map(str, paths)):
        kind = one.kind if isinstance(one, Source) else type(one).__name__
        reason = "" if isinstance(one, Source) else one.reason
        found.append((one.name if isinstance(one, Source) else one.source, kind, reason))
    return found


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "pipe.jsonl"
    os.mkfifo(path)
    return path


def test_a_fifo_in_a_directory_or_named_is_skipped_never_opened(tmp_path: Path, fifo: Path) -> None:
    # opening a FIFO nobody writes to blocks for ever: the command must finish, and say why it skipped it
    (tmp_path / "ok.json").write_text(json.dumps(BODY))
    for argv in ([str(tmp_path)], [str(fifo), str(tmp_path / "ok.json")]):
        done = subprocess.run(
            [sys.executable, "-m", "contracts", "validate", "-v", *argv],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert f"{fifo}: skipped: a FIFO (named pipe)" in done.stdout
        assert "read 2 payload(s): 1 valid, 0 invalid, 0 unreadable, 1 skipped" in done.stdout


def test_sockets_and_devices_are_skipped_with_their_kind(tmp_path: Path) -> None:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "api.sock"))
    try:
        assert listed(tmp_path, Path(os.devnull)) == [
            (str(tmp_path / "api.sock"), "Skipped", "a socket: not opened"),
            (os.devnull, "Skipped", "a character device: not opened"),
        ]
    finally:
        server.close()


def test_a_link_to_a_directory_is_followed_and_a_loop_is_skipped_once(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "b.json").write_text(json.dumps(BODY))
    folder = tmp_path / "captures"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.json").write_text(json.dumps(BODY))
    (folder / "linked").symlink_to(elsewhere)
    (folder / "sub" / "up").symlink_to(folder)  # a loop
    (folder / "sub" / "again").symlink_to(elsewhere)  # a second way into a directory already read
    again = "a link to a directory this walk has already read (a loop): not read again"
    assert listed(folder) == [
        (str(folder / "a.json"), "json", ""),
        (str(folder / "linked" / "b.json"), "json", ""),
        (str(folder / "sub" / "again"), "Skipped", again),
        (str(folder / "sub" / "up"), "Skipped", again),
    ]


def test_broken_links_other_files_and_missing_paths_are_each_one_item(tmp_path: Path) -> None:
    folder = tmp_path / "captures"
    folder.mkdir()
    (folder / "gone.har").symlink_to(folder / "nowhere.har")
    (folder / "gone.txt").symlink_to(folder / "nowhere.txt")
    (folder / "notes.md").write_text("# notes")
    (tmp_path / "empty").mkdir()
    found = list(
        sources([str(folder), str(tmp_path / "missing.json"), str(tmp_path / "empty"), str(folder / "notes.md")])
    )
    assert [(type(one).__name__, one.reason) for one in found if not isinstance(one, Source)] == [
        ("Unreadable", "a broken symbolic link (what it points to does not exist)"),
        ("Skipped", "not a capture file (.json, .jsonl, .ndjson, .har)"),
        ("Skipped", "not a capture file (.json, .jsonl, .ndjson, .har)"),
        ("Unreadable", "no such file"),
        ("Unreadable", "an empty directory"),
        ("Unreadable", "unknown file type (expected .json, .jsonl, .ndjson, .har or a directory)"),
    ]
    skipping = list(sources([str(folder / "notes.md")], skip_unknown=True))
    assert skipping == [Skipped(str(folder / "notes.md"), "not a capture file (.json, .jsonl, .ndjson, .har)")]


def test_large_json_lines_become_ranges_on_line_boundaries_and_small_files_stay_whole(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    log.write_bytes(b"".join(json.dumps(BODY).encode() + b"\n" for _ in range(100)))
    small = tmp_path / "one.jsonl"
    small.write_bytes(b"{}\n")
    found = [one for one in sources([str(log), str(small)], split_bytes=1000) if isinstance(one, Source)]
    cut = [one for one in found if one.name == str(log)]
    assert len(cut) > 3
    assert all(one.is_range for one in cut)
    assert [one.last for one in cut].count(True) == 1
    assert sum(one.bytes for one in cut) == log.stat().st_size
    data = log.read_bytes()
    assert all(one.end is not None and data[one.end - 1 : one.end] == b"\n" for one in cut)
    assert [(one.is_range, one.bytes) for one in found if one.name == str(small)] == [(False, 3)]


def test_standard_input_is_read_once_as_a_source(tmp_path: Path) -> None:
    import io

    found = list(sources(["-"], stdin=io.BytesIO(b"{}")))
    assert found == [Source("stdin", "stdin", data=b"{}")]
    assert not isinstance(found[0], Unreadable)


def test_a_glob_match_below_a_matched_directory_is_left_to_its_walk() -> None:
    """Only a directory's own descendants are dropped: not a sibling that shares the start of
    its name (``logs/ab`` beside ``logs/a``), nor one that sorts between it and its content."""
    folders = {"logs", "logs/a", "/x", "/x/y"}
    matches = ["logs-old/z.jsonl", "logs/", "logs/a", "logs/a/x.jsonl", "logs/y.jsonl"]
    assert list(below_walked(matches, lambda m: m.rstrip("/") in folders, "/")) == ["logs-old/z.jsonl", "logs/"]
    matches = ["logs/a", "logs/a/x", "logs/ab/x", "/x/y/z", "/x", "/x/y", "/x/y/z", "/z"]
    assert list(below_walked(matches, lambda m: m in folders, "/")) == ["logs/a", "logs/ab/x", "/x/y/z", "/x", "/z"]
