"""The pytest plugin of the contract suite: options, fixtures, outcome.

Loaded by its ``pytest11`` entry point wherever the package is installed; it
stays out of the way of other test suites: it parametrizes only the shipped
suite (``contracts.suite``), and its header, credential check and exit codes
apply only to runs that collect tests marked ``live``.

``--base-url`` (the ``base_url`` ini key, ``$PYTEST_BASE_URL``) is
pytest-base-url's, which this package depends on, so the suite runs beside
pytest-playwright and pytest-selenium; the precedence with the project's own
variables is in :mod:`contracts.target`.

Outcome: a contract violation fails its test; a target that cannot be checked
(refused, timeout, reset, a body past the cap, a redirect, the budget spent,
429 after retries, no credentials accepted) stops the
run after one clear report and exits with :data:`EXIT_TARGET_ERROR`; a run
aimed at a deployment in which no live check executed exits with 5.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import pytest

from contracts.errors import OptionError
from contracts.redaction import redact
from contracts.target import (
    CLIENT_ENV,
    MAX_EXAMPLES,
    POLITE,
    TOKEN_ENV,
    WATCH,
    Options,
    Settings,
    Target,
    discover,
    preflight,
    settings_from,
)

if TYPE_CHECKING:
    from contracts.client import ApiClient
    from contracts.mock import MockServer
    from contracts.violations import Strictness

EXIT_TARGET_ERROR = 6
SUITE_PACKAGE = "contracts.suite"
TARGET_ERROR_KEY = pytest.StashKey[str]()
TARGET_ERROR_SHOWN_KEY = pytest.StashKey[bool]()
LIVE_RUN_KEY = pytest.StashKey[int]()
LIVE_COLLECTED_KEY = pytest.StashKey[bool]()
SETTINGS_KEY = pytest.StashKey[Settings]()
MOCK_KEY = pytest.StashKey["MockServer"]()
TARGET_KEY = pytest.StashKey[Target]()
GIVEN_BASE_URL_KEY = pytest.StashKey["str | None"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pcm-contracts", "PCM Jobs API contract checks (--base-url: the deployment to check)")
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
        help=f"requests per second at most; 0 for no limit ({POLITE.rate:g}; no limit against the built-in mock)",
    )
    group.addoption(
        "--request-budget",
        type=int,
        default=POLITE.budget,
        metavar="N",
        help=f"requests in the run at most ({POLITE.budget})",
    )
    group.addoption(
        "--request-timeout",
        type=float,
        default=POLITE.timeout,
        metavar="S",
        help=f"seconds per request in total: connect, headers and body ({POLITE.timeout:g})",
    )
    group.addoption(
        "--max-examples",
        type=int,
        default=MAX_EXAMPLES,
        metavar="N",
        help=f"property-based examples per operation ({MAX_EXAMPLES})",
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
        "--watch-timeout",
        type=float,
        metavar="S",
        help=f"seconds a watch may take ({WATCH['deployment'][0]:g}; {WATCH['mock'][0]:g} on the built-in mock)",
    )
    group.addoption(
        "--watch-interval",
        type=float,
        metavar="S",
        help=f"seconds between polls ({WATCH['deployment'][1]:g}; {WATCH['mock'][1]:g} on the built-in mock)",
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


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # Before pytest-base-url's own pytest_configure copies the ini key into the
    # option: the ini key comes after the project's environment variables.
    config.stash[GIVEN_BASE_URL_KEY] = config.getoption("base_url", None) or None
    config.addinivalue_line("markers", "live: sends HTTP requests to the target (the built-in mock unless --base-url)")
    config.stash[LIVE_RUN_KEY] = 0


def options_of(config: pytest.Config) -> Options:
    def ini(name: str) -> str | None:
        try:
            return str(config.getini(name)) or None
        except ValueError:  # pytest-base-url blocked (-p no:base_url): no such key
            return None

    return Options(
        base_url=config.stash.get(GIVEN_BASE_URL_KEY, None),
        ini_base_url=ini("base_url"),
        token=config.getoption("token"),
        job_ids=tuple(config.getoption("job_id")),
        allow_writes=config.getoption("allow_writes"),
        rate_limit=config.getoption("rate_limit"),
        request_budget=config.getoption("request_budget"),
        request_timeout=config.getoption("request_timeout"),
        max_examples=config.getoption("max_examples"),
        strictness=tuple(config.getoption("strictness")),
        cancel_job_ids=tuple(config.getoption("cancel_job")),
        watch_job=config.getoption("watch_job"),
        watch_timeout=config.getoption("watch_timeout"),
        watch_interval=config.getoption("watch_interval"),
    )


def session_settings(config: pytest.Config) -> Settings:
    """The session's settings, read once; a contradiction is a usage error."""
    if SETTINGS_KEY not in config.stash:
        try:
            config.stash[SETTINGS_KEY] = settings_from(options_of(config))
        except OptionError as error:
            raise pytest.UsageError(str(error)) from None
    return config.stash[SETTINGS_KEY]


