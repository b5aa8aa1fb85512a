"""``pcm-contracts mock``: serve the mock until interrupted.

Only parses and runs: :func:`add_arguments` declares the options on the
sub-command's parser (mode names are ``choices`` from
:data:`~contracts.mock.modes.DRIFT_MODES` and :data:`~contracts.mock.modes.FAULT_MODES`,
so a wrong one is a one-line usage error with exit code 2), :func:`run` lists
the modes (``--list-modes``: the drift modes, then the fault modes, each with
its one-line description from :mod:`contracts.mock.modes`) or maps the
options to :func:`contracts.mock.serve_forever`, and returns the exit code. A
port it cannot listen on is one line on standard error and exit code 2.
"""

from __future__ import annotations

import argparse
import errno
import sys
from typing import TextIO

from contracts.mock.modes import DRIFT_DESCRIPTIONS, DRIFT_MODES, FAULT_DESCRIPTIONS, FAULT_MODES
from contracts.mock.server import DEFAULT_TOKEN, serve_forever

EXIT_OK, EXIT_USAGE = 0, 2

DESCRIPTION = (
    "Serve the mock PCM Jobs API on 127.0.0.1 until Ctrl-C (or SIGTERM): faithful to the contract, "
    "or broken on request by a drift mode (the body or headers break the contract) and/or a fault "
    "mode (the transport or the service fails)."
)

EPILOG = """\
The first line printed is "serving http://127.0.0.1:PORT". The mock accepts
the bearer token mock-token (change with --token) and any token it issued at
POST /oauth/access_token. A drift and a fault combine: the fault breaks the
transport of the drifted answers, and the answers a fault makes up itself
(server-error, non-json, too-many-requests) are sent undrifted.

examples:
  pcm-contracts mock --port 8765
  pcm-contracts mock --drift missing-id --fault slow
  pcm-contracts mock --list-modes

exit codes:
  0  stopped by Ctrl-C or SIGTERM, or the modes listed
  2  usage error, or the port cannot be listened on (e.g. in use)
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``pcm-contracts mock``."""
    parser.add_argument("--port", type=int, default=0, metavar="N", help="port on 127.0.0.1 (default 0: a free port)")
    parser.add_argument("--drift", choices=DRIFT_MODES, metavar="MODE", help="break the contract this way")
    parser.add_argument("--fault", choices=FAULT_MODES, metavar="MODE", help="break the transport this way")
    parser.add_argument("--token", default=DEFAULT_TOKEN, metavar="T", help="bearer token always accepted")
    parser.add_argument(
        "--list-modes", action="store_true", help="list the drift modes, then the fault modes, each with what it does"
    )


def mode_listing() -> str:
    """The drift modes, then the fault modes: ``MODE  description`` under a heading each."""
    width = max(len(mode) for mode in (*DRIFT_MODES, *FAULT_MODES)) + 2
    lines = ["drift modes (the contract breaks; a contract check must report it):"]
    lines += [f"  {mode:<{width}}{DRIFT_DESCRIPTIONS[mode]}" for mode in DRIFT_MODES]
    lines += ["fault modes (the transport or the service fails; a client must survive it):"]
    lines += [f"  {mode:<{width}}{FAULT_DESCRIPTIONS[mode]}" for mode in FAULT_MODES]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace, out: TextIO, err: TextIO | None = None) -> int:
    """List the modes, or serve until SIGINT/SIGTERM (0 either way); 2 when the port cannot be had."""
    if args.list_modes:
        out.write(mode_listing())
        return EXIT_OK
    try:
        return serve_forever(port=args.port, drift=args.drift, fault=args.fault, token=args.token, out=out)
    except OSError as error:
        if error.errno not in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            raise
        why = "is in use" if error.errno == errno.EADDRINUSE else f"cannot be listened on ({error.strerror})"
        (err or sys.stderr).write(
            f"pcm-contracts: port {args.port} {why}; choose another with --port, or --port 0 for a free one\n"
        )
        return EXIT_USAGE
