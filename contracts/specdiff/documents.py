"""Both sides of a spec diff read into one shape.

A :class:`Document` holds the Jobs operations of an OpenAPI document (the
paths of ``contracts/openapi.yaml``; every other path is ignored), their
parameters and, per response status and media type, the response schema as
**self-contained JSON Schema in the 3.1 form**: every ``$ref`` inlined (its
siblings kept beside it in an ``allOf``), OpenAPI 3.0's ``nullable: true``
folded into a type array and its boolean ``exclusiveMinimum`` /
``exclusiveMaximum`` into numbers. A schema reached through a ``$ref`` keeps
where it came from under :data:`ORIGIN`, which is how one change in a shared
schema (the job resource of Get a Job, cancel and the list) becomes one
finding.

Our side is ``contracts/openapi.yaml`` with the schemas of ``schemas/``,
resolved through the project's registry (:mod:`contracts.registry`); theirs
is a published document, read by :func:`read_published`. Anything wrong with
theirs (unreadable, not YAML or JSON, not OpenAPI 3.0/3.1, a ``$ref`` that
does not resolve or refers to itself) is a :class:`~contracts.errors.SpecError`.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

import yaml

from contracts.errors import SpecError
from contracts.registry import SCHEMA_BASE, load, name_of
from contracts.routing import OPENAPI_PATH

ORIGIN = "$origin"
"""Key of an inlined schema: the location it was inlined from (ours: ``<$id>#<pointer>``)."""
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
"""Header parameters OpenAPI says a document's parameters list SHALL ignore."""
VERBATIM = frozenset({"enum", "const", "example", "examples", "default"})
"""Keywords whose values are data, never schemas: not walked for ``$ref``."""
OURS = "contracts/openapi.yaml"

Schema = Any
Resolve = Callable[[str, str], tuple[Any, str, str]]
"""``(ref, base) -> (target, base of the target, location)``."""


@dataclass(frozen=True)
class Parameter:
    name: str
    place: str
    required: bool
    type: str | None


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    """The path template as our contract writes it (theirs renamed to ours)."""
    parameters: Mapping[tuple[str, str], Parameter]
    """``(place, name) -> Parameter``; path parameters named as ours by position."""
    responses: Mapping[str, Mapping[str, Schema]]
    """status -> media type -> schema (``True`` when the media type declares none)."""

    @property
    def label(self) -> str:
        return f"{self.method} {self.template}"


@dataclass(frozen=True)
class Document:
    source: str
    version: str
    operations: Mapping[str, Operation]
    """Label (``GET /pcm/jobs/{jobID}``) -> operation, in our document order."""


def shape(template: str) -> str:
    """``/pcm/jobs/{jobID}`` -> ``/pcm/jobs/{}``: templates compared whatever their parameter names."""
    return re.sub(r"\{[^}/]*\}", "{}", template)


def path_names(template: str) -> list[str]:
    return re.findall(r"\{([^}/]*)\}", template)


# ---------------------------------------------------------------- reading


class JsonLikeLoader(yaml.SafeLoader):
    """YAML as JSON sees it: an unquoted ``2020-09-22T09:00:00`` stays a string, not a datetime."""


JsonLikeLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_published(spec: str | Path | Mapping[str, Any]) -> tuple[Mapping[str, Any], str]:
    """A published document from a path, ``-`` (standard input) or an already parsed mapping."""
    if isinstance(spec, Mapping):
        return _checked(spec, "<document>"), "<document>"
    source = "stdin" if str(spec) == "-" else str(spec)
    try:
        text = sys.stdin.read() if str(spec) == "-" else Path(spec).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise SpecError(f"{source}: cannot read: {reason}") from None
    try:
        document = json.loads(text)
    except ValueError:
        try:
            document = yaml.load(text, Loader=JsonLikeLoader)  # a SafeLoader
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark is not None else ""
            raise SpecError(f"{source}: neither JSON nor YAML{where}") from None
    return _checked(document, source), source


def _checked(document: Any, source: str) -> Mapping[str, Any]:
    if not isinstance(document, Mapping) or "openapi" not in document:
        raise SpecError(f"{source}: not an OpenAPI document (no 'openapi' member)")
    version = str(document["openapi"])
    if not re.match(r"^3\.[01](\.|$)", version):
        raise SpecError(f"{source}: OpenAPI {version} is not supported (3.0.x or 3.1.x)")
    if not isinstance(document.get("paths", {}), Mapping):
        raise SpecError(f"{source}: 'paths' is not an object")
    return document


# ---------------------------------------------------------------- $ref


def _walk_pointer(document: Any, fragment: str, ref: str) -> Any:
    target = document
    for raw in fragment.lstrip("/").split("/") if fragment.strip("/") else []:
        part = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(target, Mapping) and part in target:
            target = target[part]
        elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
            target = target[int(part)]
        else:
            raise SpecError(f"$ref {ref!r} does not resolve")
    return target


def inline(node: Any, resolve: Resolve, base: str, *, upgrade: bool = False, stack: tuple[str, ...] = ()) -> Any:
    """``node`` with every ``$ref`` replaced by its target (3.0 forms folded when ``upgrade``)."""
    if isinstance(node, list):
        return [inline(item, resolve, base, upgrade=upgrade, stack=stack) for item in node]
    if not isinstance(node, Mapping):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        target, target_base, location = resolve(ref, base)
        if location in stack:
            raise SpecError(f"$ref cycle: {' -> '.join((*stack[stack.index(location) :], location))}")
        inlined = inline(target, resolve, target_base, upgrade=upgrade, stack=(*stack, location))
        if isinstance(inlined, dict):
            inlined.setdefault(ORIGIN, location)
        rest = {k: v for k, v in node.items() if k != "$ref"}
        if not rest:
            return inlined
        return {"allOf": [inlined, inline(rest, resolve, base, upgrade=upgrade, stack=stack)]}
    out = {
        key: value if key in VERBATIM else inline(value, resolve, base, upgrade=upgrade, stack=stack)
        for key, value in node.items()
    }
    return upgraded(out) if upgrade else out


def upgraded(schema: dict[str, Any]) -> dict[str, Any]:
    """One OpenAPI 3.0 schema object in its 3.1 form (children already done)."""
    if schema.get("nullable") is True and schema.pop("nullable"):  # the keyword, not a member named so
        if "type" not in schema:  # e.g. {allOf: [{$ref: ...}], nullable: true}: that, or null
            return {"anyOf": [schema, {"type": "null"}]}
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        schema["type"] = [*types, "null"] if "null" not in types else types
    for exclusive, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(schema.get(exclusive), bool) and schema.pop(exclusive) and bound in schema:
            schema[exclusive] = schema.pop(bound)
    return schema


def published_resolver(document: Mapping[str, Any]) -> Resolve:
    def resolve(ref: str, base: str) -> tuple[Any, str, str]:
        if not ref.startswith("#"):
            raise SpecError(f"$ref {ref!r}: only references within the document are supported")
        return _walk_pointer(document, ref[1:], ref), base, ref

    return resolve


@cache
def _our_document() -> Mapping[str, Any]:
    loaded: Mapping[str, Any] = yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))
    return loaded