def header_line(settings: Settings) -> str:
    if settings.is_mock:
        where = "the built-in mock on 127.0.0.1 (started when a live check runs)"
        auth = "the mock's token"
    else:
        where, auth = f"{settings.base_url} (from {settings.source})", settings.credentials
    writes = "allowed" if settings.writes else "refused (GET only)"
    return f"contract target: {where}; auth: {auth}; writes: {writes}"


def pytest_report_collectionfinish(config: pytest.Config, items: list[pytest.Item]) -> list[str]:
    return [header_line(session_settings(config))] if config.stash.get(LIVE_COLLECTED_KEY, False) else []


def is_contract_check(item: pytest.Item) -> bool:
    """A live check of the shipped suite, or a test of the user's that asks for
    the target: the only tests whose run the plugin judges (another suite's own
    ``live`` marker, or its network errors, are its own)."""
    module = getattr(getattr(item, "module", None), "__name__", "")
    in_suite = module.startswith(SUITE_PACKAGE + ".") and item.get_closest_marker("live") is not None
    return in_suite or "contract_target" in getattr(item, "fixturenames", ())  # also through the plugin's `api`


@pytest.hookimpl(tryfirst=True)  # before -k/-m deselect: a contract run whose checks were all left out is one
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    live = any(is_contract_check(item) for item in items)
    config.stash[LIVE_COLLECTED_KEY] = live
    if not live or config.option.collectonly:  # listing the tests needs no credentials
        return
    settings = session_settings(config)
    if not settings.is_mock and settings.token is None:
        raise pytest.UsageError(
            f"no credentials for {settings.base_url}: set ${TOKEN_ENV}, or ${CLIENT_ENV[0]} and ${CLIENT_ENV[1]}"
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
    from contracts.client import ApiClient, StaticToken, TargetError
    from contracts.coverage import Coverage
    from contracts.redaction import Secret

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
        allow_writes=settings.writes,
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

    from contracts.registry import PACKAGE
    from contracts.routing import OPENAPI_PATH
    from contracts.transport import through_client

    settings = contract_target.settings
    config = SchemathesisConfig.from_path(PACKAGE / "schemathesis.toml")
    schema = through_client(schemathesis.openapi.from_path(str(OPENAPI_PATH), config=config), contract_target.client)
    # the rate limit, the budget, the deadline and the body cap are the client's (contracts.transport)
    schema.config.update(base_url=contract_target.base_url, request_timeout=settings.politeness.timeout)
    schema.config.generation.update(max_examples=settings.max_examples)
    if contract_target.mock is not None:  # probing other methods is for the mock only, --allow-writes or not
        from schemathesis.config._phases import DEFAULT_UNEXPECTED_METHODS

        schema.config.phases.coverage.unexpected_methods = set(DEFAULT_UNEXPECTED_METHODS)
    return schema


@pytest.fixture(scope="session")
def strictness(request: pytest.FixtureRequest) -> Strictness:
    return session_settings(request.config).strictness


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize the shipped suite's ``payload`` and ``job_id`` (another suite's
    arguments of those names are its own)."""
    if not metafunc.module.__name__.startswith(SUITE_PACKAGE + "."):
        return
    if "payload" in metafunc.fixturenames:
        generate_payloads(metafunc)
    if "job_id" not in metafunc.fixturenames:
        return
    settings = session_settings(metafunc.config)
    if metafunc.config.option.collectonly and not settings.job_ids and not settings.is_mock:
        # listing the tests sends nothing: the jobs are sampled from the job list when the run starts
        metafunc.parametrize("job_id", [pytest.param(None, id="sampled-from-the-job-list")])
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
        skipped = pytest.param(None, id="no-payloads-given", marks=pytest.mark.skip(reason="no --payloads given"))
        metafunc.parametrize("payload", [skipped])
        return
    items = list(read(paths))
    metafunc.parametrize("payload", [pytest.param(item, id=item.source) for item in items])


def target_error_in(error: BaseException) -> BaseException | None:
    """The :class:`TargetError` that ``error`` is or holds (hypothesis and
    schemathesis may wrap it in an exception group)."""
    from contracts.client import TargetError

    if isinstance(error, TargetError):
        return error
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            if (found := target_error_in(inner)) is not None:
                return found
    return None


def is_target_failure(excinfo: pytest.ExceptionInfo[BaseException]) -> str | None:
    """The one-line reason when an exception means the target cannot be checked."""
    error = excinfo.value
    if (found := target_error_in(error)) is not None:
        return str(found)
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
    contract = is_contract_check(item)
    if contract and call.excinfo is not None and (reason := is_target_failure(call.excinfo)):
        reason = redact(reason)
        if item.config.stash.get(TARGET_ERROR_SHOWN_KEY, False):
            # shown once: what runs on (schemathesis' other operations, in the same test) was never checked
            report.outcome = "skipped"
            path, line, _ = item.location
            report.longrepr = (path, (line or 0) + 1, "Skipped: not checked, the target cannot be checked")
        else:
            item.config.stash[TARGET_ERROR_KEY] = reason
            item.config.stash[TARGET_ERROR_SHOWN_KEY] = True
            item.session.shouldstop = f"the target cannot be checked: {reason}"
            report.longrepr = f"target error: {reason}"
    redact_report(report)
    if contract and call.when == "call" and report.outcome in ("passed", "failed"):
        item.config.stash[LIVE_RUN_KEY] += 1
    return report


def redact_report(report: pytest.TestReport) -> None:
    """Mask every known secret in what a report carries to the terminal, JUnit
    XML and other reporters: the failure text (a deployment may echo the token
    into a body that a failure message quotes, schemathesis' excerpts
    included) and the captured output and logs."""
    if isinstance(report.longrepr, tuple):  # a skip: (path, line, reason), which pytest's summary needs as such
        path, line, reason = report.longrepr
        report.longrepr = (path, line, redact(reason))
    elif report.longrepr is not None:
        text = str(report.longrepr)
        if redact(text) != text:
            report.longrepr = redact(text)
    report.sections = [(title, redact(content)) for title, content in report.sections]


@pytest.hookimpl(trylast=True)
def pytest_exception_interact(node: Any, call: pytest.CallInfo[Any], report: pytest.TestReport) -> None:
    """schemathesis rewrites a failure's text here, after the report was made: mask it again."""
    redact_report(report)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Mask secrets in what pytest's log file and live log write (captured logs
    are masked with the reports)."""
    from contracts.redaction import RedactingFilter

    logging_plugin = session.config.pluginmanager.get_plugin("logging-plugin")
    for name in ("log_file_handler", "log_cli_handler"):
        handler = getattr(logging_plugin, name, None)
        if handler is not None:
            handler.addFilter(RedactingFilter())


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    target = config.stash.get(TARGET_KEY, None)
    if target is not None and config.stash.get(LIVE_RUN_KEY, 0):
        sent = Counter(exchange.method for exchange in target.client.log)  # schemathesis' requests included
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
    if not config.stash.get(LIVE_COLLECTED_KEY, False) or config.option.collectonly:
        return  # not a contract run (or only a listing of it): its exit status is its own
    settings = session_settings(config)
    if not settings.is_mock and config.stash.get(LIVE_RUN_KEY, 0) == 0 and exitstatus in (0, 5):
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"pcm-contracts: a base URL was given ({settings.base_url}) but no live check ran: "
                "nothing was verified (select tests marked live, give --job-id)",
                red=True,
            )
        session.exitstatus = pytest.ExitCode.NO_TESTS_COLLECTED


__all__ = ["EXIT_TARGET_ERROR", "SUITE_PACKAGE"]
