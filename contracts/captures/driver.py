"""Sources -> results, in input order: the one driver, whatever ``--jobs``.

The last stage of :mod:`contracts.captures` before the reports. A
:class:`Run` lists every source first (:func:`~contracts.captures.sources.sources`),
and asks each cheap one for its secrets (:func:`~contracts.captures.readers.secrets_of`)
and judges each costly one (:func:`~contracts.captures.readers.read_once`: read
once, its secrets in its answer) before it reports a result, so every secret
is known before the first result is reported (the first tasks of a pool run
meanwhile). Then each
source is one task, :func:`work`: read it, judge it, answer with its results.
With ``--jobs 1`` the tasks run in this process, each when its results are
next in line; with more, in a pool of worker processes, a few ahead of the
one whose results are next; with ``--engine dask``, on a Dask cluster (a
``Run``'s ``pool``: :mod:`contracts.captures.engines`). All go through
:func:`work` and :meth:`Run._answer`, so the results are the same, in the same order.

A worker answers with its results (valid lines of JSON Lines and valid HAR
entries in :class:`~contracts.captures.results.Passed` batches, which keep
the traffic small; beyond :data:`KEPT` results, the rest in a temporary file
read back as they are reported, :class:`Results`, so a task's memory does not
grow with its items: a HAR of a million failing entries; the files are in a
folder of the run's own, removed at its end however it ends), the secrets it
remembered while reading, what it observed for the
coverage report, and, for a range of a split file, its line ends and whether
it held a line: the driver numbers a range's lines after the lines of the
ranges before it, says ``empty file`` after the last range when none held a
line, and, when a range finds its file changed or gone, reports that once and
nothing more of the file.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import shutil
import signal
import tempfile
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from typing import Any, BinaryIO

from contracts import redaction
from contracts.captures.items import Item
from contracts.captures.judge import Checker
from contracts.captures.readers import Reading, empty, read_once, secrets_of
from contracts.captures.results import Judged, Passed, Result
from contracts.captures.sources import SPLIT_BYTES, Source, sources
from contracts.coverage import Coverage

KEPT = 4096
"""Results a task holds in memory at most (twice: the first ones and the last
ones); those in between wait in a temporary file."""


class Unspillable(Exception):
    """The temporary file of a task's results cannot be read back as it was written."""


@dataclass
class Results:
    """A task's results in order: ``first``, then the batches pickled into
    the file ``spilled`` (if any), then ``last``. Iterated once: the file is
    removed as it is read.

    The file holds each batch encrypted and authenticated (AES-GCM, a key of
    its own a task, kept in this object only: in memory, and in the answer a
    worker sends back through its pipe). A finding may show a token that a
    deployment echoed before any record naming it has been read; the reports
    redact it when they write, but the file is written before, so it must
    not hold it readable. A batch changed, moved or cut off on disk is
    refused (:class:`Unspillable`), never unpickled."""

    first: list[Judged] = field(default_factory=list)
    last: list[Judged] = field(default_factory=list)
    spilled: str | None = None
    key: bytes = b""
    batches: int = 0
    kept: int = KEPT
    """How many of the first results stay in memory (0 for an answer that waits its turn: :meth:`put_away`)."""
    folder: str | None = None
    """The run's own directory of temporary files (:meth:`Run.results` removes
    it, with whatever a worker that died left there); the system's where it is
    not on this machine (a Dask worker elsewhere)."""

    def add(self, judged: Judged) -> None:
        if len(self.first) < self.kept:
            self.first.append(judged)
            return
        self.last.append(judged)
        if len(self.last) >= KEPT:
            self._spill()

    def put_away(self) -> Results:
        """Every result but the first :attr:`kept` in the file, none left in ``last``:
        an answer that waits for its turn with many others."""
        if self.last:
            self._spill()
        return self

    def _spill(self) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # only a task with many results

        if self.spilled is None:
            folder = self.folder if self.folder is not None and os.path.isdir(self.folder) else None
            handle, self.spilled = tempfile.mkstemp(prefix="pcm-contracts-results-", dir=folder)
            os.close(handle)
            self.key = AESGCM.generate_key(bit_length=128)
        batch = pickle.dumps(self.last, protocol=pickle.HIGHEST_PROTOCOL)
        sealed = AESGCM(self.key).encrypt(_nonce(self.batches), batch, None)
        with open(self.spilled, "ab") as out:
            out.write(len(sealed).to_bytes(8, "little") + sealed)
        self.batches += 1
        self.last = []

    def whole(self) -> Results:
        """The same results, all in memory: for a task whose answer leaves the
        machine (a Dask worker elsewhere), whose temporary file the driver cannot read."""
        return self if self.spilled is None else Results(list(self))

    def __iter__(self) -> Iterator[Judged]:
        yield from self.first
        if self.spilled is not None:
            try:
                yield from self._read_back(self.spilled)
            finally:
                os.unlink(self.spilled)
                self.spilled = None
        yield from self.last

    def _read_back(self, path: str) -> Iterator[Judged]:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        opened = AESGCM(self.key)
        with open(path, "rb") as spilled:
            for index in range(self.batches + 1):
                size = spilled.read(8)
                if index == self.batches:  # all read: nothing may follow
                    if size:
                        raise Unspillable("its temporary file of results changed on disk")
                    return
                sealed = spilled.read(int.from_bytes(size, "little"))
                try:
                    batch: list[Judged] = pickle.loads(opened.decrypt(_nonce(index), sealed, None))
                except (InvalidTag, ValueError):
                    raise Unspillable("its temporary file of results changed on disk") from None
                yield from batch


