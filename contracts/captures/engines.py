"""Where the driver's tasks run: ``--engine local`` (this process or a local
pool, :class:`~contracts.captures.driver.Workers`) or ``--engine dask``, a
Dask cluster (:class:`DaskPool`).

A Dask cluster is one more executor behind
:class:`~contracts.captures.driver.Workers`: each source (a file, a byte
range of a large JSON Lines file, standard input's bytes) is one task,
:func:`~contracts.captures.driver.work`, submitted to a
``distributed.Client``, and the driver merges the answers in input order as
it does a local pool's (:meth:`~contracts.captures.driver.Run._answer`), so
every engine gives the same results, summary, coverage and exit code.

What travels: the :class:`~contracts.captures.judge.Checker` (its strictness
and options, a few hundred bytes; the compiled schemas do not pickle, so each
worker process compiles its own once, :func:`contracts.validation.validator_for`
caches them) and the :class:`~contracts.captures.sources.Source` (a path and
a byte range, or standard input's bytes); back come the results (valid lines
in batches), the secrets the worker remembered while reading, and what it
observed for the coverage report. The inputs are read by the workers, by the
same paths: they must reach them.

A worker that dies (killed, out of memory) costs its tasks a retry elsewhere,
Dask's own (the scheduler's ``distributed.scheduler.allowed-failures``, 3 by
default): a task's answer is taken once, so an item is never lost or doubled.
A task whose workers died more often than that is one unreadable item.

``dask[distributed]`` is an extra (``pip install 'pcm-contracts[dask]'``):
this module imports it only when a pool is made (:func:`dask_pool`).
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

from contracts import __version__
from contracts.captures.driver import Run, WorkerDied
from contracts.captures.judge import Checker
from contracts.captures.results import Passed, Result, Summary
from contracts.coverage import Coverage
from contracts.errors import OptionError
from contracts.violations import Strictness

if TYPE_CHECKING:
    import dask.bag
    import distributed

Engine = Literal["local", "dask"]
ENGINES: tuple[Engine, ...] = ("local", "dask")
MISSING_EXTRA = "--engine dask needs Dask: pip install 'pcm-contracts[dask]'"
"""The one line a run asking for Dask gets where ``dask[distributed]`` is not installed."""


DISTRIBUTION = "pcm-contracts"
"""The name the workers have this package installed under."""


def dask_installed() -> bool:
    """Whether ``dask[distributed]`` can be imported (without importing it)."""
    return importlib.util.find_spec("distributed") is not None and importlib.util.find_spec("dask") is not None


class DaskPool(Executor):
    """An executor whose tasks run on a Dask cluster, through ``client``;
    ``width`` is how many run at once (the cluster's worker threads). Shutting
    it down closes the client, and ``cluster`` when it made one."""

    def __init__(self, client: distributed.Client, cluster: distributed.LocalCluster | None = None) -> None:
        self.client, self.cluster = client, cluster

    @property
    def width(self) -> int:
        threads: dict[str, int] = self.client.nthreads()
        return max(1, sum(threads.values()))

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        # pure=False: the same source named twice is two tasks, as it is in a local pool
        return _Remote(self.client.submit(_shipped, fn, *args, pure=False, **kwargs))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _shipped(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A driver task's answer with its results all in memory: a worker's
    temporary file (:class:`~contracts.captures.driver.Results`) may be on
    another machine than the driver."""
    results, *rest = fn(*args, **kwargs)
    return (results.whole(), *rest)


class _Remote(Future[Any]):
    """A Dask future as the driver asks it: ``result()`` or the task's
    exception; a task whose workers died too often raises :class:`WorkerDied`."""

    def __init__(self, remote: distributed.Future[Any]) -> None:
        super().__init__()
        self._remote: distributed.Future[Any] | None = remote

    def result(self, timeout: float | None = None) -> Any:
        from distributed import KilledWorker

        remote, self._remote = self._remote, None  # released once taken: the cluster forgets the answer
        if remote is not None:
            try:
                self.set_result(remote.result(timeout))
            except KilledWorker as error:
                self.set_exception(WorkerDied(str(error)))
            except Exception as error:  # as a pool reports a task's exception
                self.set_exception(error)
        return super().result(timeout)


@contextlib.contextmanager
def dask_pool(scheduler: str | distributed.Client | None = None, *, jobs: int = 1) -> Iterator[DaskPool]:
    """A :class:`DaskPool` on the cluster at ``scheduler`` (an address such as
    ``tcp://scheduler:8786``, or a client of yours, left open), else on a
    ``distributed.LocalCluster`` of ``jobs`` worker processes of one thread
    each; closed on leaving. Raises :class:`~contracts.errors.OptionError`
    when Dask is not installed or the scheduler cannot be reached."""
    if not dask_installed():
        raise OptionError(MISSING_EXTRA)
    import distributed

    if isinstance(scheduler, distributed.Client):
        yield DaskPool(scheduler)
        return
    cluster = None
    if scheduler is None:
        cluster = distributed.LocalCluster(
            n_workers=jobs,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # no fixed port (8787 may be taken): any free one
            silence_logs=logging.ERROR,
        )
        address: str = cluster.scheduler_address
    else:
        address = scheduler
    try:
        client = distributed.Client(address, set_as_default=False)
    except (OSError, ValueError, TypeError) as error:
        if cluster is not None:
            cluster.close()
        raise OptionError(f"cannot reach the Dask scheduler at {shown(address)}: {reason(error)}") from None
    pool = DaskPool(client, cluster)
    try:
        if cluster is None:
            check_versions(client, address)
        yield pool
    finally:
        pool.shutdown()


def check_versions(client: distributed.Client, address: str) -> None:
    """Raise :class:`~contracts.errors.OptionError` unless every worker has
    this version of pcm-contracts installed (another judges otherwise, or
    cannot take the tasks at all)."""
    workers = cast("dict[str, Any]", client.get_versions(packages=[DISTRIBUTION]))["workers"]  # a sync client
    theirs = {str((info or {}).get("packages", {}).get(DISTRIBUTION)) for info in workers.values()} - {__version__}
    if theirs:
        found = ", ".join(sorted("none" if one == "None" else one for one in theirs))
        raise OptionError(
            f"the Dask workers at {shown(address)} have pcm-contracts {found}, this command {__version__}: "
            "install the same version on them"
        )


def shown(address: str) -> str:
    """An address as a message may show it: without any user or password."""
    scheme, sep, rest = address.rpartition("://")
    host = rest.rpartition("@")[2]
    return f"{scheme}{sep}{host}"


def reason(error: Exception) -> str:
    """One line of an error, without an address that may hold credentials."""
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text if "@" not in text else type(error).__name__


@dataclass(frozen=True)
class Validated:
    """What :func:`validate_on_dask` found: one result an item, in input
    order; their summary (``summary.as_dict()`` is the JSON report's); the
    contract coverage of what was read (the JSON report's ``coverage``)."""

    results: list[Result]
    summary: Summary
    coverage: dict[str, Any]


def validate_on_dask(
    inputs: Iterable[str] | dask.bag.Bag,
    *,
    scheduler: str | distributed.Client | None = None,
    jobs: int = 2,
    strictness: Strictness | None = None,
    skip_unknown: bool = False,
) -> Validated:
    """``pcm-contracts validate --engine dask`` for Python: judge the captures
    ``inputs`` (paths, or a ``dask.bag`` of paths) on a Dask cluster and
    return every result, the summary and the coverage, as the command reports
    them with any engine.

    ``scheduler``: an address (``tcp://scheduler:8786``), or a
    ``distributed.Client`` of yours (left open); without it, a
    ``LocalCluster`` of ``jobs`` worker processes, closed at the end. The
    workers must reach the inputs by the same paths. Raises
    :class:`~contracts.errors.OptionError` when Dask is not installed or the
    scheduler cannot be reached."""
    coverage = Coverage()
    checker = Checker(strictness or Strictness(), coverage=coverage, skip_unknown=skip_unknown)
    with dask_pool(scheduler, jobs=jobs) as pool:
        from dask.base import is_dask_collection

        if isinstance(inputs, str):
            paths = [inputs]
        elif is_dask_collection(inputs):  # a bag of paths: computed on the cluster
            paths = [str(path) for path in cast("dask.bag.Bag", inputs).compute(scheduler=pool.client)]
        else:
            paths = [str(path) for path in inputs]
        results: list[Result] = []
        summary = Summary()
        for judged in Run(checker, paths, pool.width, pool=pool).results():
            summary.add(judged)
            results.extend(judged.results() if isinstance(judged, Passed) else (judged,))
    return Validated(results, summary, coverage.report())
