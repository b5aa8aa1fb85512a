"""Remote files and globs through fsspec: ``s3://``, ``gs://``, ``http(s)://`` and any
other protocol fsspec knows.

The file system packages are optional extras (``pip install
'pcm-contracts[s3]'``, ``[gcs]``, ``[http]``, or ``[remote]`` for all three);
without the one a URL needs, :func:`filesystem` raises
:class:`~contracts.errors.MissingExtra` (one line, exit 2). Credentials come
from wherever the file system looks for them (for S3 the AWS environment
variables, ``~/.aws/``, an instance role; for GCS the application default
credentials), never from this package; fsspec's own configuration
(``FSSPEC_S3_ENDPOINT_URL``, ``~/.config/fsspec/``) applies too. A password in
a URL (``https://user:pass@host/``) and token-like query parameters (a
presigned URL's signature) are remembered as secrets, so no report shows them.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from contracts.errors import MissingExtra, one_line
from contracts.redaction import remember

EXTRAS = {"s3": "s3", "s3a": "s3", "gs": "gcs", "gcs": "gcs", "http": "http", "https": "http"}
"""The extra that brings a protocol's file system (``pip install 'pcm-contracts[EXTRA]'``)."""
NEEDS = {"s3": "s3fs", "gcs": "gcsfs", "http": "aiohttp"}
"""The package each extra adds to fsspec."""
SECRET_PARAMS = ("token", "secret", "password", "key", "signature", "credential", "auth", "session")
GLOB = frozenset("*?[")
QUIETED = ("fsspec", "gcsfs", "s3fs", "aiobotocore", "botocore", "google")
"""The loggers of the file system packages and what they use. Each is given a
handler that drops what it logs, so that Python's last-resort handler does not
print their warnings and tracebacks (fsspec logs a failed read with its
traceback; gcsfs warns when it cannot tell a bucket's layout) on standard
error: the report already says what went wrong, in one line. A program that
sets up logging of its own still receives them (they reach the root logger)."""


TIMEOUT = 10.0
"""Seconds a remote file system waits to connect, or for the next bytes of an
answer, before it gives up on an attempt; each package then tries again as it
does (s3fs 5 attempts a call, botocore's own retries turned off here; gcsfs up
to 6, with pauses of 1 to 16 s), so a server that accepts and never answers
costs a minute or two at most, never a hang. A large file takes as long as it
takes while bytes keep coming (gcsfs: each ranged request of a download, whole,
within the timeout), up to :data:`DEADLINE` in all. Timeouts set in fsspec's
configuration win (:func:`timeouts`); the deadline is this package's own."""

DEADLINE = 900.0
"""Seconds a remote file may take in all, from opening it to its last byte (it is
read once: :meth:`contracts.captures.driver.Run.results`), and a listing or a glob in
all: :data:`TIMEOUT` bounds each wait, this bounds the whole, so a server that
keeps sending a byte now and then (a drip) ends too. 15 minutes: a file of 1 GB
needs about 1.1 MB/s. Past it the file is one unreadable item (:class:`TooSlow`),
after the lines read whole before, and the run goes on."""


class TooSlow(TimeoutError):
    """A remote call that did not end within :data:`DEADLINE` (what is left of it)."""

    def __init__(self) -> None:
        super().__init__(f"took longer than {DEADLINE:g} s in all")


def within(ends: float, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``call(*args, **kwargs)``, given until ``ends`` (``time.monotonic()``), else :class:`TooSlow`.

    The call runs in a daemon thread of its own, which this one waits for: a
    file system's call blocks until its answer is whole (gcsfs and s3fs fetch a
    range whole), so no check between calls could cut one short. A call given
    up on is left to end on its own, and what it then opens is closed; a
    daemon thread never holds the process back at exit."""
    left = ends - time.monotonic()
    if left <= 0:
        raise TooSlow
    outcome: list[tuple[bool, Any]] = []
    lock = threading.Lock()
    given_up = False

    def run() -> None:
        try:
            found: tuple[bool, Any] = (True, call(*args, **kwargs))
        except BaseException as error:  # handed to the waiting thread, raised there
            found = (False, error)
        with lock:
            late = given_up
            outcome.append(found)
        if late and found[0] and hasattr(found[1], "close"):
            found[1].close()  # a file opened after its deadline: nobody else will close it

    worker = threading.Thread(target=run, name="pcm-contracts-remote", daemon=True)
    worker.start()
    worker.join(left)
    with lock:
        if not outcome:
            given_up = True
            raise TooSlow
    done, value = outcome[0]
    if not done:
        raise value
    return value


def bounded(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``call(*args, **kwargs)`` (a listing, a glob), given :data:`DEADLINE` from now."""
    return within(time.monotonic() + DEADLINE, call, *args, **kwargs)


class _Timed:
    """A remote file's reads, each given what is left of its :data:`DEADLINE`."""

    def __init__(self, raw: Any, ends: float) -> None:
        self.raw, self.ends = raw, ends

    def read(self, size: int = -1) -> bytes:
        data: bytes = within(self.ends, self.raw.read, size)
        return data


