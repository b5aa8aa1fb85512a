"""Sources -> byte streams: a file, a range of one, a remote file or standard
input, opened for reading and decompressed.

The readers (:mod:`contracts.captures.readers`) read every source through
:func:`opened`: they never open a file themselves. What this module decides,
once:

* **Compression** is told by the first bytes, whatever the name says
  (:func:`compression_of`): gzip, bzip2, xz and zstd each start with a magic
  number that no JSON text can start with (JSON starts with whitespace, a BOM,
  ``{``, ``[``, ``"``, a digit, ``-``, ``t``, ``f`` or ``n``), so the content
  decides safely, as it does for a HAR in a ``.json`` file. A name's
  compression suffix (``.gz``, ``.bz2``, ``.xz``, ``.zst``) only tells the kind
  of what is inside (``log.jsonl.gz`` is JSON Lines) and that the file must
  never be cut into byte ranges (:func:`kind_suffix`).
* **Damage** (a truncated or corrupt compressed stream) is :class:`Damaged`,
  raised by the stream's ``read`` with a one-line reason; the reader gives what
  it read before, then one unreadable item.
* **Streaming.** A decompressed stream is read a block at a time with
  ``read1`` (``GzipFile``, ``BZ2File``, ``LZMAFile``, ``ZstdFile``: each step's
  output is bounded, however much the input inflates), so a decompression
  bomb costs a block of memory, never the whole file.
* **Remote files** (``s3://``, ``gs://``, ``https://``, ...) are opened with
  fsspec (:mod:`contracts.captures.remote`), lazily imported.

The standard library has gzip, bzip2 and xz; zstd comes from
``compression.zstd`` (Python 3.14+) or its backport ``backports.zstd``, whose
``ZstdFile`` raises ``EOFError`` on a truncated stream as the others do.
"""

from __future__ import annotations

import bz2
import functools
import gzip
import io
import lzma
import os
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO, Literal

from contracts.errors import one_line

Compression = Literal["gzip", "bzip2", "xz", "zstd"]
SUFFIXES: dict[str, Compression] = {".gz": "gzip", ".bz2": "bzip2", ".xz": "xz", ".zst": "zstd"}
"""A compression a name's last suffix says (``log.jsonl.gz``): the kind is the suffix before it."""
MAGIC: tuple[tuple[bytes, Compression], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)
HEAD = 6
"""Bytes enough to tell every compression of :data:`MAGIC`."""
BLOCK = 2**18
"""Bytes a reader asks for at a time (of the decompressed stream). Not more:
a block of 1 MiB costs twice the time to read (the allocator hands each one
fresh pages rather than the ones the block before freed), and the lines split
out of a smaller one are likelier to be in the processor's cache still when
they are judged."""
DOCUMENT_LIMIT = 256 * 2**20
"""The most bytes a compressed or remote document (a ``.json`` or ``.har``, or
standard input holding one) may decompress to: a whole document is parsed in
memory, so a larger one is one unreadable item rather than a machine out of
memory (a decompression bomb). JSON Lines are streamed and have no such limit,
only a limit a line (:data:`MAX_LINE`)."""
MAX_LINE = 64 * 2**20
"""The longest line of JSON Lines read (about 13 times the client's cap on a live
body): a longer one is one unreadable item, skipped to its end without being held."""


