"""A mock of the PCM Jobs API on 127.0.0.1, for contract tests.

It answers the contract's four operations (``GET /pcm/jobs``,
``GET /pcm/jobs/{jobID}``, ``GET /pcm/jobs/{jobID}/errors``,
``POST /pcm/jobs/{jobID}/cancel``) for every seeded job as the contract
documents it, creates live jobs on request (``POST /__mock__/jobs``, no
token), and breaks on request: a *drift mode* breaks the body in one named, realistic way (a contract
check must report it), a *fault mode* breaks the transport (a client must
survive it)::

    from contracts.mock import MockServer

    with MockServer(drift="missing-id") as mock:
        httpx.get(f"{mock.url}/pcm/jobs/{mock.seed[0].id}", headers={"Authorization": "Bearer mock-token"})

Modules: :mod:`~contracts.mock.jobs` (the seeded jobs and their lifecycle),
:mod:`~contracts.mock.modes` (drift and fault modes), :mod:`~contracts.mock.endpoint`
(requests -> answers), :mod:`~contracts.mock.server` (sockets, faults, the request
log), :mod:`~contracts.mock.command` (``pcm-contracts mock``).
"""

from __future__ import annotations

from contracts.mock.jobs import SeedJob
from contracts.mock.modes import DRIFT_MODES, FAULT_MODES, DriftMode, FaultMode
from contracts.mock.server import DEFAULT_TOKEN, MockServer, RecordedRequest, RequestLog, serve_forever

__all__ = [
    "DEFAULT_TOKEN",
    "DRIFT_MODES",
    "FAULT_MODES",
    "DriftMode",
    "FaultMode",
    "MockServer",
    "RecordedRequest",
    "RequestLog",
    "SeedJob",
    "serve_forever",
]