def _nonce(index: int) -> bytes:
    """The nonce of a spilled batch: its index (a key of its own a task, so never twice)."""
    return index.to_bytes(12, "little")


Answer = tuple[Results, list[redaction.Secret | str], int, bool, Coverage | None]
"""A source's results, the secrets remembered while reading it, its line ends
(a range), whether it held a non-blank line, and what the worker observed for
the coverage report."""

Told = Callable[[int], None]
"""Told the number of bytes of the inputs read, as they are judged (the progress bar)."""


class WorkerDied(Exception):
    """A task's worker died as often as its executor retries it (a Dask
    cluster's ``allowed-failures``): its source is one unreadable item."""


def work(checker: Checker, source: Source, waits: bool = False, folder: str | None = None) -> Answer:
    """Read and judge one source (in a worker, or in this process with one job);
    ``waits``: its answer is had before its turn (a source read once), so it
    holds none of its first results in memory, only its last ones (fewer than
    :data:`KEPT`), which the driver puts away too once the answers waiting
    hold more than :data:`KEPT` in all;
    ``folder``: where that file goes (:attr:`Results.folder`)."""
    before = redaction.remembered()
    if checker.coverage is not None:  # each task observes for itself; the driver merges
        checker = replace(checker, coverage=Coverage())
    reading = Reading(source)
    results = Results(kept=0 if waits else KEPT, folder=folder)
    for judged in checker.judge(reading):
        results.add(judged)
    return results, redaction.remembered_since(before), reading.lines, reading.nonblank, checker.coverage


class Inline(Executor):
    """An executor that runs a task in this process when its result is first asked for."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return _Later(fn, args)


class _Later(Future[Any]):
    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        super().__init__()
        self._task: tuple[Callable[..., Any], tuple[Any, ...]] | None = (fn, args)

    def result(self, timeout: float | None = None) -> Any:
        if self._task is not None:
            fn, args = self._task
            self._task = None
            try:
                self.set_result(fn(*args))
            except Exception as error:  # as a pool reports a task's exception
                self.set_exception(error)
        return super().result(timeout)


class Workers:
    """Where the tasks of a run go: this process with one job (:class:`Inline`),
    else a pool of worker processes. A pool one of whose workers died (killed,
    out of memory) is replaced; each task it held is run once more, alone in a
    fresh process (the worker that died may have been running another task),
    and a task that dies again is one unreadable item: never a crash, never a
    lost or doubled result."""

    def __init__(self, checker: Checker, jobs: int, pool: Executor | None = None, folder: str | None = None) -> None:
        self.checker, self.jobs, self.own, self.folder = checker, jobs, pool is None, folder
        self.pool: Executor = pool if pool is not None else Inline() if jobs <= 1 else self._pool(jobs)

    def _pool(self, jobs: int) -> Executor:
        self.checker.validator.engine.compile()  # once here, inherited by forked workers
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_quiet_worker)

    def submit(self, source: Source, waits: bool = False) -> Future[Answer]:
        try:
            return self.pool.submit(work, self.checker, source, waits, self.folder)
        except BrokenProcessPool:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._pool(self.jobs)
            return self.pool.submit(work, self.checker, source, waits, self.folder)

    def answer(self, source: Source, future: Future[Answer], waits: bool = False) -> Answer:
        """The answer of ``source``'s task (submitted with ``waits``), or an unreadable item when it cannot be had."""
        try:
            return future.result()
        except BrokenProcessPool:
            pass
        except Exception as error:  # not expected (readers make bad input items): still one item
            return Results([_lost(source, error)]), [], 0, True, None
        with self._pool(1) as alone:
            try:
                return alone.submit(work, self.checker, source, waits, self.folder).result()
            except Exception as error:
                return Results([_lost(source, error)]), [], 0, True, None

    def shutdown(self) -> None:
        if self.own:  # a pool given (--engine dask) is closed by whoever made it
            self.pool.shutdown(wait=True, cancel_futures=True)

    def stop(self) -> None:
        """End the workers' tasks now: for a run cut short (interrupted, or its
        results no longer wanted), which must not wait for a long download or
        a large file to be judged first. ``ProcessPoolExecutor`` has no public
        way to end a running task, so its worker processes are terminated.

        A worker may be ended in the middle of sending an answer: the pool's
        thread that reads the answers would then wait for ever for the rest of
        it (the pool's own copy of the pipe's writing end keeps the pipe open),
        and so would the pool's shutdown. Once the workers are gone, that copy
        is closed: the thread reads the pipe's end, takes the pool for broken
        and ends."""
        if self.own and isinstance(self.pool, ProcessPoolExecutor):
            processes = list((getattr(self.pool, "_processes", None) or {}).values())
            for process in processes:
                process.terminate()
            for process in processes:
                process.join(timeout=10)
            answers = getattr(getattr(self.pool, "_result_queue", None), "_writer", None)
            if answers is not None:
                answers.close()


