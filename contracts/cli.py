"""The ``pcm-contracts`` command: parse -> build -> run -> exit code.

Exit codes: 0 everything keeps the contract, 1 at least one finding at error
severity (or an unreadable input among readable ones), 2 usage error, or no
payload of this contract could be read at all. A reader of standard output
that goes away early stops the writing, never the judging
(:class:`~contracts.console.PipeGuard`): the exit code stays the verdict.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from contracts import __version__, routing
from contracts.captures import read
from contracts.captures.driver import Run
from contracts.captures.engines import ENGINES, MISSING_EXTRA, DaskPool, dask_installed, dask_pool
from contracts.captures.items import Payload
from contracts.captures.judge import Checker
from contracts.captures.reports import FORMATS, TextReporter, reporter_for
from contracts.captures.results import Passed, Summary
from contracts.console import COLOUR_CHOICES, PipeGuard, ProgressBar, colour_wanted, is_terminal
from contracts.coverage import Coverage
from contracts.errors import ContractError, OptionError
from contracts.registry import EXAMPLES_DIR, name_of
from contracts.rules import RULES
from contracts.violations import Strictness

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE = 0, 1, 2


class Terminated(BaseException):
    """SIGINT (Ctrl-C) or SIGTERM during ``validate``, raised where the run
    is: the run stops its workers and removes its temporary files on the way out."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _Stopping:
    """The handler of SIGINT and SIGTERM while ``validate`` runs.

    It raises :class:`Terminated` in the main thread, wherever that is, but
    not inside a ``__del__`` (the garbage collector finalizing an object,
    an asyncio transport of a download say): Python prints an exception
    raised there and goes on, and the run would not stop. There the signal
    is sent again a moment later, to land elsewhere. While :attr:`holding`
    (a result being counted and written), it is raised only by :meth:`release`
    once the result is whole in both, so that the report of an interrupted
    run counts what it shows. A second signal, while the run is stopping
    already, ends the process at once."""

    def __init__(self) -> None:
        self.raised = False
        self.holding = False
        self.pending: int | None = None

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.raised or self.pending is not None:
            os._exit(128 + signum)
        if self.holding:
            self.pending = signum
            return
        if _finalizing(frame):
            threading.Timer(0.05, os.kill, (os.getpid(), signum)).start()
            return
        self.raised = True
        raise Terminated(signum)

    def release(self) -> None:
        """Out of the held part: the signal that came meanwhile, raised now."""
        self.holding = False
        if self.pending is not None:
            self.raised, signum, self.pending = True, self.pending, None
            raise Terminated(signum)


def _finalizing(frame: FrameType | None) -> bool:
    while frame is not None:
        if frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


def stopped_by(signum: int) -> str:
    """What an interrupted run says, on standard error and as the last word of its report."""
    return f"interrupted by {signal.Signals(signum).name}: the report is incomplete"


def signal_of(stop: KeyboardInterrupt | Terminated) -> int:
    """The signal that stopped the run: Ctrl-C as Python raises it by default, or as :class:`_Stopping` does."""
    return stop.signum if isinstance(stop, Terminated) else signal.SIGINT


def interrupted(signum: int) -> int:
    """One line on standard error, and the shell's exit code of a process ended by ``signum``."""
    sys.stderr.write(f"pcm-contracts: {stopped_by(signum)}\n")
    return 128 + signum


TOP_EPILOG = """\
examples:
  pcm-contracts check --base-url URL               check a deployment (read-only), or the built-in mock
  pcm-contracts validate capture.har fixtures/     check captured payloads
  pcm-contracts spec-diff published-openapi.yaml   how a published spec differs from the contract
  pcm-contracts mock --port 8765                   serve the mock PCM Jobs API
  pcm-contracts schemas --bundle bundled/          self-contained schemas for other validators
  pcm-contracts <command> --help                   what a command does, its options

exit codes:
  0  everything keeps the contract
  1  at least one invalid payload (or an unreadable one among readable ones),
     or a breaking difference (spec-diff)
  2  usage error, or nothing of this contract could be read
  130, 143  interrupted (Ctrl-C, SIGTERM): whatever was reported is incomplete
  check has pytest's (4 usage error, 5 nothing verified, 6 target error):
  see `pcm-contracts check --help`
"""

