"""The HTTP client of the live checks (httpx), polite and safe by construction.

* **Reads only.** Any method other than GET raises :class:`WriteRefused`
  unless the client was built with ``allow_writes=True``; the one exception is
  the client-credentials token request (``POST /oauth/access_token``).
* **Polite.** A requests-per-second limit, a total request budget, a timeout
  on every request, bounded retries of 429 that honour ``Retry-After``, and a
  cap on the size of a body it reads.
* **No secrets out.** The bearer token and client secret live in
  :class:`~contracts.redaction.Secret` values; every message this module writes passes through
  :func:`redact`, and :meth:`Answer.curl` masks the ``Authorization`` header.

Transport failures become one :class:`TargetError` with a one-line reason,
never a traceback of httpx internals::

    ContractError
    └── TargetError              the target cannot be checked at all
        ├── Unreachable          refused, DNS failure, reset, truncated body
        ├── TimedOut             no answer within the timeout
        ├── RateLimited          still 429 after the allowed retries
        ├── BodyTooLarge         a body larger than the cap
        ├── BudgetExhausted      the request budget is spent
        ├── WriteRefused         a non-GET request without --allow-writes
        └── AuthFailed           no usable token (token request failed)
"""

from __future__ import annotations

import email.utils
import json
import shlex
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from contracts.errors import ContractError
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
        """The parsed body, or :data:`NOT_JSON`."""
        try:
            return json.loads(self.content)
        except (ValueError, UnicodeDecodeError):
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
        self._http = httpx.Client(
            timeout=politeness.timeout,
            follow_redirects=False,
            transport=transport,
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
        answer = self.send("GET", path, auth=auth, headers=headers)
        if answer.status == 401 and auth and isinstance(self.token_source, ClientCredentials):
            answer = self.send("GET", path, auth=auth, headers=headers, renew=True)
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
        method = method.upper()
        url = self.base_url + path
        if method != "GET" and not self.allow_writes and not (method == "POST" and path == TOKEN_PATH):
            raise WriteRefused(f"refused to send {method} {url}: the suite only reads unless --allow-writes is given")
        sent = SecretHeaders(headers or {})
        if auth and self.token_source is not None:
            sent["Authorization"] = f"Bearer {self.token_source.token(self, renew=renew).reveal()}"
        for attempt in range(self.politeness.retries + 1):
            answer = self._once(method, url, sent, data)
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

    def _once(self, method: str, url: str, headers: Mapping[str, str], data: Mapping[str, str] | None) -> Answer:
        with self._lock:
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
            content, response = self._read(method, url, headers, data)
        except httpx.TimeoutException:
            raise TimedOut(f"{method} {url}: no answer within {self.politeness.timeout:g} s") from None
        except (httpx.TransportError, httpx.StreamError) as error:
            raise Unreachable(f"{method} {url}: {describe(error)}") from None
        with self._lock:
            self.log[self.log.index(exchange)] = Exchange(method, url, response.status_code)
        return Answer(
            method=method,
            url=url,
            status=response.status_code,
            headers={k.lower(): redact(v) for k, v in response.headers.items()},
            content=content,
            sent_auth="Authorization" in headers,
        )

    def _read(
        self, method: str, url: str, headers: Mapping[str, str], data: Mapping[str, str] | None
    ) -> tuple[bytes, httpx.Response]:
        cap = self.politeness.max_body_bytes
        with self._http.stream(method, url, headers=headers, data=data) as response:
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > cap:
                    raise BodyTooLarge(f"{method} {url}: body larger than {cap} bytes (the cap)")
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
    return min(max(seconds, 0.0), cap)
