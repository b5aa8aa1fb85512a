"""The routing table: (method, path, status) -> the schema that applies.

Read from the contract document ``contracts/openapi.yaml``, so the live
checks, the capture validator and the mock all route by the same table as
schemathesis does. Statuses the docs do not list but every deployment can
answer (401, 403, 429) are routed to the error body and marked undocumented.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from contracts.errors import UnknownRoute
from contracts.registry import SCHEMA_BASE, name_of

OPENAPI_PATH = Path(__file__).resolve().parent / "openapi.yaml"
ERROR_SCHEMA = SCHEMA_BASE + "error-response.json"
UNDOCUMENTED_ERROR_STATUSES: Mapping[int, str] = {
    401: "missing or invalid token",
    403: "forbidden",
    429: "too many requests",
}


@dataclass(frozen=True)
class Operation:
    """One documented operation and the schema of each documented status."""

    method: str
    template: str
    operation_id: str
    responses: Mapping[int, str]

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compile(self.template)


@dataclass(frozen=True)
class Route:
    """What a concrete request and status resolve to.

    ``schema_id`` is ``None`` when the status has no body schema at all;
    ``documented`` is ``False`` for the undocumented error statuses.
    """

    operation: Operation
    params: Mapping[str, str]
    status: int
    schema_id: str | None
    documented: bool


@cache
def _compile(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>[^/]+)" for i, p in enumerate(parts))
    return re.compile(f"^{regex}$")


def _schema_ref(response: Mapping[str, Any]) -> str | None:
    content = response.get("content", {}).get("application/json", {})
    ref = content.get("schema", {}).get("$ref")
    return SCHEMA_BASE + name_of(ref) if ref else None


@cache
def operations(document: Path = OPENAPI_PATH) -> tuple[Operation, ...]:
    """Every operation of the contract document, in document order."""
    spec = yaml.safe_load(document.read_text(encoding="utf-8"))
    found: list[Operation] = []
    for template, item in spec["paths"].items():
        for method, op in item.items():
            if method.startswith("x-") or method in ("parameters", "summary", "description", "servers"):
                continue
            responses = {int(s): ref for s, r in op["responses"].items() if (ref := _schema_ref(r))}
            found.append(Operation(method.upper(), template, op["operationId"], responses))
    return tuple(found)


def resolve(method: str, path: str, status: int) -> Route:
    """The route for a concrete request path (query string and host ignored).

    Raises :class:`UnknownRoute` when no documented operation matches.
    """
    request_path = urlsplit(path).path or path
    method = method.upper()
    matches = [(op, m) for op in operations() if (m := op.pattern.match(request_path))]
    for op, match in matches:
        if op.method != method:
            continue
        params = {k: unquote(v) for k, v in match.groupdict().items()}
        if status in op.responses:
            return Route(op, params, status, op.responses[status], documented=True)
        if status in UNDOCUMENTED_ERROR_STATUSES:
            return Route(op, params, status, ERROR_SCHEMA, documented=False)
        return Route(op, params, status, None, documented=False)
    if matches:
        allowed = ", ".join(sorted({op.method for op, _ in matches}))
        raise UnknownRoute(f"{method} {request_path}: method not documented for this path (documented: {allowed})")
    known = ", ".join(f"{op.method} {op.template}" for op in operations())
    raise UnknownRoute(f"{method} {request_path}: no documented operation matches (documented: {known})")
