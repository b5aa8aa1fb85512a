"""The ``pcm-contracts`` command: parse -> build -> run -> exit code.

Exit codes: 0 everything keeps the contract, 1 at least one finding at error
severity (or an unreadable input among readable ones), 2 usage error, or no
payload of this contract could be read at all.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from contracts import __version__, routing
from contracts.coverage import Coverage
from contracts.errors import ContractError, OptionError
from contracts.parallel import judge_all
from contracts.registry import EXAMPLES_DIR
from contracts.reporting import FORMATS, Progress, TextReporter, reporter_for
from contracts.rules import RULES
from contracts.validation import Validator
from contracts.verdicts import Checker, Passed, Summary
from contracts.violations import Strictness, is_failure

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="pcm-contracts", description=__doc__.splitlines()[0] if __doc__ else None)
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser(
        "check",
        help="run the contract suite against a deployment (--base-url URL) or the built-in mock",
        description=CHECK_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
    )
    examples = commands.add_parser("examples", help="check every recorded example against the contract")
    add_strictness(examples)
    commands.add_parser("rules", help="list the semantic rules with their severity")

    validate = commands.add_parser(
        "validate",
        help="check captured payloads: .json, .jsonl/.ndjson, .har, directories, - for stdin",
        description="Check captured response bodies against the contract. A capture's own request "
        "and status choose the schema; --path/--status (else the body's shape) do for bare bodies.",
    )
    validate.add_argument("paths", nargs="+", metavar="PATH", help="a file, a directory, or - for standard input")
    validate.add_argument("--path", help="request path of bare bodies, e.g. /pcm/jobs/ID")
    validate.add_argument("--status", type=int, help="response status of bare bodies, e.g. 404")
    validate.add_argument("--method", default="GET", help="request method of bare bodies (GET)")
    validate.add_argument("--format", choices=FORMATS, default="text", help="report format (text)")
    validate.add_argument("--output", metavar="FILE", help="write the report there instead of standard output")
    validate.add_argument("--jobs", type=int, default=1, metavar="N", help="processes to spread the work over (1)")
    validate.add_argument("--no-progress", action="store_true", help="no progress line, even on a terminal")
    add_strictness(validate)

    from contracts.mock import command as mock_command

    mock = commands.add_parser("mock", help="serve the mock PCM Jobs API on 127.0.0.1 until interrupted")
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
    import pytest

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
    """Validate each recorded example; its verdict must be the documented one."""
    validator = Validator(strictness)
    mismatches = 0
    for path in sorted(EXAMPLES_DIR.rglob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        request, response = record["request"], record["response"]
        found = validator.validate(
            response["body"], method=request["method"], path=request["path"], status=response["status"]
        )
        valid, expected = not is_failure(found), record["verdict"]["valid"]
        mismatches += valid != expected
        mark = "ok  " if valid == expected else "FAIL"
        verdict, documented = ("valid" if v else "invalid" for v in (valid, expected))
        out.write(f"{mark} {path.relative_to(EXAMPLES_DIR)}: {verdict} (documented verdict: {documented})\n")
        for violation in found:
            out.write(f"       {violation.severity}: {violation}\n")
    return EXIT_VIOLATIONS if mismatches else EXIT_OK


def run_rules(out: TextIO) -> int:
    for rule in RULES:
        out.write(f"{rule.id} ({rule.severity}): {rule.description}\n")
    return EXIT_OK


def run_validate(args: argparse.Namespace, out: TextIO) -> int:
    """Read -> judge -> report; the exit code from the summary."""
    coverage = Coverage() if args.format == "json" else None  # only the JSON report has it
    checker = Checker(
        Strictness.parse(args.strictness),
        method=args.method.upper(),
        path=args.path,
        status=args.status,
        coverage=coverage,
    )
    if args.path is not None:
        routing.resolve(checker.method, args.path, args.status or 200)  # an unknown route is a usage error
    if args.jobs < 1:
        raise OptionError("--jobs must be at least 1")
    with contextlib.ExitStack() as stack:
        # JSON allows a lone surrogate ("\ud800") that UTF-8 cannot encode: written escaped, never a crash
        output = open(args.output, "w", encoding="utf-8", errors="backslashreplace") if args.output else None  # noqa: SIM115
        target = stack.enter_context(output) if output else out
        reporter = reporter_for(args.format, target)
        progress = Progress(enabled=False if args.no_progress else None)
        summary = Summary(coverage=coverage)
        for judged in judge_all(checker, args.paths, jobs=args.jobs):
            summary.add(judged)
            reporter.result(judged)
            progress.tick(len(judged.numbers) if isinstance(judged, Passed) else 1)
        progress.close()
        reporter.finish(summary)
    if args.output and args.format != "text":
        TextReporter(sys.stderr).finish(summary)
    checked = summary.counts["valid"] + summary.counts["invalid"]
    if checked == 0:
        sys.stderr.write("pcm-contracts: no payload of this contract could be read\n")
        return EXIT_USAGE
    failed = summary.counts["invalid"] + summary.counts["unreadable"]
    return EXIT_VIOLATIONS if failed else EXIT_OK


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # a lone surrogate of a capture is written escaped
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    out = out or sys.stdout
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["check"]:  # every further argument is pytest's
        return run_check(argv[1:])
    args = parser().parse_args(argv)
    try:
        if args.command == "examples":
            return run_examples(Strictness.parse(args.strictness), out)
        if args.command == "validate":
            return run_validate(args, out)
        if args.command == "mock":
            from contracts.mock import command as mock_command

            return mock_command.run(args, out)
        if args.command == "spec-diff":
            from contracts.specdiff import command as specdiff_command

            return specdiff_command.run(args, out)
        return run_rules(out)
    except ContractError as error:
        sys.stderr.write(f"pcm-contracts: {error}\n")
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. piped into `head`: the reader has what it wanted
        sys.stderr.close()
        return EXIT_OK