VALIDATE_EPILOG = """\
A capture's own request and status choose the schema; for a bare body,
--path/--status (else the body's shape) do. A .json file whose document is a
HAR (schemathesis' har-<time>.json) is read as a HAR. Compressed files
(.gz, .bz2, .xz, .zst, or told by their first bytes) are read as a stream;
URLs need an extra: pip install 'pcm-contracts[s3]' (or [gcs], [http], [remote]).

output (--format text):
  -q            only what fails: error findings and unreadable items; no summary
  (default)     findings (errors and warnings), unreadable items, then a summary
  -v            also every valid item and every skipped one, with its reason
  On a terminal, a progress bar on standard error (bytes read of the inputs'
  total, rate, time left); findings are printed above it.

examples:
  pcm-contracts validate capture.har har-1733040000.json
  pcm-contracts validate --status 404 body.json
  pcm-contracts validate 'logs/2026-11-*.jsonl.gz' 's3://bucket/logs/*/*.jsonl.zst'
  curl -s ... | pcm-contracts validate -
  pcm-contracts validate --format junit --output payloads.xml fixtures/
  pcm-contracts validate --engine dask --scheduler tcp://scheduler:8786 /shared/logs/

exit codes:
  0  every payload keeps the contract (with --skip-unknown: also when all
     were skipped)
  1  at least one invalid payload, or an unreadable one among the readable
  2  usage error, or no payload of this contract could be read at all
  130, 143  interrupted (Ctrl-C, SIGTERM): the report is incomplete
A closed standard output (| head) stops the report, not the judging: the
exit code is still the verdict on every payload.
"""

EXAMPLES_EPILOG = """\
example:
  pcm-contracts examples --strictness undocumented-field=error

exit codes:
  0  every recorded example gets its documented verdict
  1  at least one does not
  2  usage error
"""

RULES_EPILOG = """\
example:
  pcm-contracts rules

exit codes:
  0  always (2 for a usage error)
"""


SCHEMAS_EPILOG = """\
examples:
  pcm-contracts schemas --bundle bundled/
  check-jsonschema --schemafile bundled/job-response.json body.json
  npx ajv-cli validate --spec=draft2020 -c ajv-formats -s bundled/job-response.json -d body.json

exit codes:
  0  listed, or every bundle written
  2  usage error, or the directory cannot be written
"""


