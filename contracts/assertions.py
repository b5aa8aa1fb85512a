"""The contract as an assertion, for a user's own tests of the Jobs API.

::

    import contracts, httpx

    def test_my_job_keeps_the_contract():
        response = httpx.get(f"{base}/pcm/jobs/{job_id}", headers=auth)
        contracts.assert_keeps_contract(response)

Works with an ``httpx`` or a ``requests`` response (anything with
``request.method``, ``url``, ``status_code``, ``headers`` and ``content``).
"""

from __future__ import annotations

from typing import Any

from contracts.redaction import redact
from contracts.responses import check_response
from contracts.violations import Strictness, Violation


def assert_keeps_contract(response: Any, *, strictness: Strictness | None = None) -> list[Violation]:
    """Raise :class:`AssertionError` unless ``response`` keeps the contract.

    The message is the findings at error severity, one a line
    (``/json/pointer: message [rule]``), under the request that got them;
    secrets are masked. Returns every finding (warnings included) when none
    is an error. Raises :class:`contracts.UnknownRoute` for a request that is
    no documented operation of the Jobs API.
    """
    request = response.request
    method, url = str(request.method).upper(), str(response.url)
    found = check_response(
        method=method,
        url=url,
        status=int(response.status_code),
        headers={str(k): str(v) for k, v in response.headers.items()},
        content=bytes(response.content or b""),
        strictness=strictness,
    )
    errors = [str(v) for v in found if v.severity == "error"]
    if errors:
        lines = [f"{method} {url} answered {response.status_code}, which breaks the contract:"]
        raise AssertionError(redact("\n".join(lines + [f"  {line}" for line in errors])))
    return found
