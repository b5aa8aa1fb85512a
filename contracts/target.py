"""What a live run is aimed at: the settings the options give, and the target
made from them (a base URL, a client, the jobs to ask for).

Target precedence (pytest-base-url's, which provides ``--base-url``): the
``--base-url`` option (or ``$PYTEST_BASE_URL``, its default), then
``$PCM_CONTRACTS_BASE_URL``, then ``$EPCC_API_BASE_URL``, then the
``base_url`` ini key; none of them: the built-in mock, started on first use.

Credentials: ``--token`` or ``$PCM_CONTRACTS_TOKEN`` (a bearer token), else
``$EPCC_CLIENT_ID`` + ``$EPCC_CLIENT_SECRET`` (a client-credentials token the
suite obtains and renews). Against the built-in mock, its own token.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from contracts.client import (
    ApiClient,
    AuthFailed,
    ClientCredentials,
    Politeness,
    StaticToken,
    TokenSource,
)
from contracts.errors import OptionError
from contracts.redaction import Secret, SecretHeaders
from contracts.violations import Strictness

if TYPE_CHECKING:
    from contracts.coverage import Coverage
    from contracts.mock import MockServer

POLITE = Politeness()
"""The client's defaults against a deployment (the built-in mock has no rate limit)."""
WATCH = {"deployment": (120.0, 2.0), "mock": (20.0, 0.25)}
"""``--watch-timeout`` and ``--watch-interval`` when not given, in seconds."""
MAX_EXAMPLES = 25
BASE_URL_ENV = ("PCM_CONTRACTS_BASE_URL", "EPCC_API_BASE_URL")
PYTEST_BASE_URL_ENV = "PYTEST_BASE_URL"
TOKEN_ENV = "PCM_CONTRACTS_TOKEN"
CLIENT_ENV = ("EPCC_CLIENT_ID", "EPCC_CLIENT_SECRET")


@dataclass(frozen=True)
class Options:
    """The raw option values a run was given (from pytest's options, or a test)."""

    base_url: str | None = None
    """``--base-url`` as given on the command line or by ``$PYTEST_BASE_URL``, before any ini fallback."""
    ini_base_url: str | None = None
    token: str | None = None
    job_ids: tuple[str, ...] = ()
    allow_writes: bool = False
    rate_limit: float | None = None
    request_budget: int = POLITE.budget
    request_timeout: float = POLITE.timeout
    max_examples: int = MAX_EXAMPLES
    strictness: tuple[str, ...] = ()
    cancel_job_ids: tuple[str, ...] = ()
    watch_job: str | None = None
    watch_timeout: float | None = None
    watch_interval: float | None = None


@dataclass(frozen=True)
class Settings:
    """What the options say, before anything is started or sent."""

    base_url: str | None
    source: str
    credentials: str
    token: TokenSource | None
    job_ids: tuple[str, ...]
    politeness: Politeness
    allow_writes: bool
    max_examples: int
    strictness: Strictness
    cancel_job_ids: tuple[str, ...] = ()
    watch_job: str | None = None
    watch_timeout: float = WATCH["deployment"][0]
    watch_interval: float = WATCH["deployment"][1]

    @property
    def is_mock(self) -> bool:
        return self.base_url is None

    @property
    def writes(self) -> bool:
        """Whether requests other than GET may be sent (always to the built-in mock)."""
        return self.allow_writes or self.is_mock


def settings_from(options: Options, environ: Mapping[str, str] = os.environ) -> Settings:
    """Read the options with the documented precedence; never logs a secret.

    Raises :class:`OptionError` for options that contradict each other.
    """
    base_url, source = options.base_url, "--base-url"
    if base_url and base_url == environ.get(PYTEST_BASE_URL_ENV):
        source = f"${PYTEST_BASE_URL_ENV}"
    for name in BASE_URL_ENV:
        if not base_url and environ.get(name):
            base_url, source = environ[name], f"${name}"
    if not base_url and options.ini_base_url:
        base_url, source = options.ini_base_url, "ini base_url"
    if not base_url:
        source = "built-in mock"
    elif not is_http_url(base_url):
        raise OptionError(f"the base URL ({source}) must be an http:// or https:// URL with a host, not {base_url!r}")
    token: TokenSource | None = None
    credentials = "none"
    given = options.token or environ.get(TOKEN_ENV)
    client_id, client_secret = (environ.get(name) for name in CLIENT_ENV)
    if given:
        token = StaticToken(Secret(given))
        credentials = "bearer token from --token" if options.token else f"bearer token from ${TOKEN_ENV}"
    elif client_id and client_secret:
        token = ClientCredentials(client_id, Secret(client_secret))
        credentials = f"client credentials from ${CLIENT_ENV[0]} and ${CLIENT_ENV[1]}"
    elif client_id or client_secret:
        raise OptionError(f"set both ${CLIENT_ENV[0]} and ${CLIENT_ENV[1]}, or neither")
    rate = options.rate_limit
    politeness = Politeness(
        timeout=options.request_timeout,
        rate=rate if rate is not None else (POLITE.rate if base_url else 0.0),
        budget=options.request_budget,
    )
    return Settings(
        base_url=base_url.rstrip("/") if base_url else None,
        source=source,
        credentials=credentials,
        token=token,
        job_ids=options.job_ids,
        politeness=politeness,
        allow_writes=options.allow_writes,
        max_examples=options.max_examples,
        strictness=Strictness.parse(options.strictness),
        cancel_job_ids=options.cancel_job_ids,
        watch_job=options.watch_job,
        watch_timeout=options.watch_timeout or WATCH["deployment" if base_url else "mock"][0],
        watch_interval=options.watch_interval or WATCH["deployment" if base_url else "mock"][1],
    )