def command_parser(commands: Any, name: str, *, help: str, description: str, epilog: str) -> argparse.ArgumentParser:
    """A sub-command whose help keeps its own line breaks."""
    made: argparse.ArgumentParser = commands.add_parser(
        name, help=help, description=description, epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    return made


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; ``command``, the first argument, when it is
    given and not ``mock``, spares importing the mock server (and
    ``http.server``) for the mock's options, which no other command reads:
    ``validate`` starts that much sooner. The mock is named all the same, with
    its help line, so that every command's listing and errors stay as they are."""
    top = argparse.ArgumentParser(
        prog="pcm-contracts",
        description="Contract checks for the Elastic Path PCM Jobs API: live checks of a deployment,\n"
        "captured payloads, and a published OpenAPI spec against the documented contract.",
        epilog=TOP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser(
        "check",
        help="run the contract suite against a deployment (--base-url URL) or the built-in mock",
        description=CHECK_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
    )
    examples = command_parser(
        commands,
        "examples",
        help="check every recorded example against the contract",
        description="Check every recorded example (examples/) and compare its verdict with the documented one.",
        epilog=EXAMPLES_EPILOG,
    )
    add_strictness(examples)
    command_parser(
        commands,
        "rules",
        help="list the semantic rules with their severity",
        description="List the semantic rules (what the schemas cannot express), one a line, with their severity.",
        epilog=RULES_EPILOG,
    )

    validate = command_parser(
        commands,
        "validate",
        help="check captured payloads: .json, .jsonl/.ndjson, .har (or compressed), directories, globs, URLs, -",
        description="Check captured response bodies against the contract.",
        epilog=VALIDATE_EPILOG,
    )
    validate.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="a file (.gz/.bz2/.xz/.zst too), a directory, a quoted glob, a URL (s3://, gs://, https://), - for stdin",
    )
    validate.add_argument("--path", help="request path of bare bodies, e.g. /pcm/jobs/ID")
    validate.add_argument("--status", type=int, help="response status of bare bodies, e.g. 404")
    validate.add_argument("--method", default="GET", help="request method of bare bodies (GET)")
    validate.add_argument("--format", choices=FORMATS, default="text", help="report format (text)")
    validate.add_argument(
        "--output", metavar="FILE", help="write the report there instead of standard output (the summary also "
        "goes to standard error)"
    )  # fmt: skip
    validate.add_argument("--jobs", type=int, default=1, metavar="N", help="processes to spread the work over (1)")
    validate.add_argument(
        "--engine",
        choices=ENGINES,
        default="local",
        help="where the work runs: local (default: this process, or --jobs processes) or dask (a Dask cluster; "
        "needs pip install 'pcm-contracts[dask]')",
    )
    validate.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --engine dask: the scheduler of an existing cluster, e.g. tcp://scheduler:8786 (else a local "
        "cluster of --jobs worker processes, closed at the end)",
    )
    validate.add_argument("--no-progress", action="store_true", help="no progress bar, even on a terminal")
    validate.add_argument(
        "--color",
        choices=COLOUR_CHOICES,
        default="auto",
        help="colour the text report: auto (default: on a terminal, unless NO_COLOR; FORCE_COLOR forces it), "
        "always or never",
    )
    loudness = validate.add_mutually_exclusive_group()
    loudness.add_argument(
        "-q", "--quiet", action="store_true", help="text report: only error findings and unreadable items"
    )
    loudness.add_argument("-v", "--verbose", action="store_true", help="text report: also every valid and skipped item")
    validate.add_argument(
        "--skip-unknown",
        action="store_true",
        help="skip what is plainly no payload of this contract (a named file of another type; a JSON document "
        "with neither data nor errors, e.g. package.json) instead of calling it unreadable; the pre-commit "
        "hook's mode",
    )
    add_strictness(validate)

    schemas = command_parser(
        commands,
        "schemas",
        help="list the response schemas, or write self-contained bundles of them for other validators",
        description="List the response schemas of the contract; with --bundle, write each as one self-contained "
        "JSON Schema 2020-12 document (every $ref embedded under $defs), for validators without network access.",
        epilog=SCHEMAS_EPILOG,
    )
    schemas.add_argument("--bundle", metavar="DIR", help="write one bundled schema per response schema there")
    schemas.add_argument(
        "--strict", action="store_true", help="bundle the closed variant (undocumented members rejected)"
    )

    mock_help = "serve the mock PCM Jobs API on 127.0.0.1 until interrupted"
    if command is not None and command != "mock":
        commands.add_parser("mock", help=mock_help)
    else:
        from contracts.mock import command as mock_command

        mock = command_parser(
            commands, "mock", help=mock_help, description=mock_command.DESCRIPTION, epilog=mock_command.EPILOG
        )
        mock_command.add_arguments(mock)

    from contracts.specdiff import command as specdiff_command

    spec_diff = commands.add_parser(
        "spec-diff",
        help="report how a published OpenAPI spec of the Jobs API differs from the contract",
        description="Compare a published OpenAPI document's Jobs operations with the contract, "
        "semantically; classify each difference as breaking, not breaking or decided.",
    )
    specdiff_command.add_arguments(spec_diff)
    return top


CHECK_HELP = """\
usage: pcm-contracts check [--base-url URL] [--job-id ID]... [PYTEST OPTION]...

Run the contract suite (pytest, the shipped package contracts.suite) against a
deployment of the PCM Jobs API, or against the built-in mock when no base URL
is given. Against a deployment it only reads (GET) unless --allow-writes.

  --base-url URL        the deployment (else $PYTEST_BASE_URL, $PCM_CONTRACTS_BASE_URL,
                        $EPCC_API_BASE_URL, the base_url ini key, or the built-in mock)
  --job-id ID           a job to check; repeatable (else sampled from the job list)
  --token TOKEN         prefer $PCM_CONTRACTS_TOKEN (or $EPCC_CLIENT_ID + $EPCC_CLIENT_SECRET)

Every option of the suite and of pytest passes through (--junitxml FILE, -k EXPR,
-x, -q, --rate-limit N, --allow-writes, ...): `pcm-contracts check --pytest-help`
lists them all.

example:
  PCM_CONTRACTS_TOKEN=... pcm-contracts check --base-url https://euwest.api.elasticpath.com \\
      --job-id 1ea62172-57f6-45e5-a708-ab5bd634e3f9 --junitxml contract.xml

exit codes: 0 the contract is kept, 1 a check failed, 4 usage error (e.g. no
credentials for a base URL), 5 no live check ran, 6 the target cannot be checked
(refused, timeout, reset, redirect, still 429).
"""