def our_resolver() -> Resolve:
    """Local references of ``openapi.yaml``; schema files through the registry, by ``$id``."""
    resolver = load().registry.resolver()
    document = _our_document()

    def resolve(ref: str, base: str) -> tuple[Any, str, str]:
        if base == OURS and ref.startswith("#"):
            return _walk_pointer(document, ref[1:], ref), OURS, f"openapi.yaml{ref}"
        uri = SCHEMA_BASE + name_of(ref) if base == OURS else urljoin(base, ref)
        resolved = resolver.lookup(uri)
        target_uri, fragment = urldefrag(uri)
        return resolved.contents, target_uri, f"{name_of(target_uri)}#{fragment}"

    return resolve


# ---------------------------------------------------------------- operations


def operations_of(
    document: Mapping[str, Any], resolve: Resolve, base: str, *, upgrade: bool, templates: Mapping[str, str]
) -> dict[str, Operation]:
    """The operations under ``templates`` (shape -> our template), by label."""
    found: dict[str, Operation] = {}
    for template, item in document.get("paths", {}).items():
        ours = templates.get(shape(str(template)))
        if ours is None or not isinstance(item, Mapping):
            continue
        item = inline(item, resolve, base, upgrade=upgrade) if "$ref" in item else item
        renames = dict(zip(path_names(str(template)), path_names(ours), strict=False))
        shared = item.get("parameters", [])
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, Mapping):
                continue
            params = _parameters([*shared, *op.get("parameters", [])], resolve, base, upgrade, renames)
            responses = _responses(op.get("responses", {}), resolve, base, upgrade)
            operation = Operation(method.upper(), ours, params, responses)
            found[operation.label] = operation
    return found


def _parameters(
    raw: list[Any], resolve: Resolve, base: str, upgrade: bool, renames: Mapping[str, str]
) -> dict[tuple[str, str], Parameter]:
    params: dict[tuple[str, str], Parameter] = {}
    for entry in raw:
        param = inline(entry, resolve, base, upgrade=upgrade)
        if not isinstance(param, Mapping) or "name" not in param or "in" not in param:
            continue
        name, place = str(param["name"]), str(param["in"])
        if place == "header" and name.lower() in IGNORED_HEADERS:
            continue
        name = renames.get(name, name) if place == "path" else name
        schema = param.get("schema", {})
        kind = schema.get("type") if isinstance(schema, Mapping) else None
        if isinstance(kind, list):
            kind = "|".join(sorted(str(k) for k in kind if k != "null")) or None
        params[(place, name)] = Parameter(name, place, bool(param.get("required", place == "path")), kind)
    return params


def _responses(raw: Any, resolve: Resolve, base: str, upgrade: bool) -> dict[str, dict[str, Schema]]:
    responses: dict[str, dict[str, Schema]] = {}
    for status, answer in (raw or {}).items():
        answer = inline(answer, resolve, base, upgrade=upgrade)
        content = answer.get("content", {}) if isinstance(answer, Mapping) else {}
        responses[str(status)] = {
            str(media): (body.get("schema", True) if isinstance(body, Mapping) else True)
            for media, body in (content or {}).items()
        }
    return responses


@cache
def ours() -> Document:
    """Our contract: ``contracts/openapi.yaml`` and ``schemas/``."""
    document = _our_document()
    templates = {shape(t): t for t in document["paths"]}
    operations = operations_of(document, our_resolver(), OURS, upgrade=False, templates=templates)
    return Document(OURS, str(document["openapi"]), operations)


def theirs(spec: str | Path | Mapping[str, Any]) -> Document:
    """A published document, its Jobs operations named as ours."""
    document, source = read_published(spec)
    templates = {shape(t): t for t in _our_document()["paths"]}
    version = str(document["openapi"])
    resolve = published_resolver(document)
    try:
        operations = operations_of(document, resolve, "#", upgrade=version.startswith("3.0"), templates=templates)
    except SpecError as error:
        raise SpecError(f"{source}: {error}") from None
    except (AttributeError, TypeError) as error:  # a member of the wrong kind deep inside
        raise SpecError(f"{source}: malformed OpenAPI document ({error})") from None
    return Document(source, version, operations)
