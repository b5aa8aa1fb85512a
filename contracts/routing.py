"""The routing table: (method, path, status) -> the schema that applies.

Read from the contract document ``contracts/openapi.yaml``, so the live
checks, the capture validator and the mock all route by the same table as
schemathesis does. Statuses the published page does not list but every
deployment answers (401, 403, 429) are in the document too, marked
``x-undocumented: true``: they route to the error body, and a body answered
with them carries a ``status_is_documented`` finding of kind
``undocumented-value``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import yaml

from contracts.errors import UnknownRoute
from contracts.registry import SCHEMA_BASE, name_of

OPENAPI_PATH = Path(__file__).resolve().parent / "openapi.yaml"


@dataclass(frozen=True)
class Operation:
    """One documented operation and the schema of each documented status."""

    method: str
    template: str
    operation_id: str
    responses: Mapping[int, str]
    undocumented: frozenset[int] = frozenset()

    @property
    def documented_statuses(self) -> tuple[int, ...]:
        return tuple(s for s in self.responses if s not in self.undocumented)

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compile(self.template)

    @property
    def label(self) -> str:
        """``GET /pcm/jobs/{jobID}``"""
        return f"{self.method} {self.template}"


@dataclass(frozen=True)
class Route:
    """What a concrete request and status resolve to.

    ``schema_id`` is ``None`` when the status is not in the contract at all;
    ``documented`` is ``False`` for it and for the ``x-undocumented`` statuses.
    """

    operation: Operation
    params: Mapping[str, str]
    status: int
    schema_id: str | None
    documented: bool
    query: Mapping[str, str] = field(default_factory=dict)


@cache
def _compile(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>[^/]+)" for i, p in enumerate(parts))
    return re.compile(f"^{regex}$")


def _local(spec: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    """``node``, or what its local ``$ref`` (``#/components/...``) points at."""
    ref = node.get("$ref")
    if not (isinstance(ref, str) and ref.startswith("#/")):
        return node
    target: Any = spec
    for part in ref[2:].split("/"):
        target = target[part]
    return dict(target)


def _schema_ref(response: Mapping[str, Any]) -> str | None:
    content = response.get("content", {}).get("application/json", {})
    ref = content.get("schema", {}).get("$ref")
    return SCHEMA_BASE + name_of(ref) if ref else None


@cache
def operations(document: Path = OPENAPI_PATH) -> tuple[Operation, ...]:
    """Every operation of the contract document, in document order."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it: 10 times faster
    spec = yaml.load(document.read_text(encoding="utf-8"), Loader=loader)
    found: list[Operation] = []
    for template, item in spec["paths"].items():
        for method, op in item.items():
            if method.startswith("x-") or method in ("parameters", "summary", "description", "servers"):
                continue
            answers = {status: _local(spec, answer) for status, answer in op["responses"].items()}
            responses = {int(s): ref for s, r in answers.items() if (ref := _schema_ref(r))}
            undocumented = frozenset(int(s) for s, r in answers.items() if r.get("x-undocumented"))
            found.append(Operation(method.upper(), template, op["operationId"], responses, undocumented))
    return tuple(found)


def decode(segment: str) -> str:
    """A path segment percent-decoded; a lone surrogate (valid in JSON) survives the round trip."""
    if "%" not in segment:
        return segment
    try:
        return unquote(segment, errors="surrogatepass")
    except UnicodeDecodeError:
        return unquote(segment)


@cache
def _patterns() -> tuple[tuple[Operation, re.Pattern[str]], ...]:
    return tuple((op, op.pattern) for op in operations())


@lru_cache(maxsize=4096)
def resolve(method: str, path: str, status: int) -> Route:
    """The route for a concrete request path (query string and host ignored).

    A parameter written as in the template (``/pcm/jobs/{jobID}``) names no
    value: the route has no such parameter, for a body whose request is not
    known. Routes are cached: the same request is resolved once. Raises
    :class:`UnknownRoute` when no documented operation matches.
    """
    if "?" in path or "://" in path or "#" in path:
        parts = urlsplit(path)
        request_path, query = parts.path or path, dict(parse_qsl(parts.query))
    else:  # the common case, a bare path: no parsing needed
        request_path, query = path, {}
    method = method.upper()
    matches = [(op, m) for op, pattern in _patterns() if (m := pattern.match(request_path))]
    for op, match in matches:
        if op.method != method:
            continue
        params = MappingProxyType({k: decode(v) for k, v in match.groupdict().items() if v != f"{{{k}}}"})
        schema_id = op.responses.get(status)
        documented = schema_id is not None and status not in op.undocumented
        return Route(op, params, status, schema_id, documented, MappingProxyType(query))
    if matches:
        allowed = ", ".join(sorted({op.method for op, _ in matches}))
        raise UnknownRoute(f"{method} {request_path}: method not documented for this path (documented: {allowed})")
    known = ", ".join(f"{op.method} {op.template}" for op in operations())
    raise UnknownRoute(f"{method} {request_path}: no documented operation matches (documented: {known})")
