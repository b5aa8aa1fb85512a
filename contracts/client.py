"""The HTTP client of the live checks (httpx), polite and safe by construction.

* **Reads only.** Any method other than GET raises :class:`WriteRefused`
  unless the client was built with ``allow_writes=True``; the one exception is
  the client-credentials token request (``POST /oauth/access_token``).
* **Polite.** A requests-per-second limit, a total request budget, bounded
  retries of 429 that honour ``Retry-After``.
* **Bounded.** Every request has one total deadline (connect, headers and
  body together, see :class:`DeadlineBackend`), and a cap on the size of the
  body it reads (a declared ``Content-Length`` above it is refused unread).
  A 3xx answer is never followed: it is :class:`Redirected`, naming its
  ``Location``. After the first transport failure every later request fails
  the same way at once, unsent: the target cannot be checked.
* **No secrets out.** The bearer token and client secret live in
  :class:`~contracts.redaction.Secret` values; every message this module writes passes through
  :func:`redact`, and :meth:`Answer.curl` masks the ``Authorization`` header.

Transport failures become one :class:`TargetError` with a one-line reason,
never a traceback of httpx internals::

    ContractError
    └── TargetError              the target cannot be checked at all
        ├── Unreachable          refused, DNS failure, reset, truncated body
        ├── TimedOut             no complete answer within the deadline
        ├── Redirected           a 3xx answer (the base URL is not the API's)
        ├── RateLimited          still 429 after the allowed retries
        ├── BodyTooLarge         a body larger than the cap
        ├── BudgetExhausted      the request budget is spent
        ├── WriteRefused         a non-GET request without --allow-writes
        └── AuthFailed           no usable token (token request failed)
"""

from __future__ import annotations

import email.utils
import math
import shlex
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpcore
import httpx

from contracts.errors import ContractError
from contracts.jsonbody import NotJson, parse
from contracts.redaction import Secret, SecretHeaders, redact, remember

NOT_JSON = object()
TOKEN_PATH = "/oauth/access_token"


class TargetError(ContractError):
    """The target could not be checked: the run, not the contract, failed."""


class Unreachable(TargetError):
    pass


class TimedOut(TargetError):
    pass


class RateLimited(TargetError):
    pass


class Redirected(TargetError):
    pass


class BodyTooLarge(TargetError):
    pass


class BudgetExhausted(TargetError):
    pass


class WriteRefused(TargetError):
    pass


class AuthFailed(TargetError):
    pass


@dataclass(frozen=True)
class Politeness:
    """How hard the client may press a target."""

    timeout: float = 10.0
    rate: float = 10.0
    """Requests per second at most; 0 for no limit."""
    budget: int = 1000
    """Requests in the whole run at most (retries count)."""
    retries: int = 2
    """Retries of a 429 answer, each after its ``Retry-After``."""
    max_retry_after: float = 10.0
    max_body_bytes: int = 5 * 1024 * 1024


@dataclass(frozen=True)
class Answer:
    """One HTTP exchange, as the checks need it."""

    method: str
    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes
    sent_auth: bool

    def json(self) -> Any:
        """The parsed body (read by :func:`contracts.jsonbody.parse`, as every
        body is), or :data:`NOT_JSON`."""
        try:
            return parse(self.content)
        except NotJson:
            return NOT_JSON

    def curl(self) -> str:
        """A curl command that reproduces the request, the token masked."""
        parts = ["curl", "-X", self.method, "-H", "Accept: application/json"]
        if self.sent_auth:
            parts += ["-H", "Authorization: Bearer $PCM_CONTRACTS_TOKEN"]
        return redact(
            " ".join(shlex.quote(p) if "$" not in p else f'"{p}"' for p in parts) + " " + shlex.quote(self.url)
        )


class TokenSource(Protocol):
    def token(self, client: ApiClient, *, renew: bool = False) -> Secret: ...


@dataclass
class StaticToken:
    """A bearer token given by the user."""

    value: Secret

    def __post_init__(self) -> None:
        remember(self.value)

    def token(self, client: ApiClient, *, renew: bool = False) -> Secret:
        return self.value


