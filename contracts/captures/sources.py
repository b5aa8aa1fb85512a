"""Paths -> sources: the one traversal of the inputs.

The first stage of :mod:`contracts.captures`. Each path named on the command
line becomes sources to read (or items that need no reading: a file that is
skipped, a directory that cannot be read), in input order:

* ``-`` is standard input, read here, whole (:class:`Source` with ``data``;
  compressed, it stays compressed in memory: the reader decompresses it as a stream);
* a glob pattern (``'logs/*.jsonl.gz'``, quoted so the shell leaves it alone)
  that names no file itself is every path it matches, in name order, each as
  an entry of a directory; one that matches nothing is one unreadable item
  (:data:`NO_MATCH`);
* a URL (``s3://``, ``gs://``, ``https://``, ...) is a remote file, a remote
  directory (walked) or a remote glob, listed through fsspec
  (:mod:`contracts.captures.remote`); one that cannot be listed is one
  unreadable item;
* a directory is walked in name order, every entry accounted for: capture
  files are sources, other files are skipped, a link to a directory is
  followed unless it leads to a directory this walk has already read (a loop),
  which is skipped;
* a regular file is a source of the kind its suffix names
  (:data:`SUFFIXES`), after a compression suffix (``log.jsonl.gz`` is JSON
  Lines: :func:`~contracts.captures.opening.kind_suffix`); a JSON Lines file
  larger than ``split_bytes`` becomes byte ranges that start and end on line
  boundaries, each its own source (the driver judges them in any order, and
  puts their results back in order), unless it is compressed (by its name or
  its first bytes): a compressed file is one source, never cut;
* anything else is never opened for reading: a FIFO (which would block until
  someone writes to it), a socket or a device is skipped with its kind, a path
  that does not exist is unreadable.

The kind of a file is decided here, once, by its suffix; what a ``.json``
file or standard input holds (a HAR, a capture record, a bare body, JSON
Lines) is decided by its reader, by content.
"""

from __future__ import annotations

import glob
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from contracts.captures import opening, remote
from contracts.captures.items import Item, Skipped, Unreadable
from contracts.errors import one_line