def is_http_url(text: str) -> bool:
    """Whether ``text`` is an absolute http(s) URL that httpx can send to."""
    import httpx

    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError):
        return False
    return url.scheme in ("http", "https") and bool(url.host)


@dataclass
class Target:
    """The target of this session: a base URL, a client, the jobs to ask for."""

    settings: Settings
    base_url: str
    client: ApiClient
    mock: MockServer | None
    job_ids: tuple[str, ...]
    discovery: str
    coverage: Coverage

    def auth_headers(self) -> SecretHeaders:
        """The Authorization header with the token of the moment, for a user's own
        requests sent outside the suite's client (the suite's go through it)."""
        source = self.client.token_source
        if source is None:
            return SecretHeaders()
        return SecretHeaders(Authorization=f"Bearer {source.token(self.client).reveal()}")


DISCOVERY_PAGE_SIZE = 100
DISCOVERY_JOBS = 500
DISCOVERY_PAGES = 20
"""Requests discovery may send: enough for ``DISCOVERY_JOBS`` under a page cap of 25."""


def discover(client: ApiClient) -> tuple[tuple[str, ...], str]:
    """Sample job ids from the job list: one per (type, status) pair listed.

    Reads at most ``DISCOVERY_JOBS`` jobs in at most ``DISCOVERY_PAGES``
    requests of ``DISCOVERY_PAGE_SIZE``; each page starts where the last
    ended, so a deployment that caps page[limit] is read the same way.
    """
    listed: list[dict[str, Any]] = []
    total: int | None = None
    offset = 0
    for _ in range(DISCOVERY_PAGES):
        query = f"page[limit]={DISCOVERY_PAGE_SIZE}&page[offset]={offset}"
        answer = client.get(f"/pcm/jobs?{query}")  # a TargetError is the caller's: the run's error
        body = answer.json()
        data = body.get("data") if isinstance(body, dict) else None
        if answer.status in (401, 403):
            return (), f"the job list refused the credentials ({answer.status}): check the token"
        if answer.status != 200 or not isinstance(data, list):
            return (), f"the job list answered {answer.status} without a list of jobs: pass --job-id ID"
        listed += [job for job in data if isinstance(job, dict) and isinstance(job.get("id"), str)]
        offset += len(data)
        meta = body.get("meta")
        results = meta.get("results") if isinstance(meta, dict) else None
        total = results.get("total") if isinstance(results, dict) else None
        ended = offset >= total if isinstance(total, int) else len(data) < DISCOVERY_PAGE_SIZE
        if ended or not data or len(listed) >= DISCOVERY_JOBS:
            break
    sample: dict[tuple[Any, Any], str] = {}
    for job in listed:
        found = job.get("attributes")
        attrs: dict[str, Any] = found if isinstance(found, dict) else {}
        sample.setdefault((attrs.get("type"), attrs.get("status")), job["id"])
    if not sample:
        return (), "the job list is empty: pass --job-id ID"
    types = {kind for kind, _ in sample}
    statuses = {status for _, status in sample}
    return tuple(sample.values()), (
        f"sampled from the job list: {len(listed)} of {total if isinstance(total, int) else '?'} jobs read, "
        f"one per type and status: types {len(types)}, statuses {len(statuses)}"
    )


def preflight(target: Target) -> None:
    """One authenticated GET; a target that cannot be checked stops here."""
    job = target.job_ids[0] if target.job_ids else str(uuid.uuid4())
    answer = target.client.get(f"/pcm/jobs/{job}")
    if answer.status in (401, 403):
        raise AuthFailed(
            f"GET {answer.url} answered {answer.status} with credentials ({target.settings.credentials or 'none'}): "
            "the token is missing, invalid, expired or not an administrator's"
        )


__all__ = ["Options", "Settings", "Target", "discover", "preflight", "settings_from"]
