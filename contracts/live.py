"""What the live checks assert, shared by the pytest tests and the schemathesis check.

A failure reads like the offline findings (pointer, message, rule) and ends
with a curl line that reproduces the request, the token masked.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from typing import Any

import pytest

from contracts.client import Answer
from contracts.errors import UnknownRoute
from contracts.redaction import redact
from contracts.responses import as_refusal, check_response
from contracts.violations import Strictness, Violation


class ContractWarning(UserWarning):
    """A finding at warning severity: reported, never failing."""


def describe_failure(method: str, url: str, status: int, problems: Iterable[str], curl: str) -> str:
    lines = [f"{method} {url} answered {status}:"]
    lines += [f"  {problem}" for problem in problems]
    lines += ["Reproduce with:", f"  {curl}"]
    return redact("\n".join(lines))


def judge(
    answer: Answer, *, statuses: Collection[int], strictness: Strictness, advisory_body: bool = False
) -> list[Violation]:
    """Fail the current test unless ``answer`` has one of ``statuses`` and keeps the contract.

    With ``advisory_body`` every body finding is a warning (for answers the
    docs do not describe, such as a 401).
    """
    found = check_response(
        method=answer.method,
        url=answer.url,
        status=answer.status,
        headers=answer.headers,
        content=answer.content,
        strictness=strictness,
    )
    if answer.status in statuses:  # the caller expects this status, documented or not
        found = [v for v in found if v.rule != "status_is_documented"]
    if advisory_body:
        found = [replace(v, severity="warning") for v in found]
    problems = []
    if answer.status not in statuses:
        problems.append(
            f"status {answer.status}, expected {' or '.join(map(str, sorted(statuses)))} [status_is_expected]"
        )
    problems += [str(v) for v in found if v.severity == "error"]
    for violation in found:
        if violation.severity == "warning":
            warnings.warn(ContractWarning(redact(f"{answer.method} {answer.url}: {violation}")), stacklevel=2)
    if problems:
        pytest.fail(describe_failure(answer.method, answer.url, answer.status, problems, answer.curl()), pytrace=False)
    return found


def schemathesis_check(strictness: Strictness) -> Callable[[Any, Any, Any], None]:
    """A schemathesis check judging each response with this suite's schemas and rules.

    It replaces schemathesis' own ``response_schema_conformance`` and
    ``status_code_conformance``, so the strictness options apply to
    property-based runs too. A 401 or 403 to a request sent without
    credentials (schemathesis' ``ignored_auth`` probe) is the expected refusal;
    the body of any 401 or 403 (which the docs do not describe: a JSON error
    body, or a gateway's HTML page) is judged as warnings only (:func:`contracts.responses.as_refusal`, which
    the capture validator applies too).
    """

    def pcm_contract(ctx: Any, response: Any, case: Any) -> None:
        request = response.request
        headers = {name: values[0] if isinstance(values, list) else values for name, values in response.headers.items()}
        try:
            found = check_response(
                method=str(request.method),
                url=str(request.url),
                status=response.status_code,
                headers=headers,
                content=response.content or b"",
                strictness=strictness,
            )
        except UnknownRoute:
            return  # an undocumented method (the coverage phase's 405 probes): schemathesis judges those
        found = as_refusal(found, response.status_code, own_credentials="Authorization" in request.headers)
        for violation in found:
            if violation.severity == "warning":
                warnings.warn(ContractWarning(redact(f"{request.method} {request.url}: {violation}")), stacklevel=2)
        errors = [str(v) for v in found if v.severity == "error"]
        if errors:
            raise AssertionError(redact("\n".join(errors)))

    return pcm_contract