class Damaged(Exception):
    """A stream that cannot be read on: truncated or corrupt compressed data,
    or a read error. ``reason`` is one line for the report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def compression_of(head: bytes) -> Compression | None:
    """The compression the first bytes of a stream say, or ``None`` for plain data."""
    for magic, compression in MAGIC:
        if head.startswith(magic):
            return compression
    return None


def kind_suffix(name: str) -> tuple[str, Compression | None]:
    """The suffix that tells a file's kind (lower case, ``""`` for none) and the
    compression its name says: ``log.jsonl.gz`` -> ``(".jsonl", "gzip")``."""
    base = name.rstrip("/").rpartition("/")[2].lower()
    stem, dot, last = base.rpartition(".")
    compression = SUFFIXES.get(f".{last}") if dot else None
    if compression is not None:
        base = stem
    stem, dot, last = base.rpartition(".")
    return (f".{last}" if dot and stem else ""), compression


class _Prefixed:
    """A stream whose first bytes were read already, to tell its compression."""

    def __init__(self, head: bytes, rest: Any) -> None:
        self.head, self.rest = head, rest

    def read(self, size: int = -1) -> bytes:
        head = self.head
        if not head:
            data: bytes = self.rest.read(size)
            return data
        if 0 <= size <= len(head):
            self.head = head[size:]
            return head[:size]
        self.head = b""
        more: bytes = self.rest.read(-1 if size < 0 else size - len(head))
        return head + more


def _zstd_file(raw: Any) -> Any:
    try:
        from compression import zstd  # type: ignore[import-not-found, unused-ignore]  # Python 3.14+
    except ImportError:
        from backports import zstd  # type: ignore[import-not-found, no-redef, unused-ignore]
    return zstd.ZstdFile(raw, "rb")


_OPENERS = {
    "gzip": lambda raw: gzip.GzipFile(fileobj=raw, mode="rb"),
    "bzip2": lambda raw: bz2.BZ2File(raw, "rb"),
    "xz": lambda raw: lzma.LZMAFile(raw, "rb"),  # noqa: SIM115  (closed with the stream it reads)
    "zstd": _zstd_file,
}


@functools.cache  # an import that fails is not cached by Python: looked for once a run, not once a file
def _decompression_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [EOFError, OSError, zlib.error, lzma.LZMAError]
    try:
        from compression import zstd  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        try:
            from backports import zstd  # type: ignore[import-not-found, no-redef, unused-ignore]
        except ImportError:  # only zstd input needs it
            return tuple(errors)
    errors.append(zstd.ZstdError)
    return tuple(errors)


class Stream:
    """A source's bytes, decompressed when they are compressed (``compression``);
    ``read`` raises :class:`Damaged` when the data cannot be read on. ``size``
    is a local file's size when it was opened. ``timed_out`` (a remote file's)
    says why for an error that is a timeout, ``None`` for any other: the
    reason then says so, whatever the compression."""

    def __init__(
        self,
        raw: Any,
        errors: tuple[type[BaseException], ...],
        *,
        sniff: bool = True,
        timed_out: Callable[[BaseException], str | None] | None = None,
    ) -> None:
        self.errors = errors
        self.size: int | None = None
        self.timed_out = timed_out
        try:
            head: bytes = raw.read(HEAD) if sniff else b""
        except errors as error:
            raise Damaged(f"cannot read: {self._said(error)}") from error
        self.compression = compression_of(head)
        whole = _Prefixed(head, raw)
        self.inner: Any = whole if self.compression is None else _OPENERS[self.compression](whole)

    def read(self, size: int = -1) -> bytes:
        try:
            data: bytes = self.inner.read(size)
        except self.errors as error:
            raise Damaged(self._damage(error)) from error
        return data

    def _said(self, error: BaseException) -> str:
        said = self.timed_out(error) if self.timed_out is not None else None
        return one_line(error) if said is None else said

    def _damage(self, error: BaseException) -> str:
        if self.compression is None or (self.timed_out is not None and self.timed_out(error) is not None):
            return f"cannot read on: {self._said(error)}"
        if isinstance(error, EOFError):
            return f"truncated {self.compression} data (it ends before its end-of-stream marker)"
        return f"corrupt {self.compression} data ({one_line(error)})"

    def blocks(self, size: int = BLOCK) -> Iterator[bytes]:
        """The bytes in blocks of ``size`` (the last may be shorter). When the
        data is damaged, what was decompressed before the damage comes first,
        then :class:`Damaged` is raised."""
        read = getattr(self.inner, "read1", None) or self.inner.read  # read1: what one step gives, never more
        parts: list[bytes] = []
        held = 0
        while True:
            try:
                data: bytes = read(size - held)
            except self.errors as error:
                if parts:
                    yield b"".join(parts)
                raise Damaged(self._damage(error)) from error
            if not data:
                break
            parts.append(data)
            held += len(data)
            if held >= size:
                yield b"".join(parts) if len(parts) > 1 else data
                parts, held = [], 0
        if parts:
            yield b"".join(parts)

    def whole(self, limit: int | None = None) -> bytes:
        """Every byte; with a ``limit``, at most that many (more: :class:`Damaged`,
        having held no more than the limit and a block)."""
        parts, held = [], 0
        for block in self.blocks():
            parts.append(block)
            held += len(block)
            if limit is not None and held > limit:
                raise Damaged(f"larger than {limit // 2**20} MiB when decompressed: not read whole")
        return b"".join(parts)


def is_remote(name: str) -> bool:
    """Whether a name is a URL of a remote file system (``s3://``, ``https://``, ...), not a local path."""
    scheme, found, _ = name.partition("://")
    return bool(found) and scheme.isalnum() and scheme.lower() != "file"


@contextmanager
def opened(name: str, *, start: int = 0, end: int | None = None, data: bytes | None = None) -> Iterator[Stream]:
    """A source's bytes as a :class:`Stream`: ``data`` (standard input's), a
    remote file, or a local file (a range of one, ``[start, end)``, is read as
    it is: a file that is cut is never compressed). Opening errors are the
    caller's: ``OSError``, or for a remote file what :func:`contracts.captures.remote.errors` lists."""
    errors = _decompression_errors()
    if data is not None:
        yield Stream(io.BytesIO(data), errors)
        return
    if is_remote(name):
        from contracts.captures import remote

        with remote.open_remote(name) as raw:
            yield Stream(raw, errors + remote.errors(), timed_out=remote.timeout_reason)
        return
    with open(name, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if end is None:
            stream = Stream(handle, errors)
        else:
            handle.seek(start)
            stream = Stream(_Bounded(handle, end - start), errors, sniff=False)
        stream.size = size
        yield stream


class _Bounded:
    """At most ``left`` bytes of a stream (a range of a file)."""

    def __init__(self, raw: BinaryIO, left: int) -> None:
        self.raw, self.left = raw, left

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        data = self.raw.read(size)
        self.left -= len(data)
        return data


def head_of(path: str) -> bytes:
    """The first bytes of a local file (to tell whether it is compressed)."""
    with open(path, "rb") as handle:
        return handle.read(HEAD)