def run_check(args: Sequence[str]) -> int:
    """``pcm-contracts check``: the shipped suite under pytest, its exit code."""
    if args and args[0] in ("-h", "--help"):
        sys.stdout.write(CHECK_HELP)
        return EXIT_OK
    # hypothesis and schemathesis imported before pytest starts, so pytest does not
    # rewrite the assertions of their hundreds of modules (it rewrites every package
    # that brings a plugin): seconds of each run's start, for asserts not the suite's.
    import hypothesis  # noqa: F401
    import pytest
    import schemathesis  # noqa: F401

    from contracts.pytest_plugin import SUITE_PACKAGE
    from contracts.registry import PACKAGE

    # hypothesis' caches go to the user's cache folder, not into the working directory
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pcm-contracts" / "hypothesis"
    os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(cache))
    pytest_args = ["--help" if arg == "--pytest-help" else arg for arg in args]
    ini = PACKAGE / "suite" / "pytest.ini"
    return int(pytest.main(["-c", str(ini), "-p", "no:cacheprovider", "--pyargs", SUITE_PACKAGE, *pytest_args]))


def add_strictness(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--strictness",
        action="append",
        default=[],
        metavar="KIND=LEVEL",
        help="report undocumented-value / undocumented-field findings as error, warning or off "
        "(defaults: undocumented-value=error, undocumented-field=off); repeatable",
    )


def run_examples(strictness: Strictness, out: TextIO) -> int:
    """Judge each recorded example as ``validate`` does; its verdict must be the documented one."""
    checker = Checker(strictness)
    mismatches = 0
    guard = PipeGuard(out)  # `| head`: the verdict still counts every example
    for item in read([str(EXAMPLES_DIR)]):
        result = checker.check(item)
        record = item.record if isinstance(item, Payload) else None
        documented = record.get("verdict", {}).get("valid") if record is not None else None
        valid = result.verdict == "valid"
        mismatches += valid is not documented
        if guard.closed:
            continue
        mark = "ok  " if valid is documented else "FAIL"
        name = Path(item.source).relative_to(EXAMPLES_DIR)
        verdict = "valid" if valid else result.verdict
        expected = {True: "valid", False: "invalid", None: "none"}[documented]
        with guard:
            out.write(f"{mark} {name}: {verdict} (documented verdict: {expected})\n")
            for violation in result.violations:
                out.write(f"       {violation.severity}: {violation}\n")
            if result.reason:
                out.write(f"       {result.reason}\n")
    return EXIT_VIOLATIONS if mismatches else EXIT_OK


def run_schemas(args: argparse.Namespace, out: TextIO) -> int:
    """List the response schemas, or write their bundles (one file each) and list the paths."""
    from contracts.bundling import response_schemas, write_bundles

    if args.bundle is None:
        out.write("".join(f"{name_of(schema_id)}\n" for schema_id in response_schemas()))
        return EXIT_OK
    try:
        written = write_bundles(Path(args.bundle), strict=args.strict)
    except OSError as error:
        raise OptionError(f"cannot write the bundles to {args.bundle}: {error.strerror or error}") from None
    out.write("".join(f"{path}\n" for path in written))
    return EXIT_OK


def run_rules(out: TextIO) -> int:
    for rule in RULES:
        out.write(f"{rule.id} ({rule.severity}): {rule.description}\n")
    return EXIT_OK


def build_checker(args: argparse.Namespace) -> Checker:
    """The checker the options ask for; raises :class:`OptionError` for a bad one."""
    coverage = Coverage() if args.format == "json" else None  # only the JSON report has it
    checker = Checker(
        Strictness.parse(args.strictness),
        method=args.method.upper(),
        path=args.path,
        status=args.status,
        coverage=coverage,
        skip_unknown=args.skip_unknown,
    )
    if args.path is not None:
        routing.resolve(checker.method, args.path, args.status or 200)  # an unknown route is a usage error
    if args.jobs < 1:
        raise OptionError("--jobs must be at least 1")
    return checker


def build_engine(args: argparse.Namespace) -> contextlib.AbstractContextManager[DaskPool | None]:
    """Where the run's tasks go: ``None`` for the local engine, else a Dask
    pool (entered: connected, or a local cluster started; left: closed);
    raises :class:`OptionError` for a bad combination or a missing extra."""
    if args.engine != "dask":
        if args.scheduler is not None:
            raise OptionError("--scheduler needs --engine dask")
        return contextlib.nullcontext()
    if not dask_installed():
        raise OptionError(MISSING_EXTRA)
    return dask_pool(args.scheduler, jobs=args.jobs)


