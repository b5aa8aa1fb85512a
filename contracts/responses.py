"""Whole responses -> Violations: status, content type, JSON, then the body.

The live checks, the schemathesis check and the capture validator all judge a
response here, so a finding reads the same wherever it was made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from contracts.jsonbody import NotJson, parse
from contracts.validation import Validator, validator_for
from contracts.violations import Strictness, Violation, show


def media_type(headers: Mapping[str, str]) -> str:
    value = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    return value.split(";", 1)[0].strip().lower()


def content_type_findings(headers: Mapping[str, str]) -> list[Violation]:
    """A finding unless the ``Content-Type`` header names JSON."""
    media = media_type(headers)
    if media == "application/json" or media.endswith("+json"):
        return []
    message = f"Content-Type is {show(media or None)}, expected application/json"
    return [Violation("content_type_is_json", "", message, "error", "structure")]


def not_json(reason: str) -> Violation:
    """The ``body_is_json`` finding, ``reason`` from :class:`contracts.jsonbody.NotJson`."""
    return Violation("body_is_json", "", f"the body is not JSON: {reason}", "error", "structure")


def check_response(
    *,
    method: str,
    url: str,
    status: int,
    headers: Mapping[str, str],
    content: bytes,
    strictness: Strictness | None = None,
    validator: Validator | None = None,
) -> list[Violation]:
    """Findings for one response to ``method url``.

    Raises :class:`contracts.errors.UnknownRoute` when the request matches no
    documented operation.
    """
    validator = validator or validator_for(strictness or Strictness())
    found = content_type_findings(headers)
    try:
        body = parse(content)
    except NotJson as error:
        return [*found, not_json(error.reason)]
    return found + validator.validate(body, method=method, path=url, status=status)


REFUSALS = (401, 403)
"""Answers the docs do not describe (a missing, bad or expired token; a
forbidden resource): a JSON error body, or a gateway's HTML page."""


def as_refusal(found: list[Violation], status: int, *, own_credentials: bool) -> list[Violation]:
    """The findings of a response judged as a refusal, the same live and captured.

    A 401 or 403: every finding about its body is a warning (the docs do not
    describe it), and its undocumented status is a finding only when it
    refused the checker's own credentials (``own_credentials``: a live check
    that sent the suite's token, which must be accepted). A capture cannot
    tell whether the credentials it recorded were valid: there a refusal is
    a plausible answer. Other statuses: ``found`` as it is.
    """
    if status not in REFUSALS:
        return found
    return [
        v if v.rule == "status_is_documented" else replace(v, severity="warning")
        for v in found
        if own_credentials or v.rule != "status_is_documented"
    ]
