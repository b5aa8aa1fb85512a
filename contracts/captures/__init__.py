"""Captured payloads -> verdicts: ``pcm-contracts validate``, ``--payloads`` and ``examples``.

One pipeline, one module a stage, in the order the data flows:

1. :mod:`~contracts.captures.sources`: paths -> sources (files, globs, remote
   files listed by :mod:`~contracts.captures.remote`, byte ranges of large
   uncompressed JSON Lines files, standard input): the only traversal of the inputs;
2. :mod:`~contracts.captures.readers`: a source -> items (JSON, JSON Lines,
   HAR; numbering and "empty" decided there), and the secrets a capture carries;
   every source opened by :mod:`~contracts.captures.opening` (local, remote or
   standard input, decompressed when its first bytes say so, as a stream);
   a HAR and a large document are read as a stream (:mod:`~contracts.captures.streamed`);
3. :mod:`~contracts.captures.judge`: an item -> a result (one at a time, or in bulk);
4. :mod:`~contracts.captures.driver`: every source through reader and judge,
   in this process or in a pool (or on a Dask cluster:
   :mod:`~contracts.captures.engines`), the results in input order;
5. :mod:`~contracts.captures.reports`: results -> text, JSON or JUnit XML,
   by name (:data:`~contracts.captures.reports.REPORTERS`).

:mod:`~contracts.captures.items` and :mod:`~contracts.captures.results` hold
what flows between the stages.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

from contracts.captures.items import Item
from contracts.captures.readers import items, read_once, secrets_of
from contracts.captures.sources import Source, sources

__all__ = ["read"]


def read(paths: Iterable[str], *, stdin: BinaryIO | None = None, skip_unknown: bool = False) -> Iterator[Item]:
    """Every item of every input, in order, each line of JSON Lines parsed
    (``-`` is standard input); every secret is remembered before the first
    item is given. The reader of ``--payloads`` (one test a payload, all
    collected at once). A source :func:`read_once` says so of (a download, a
    decompression, a large document) is read once: its items are read first
    and held (reading them remembers their secrets); any other's secrets are
    read by :func:`secrets_of`, its items when their turn comes."""
    found = list(sources(paths, skip_unknown=skip_unknown, stdin=stdin, split_bytes=2**62))
    held = {id(one): list(items(one)) for one in found if isinstance(one, Source) and read_once(one)}
    for one in found:
        if isinstance(one, Source) and id(one) not in held:
            secrets_of(one)
    for one in found:
        if isinstance(one, Source):
            yield from held.pop(id(one)) if id(one) in held else items(one)
        else:
            yield one