def run_validate(args: argparse.Namespace, out: TextIO, err: TextIO | None = None) -> int:
    """Read -> judge -> report; the exit code from the summary.

    A closed pipe on the report's stream stops the writing only: the judging
    goes on, so the exit code is the verdict on every payload.
    """
    err = err or sys.stderr
    checker = build_checker(args)
    engine = build_engine(args)
    verbosity = -1 if args.quiet else 1 if args.verbose else 0
    with contextlib.ExitStack() as stack:
        stopping = _Stopping()  # outside the main thread, never told of a signal: holding changes nothing
        if threading.current_thread() is threading.main_thread():  # where a signal's handler runs
            for number in (signal.SIGINT, signal.SIGTERM):
                if signal.getsignal(number) is not signal.SIG_IGN:  # ignored (nohup, a background job): it stays so
                    stack.callback(signal.signal, number, signal.signal(number, stopping))
        pool = stack.enter_context(engine)  # before any output: a scheduler out of reach is one line, no report
        run = Run(checker, args.paths, pool.width if pool else args.jobs, pool=pool)  # the inputs listed: no report yet
        # JSON allows a lone surrogate ("\ud800") that UTF-8 cannot encode: written escaped, never a crash
        output = open(args.output, "w", encoding="utf-8", errors="backslashreplace") if args.output else None  # noqa: SIM115
        target = stack.enter_context(output) if output else out
        show_bar = not (args.no_progress or args.quiet) and is_terminal(err)
        bar = ProgressBar(
            err,
            total=run.total if show_bar else None,
            enabled=show_bar,
            colour=colour_wanted(args.color, err),
        )
        stack.callback(bar.close)
        colour = colour_wanted(args.color, target)
        reporter = reporter_for(
            args.format, bar.above(target), colour=colour, verbosity=verbosity, coverage=checker.coverage
        )
        guard = PipeGuard(target)
        summary = Summary()
        results = run.results(bar.read if show_bar else None)
        counted = bar.judged if show_bar else None
        stop: KeyboardInterrupt | Terminated | None = None
        try:
            with guard:  # one guard for the run, not one an item: a closed pipe ends this loop only
                for judged in results:
                    stopping.holding = True  # a signal now waits until the result is counted and written
                    summary.add(judged)
                    try:
                        reporter.result(judged)
                    finally:  # counted once written, or once the pipe closed on it
                        if counted is not None:
                            counted(len(judged.numbers) if isinstance(judged, Passed) else 1)
                        stopping.release()
            for judged in results:  # the rest, after the report's pipe closed: judged and counted, not written
                summary.add(judged)
                if counted is not None:
                    counted(len(judged.numbers) if isinstance(judged, Passed) else 1)
        except (KeyboardInterrupt, Terminated) as error:  # the report ends well-formed, and says it is incomplete
            results.close()  # its workers stopped, its temporary files removed, before the report is ended
            stop = error
        bar.close()
        if not guard.closed:
            with guard:
                reporter.finish(summary, interrupted=None if stop is None else stopped_by(signal_of(stop)))
                target.flush()
        if stop is not None:
            raise stop
    if args.output and verbosity >= 0:
        TextReporter(err, colour=colour_wanted(args.color, err)).finish(summary)
    checked = summary.counts["valid"] + summary.counts["invalid"]
    failed = summary.counts["invalid"] + summary.counts["unreadable"]
    if checked == 0 and not (args.skip_unknown and not failed):
        err.write("pcm-contracts: no payload of this contract could be read\n")
        return EXIT_USAGE
    return EXIT_VIOLATIONS if failed else EXIT_OK


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # a lone surrogate of a capture is written escaped
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    out = out or sys.stdout
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["check"]:  # every further argument is pytest's
        return run_check(argv[1:])
    args = parser(argv[0] if argv else None).parse_args(argv)
    guard = PipeGuard(out)
    code = EXIT_OK  # a listing (rules, --list-modes) cut short by a closed pipe: the reader had what it wanted
    try:
        with guard:  # examples and validate guard their own writing, and keep judging
            code = run(args, out)
        with guard:  # what is still buffered, now, rather than in a failing flush at exit
            out.flush()
    except ContractError as error:
        sys.stderr.write(f"pcm-contracts: {error}\n")
        return EXIT_USAGE
    except (KeyboardInterrupt, Terminated) as stop:
        return interrupted(signal_of(stop))
    return code


def run(args: argparse.Namespace, out: TextIO) -> int:
    if args.command == "examples":
        return run_examples(Strictness.parse(args.strictness), out)
    if args.command == "validate":
        return run_validate(args, out)
    if args.command == "mock":
        from contracts.mock import command as mock_command

        return mock_command.run(args, out)
    if args.command == "schemas":
        return run_schemas(args, out)
    if args.command == "spec-diff":
        from contracts.specdiff import command as specdiff_command

        return specdiff_command.run(args, out)
    return run_rules(out)
