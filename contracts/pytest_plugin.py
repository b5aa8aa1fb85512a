"""The pytest plugin of the contract suite: options, target, fixtures, outcome.

Target precedence (pytest-base-url's manners): ``--base-url``, then the
environment (``PCM_CONTRACTS_BASE_URL``, then ``EPCC_API_BASE_URL``), then the
``base_url`` ini key; none of them: the built-in mock, started on first use.

Credentials: ``--token`` or ``PCM_CONTRACTS_TOKEN`` (a bearer token), else
``EPCC_CLIENT_ID`` + ``EPCC_CLIENT_SECRET`` (a client-credentials token the
suite obtains and renews). Against the built-in mock, its own token.

Outcome: a contract violation fails its test; a target that cannot be checked
(refused, timeout, reset, 429 after retries, no credentials accepted) stops the
run after one clear report and exits with :data:`EXIT_TARGET_ERROR`; a run
given a base URL in which no live check executed exits with 5.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from contracts.client import (
    ApiClient,
    AuthFailed,
    ClientCredentials,
    Politeness,
    StaticToken,
    TargetError,
    TokenSource,
)
from contracts.errors import OptionError
from contracts.redaction import Secret, SecretHeaders, redact
from contracts.violations import Strictness

if TYPE_CHECKING:
    from contracts.coverage import Coverage
    from contracts.mock import MockServer

EXIT_TARGET_ERROR = 6
DEFAULT_RATE = 10.0
BASE_URL_ENV = ("PCM_CONTRACTS_BASE_URL", "EPCC_API_BASE_URL")
TOKEN_ENV = "PCM_CONTRACTS_TOKEN"
CLIENT_ENV = ("EPCC_CLIENT_ID", "EPCC_CLIENT_SECRET")
TARGET_ERROR_KEY = pytest.StashKey[str]()
LIVE_RUN_KEY = pytest.StashKey[int]()
LIVE_COLLECTED_KEY = pytest.StashKey[bool]()
SETTINGS_KEY = pytest.StashKey["Settings"]()
MOCK_KEY = pytest.StashKey["MockServer"]()
TARGET_KEY = pytest.StashKey["Target"]()


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
    watch_timeout: float = 120.0
    watch_interval: float = 2.0

    @property
    def is_mock(self) -> bool:
        return self.base_url is None


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
    sent: Counter[str] = field(default_factory=Counter)
    """Requests of the schemathesis runs, by method (the client keeps its own log)."""

    def auth_headers(self) -> SecretHeaders:
        """The Authorization header for requests sent outside the client (schemathesis)."""
        source = self.client.token_source
        if source is None:
            return SecretHeaders()
        return SecretHeaders(Authorization=f"Bearer {source.token(self.client).reveal()}")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pcm-contracts", "PCM Jobs API contract checks")
    group.addoption(
        "--base-url",
        metavar="URL",
        help="the deployment to check, e.g. https://euwest.api.elasticpath.com "
        f"(else ${BASE_URL_ENV[0]}, ${BASE_URL_ENV[1]}, the base_url ini key, or the built-in mock)",
    )
    parser.addini("base_url", "the deployment to check (after --base-url and the environment)")
    group.addoption(
        "--token",
        metavar="TOKEN",
        help=f"bearer token (prefer ${TOKEN_ENV}: a command line is visible to other users); "
        f"else ${CLIENT_ENV[0]} + ${CLIENT_ENV[1]} obtain one",
    )
    group.addoption("--job-id", action="append", default=[], metavar="ID", help="a job to check; repeatable")
    group.addoption(
        "--allow-writes",
        action="store_true",
        help="allow methods other than GET against a target other than the built-in mock",
    )
    group.addoption(
        "--rate-limit",
        type=float,
        default=None,
        metavar="N",
        help=f"requests per second at most; 0 for no limit ({DEFAULT_RATE:g}; no limit against the built-in mock)",
    )
    group.addoption("--request-budget", type=int, default=1000, metavar="N", help="requests in the run at most (1000)")
    group.addoption("--request-timeout", type=float, default=10.0, metavar="S", help="seconds per request (10)")
    group.addoption(
        "--max-examples", type=int, default=25, metavar="N", help="property-based examples per operation (25)"
    )
    group.addoption(
        "--cancel-job",
        action="append",
        default=[],
        metavar="ID",
        help="a pending job the cancel check may cancel (with --allow-writes); repeatable",
    )
    group.addoption("--watch-job", metavar="ID", help="a job to poll until it ends, checking its lifecycle")
    group.addoption(
        "--watch-timeout", type=float, metavar="S", help="seconds a watch may take (120; 20 on the built-in mock)"
    )
    group.addoption(
        "--watch-interval", type=float, metavar="S", help="seconds between polls (2; 0.25 on the built-in mock)"
    )
    group.addoption(
        "--payloads",
        action="append",
        default=[],
        metavar="PATH",
        help="captured payloads to check, one test each (.json, .jsonl, .ndjson, .har, a directory); repeatable",
    )
    group.addoption(
        "--strictness",
        action="append",
        default=[],
        metavar="KIND=LEVEL",
        help="undocumented-value / undocumented-field as error, warning or off "
        "(defaults: undocumented-value=error, undocumented-field=off); repeatable",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "live: sends HTTP requests to the target (the built-in mock unless --base-url)")
    config.stash[LIVE_RUN_KEY] = 0


def settings_from(config: pytest.Config, environ: os._Environ[str] | dict[str, str] = os.environ) -> Settings:
    """Read the options with the documented precedence; never logs a secret."""
    base_url, source = config.getoption("base_url"), "--base-url"
    for name in BASE_URL_ENV:
        if not base_url and environ.get(name):
            base_url, source = environ[name], f"${name}"
    if not base_url and config.getini("base_url"):
        base_url, source = str(config.getini("base_url")), "ini base_url"
    if not base_url:
        source = "built-in mock"
    token: TokenSource | None = None
    credentials = "none"
    given = config.getoption("token") or environ.get(TOKEN_ENV)
    client_id, client_secret = (environ.get(name) for name in CLIENT_ENV)
    if given:
        token = StaticToken(Secret(given))
        credentials = "bearer token from --token" if config.getoption("token") else f"bearer token from ${TOKEN_ENV}"
    elif client_id and client_secret:
        token = ClientCredentials(client_id, Secret(client_secret))
        credentials = f"client credentials from ${CLIENT_ENV[0]} and ${CLIENT_ENV[1]}"
    elif client_id or client_secret:
        raise pytest.UsageError(f"set both ${CLIENT_ENV[0]} and ${CLIENT_ENV[1]}, or neither")
    try:
        strictness = Strictness.parse(config.getoption("strictness"))
    except OptionError as error:
        raise pytest.UsageError(str(error)) from None
    rate = config.getoption("rate_limit")
    politeness = Politeness(
        timeout=config.getoption("request_timeout"),
        rate=rate if rate is not None else (DEFAULT_RATE if base_url else 0.0),
        budget=config.getoption("request_budget"),
    )
    return Settings(
        base_url=base_url.rstrip("/") if base_url else None,
        source=source,
        credentials=credentials,
        token=token,
        job_ids=tuple(config.getoption("job_id")),
        politeness=politeness,
        allow_writes=config.getoption("allow_writes"),
        max_examples=config.getoption("max_examples"),
        strictness=strictness,
        cancel_job_ids=tuple(config.getoption("cancel_job")),
        watch_job=config.getoption("watch_job"),
        watch_timeout=config.getoption("watch_timeout") or (120.0 if base_url else 20.0),
        watch_interval=config.getoption("watch_interval") or (2.0 if base_url else 0.25),
    )


def session_settings(config: pytest.Config) -> Settings:
    """The session's settings, read once."""
    if SETTINGS_KEY not in config.stash:
        config.stash[SETTINGS_KEY] = settings_from(config)
    return config.stash[SETTINGS_KEY]


