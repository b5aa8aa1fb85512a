"""``pcm-contracts spec-diff SPEC``: parse -> run -> exit code.

Exit codes: 0 nothing breaking beyond what is decided or accepted; 1 at least
one breaking finding; 2 a document (or a decisions / accepted-differences
file) that cannot be read, or is not OpenAPI 3.0/3.1 (one line on standard
error, from :func:`contracts.cli.main`, which turns every
:class:`~contracts.errors.ContractError` into that line).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from contracts.specdiff.report import FORMATS, REPORTERS

EXIT_OK, EXIT_BREAKING = 0, 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``pcm-contracts spec-diff``."""
    parser.add_argument("spec", metavar="SPEC", help="a published OpenAPI 3.0/3.1 document (YAML or JSON), - for stdin")
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format (text)")
    parser.add_argument("--accept", metavar="FILE", type=Path, help="accepted differences: these do not fail")
    parser.add_argument(
        "--write-accepted",
        metavar="FILE",
        type=Path,
        help="write every breaking finding (not decided) to FILE, for --accept",
    )
    parser.add_argument(
        "--decisions",
        metavar="FILE",
        type=Path,
        help="the decided differences (default: the project's schemas/decisions.yaml)",
    )
    parser.add_argument(
        "--no-cases", action="store_true", help="do not judge the recorded examples and drift corpus by the spec"
    )


def run(args: argparse.Namespace, out: TextIO) -> int:
    from contracts.specdiff.classify import read_accepted, write_accepted  # only this command needs them
    from contracts.specdiff.findings import spec_diff

    accepted = read_accepted(args.accept) if args.accept else frozenset()
    diff = spec_diff(args.spec, decisions=args.decisions, accepted=accepted, cases=not args.no_cases)
    REPORTERS[args.format](diff, out)
    if args.write_accepted:
        write_accepted(args.write_accepted, [d.group for d in diff.differences if d.classification == "breaking"])
    return EXIT_BREAKING if diff.failed else EXIT_OK