Kind = Literal["json", "jsonl", "har", "stdin"]
SUFFIXES: dict[str, Kind] = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".har": "har"}
NOT_A_CAPTURE_FILE = "not a capture file (.json, .jsonl, .ndjson, .har)"
UNKNOWN_TYPE = "unknown file type (expected .json, .jsonl, .ndjson, .har or a directory)"
BROKEN_LINK = "a broken symbolic link (what it points to does not exist)"
NO_MATCH = "no file matches"
SPLIT_BYTES = 4 * 2**20
"""JSON Lines files larger than this are cut into ranges of about this size."""
BLOCK = 2**14
"""Bytes read at a time to find the line end a cut falls in (a line is seldom
longer: 1 MiB a cut cost 20 ms of start-up a million lines)."""
SPECIAL = {
    stat.S_IFIFO: "a FIFO (named pipe); to read a pipe, send it to standard input: ... | pcm-contracts validate -",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


@dataclass(frozen=True, slots=True)
class Source:
    """One thing to read: a whole file, the lines of a JSON Lines file in
    ``[start, end)`` (byte offsets on line boundaries; ``last`` marks the last
    range of a file), or standard input's bytes (``data``).

    ``size`` is the file's when it was listed: the reader of a range that finds
    the file shorter says so rather than judging half a file."""

    name: str
    kind: Kind
    size: int = 0
    start: int = 0
    end: int | None = None
    last: bool = True
    data: bytes | None = None

    @property
    def is_range(self) -> bool:
        """Whether this is one range of a split file (its lines are numbered from 1 in the range)."""
        return self.end is not None

    @property
    def bytes(self) -> int:
        """The bytes of the inputs this source stands for (the progress bar's unit)."""
        return (self.end - self.start) if self.end is not None else self.size


Found = Source | Item
"""What the traversal yields: a source to read, or an item it decided itself."""


def sources(
    paths: Iterable[str],
    *,
    split_bytes: int = SPLIT_BYTES,
    skip_unknown: bool = False,
    stdin: BinaryIO | None = None,
) -> Iterator[Found]:
    """Every source of every input, in order. ``skip_unknown``: a named file
    of another type is skipped rather than unreadable (the pre-commit hook's mode)."""
    for name in paths:
        if name == "-":
            yield Source("stdin", "stdin", data=(stdin or sys.stdin.buffer).read())
        elif opening.is_remote(name):
            yield from _remote(name, skip_unknown)
        elif remote.has_magic(name) and not os.path.lexists(name):
            yield from _glob(name, split_bytes)
        else:
            yield from _path(Path(name), split_bytes, skip_unknown)


def kind_of(name: str) -> Kind | None:
    """The kind a file's name says (``log.jsonl.gz``: ``jsonl``), or ``None``."""
    return SUFFIXES.get(opening.kind_suffix(name)[0])


def _glob(pattern: str, split_bytes: int) -> Iterator[Found]:
    """The paths a local glob pattern matches, in name order, each as a directory's
    entry; a match below a directory matched too is read by that directory's walk
    (:func:`below_walked`)."""
    matches = sorted(glob.glob(pattern, recursive=True))
    if not matches:
        yield Unreadable(pattern, NO_MATCH)
    for match in below_walked(matches, os.path.isdir, os.sep):
        yield from _path(Path(match), split_bytes, skip_unknown=True)


def below_walked(matches: list[str], is_dir: Callable[[str], bool], sep: str) -> Iterator[str]:
    """``matches`` (in name order) without those below a directory among them:
    a directory a glob matches is walked whole, so ``logs/**``, which matches
    ``logs/`` and everything in it, reads each file once, not once for each
    directory above it that matched."""
    walked: set[str] = set()  # the directories among them, without a final separator
    for match in matches:
        name = match.rstrip(sep) or match
        above = name
        while sep in above:  # each directory above it, up to the first part
            above = above.rsplit(sep, 1)[0]
            if above in walked:
                break
        else:
            if is_dir(match):
                walked.add(name)
            yield match


def _path(path: Path, split_bytes: int, skip_unknown: bool) -> Iterator[Found]:
    """A path named on the command line."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        yield Unreadable(str(path), BROKEN_LINK if os.path.islink(path) else "no such file")
        return
    except OSError as error:
        yield Unreadable(str(path), f"cannot read: {one_line(error)}")
        return
    if stat.S_ISDIR(info.st_mode):
        found = False
        for one in _walk(path, {(info.st_dev, info.st_ino)}, split_bytes):
            found = True
            yield one
        if not found:
            yield Unreadable(str(path), "an empty directory")
        return
    kind = kind_of(path.name)
    if stat.S_ISREG(info.st_mode) and kind is None:
        yield Skipped(str(path), NOT_A_CAPTURE_FILE) if skip_unknown else Unreadable(str(path), UNKNOWN_TYPE)
        return
    yield from _file(path, info, kind, split_bytes)


def _walk(folder: Path, seen: set[tuple[int, int]], split_bytes: int) -> Iterator[Found]:
    """Every entry below ``folder``, in name order; ``seen`` holds the
    directories this walk has entered (by device and inode)."""
    try:
        with os.scandir(folder) as listing:
            names = sorted(entry.name for entry in listing)
    except OSError as error:
        yield Unreadable(str(folder), f"cannot read the directory: {one_line(error)}")
        return
    for name in names:
        child = folder / name
        try:
            info = os.stat(child)
        except FileNotFoundError:
            if os.path.islink(child):
                capture = kind_of(name) is not None  # meant to be read: a missing capture
                yield Unreadable(str(child), BROKEN_LINK) if capture else Skipped(str(child), NOT_A_CAPTURE_FILE)
            else:
                yield Unreadable(str(child), "no such file (it vanished while the directory was read)")
            continue
        except OSError as error:
            yield Unreadable(str(child), f"cannot read: {one_line(error)}")
            continue
        if stat.S_ISDIR(info.st_mode):
            key = (info.st_dev, info.st_ino)
            if key in seen:
                yield Skipped(str(child), "a link to a directory this walk has already read (a loop): not read again")
                continue
            seen.add(key)
            yield from _walk(child, seen, split_bytes)
            continue
        kind = kind_of(name)
        if stat.S_ISREG(info.st_mode) and kind is None:
            yield Skipped(str(child), NOT_A_CAPTURE_FILE)
        else:
            yield from _file(child, info, kind, split_bytes)


def _file(path: Path, info: os.stat_result, kind: Kind | None, split_bytes: int) -> Iterator[Found]:
    """A file found by its status: special files are skipped, never opened."""
    if not stat.S_ISREG(info.st_mode) or kind is None:
        special = SPECIAL.get(stat.S_IFMT(info.st_mode), "not a regular file")
        yield Skipped(str(path), f"{special}: not opened")
        return
    size = info.st_size
    if kind == "jsonl" and size > split_bytes and not _compressed(path):
        yield from ranges(path, info, split_bytes)
    else:
        yield Source(str(path), kind, size)


def _compressed(path: Path) -> bool:
    """Whether a file is compressed, by its name or its first bytes (then it is never cut into ranges)."""
    if opening.kind_suffix(path.name)[1] is not None:
        return True
    try:
        return opening.compression_of(opening.head_of(str(path))) is not None
    except OSError:  # said by the reader of its ranges
        return False


def _remote(url: str, skip_unknown: bool) -> Iterator[Found]:
    """A URL: a remote file, directory (walked) or glob, in name order. A
    missing optional package raises :class:`~contracts.errors.MissingExtra`."""
    remote.remember_url_secrets(url)
    fs, path = remote.filesystem(url)
    failures = remote.errors()
    try:
        if remote.has_magic(path):
            listed = dict(sorted(remote.bounded(fs.glob, path, detail=True).items()))
            if not listed:
                yield Unreadable(url, NO_MATCH)
            for found in below_walked(list(listed), lambda name: listed[name].get("type") == "directory", "/"):
                info = listed[found]
                if info.get("type") == "directory":
                    yield from _remote_tree(fs, found)
                else:
                    yield _remote_file(remote.unstrip(fs, found), info, listed=True)
            return
        info = remote.bounded(fs.info, path)
    except FileNotFoundError as error:
        yield Unreadable(url, remote.why(error))
        return
    except failures as error:
        yield Unreadable(url, f"cannot open: {remote.why(error)}")
        return
    if info.get("type") == "directory":
        yield from _remote_tree(fs, path)
    else:
        yield _remote_file(url, info, listed=skip_unknown)


def _remote_tree(fs: object, path: str) -> Iterator[Found]:
    """Every file below a remote directory, in name order."""
    url = remote.unstrip(fs, path)
    try:
        listed = sorted(remote.bounded(fs.find, path, detail=True).items())  # type: ignore[attr-defined]
    except remote.errors() as error:
        yield Unreadable(url, f"cannot read the directory: {remote.why(error)}")
        return
    if not listed:
        yield Unreadable(url, "an empty directory")
    for found, info in listed:
        yield _remote_file(remote.unstrip(fs, found), info, listed=True)


def _remote_file(url: str, info: dict[str, object], *, listed: bool) -> Found:
    """A remote file as a source (``listed``: found by a walk or a glob, so another type is skipped)."""
    kind = kind_of(url.partition("?")[0])
    if kind is None:
        return Skipped(url, NOT_A_CAPTURE_FILE) if listed else Unreadable(url, UNKNOWN_TYPE)
    size = info.get("size")
    return Source(url, kind, size if isinstance(size, int) else 0)


def ranges(path: Path, info: os.stat_result, split_bytes: int) -> Iterator[Found]:
    """``path`` cut into ranges of about ``split_bytes``, each ending after a
    newline (or at the end of the file). Only the bytes around each cut are
    read here: the reader reads the rest."""
    size, name, start = info.st_size, str(path), 0
    try:
        handle = path.open("rb")
    except OSError as error:
        yield Unreadable(name, f"cannot read: {one_line(error)}")
        return
    with handle:
        while start < size:
            end = start + max(split_bytes, 1)
            if end < size:  # on to the end of the line the cut falls in
                handle.seek(end - 1)
                while (block := handle.read(BLOCK)) and (found := block.find(b"\n")) == -1:
                    end += len(block)
                end = min(end + found, size) if block else size
            end = min(end, size)
            yield Source(name, "jsonl", size, start, end, last=end >= size)
            start = end