def _quiet_worker() -> None:
    """A worker's signals: Ctrl-C, which a terminal sends to every process of
    the run, is the driver's to handle (it stops the workers), and SIGTERM
    ends a worker as it ends any process, not by the driver's handler it
    inherited when forked."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@dataclass
class _Split:
    """What the driver knows of a split file while its ranges come back."""

    lines: int = 0
    nonblank: bool = False
    broken: bool = False


@dataclass
class Run:
    """The inputs of one run, listed; :meth:`results` judges them."""

    checker: Checker
    paths: Iterable[str]
    jobs: int = 1
    split_bytes: int = SPLIT_BYTES
    stdin: BinaryIO | None = None
    pool: Executor | None = None
    """Where the tasks go instead of this process or a local pool (``--engine
    dask``: :class:`~contracts.captures.engines.DaskPool`), ``jobs`` at a time."""
    found: list[Source | Item] = field(init=False)

    def __post_init__(self) -> None:
        self.found = list(
            sources(self.paths, split_bytes=self.split_bytes, skip_unknown=self.checker.skip_unknown, stdin=self.stdin)
        )

    @property
    def total(self) -> int | None:
        """The bytes of every file to read (what ``told`` is told in all);
        ``None`` with standard input, whose size is not known before it is read."""
        listed = [one for one in self.found if isinstance(one, Source)]
        return None if any(one.kind == "stdin" for one in listed) else sum(one.bytes for one in listed)

    def results(self, told: Told | None = None) -> Generator[Judged, None, None]:
        """Every result, in input order; ``told`` is told the bytes of each file source as it is judged.

        Every source's secrets are known before the first result is reported.
        A source that is costly to read (:func:`read_once`: a remote file, a
        compressed one, a large document) is not read twice for its secrets:
        its task is run first, and its answer, which carries the secrets
        remembered while reading it, waits for its turn, its results in its
        temporary file but for its last few (``waits``: memory does not grow
        with the number of such sources; beyond :data:`KEPT` results waiting
        in all, the last ones go to the file too). ``told`` is told its bytes
        once it has been read. The others' secrets are read by
        :func:`secrets_of` (plain JSON Lines: a byte search) while the first
        tasks already run in the pool.

        The temporary files of the tasks are in a folder of the run's own,
        removed at the end with whatever is in it (a worker that died knew the
        name of its file; nobody else did). A run that ends before its last
        result (interrupted; closed by its caller) terminates its workers
        rather than wait for their tasks (a download may take minutes)."""
        checker, jobs = self.checker, self.jobs
        splits: dict[str, _Split] = {}
        pending: deque[tuple[Source, Future[Answer]] | Item] = deque()
        listed = [one for one in self.found if isinstance(one, Source)]
        once = {id(one) for one in listed if read_once(one)}
        folder = tempfile.mkdtemp(prefix="pcm-contracts-")  # the run's temporary files, wherever their task ran
        workers = Workers(checker, jobs, self.pool, folder)
        try:
            # a source read once is judged first: its secrets come with its answer
            first = [(one, workers.submit(one, waits=True)) for one in listed if id(one) in once]
            early = {id(source): future for source, future in first}
            ready: dict[int, Answer] = {}  # the answers had before their turn

            def task(source: Source) -> Future[Answer]:
                return early.pop(id(source), None) or workers.submit(source)

            def drain(limit: int) -> Iterator[Judged]:
                while len(pending) > limit:
                    entry = pending.popleft()
                    if isinstance(entry, tuple):
                        source = entry[0]
                        answer = ready.pop(id(source), None)
                        if answer is None:
                            answer = workers.answer(*entry)
                            if told is not None and source.kind != "stdin":
                                told(source.bytes)
                        yield from self._answer(source, answer, splits)
                    else:
                        yield checker.check(entry)

            found = iter(self.found)
            for one in found:  # the first tasks, as many as drain() keeps pending
                pending.append((one, task(one)) if isinstance(one, Source) else one)
                if len(pending) > 2 * jobs:
                    break
            for source in listed:
                if id(source) not in once:
                    secrets_of(source)
            held = 0  # the results of the answers in ready kept in memory: KEPT at most
            for source, future in first:  # with one job, each is run here and now
                answer = ready[id(source)] = workers.answer(source, future, waits=True)
                redaction.remember(*answer[1])
                if held + len(answer[0].last) > KEPT:
                    answer[0].put_away()  # the rest of its results in its file too
                held += len(answer[0].last)
                if told is not None:  # read: the bar moves now, not when its results' turn comes
                    told(source.bytes)
            yield from drain(2 * jobs)
            for one in found:
                if isinstance(one, Source):
                    pending.append((one, task(one)))
                    yield from drain(2 * jobs)
                else:
                    pending.append(one)
            yield from drain(0)
        except BaseException:  # interrupted, or closed before its end: no task is waited for
            workers.stop()
            raise
        finally:
            workers.shutdown()
            shutil.rmtree(folder, ignore_errors=True)

    def _answer(self, source: Source, answer: Answer, splits: dict[str, _Split]) -> Iterator[Judged]:
        results, secrets, lines, nonblank, observed = answer
        redaction.remember(*secrets)
        coverage = self.checker.coverage
        if coverage is not None and observed is not None:
            coverage.merge(observed)
        if not source.is_range:
            yield from _read(source, results)
            return
        split = splits.setdefault(source.name, _Split())
        if source.last:
            del splits[source.name]
        if split.broken:  # the file changed or vanished: said once, by the range that found it
            for _ in _read(source, results):  # let go of them (and of any temporary file)
                pass
            return
        broken = [one for one in results.first if isinstance(one, Result) and one.source == source.name]
        if broken:
            split.broken = True  # a range's only result with the file's own name: it could not be read
            for _ in _read(source, results):
                pass
            yield from broken
            return
        read = _read(source, results)
        yield from (shifted(one, split.lines) for one in read) if split.lines else read
        split.lines += lines
        split.nonblank = split.nonblank or nonblank
        if source.last and not split.nonblank:
            yield Result(source.name, "unreadable", reason=empty(source.name).reason)


def _read(source: Source, results: Results) -> Iterator[Judged]:
    """``results``, and where their temporary file cannot be read back, one unreadable item that says so."""
    try:
        yield from results
    except Unspillable as error:
        yield _lost(source, error)


def _lost(source: Source, error: Exception) -> Result:
    what = f" (bytes {source.start}-{source.end})" if source.is_range else ""
    if isinstance(error, BrokenProcessPool | WorkerDied):
        why = "its worker process died"
    else:
        why = str(error) if isinstance(error, Unspillable) else type(error).__name__
    return Result(source.name, "unreadable", reason=f"could not be judged{what}: {why}")


def judge_all(
    checker: Checker,
    paths: Iterable[str],
    *,
    jobs: int = 1,
    split_bytes: int = SPLIT_BYTES,
    told: Told | None = None,
    stdin: BinaryIO | None = None,
) -> Iterator[Judged]:
    """Every result of ``paths``, in input order, whatever ``jobs``."""
    return Run(checker, paths, jobs, split_bytes, stdin).results(told)


def shifted(judged: Judged, lines: int) -> Judged:
    """A result of a range's line ``N`` (source ``path:N``) as the file's line ``N + lines``."""
    if isinstance(judged, Passed):  # built directly: dataclasses.replace costs several times more, an item
        return Passed(judged.name, judged.numbers, judged.offset + lines, judged.mark)
    name, _, number = judged.source.rpartition(":")
    return Result(f"{name}:{int(number) + lines}", judged.verdict, judged.violations, judged.reason)