@dataclass
class ClientCredentials:
    """A client-credentials token, obtained from the target and renewed
    shortly before it expires (or once after a 401).

    "Shortly" is proportionate to the token's lifetime: ``margin`` seconds
    (60) before it expires, or a tenth of its lifetime when that is less, so
    a token living 30 s is renewed after 27 s, not on every call.
    """

    client_id: str
    client_secret: Secret
    clock: Callable[[], float] = time.time
    margin: float = 60.0
    share: float = 0.1
    """The part of a token's lifetime kept as the renewal margin, when less than ``margin``."""
    _token: Secret | None = field(default=None, init=False, repr=False)
    _expires: float = field(default=0.0, init=False)
    _renew_at: float = field(default=0.0, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        remember(self.client_secret)

    def token(self, client: ApiClient, *, renew: bool = False) -> Secret:
        with self._lock:  # schemathesis' requests and the client's may ask at once: one token request
            if renew or self._token is None or self.clock() >= self._renew_at:
                now = self.clock()
                self._token, self._expires = self._fetch(client)
                lifetime = max(0.0, self._expires - now)
                self._renew_at = self._expires - min(self.margin, self.share * lifetime)
            return self._token

    def _fetch(self, client: ApiClient) -> tuple[Secret, float]:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret.reveal(),
        }
        answer = client.send("POST", TOKEN_PATH, data=form, auth=False)
        body = answer.json()
        if answer.status != 200 or not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise AuthFailed(
                f"token request to {client.base_url}{TOKEN_PATH} answered {answer.status}; "
                "check EPCC_CLIENT_ID and EPCC_CLIENT_SECRET"
            )
        token = Secret(body["access_token"])
        remember(token)
        expires = body.get("expires")
        if not isinstance(expires, (int, float)):
            expires_in = body.get("expires_in")
            expires = self.clock() + (expires_in if isinstance(expires_in, (int, float)) else 3600)
        return token, float(expires)


@dataclass(frozen=True)
class Exchange:
    """What the request log keeps of a request: never headers or bodies."""

    method: str
    url: str
    status: int | None


class _Deadline(threading.local):
    at: float | None = None


_DEADLINE = _Deadline()
"""The monotonic time by which the request in progress on this thread must be done."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Bound every socket operation of this thread's request to ``seconds`` in total."""
    _DEADLINE.at = time.monotonic() + seconds
    try:
        yield
    finally:
        _DEADLINE.at = None


