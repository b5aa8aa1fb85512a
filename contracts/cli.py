"""The ``pcm-contracts`` command: parse -> build -> run -> exit code.

Exit codes: 0 everything keeps the contract, 1 at least one finding at error
severity, 2 usage error or nothing could be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TextIO

from contracts import __version__
from contracts.errors import ContractError
from contracts.registry import ROOT
from contracts.rules import RULES
from contracts.validation import Validator
from contracts.violations import Strictness, is_failure

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE = 0, 1, 2
EXAMPLES_DIR = ROOT / "examples"


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="pcm-contracts", description=__doc__.splitlines()[0] if __doc__ else None)
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    examples = commands.add_parser("examples", help="check every recorded example against the contract")
    add_strictness(examples)
    commands.add_parser("rules", help="list the semantic rules with their severity")

    from contracts.mock import command as mock_command

    mock = commands.add_parser("mock", help="serve the mock PCM Jobs API on 127.0.0.1 until interrupted")
    mock_command.add_arguments(mock)
    return top


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


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = parser().parse_args(argv)
    try:
        if args.command == "examples":
            return run_examples(Strictness.parse(args.strictness), out)
        if args.command == "mock":
            from contracts.mock import command as mock_command

            return mock_command.run(args, out)
        return run_rules(out)
    except ContractError as error:
        sys.stderr.write(f"pcm-contracts: {error}\n")
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. piped into `head`: the reader has what it wanted
        sys.stderr.close()
        return EXIT_OK
