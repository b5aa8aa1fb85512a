"""``pcm-contracts mock``: serve the mock until interrupted.

Only parses and runs: :func:`add_arguments` declares the options on the
sub-command's parser (mode names are ``choices`` from
:data:`~contracts.mock.modes.DRIFT_MODES` and :data:`~contracts.mock.modes.FAULT_MODES`,
so a wrong one is a one-line usage error with exit code 2), :func:`run` lists
the modes (``--list-modes``: every drift mode, then every fault mode, one per
line) or maps the options to :func:`contracts.mock.serve_forever`, and
returns the exit code.
"""

from __future__ import annotations

import argparse
from typing import TextIO

from contracts.mock.modes import DRIFT_MODES, FAULT_MODES
from contracts.mock.server import DEFAULT_TOKEN, serve_forever


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``pcm-contracts mock``."""
    parser.add_argument("--port", type=int, default=0, metavar="N", help="port on 127.0.0.1 (default 0: a free port)")
    parser.add_argument("--drift", choices=DRIFT_MODES, metavar="MODE", help="break the contract this way")
    parser.add_argument("--fault", choices=FAULT_MODES, metavar="MODE", help="break the transport this way")
    parser.add_argument("--token", default=DEFAULT_TOKEN, metavar="T", help="bearer token always accepted")
    parser.add_argument(
        "--list-modes", action="store_true", help="print every mode name, drift modes first, one per line, and exit"
    )


def run(args: argparse.Namespace, out: TextIO) -> int:
    """List the modes, or serve until SIGINT/SIGTERM; 0 either way."""
    if args.list_modes:
        out.write("".join(f"{mode}\n" for mode in (*DRIFT_MODES, *FAULT_MODES)))
        return 0
    return serve_forever(port=args.port, drift=args.drift, fault=args.fault, token=args.token, out=out)