def _within(timeout: float | None, error: type[Exception] = httpcore.ReadTimeout) -> float | None:
    """The socket timeout of one operation: its own, shortened to what is left of the deadline."""
    at = _DEADLINE.at
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise error("the total deadline of the request has passed")
    return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the request's deadline.

    httpx's timeouts are per phase and per socket operation: a server that
    sends a byte every half second, or headers without end, never trips a 1 s
    read timeout. Here each ``recv``/``send`` waits at most what is left of
    the request's total deadline, so the whole exchange is bounded.
    """

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _within(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _within(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, _within(timeout, httpcore.ConnectTimeout))
        return DeadlineStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's blocking sockets, each bounded by the request's deadline."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _within(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self._inner.connect_tcp(host, port, bounded, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        bounded = _within(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self._inner.connect_unix_socket(path, bounded, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def bounded_transport() -> httpx.HTTPTransport:
    """httpx's default transport on :class:`DeadlineBackend` sockets.

    httpx does not take a network backend, so its connection pool is replaced
    by one built the same way with that backend (httpx is pinned below 0.29).
    A proxy from the environment gets httpx's own transport: there, only the
    per-phase timeouts and the body's deadline check apply.
    """
    transport = httpx.HTTPTransport()
    transport._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(), network_backend=DeadlineBackend())
    return transport


class ApiClient:
    """Sends requests to one target, within the :class:`Politeness` limits."""

    def __init__(
        self,
        base_url: str,
        *,
        token: TokenSource | None = None,
        politeness: Politeness = Politeness(),
        allow_writes: bool = False,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        observer: Callable[[Answer], None] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token_source = token
        self.politeness = politeness
        self.allow_writes = allow_writes
        self.log: list[Exchange] = []
        self.observer = observer
        self._sleep = sleep
        self._last = 0.0
        self._lock = threading.Lock()
        self._failure: TargetError | None = None
        self._http = httpx.Client(
            timeout=politeness.timeout,
            follow_redirects=False,
            transport=transport if transport is not None else bounded_transport(),
            headers={"Accept": "application/json", "User-Agent": "pcm-contracts"},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def sent(self) -> int:
        return len(self.log)

    def get(self, path: str, *, auth: bool = True, headers: Mapping[str, str] | None = None) -> Answer:
        """GET ``path``, with the bearer token unless ``auth`` is false.

        A 401 with a renewable token source is retried once with a fresh token.
        """
        return self.fetch("GET", self.base_url + path, auth=auth, headers=headers)

    def fetch(
        self,
        method: str,
        url: str,
        *,
        auth: bool = True,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
    ) -> Answer:
        """Send to a full ``url`` of the target (schemathesis' requests come
        this way); a 401 with a renewable token source is retried once with a
        fresh token."""
        answer = self.request(method, url, auth=auth, headers=headers, content=content)
        if answer.status == 401 and auth and isinstance(self.token_source, ClientCredentials):
            answer = self.request(method, url, auth=auth, headers=headers, content=content, renew=True)
        return answer

    def send(
        self,
        method: str,
        path: str,
        *,
        auth: bool = True,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        renew: bool = False,
    ) -> Answer:
        return self.request(method, self.base_url + path, auth=auth, headers=headers, data=data, renew=renew)

    def request(
        self,
        method: str,
        url: str,
        *,
        auth: bool = True,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        content: bytes | None = None,
        renew: bool = False,
    ) -> Answer:
        """One request (and its 429 retries); the token, when ``auth``, is the
        token source's at the moment it is sent."""
        method = method.upper()
        token_request = method == "POST" and url == self.base_url + TOKEN_PATH
        if method != "GET" and not self.allow_writes and not token_request:
            raise WriteRefused(f"refused to send {method} {url}: the suite only reads unless --allow-writes is given")
        sent = SecretHeaders(headers or {})
        if auth and self.token_source is not None:
            sent["Authorization"] = f"Bearer {self.token_source.token(self, renew=renew).reveal()}"
        for attempt in range(self.politeness.retries + 1):
            answer = self._once(method, url, sent, data, content)
            if answer.status != 429:
                if self.observer is not None:
                    self.observer(answer)
                return answer
            if attempt == self.politeness.retries:
                break
            self._sleep(retry_after(answer.headers.get("retry-after"), self.politeness.max_retry_after))
        raise RateLimited(
            f"{method} {url} still answered 429 Too Many Requests after {self.politeness.retries} retries"
        )

    def _once(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        data: Mapping[str, str] | None,
        content: bytes | None,
    ) -> Answer:
        with self._lock:
            if self._failure is not None:  # the target cannot be checked: nothing more is sent
                raise type(self._failure)(str(self._failure))
            if self.sent >= self.politeness.budget:
                raise BudgetExhausted(
                    f"the request budget of {self.politeness.budget} is spent (raise --request-budget)"
                )
            if self.politeness.rate > 0:
                wait = self._last + 1 / self.politeness.rate - time.monotonic()
                if wait > 0:
                    self._sleep(wait)
            self._last = time.monotonic()
            exchange = Exchange(method, url, None)
            self.log.append(exchange)
        try:
            body, response = self._read(method, url, headers, data, content)
            with self._lock:
                self.log[self.log.index(exchange)] = Exchange(method, url, response.status_code)
            if response.is_redirect or 300 <= response.status_code < 400:
                location = redact(response.headers.get("location", "(no Location)"))
                raise Redirected(
                    f"{method} {url} answered {response.status_code} redirecting to {location}: the base URL is "
                    "not the API's (check its scheme, host and path prefix); redirects are never followed"
                )
        except httpx.TimeoutException:
            raise self._failed(
                TimedOut(
                    f"{method} {url}: no answer within {self.politeness.timeout:g} s "
                    "(the deadline for connecting, the headers and the body together)"
                )
            ) from None
        except (httpx.TransportError, httpx.StreamError) as error:
            raise self._failed(Unreachable(f"{method} {url}: {describe(error)}")) from None
        except (BodyTooLarge, Redirected) as error:
            raise self._failed(error) from None
        return Answer(
            method=method,
            url=url,
            status=response.status_code,
            headers={k.lower(): redact(v) for k, v in response.headers.items()},
            content=body,
            sent_auth="Authorization" in headers,
        )

    def _failed(self, error: TargetError) -> TargetError:
        self._failure = error
        return error

    def _read(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        data: Mapping[str, str] | None,
        content: bytes | None,
    ) -> tuple[bytes, httpx.Response]:
        cap, timeout = self.politeness.max_body_bytes, self.politeness.timeout
        ends = time.monotonic() + timeout
        with deadline(timeout), self._http.stream(method, url, headers=headers, data=data, content=content) as response:
            if 300 <= response.status_code < 400:
                return b"", response  # a redirect's body is never read
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise BodyTooLarge(
                    f"{method} {url}: declared a body of {int(declared)} bytes, larger than {cap} bytes (the cap); "
                    "not read"
                )
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > cap:
                    raise BodyTooLarge(f"{method} {url}: body larger than {cap} bytes (the cap)")
                if time.monotonic() > ends:  # also with a transport whose sockets are not bounded
                    raise httpx.ReadTimeout("the total deadline of the request has passed")
                chunks.append(chunk)
        return b"".join(chunks), response


def describe(error: Exception) -> str:
    """A one-line, secret-free reason for a transport error."""
    kinds = (
        (httpx.ConnectError, "connection failed"),
        (httpx.RemoteProtocolError, "the connection broke mid-answer (reset or truncated body)"),
        (httpx.ReadError, "the connection was reset"),
        (httpx.WriteError, "the connection was reset while sending"),
    )
    kind = next((text for cls, text in kinds if isinstance(error, cls)), type(error).__name__)
    detail = str(error).splitlines()[0] if str(error) else ""
    return redact(f"{kind} ({detail})" if detail else kind)


def retry_after(value: str | None, cap: float) -> float:
    """Seconds to wait for a ``Retry-After`` value (seconds or HTTP date)."""
    if not value:
        return 1.0
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            seconds = 1.0
    if not math.isfinite(seconds):  # "nan", "inf": no wait anyone can sleep
        seconds = 1.0
    return min(max(seconds, 0.0), cap)