def timeouts(protocol: str) -> dict[str, Any]:
    """The storage options that give a file system :data:`TIMEOUT`, where
    fsspec's configuration (``~/.config/fsspec/``, ``FSSPEC_<PROTOCOL>``) sets
    no timeout of its own: the configuration's values are kept, with ours beside them."""
    import fsspec.config

    extra = EXTRAS.get(protocol)
    conf: dict[str, Any] = {}
    for name in (p for p, e in EXTRAS.items() if e == extra):
        conf.update(fsspec.config.conf.get(name, {}))
    if extra == "http":
        client = {"timeout": _gaps()}
        return {"client_kwargs": {**client, **conf.get("client_kwargs", {})}}
    if extra == "s3":
        config = {"connect_timeout": TIMEOUT, "read_timeout": TIMEOUT, "retries": {"max_attempts": 1}}
        return {"config_kwargs": {**config, **conf.get("config_kwargs", {})}}
    if extra == "gcs":
        # gcsfs hands requests_timeout to each aiohttp request, which takes a number for the
        # whole answer (a block of 5 MiB in 10 s): a ClientTimeout bounds the waits instead
        return {"requests_timeout": conf.get("requests_timeout", _gaps())}
    return {}


def _gaps() -> Any:
    """aiohttp's timeout of :data:`TIMEOUT` to connect and for each next bytes, and none for a
    whole answer: a large file takes as long as its bytes keep coming (up to :data:`DEADLINE`,
    which :func:`within` keeps)."""
    import aiohttp

    return aiohttp.ClientTimeout(total=None, sock_connect=TIMEOUT, sock_read=TIMEOUT)


def has_magic(name: str) -> bool:
    """Whether a path or URL is a glob pattern (``*``, ``?``, ``[``)."""
    return not GLOB.isdisjoint(name)


def remember_url_secrets(url: str) -> None:
    """The password of a URL's user part, and token-like query parameters, as secrets."""
    parts = urlsplit(url)
    if parts.password:
        remember(parts.password, unquote(parts.password))
    for name, value in parse_qsl(parts.query):
        if any(part in name.lower() for part in SECRET_PARAMS):
            remember(value)


def protocol_of(url: str) -> str:
    return url.partition("://")[0].lower()


def filesystem(url: str) -> tuple[Any, str]:
    """fsspec's file system for ``url`` and the path within it; raises
    :class:`MissingExtra` when fsspec or the protocol's package is missing."""
    protocol = protocol_of(url)
    extra = EXTRAS.get(protocol)
    hint = f"pip install 'pcm-contracts[{extra}]'" if extra else "pip install fsspec and the package for it"
    if importlib.util.find_spec("fsspec") is None or (extra and importlib.util.find_spec(NEEDS[extra]) is None):
        raise MissingExtra(f"{protocol}:// inputs need optional packages: {hint}")
    import fsspec.core

    for name in QUIETED:
        logger = logging.getLogger(name)
        if not any(isinstance(handler, logging.NullHandler) for handler in logger.handlers):
            logger.addHandler(logging.NullHandler())
    try:
        found: tuple[Any, str] = fsspec.core.url_to_fs(url, **timeouts(protocol))
    except ImportError as error:
        raise MissingExtra(f"{protocol}:// inputs need optional packages: {hint} ({error})") from error
    except ValueError as error:  # fsspec: an unknown protocol
        raise MissingExtra(f"{protocol}:// is no file system fsspec knows ({error})") from error
    return found


def unstrip(fs: Any, path: str) -> str:
    """The URL of a path a file system listed (``bucket/key`` -> ``s3://bucket/key``)."""
    if "://" in path:
        return path
    unstripped: str = fs.unstrip_protocol(path)
    return unstripped


def errors() -> tuple[type[BaseException], ...]:
    """What the file system packages raise when a remote file cannot be had,
    besides ``OSError`` and ``ValueError``."""
    found: list[type[BaseException]] = [OSError, ValueError, TimeoutError]
    try:
        import fsspec.exceptions

        found.append(fsspec.exceptions.FSTimeoutError)
    except ImportError:
        pass
    try:
        import aiohttp

        found.append(aiohttp.ClientError)
    except ImportError:
        pass
    try:
        import botocore.exceptions

        found += [botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError]
    except ImportError:
        pass
    return tuple(found)


@contextmanager
def open_remote(url: str) -> Iterator[_Timed]:
    """A remote file opened for reading, as a binary stream (its ``read``
    only) that raises :class:`TooSlow` once it has taken :data:`DEADLINE`."""
    ends = time.monotonic() + DEADLINE
    fs, path = filesystem(url)
    # over HTTP, one streamed GET (block_size=0): no range requests, which not every server answers
    options = {"block_size": 0} if protocol_of(url) in ("http", "https") else {}
    with within(ends, fs.open, path, "rb", **options) as handle:
        yield _Timed(handle, ends)


def _timed_out(error: BaseException | None) -> bool:
    """Whether ``error``, or the error it was raised from, is a timeout (fsspec's
    HTTP file system says "not found" for one; botocore's are no ``TimeoutError``)."""
    for _ in range(3):
        if error is None:
            return False
        if isinstance(error, TimeoutError) or "Timeout" in type(error).__name__:
            return True
        error = error.__cause__ or error.__context__
    return False


def timeout_reason(error: BaseException) -> str | None:
    """What a remote error that is a timeout is said as; ``None`` for any other."""
    if isinstance(error, TooSlow):
        return str(error)
    return f"no answer within {TIMEOUT:g} s" if _timed_out(error) else None


def why(error: BaseException) -> str:
    """One line for a remote error (the URL's secrets are masked by every report)."""
    if (said := timeout_reason(error)) is not None:
        return said
    if isinstance(error, FileNotFoundError):
        # fsspec's HTTP file system says "not found" for any failed answer: the answer says which
        status = getattr(error.__cause__, "status", None)
        return f"cannot open: the server answered {status}" if status not in (None, 404) else "no such file"
    if isinstance(error, PermissionError):
        return "permission denied"
    return f"{type(error).__name__}: {one_line(error)}" if str(error).strip() else type(error).__name__