def pytest_report_header(config: pytest.Config) -> list[str]:
    settings = session_settings(config)
    if settings.is_mock:
        where = "the built-in mock on 127.0.0.1 (started when a live check runs)"
        auth = "the mock's token"
    else:
        where, auth = f"{settings.base_url} (from {settings.source})", settings.credentials
    writes = "allowed" if settings.allow_writes or settings.is_mock else "refused (GET only)"
    return [f"contract target: {where}; auth: {auth}; writes: {writes}"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    settings = session_settings(config)
    live = any(item.get_closest_marker("live") for item in items)
    config.stash[LIVE_COLLECTED_KEY] = live
    if live and not settings.is_mock and settings.token is None:
        raise pytest.UsageError(
            f"no credentials for {settings.base_url}: set ${TOKEN_ENV}, or ${CLIENT_ENV[0]} and ${CLIENT_ENV[1]}"
        )


DISCOVERY_PAGES = 5
DISCOVERY_PAGE_SIZE = 100


def discover(client: ApiClient) -> tuple[tuple[str, ...], str]:
    """Sample job ids from the job list: one per (type, status) pair listed.

    Reads at most ``DISCOVERY_PAGES`` pages of ``DISCOVERY_PAGE_SIZE`` jobs.
    """
    listed: list[dict[str, Any]] = []
    total: int | None = None
    for page in range(DISCOVERY_PAGES):
        query = f"page[limit]={DISCOVERY_PAGE_SIZE}&page[offset]={page * DISCOVERY_PAGE_SIZE}"
        answer = client.get(f"/pcm/jobs?{query}")  # a TargetError is the caller's: the run's error
        body = answer.json()
        data = body.get("data") if isinstance(body, dict) else None
        if answer.status in (401, 403):
            return (), f"the job list refused the credentials ({answer.status}): check the token"
        if answer.status != 200 or not isinstance(data, list):
            return (), f"the job list answered {answer.status} without a list of jobs: pass --job-id ID"
        listed += [job for job in data if isinstance(job, dict) and isinstance(job.get("id"), str)]
        meta = body.get("meta")
        results = meta.get("results") if isinstance(meta, dict) else None
        total = results.get("total") if isinstance(results, dict) else None
        if len(data) < DISCOVERY_PAGE_SIZE or (isinstance(total, int) and len(listed) >= total):
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


def embedded_mock(config: pytest.Config) -> MockServer:
    """The built-in mock of this session, started on first use (collection
    needs its seeded job ids), stopped when pytest ends."""
    if MOCK_KEY not in config.stash:
        from contracts.mock import MockServer

        config.stash[MOCK_KEY] = MockServer().start()
    return config.stash[MOCK_KEY]


def pytest_unconfigure(config: pytest.Config) -> None:
    target = config.stash.get(TARGET_KEY, None)
    if target is not None:
        target.client.close()
    mock = config.stash.get(MOCK_KEY, None)
    if mock is not None:
        mock.stop()


def target_of(config: pytest.Config) -> Target:
    """The session's target, made on first use (collection needs its job ids)."""
    if TARGET_KEY in config.stash:
        return config.stash[TARGET_KEY]
    from contracts.coverage import Coverage

    settings = session_settings(config)
    mock = None
    token = settings.token
    base_url = settings.base_url
    if base_url is None:
        from contracts.mock import DEFAULT_TOKEN

        mock = embedded_mock(config)
        base_url = mock.url
        token = token or StaticToken(Secret(DEFAULT_TOKEN))
    coverage = Coverage()
    client = ApiClient(
        base_url,
        token=token,
        politeness=settings.politeness,
        allow_writes=settings.allow_writes or mock is not None,
        observer=lambda answer: coverage.observe(answer.method, answer.url, answer.status, answer.json()),
    )
    if settings.job_ids:
        job_ids, discovery = settings.job_ids, "given with --job-id"
    elif mock is not None:
        job_ids, discovery = tuple(job.id for job in mock.seed), "every job of the built-in mock's seed"
    else:
        try:
            job_ids, discovery = discover(client)
        except TargetError as error:  # reported as the run's target error, even if no check runs
            config.stash[TARGET_ERROR_KEY] = redact(str(error))
            job_ids, discovery = (), f"the target cannot be checked: {redact(str(error))}"
    target = config.stash[TARGET_KEY] = Target(settings, base_url, client, mock, job_ids, discovery, coverage)
    return target


def preflight(target: Target) -> None:
    """One authenticated GET; a target that cannot be checked stops here."""
    job = target.job_ids[0] if target.job_ids else str(uuid.uuid4())
    answer = target.client.get(f"/pcm/jobs/{job}")
    if answer.status in (401, 403):
        raise AuthFailed(
            f"GET {answer.url} answered {answer.status} with credentials ({target.settings.credentials or 'none'}): "
            "the token is missing, invalid, expired or not an administrator's"
        )


@pytest.fixture(scope="session")
def contract_target(request: pytest.FixtureRequest) -> Target:
    """The target of the live checks, checked reachable once per session."""
    target = target_of(request.config)
    preflight(target)
    return target


@pytest.fixture(scope="session")
def api(contract_target: Target) -> ApiClient:
    """The polite, read-only HTTP client of the live checks."""
    return contract_target.client


@pytest.fixture
def contract_schema(contract_target: Target) -> Any:
    """The contract document as a schemathesis schema aimed at the target.

    Bounded by --max-examples; at the --rate-limit. Only against the built-in
    mock does schemathesis' coverage phase also send other methods (expecting
    405): never against a deployment, even with --allow-writes, since a DELETE
    probe is no read. The rest of the configuration is
    ``schemathesis.toml``, which the schemathesis CLI reads too.
    """
    import schemathesis
    from schemathesis.config import SchemathesisConfig

    from contracts.registry import ROOT
    from contracts.routing import OPENAPI_PATH

    settings = contract_target.settings
    config = SchemathesisConfig.from_path(ROOT / "schemathesis.toml")
    schema = schemathesis.openapi.from_path(str(OPENAPI_PATH), config=config)
    schema.config.update(
        base_url=contract_target.base_url,
        request_timeout=settings.politeness.timeout,
        rate_limit=f"{max(1, int(settings.politeness.rate))}/s" if settings.politeness.rate > 0 else None,
    )
    schema.config.generation.update(max_examples=settings.max_examples)
    if contract_target.mock is None:  # probing other methods is for the mock only, --allow-writes or not
        schema.config.phases.coverage.unexpected_methods = set()
    return schema


@pytest.fixture(scope="session")
def strictness(request: pytest.FixtureRequest) -> Strictness:
    return session_settings(request.config).strictness


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "payload" in metafunc.fixturenames:
        generate_payloads(metafunc)
    if "job_id" not in metafunc.fixturenames:
        return
    target = target_of(metafunc.config)
    if target.job_ids:
        metafunc.parametrize("job_id", target.job_ids)
    else:
        reason = f"no job ids: {target.discovery}"
        metafunc.parametrize("job_id", [pytest.param(None, marks=pytest.mark.skip(reason=reason))])


def generate_payloads(metafunc: pytest.Metafunc) -> None:
    """One test per captured payload of --payloads, its id the payload's source."""
    from contracts.captures import read

    paths = metafunc.config.getoption("payloads")
    if not paths:
        metafunc.parametrize("payload", [pytest.param(None, marks=pytest.mark.skip(reason="no --payloads given"))])
        return
    items = list(read(paths))
    metafunc.parametrize("payload", [pytest.param(item, id=item.source) for item in items])


def is_target_failure(excinfo: pytest.ExceptionInfo[BaseException]) -> str | None:
    """The one-line reason when an exception means the target cannot be checked."""
    error = excinfo.value
    if isinstance(error, TargetError):
        return str(error)
    try:
        import requests
    except ImportError:  # pragma: no cover - schemathesis depends on requests
        return None
    if isinstance(error, requests.exceptions.Timeout):
        return "no answer within the timeout (property-based run)"
    if isinstance(error, requests.exceptions.ConnectionError):
        return "connection failed or broke (property-based run)"
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if call.excinfo is not None and (reason := is_target_failure(call.excinfo)):
        reason = redact(reason)
        item.config.stash[TARGET_ERROR_KEY] = reason
        item.session.shouldstop = f"the target cannot be checked: {reason}"
        report.longrepr = f"target error: {reason}"
    if call.when == "call" and item.get_closest_marker("live") and report.outcome in ("passed", "failed"):
        item.config.stash[LIVE_RUN_KEY] += 1
    return report


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    target = config.stash.get(TARGET_KEY, None)
    if target is not None and config.stash.get(LIVE_RUN_KEY, 0):
        sent = Counter(exchange.method for exchange in target.client.log) + target.sent
        by_method = ", ".join(f"{method} {count}" for method, count in sorted(sent.items())) or "none"
        terminalreporter.write_line(
            f"contract target {target.base_url}: {sum(sent.values())} requests ({by_method}); "
            f"jobs: {len(target.job_ids)} ({target.discovery})"
        )
        terminalreporter.write_line("contract coverage (what this run observed of the documented contract):")
        for line in target.coverage.lines():
            terminalreporter.write_line(redact(line))
    reason = config.stash.get(TARGET_ERROR_KEY, None)
    if reason:
        terminalreporter.write_line(f"pcm-contracts: the target cannot be checked: {reason}", red=True, bold=True)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if config.stash.get(TARGET_ERROR_KEY, None):
        session.exitstatus = EXIT_TARGET_ERROR
        return
    settings = session_settings(config)
    asked = settings.source == "--base-url" or config.stash.get(LIVE_COLLECTED_KEY, False)
    if not settings.is_mock and asked and config.stash.get(LIVE_RUN_KEY, 0) == 0 and exitstatus in (0, 5):
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"pcm-contracts: a base URL was given ({settings.base_url}) but no live check ran: "
                "nothing was verified (select tests marked live, give --job-id)",
                red=True,
            )
        session.exitstatus = pytest.ExitCode.NO_TESTS_COLLECTED


__all__ = ["EXIT_TARGET_ERROR", "Settings", "Target", "settings_from"]
