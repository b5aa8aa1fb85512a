"""The native pass: a schema compiled to msgspec types, for the common valid body.

A yes/no screen over JSON Lines, in front of the fast path of
:mod:`contracts.fast`: it says "certainly no finding at all" for a line, or
leaves the line to the usual path. It is **derived** from the files of
``schemas/`` and from the rules stated as data, at run time, never written by
hand: :func:`compile_route` walks the route's schema and builds msgspec
``Struct`` types from it, and refuses (no native pass for that route) any
keyword it cannot carry over exactly or more strictly. Rejecting more than the
reference validator only costs time; accepting more would be a miss, so every
step below errs on the strict side:

* ``$ref`` and ``allOf`` are merged; ``if``/``then``/``else`` is made stricter
  by requiring both ``then`` and ``else`` (whatever the condition says, a body
  that holds both holds the conditional);
* an object is a ``Struct`` of its ``properties`` (required ones without a
  default, the others :data:`msgspec.UNSET`), ``enum``/``const`` a
  ``Literal``, ``minLength``/``maxLength``/``minItems``/``maxItems`` msgspec
  constraints; a member of no ``properties`` is dropped by the decoder, and the
  write-back below then differs, so such a body takes the usual path;
* ``format: date-time`` is a plain string, checked and read after decoding,
  a chunk's strings of one member at once: by msgspec, within the forms
  :func:`read_dates` allows, as the timestamp rule reads them; where that
  cannot tell, by the narrowed ``date-time`` check of the fast path
  (:func:`contracts.fast.narrowed`: jsonschema-rs, within the grammar of the
  reference's check), then ``datetime.fromisoformat``;
* any other keyword (``pattern``, ``additionalProperties: false``,
  ``unevaluatedProperties: false``, other formats, numbers' bounds, ...) makes
  the route unsupported.

msgspec reads strict JSON (no ``NaN``, no BOM, no lone surrogate, nothing after
the value, numbers in range for their type) but keeps the last of a duplicate
key. A chunk's lines are taken at once only when they hold their decoded
values' members, each once and spelled as msgspec writes them: they equal
msgspec's writing of the values, line ends and all, or are as long as it
once JSON whitespace is not counted (:meth:`Screen._written_back` says
why that is sound: no spelling is shorter than msgspec's, and each member the
decoder dropped makes a line longer), so a line taken holds no duplicate key,
no member the types do not know and no odd spelling. Otherwise each line is
compared on its own, as :func:`contracts.jsonbody.quick` compares (the line
itself, or without its spaces, its JSON whitespace, or the space of each
``", "`` and ``": "``). The writing follows the ``Struct``'s field order, so
the order is learnt from the lines themselves: a decoded line whose writing
differs is read once more (orjson) for its key order, and up to
:data:`ORDERS` orders are compiled.

The rules that apply to the route must all be checkable here: the
:class:`~contracts.rules.RunTimes` facts (data), and Python rules with a
``holds_times`` shortcut (:func:`contracts.rules.times_out_of_order`); a route with
any other rule has no native pass. Tests run the examples, the whole drift
corpus, the mutation tests and generated mutations (duplicate keys, date-time
forms, spacing) through both and require that every line taken here has no
finding from the reference validator.
"""

from __future__ import annotations

import keyword
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import compress, product, repeat
from operator import attrgetter, is_
from typing import Annotated, Any, Literal, NamedTuple, TypeVar, Union
from urllib.parse import urljoin

import jsonschema_rs
import msgspec
import orjson
import stringzilla
from msgspec.structs import astuple

from contracts.fast import narrowed
from contracts.jsonbody import WHITESPACE, token_bytes, written_as
from contracts.registry import Schema, SchemaSet, documented_values, resolve_id
from contracts.routing import Route
from contracts.rules import JOB_LIST, TIMESTAMPS, Column, HoldsTimes, falls, moment, rules_for

_T = TypeVar("_T")

ORDERS = 4
"""How many key orders of one route are compiled at most (a log is written by one serializer or a few)."""

ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "$comment", "title", "description", "examples", "default", "deprecated", "readOnly"}
)
"""Keywords that assert nothing."""


class Unsupported(Exception):
    """A schema or rule this pass cannot carry over exactly or more strictly."""


class _Compiler:
    def __init__(self, schemas: SchemaSet, order: Mapping[tuple[str, ...], tuple[str, ...]]) -> None:
        self.schemas = schemas
        self.order = order
        self.stamps: list[tuple[str, ...]] = []
        self.always: set[tuple[str, ...]] = set()
        self.count = 0

    def resolve(self, base: str, ref: str) -> tuple[str, Schema]:
        target = urljoin(base, ref)
        schema_id, _, at = target.partition("#")
        try:
            node: Any = self.schemas.schemas[schema_id]
            for part in at.split("/")[1:] if at else ():
                part = part.replace("~1", "/").replace("~0", "~")
                node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError):
            raise Unsupported(f"unresolvable $ref {ref!r}") from None
        if not isinstance(node, dict):
            raise Unsupported(f"$ref {ref!r} is no schema")
        return schema_id, node

    def flatten(self, base: str, schema: Any, depth: int = 0) -> list[tuple[str, Schema]]:
        """The constraint objects of ``schema`` that must all hold, ``$ref``,
        ``allOf`` and ``if``/``then``/``else`` taken apart."""
        if depth > 32:
            raise Unsupported("a $ref cycle")
        if schema is True:
            return []
        if not isinstance(schema, dict):
            raise Unsupported("a boolean schema")
        rest = {k: v for k, v in schema.items() if k not in ANNOTATIONS and not k.startswith("x-")}
        found: list[tuple[str, Schema]] = []
        if "$ref" in rest:
            found += self.flatten(*self.resolve(base, rest.pop("$ref")), depth + 1)
        for part in rest.pop("allOf", []):
            found += self.flatten(base, part, depth + 1)
        if "if" in rest:
            rest.pop("if")
            found += self.flatten(base, rest.pop("then", True), depth + 1)
            found += self.flatten(base, rest.pop("else", True), depth + 1)
        for name in ("unevaluatedProperties", "additionalProperties"):
            if rest.get(name) is True:
                rest.pop(name)
        if rest:
            found.append((base, rest))
        return found

    def type_of(self, parts: list[tuple[str, Schema]], at: tuple[str, ...]) -> Any:
        merged: dict[str, Any] = {}
        properties: dict[str, list[tuple[str, Schema]]] = {}
        items: list[tuple[str, Schema]] = []
        required: list[str] = []
        types: set[str] | None = None
        for base, part in parts:
            for key, value in part.items():
                if key == "type":
                    named = {value} if isinstance(value, str) else set(value)
                    types = named if types is None else types & named
                elif key == "properties":
                    for name, sub in value.items():
                        properties.setdefault(name, []).extend(self.flatten(base, sub))
                elif key == "items":
                    items.extend(self.flatten(base, value))
                elif key == "required":
                    required += [name for name in value if name not in required]
                elif key in ("enum", "const", "format", "minLength", "maxLength", "minItems", "maxItems"):
                    if key in merged and merged[key] != value:
                        raise Unsupported(f"{key} twice at {'/'.join(at)}")
                    merged[key] = value
                else:
                    raise Unsupported(f"keyword {key!r} at /{'/'.join(at)}")
        if "const" in merged or "enum" in merged:
            values = [merged["const"]] if "const" in merged else list(merged["enum"])
            if "const" in merged and "enum" in merged:
                values = [v for v in values if v in merged["enum"]]
            values = [v for v in values if types is None or _json_type(v) in types]
            if not values or not all(isinstance(v, str) or v is None for v in values):
                raise Unsupported(f"an enum of other than strings at /{'/'.join(at)}")
            if set(merged) - {"const", "enum"} or properties or items:
                raise Unsupported(f"enum with other keywords at /{'/'.join(at)}")
            strings = tuple(v for v in values if v is not None)
            return _union([Literal[strings]] if strings else [], null=None in values)
        if types is None:
            raise Unsupported(f"no type at /{'/'.join(at)}")
        choices: list[Any] = []
        for name in sorted(types, key=("null", "boolean", "integer", "string", "array", "object").index):
            if name == "null":
                continue
            if name == "boolean":
                choices.append(bool)
            elif name == "integer":
                choices.append(int)
            elif name == "string":
                choices.append(self._string(merged, at))
            elif name == "array":
                if not items:
                    raise Unsupported(f"an array without items at /{'/'.join(at)}")
                bounds = {"min_length": merged.get("minItems"), "max_length": merged.get("maxItems")}
                item = self.type_of(items, (*at, "*"))
                choices.append(_constrained(list[item], bounds))  # type: ignore[valid-type]
            elif name == "object":
                choices.append(self._struct(properties, required, at))
            else:
                raise Unsupported(f"type {name!r} at /{'/'.join(at)}")
        if not choices and "null" not in types:
            raise Unsupported(f"no type at /{'/'.join(at)}")
        return _union(choices, null="null" in types)

    def _string(self, merged: dict[str, Any], at: tuple[str, ...]) -> Any:
        fmt = merged.get("format")
        if fmt is not None:
            if fmt != "date-time" or "*" in at:
                raise Unsupported(f"format {fmt!r} at /{'/'.join(at)}")
            if at not in self.stamps:
                self.stamps.append(at)
        return _constrained(str, {"min_length": merged.get("minLength"), "max_length": merged.get("maxLength")})

    def _struct(self, properties: dict[str, list[tuple[str, Schema]]], required: list[str], at: tuple[str, ...]) -> Any:
        if not properties:
            raise Unsupported(f"an object without properties at /{'/'.join(at)}")
        if missing := [name for name in required if name not in properties]:
            raise Unsupported(f"required {missing[0]!r} not among the properties at /{'/'.join(at)}")
        preferred = self.order.get(at, ())
        names = [n for n in preferred if n in properties] + [n for n in properties if n not in preferred]
        fields: list[Any] = []
        for name in names:
            if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
                raise Unsupported(f"member name {name!r} at /{'/'.join(at)}")
            kind = self.type_of(properties[name], (*at, name))
            if name in required and (kind is str or (isinstance(kind, type) and issubclass(kind, msgspec.Struct))):
                self.always.add((*at, name))  # a string, or an object, in every body decoded
            fields.append((name, kind) if name in required else (name, kind | msgspec.UnsetType, msgspec.UNSET))
        self.count += 1
        return msgspec.defstruct(f"Native{self.count}", fields, kw_only=True, omit_defaults=True, gc=False)


def _union(choices: list[Any], *, null: bool) -> Any:
    """The msgspec type of one of ``choices`` (or ``null``)."""
    options = [*choices, None] if null else choices
    return Union[tuple(options)] if len(options) > 1 else options[0]  # noqa: UP007 (a run-time union)


def _json_type(value: Any) -> str:
    return "null" if value is None else "string" if isinstance(value, str) else "other"


def _constrained(kind: Any, bounds: dict[str, Any]) -> Any:
    given = {k: v for k, v in bounds.items() if v is not None}
    return Annotated[kind, msgspec.Meta(**given)] if given else kind


def key_order(value: Any, at: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], tuple[str, ...]]]:
    """The key order of every object of a decoded line, by its path of member names."""
    if isinstance(value, dict):
        yield at, tuple(value)
        for name, item in value.items():
            yield from key_order(item, (*at, name))
    elif isinstance(value, list) and value:
        yield from key_order(value[0], (*at, "*"))


@dataclass(frozen=True)
class Plan:
    """One compiled order of a route: the decoder, and the date-time members by their paths."""

    decode: Callable[[bytes], Any]
    stamps: tuple[tuple[str, ...], ...]
    always: frozenset[tuple[str, ...]]
    """The members that are required, never null, and strings or objects: there in every decoded body."""


def compile_route(schemas: SchemaSet, route: Route, order: Mapping[tuple[str, ...], tuple[str, ...]] = {}) -> Plan:
    """The plan of bodies answered on ``route``; raises :class:`Unsupported`."""
    if route.schema_id is None or not route.documented:
        raise Unsupported("no documented schema")
    compiler = _Compiler(schemas, order)
    schema_id = resolve_id(route.schema_id)
    body = compiler.type_of(compiler.flatten(schema_id, schemas.get(schema_id)), ())
    return Plan(msgspec.json.Decoder(body).decode, tuple(compiler.stamps), frozenset(compiler.always))


DATES: Schema = {"type": "array", "items": narrowed({"type": "string", "format": "date-time"})}
"""A list of date-times as the fast path of :mod:`contracts.fast` checks each (jsonschema-rs, narrowed)."""
_DATETIMES = list[datetime]
_DIGITS_AND_POINT = b"0123456789."
_UPPER = bytes.maketrans(b"tz", b"TZ")
FORMS = (b"--T::Z", b"--T::+:", b"--T::-:")
"""What is left of an RFC 3339 date-time with its digits and its point taken
out and upper-cased, as the reference upper-cases it: ``Z``, or an offset
with a colon (``+00:00``)."""
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_SEVEN_DIGITS = b".0000000"
_IN_FORM = re.compile(b"(?:(?:" + b"|".join(map(re.escape, FORMS)) + b")\n)*+")
"""A run of lines each one of :data:`FORMS`, with their line ends."""


def _odd(marks: bytes, count: int) -> list[int] | None:
    """The indices of the lines of ``marks`` (``count`` of them, joined by line ends)
    that are none of :data:`FORMS`, in order; ``None`` when there are not ``count``
    lines. Found a run of lines in a form at a time (one C call a run: most lines are)."""
    text = marks + b"\n"
    if text.count(b"\n") != count:
        return None
    odd: list[int] = []
    at = line = 0
    while True:
        stop = _IN_FORM.match(text, at).end()  # type: ignore[union-attr]  # a run, empty or not, always matches
        if stop == len(text):
            return odd
        line += text.count(b"\n", at, stop)
        odd.append(line)
        at, line = text.index(b"\n", stop) + 1, line + 1


def read_dates(strings: list[str]) -> tuple[list[int], list[datetime]] | None:
    """The date-times of ``strings`` as :func:`contracts.rules.moment` reads
    them, and the positions of those not certainly one the reference accepts
    (a stand-in is read there), or ``None`` to check each string on its own.

    msgspec reads a column in one call, checking every field's range (the
    month's days in a leap year too, no hour 24, no second 60, no offset
    minute 60, no year 0), but reads some forms RFC 3339 forbids: a space
    for ``T``, an offset without its colon, no zone at all, and more than six
    fraction digits, rounded (``fromisoformat``, which the rules use,
    truncates). Two passes over the joined column rule them out first: what
    is left of a string without its digits and point must be one of
    :data:`FORMS` (msgspec reads it as one date-time, and taken apart so, a
    form it reads is one of these only where it is RFC 3339), and no fraction
    may have seven digits. A lower-case ``t`` or ``z`` is read as its
    upper case, as both the reference and :func:`~contracts.rules.moment` do.
    A position not certainly accepted gets a stand-in: its body takes the
    usual path, which tells."""
    if not strings:
        return [], []
    text = "\n".join(strings)
    if not text.isascii():
        return None
    data = text.encode()
    marks = data.translate(_UPPER, _DIGITS_AND_POINT)
    bad: list[int] = []
    if sum(stringzilla.count(marks, form) for form in FORMS) != len(strings):  # SIMD; no form overlaps itself
        odd = _odd(marks, len(strings))
        if odd is None:  # a line end in a string
            return None
        bad = odd
    if beyond_microseconds(data):
        longer = (index for index, string in enumerate(strings) if beyond_microseconds(string.encode()))
        bad = sorted({*bad, *longer})
    if bad:
        strings = strings.copy()
        for index in bad:
            strings[index] = GOOD_DATE_TIME
    try:
        return bad, msgspec.convert(strings, _DATETIMES)
    except msgspec.ValidationError:  # a field out of range: each string on its own
        return None


def beyond_microseconds(data: bytes) -> bool:
    """Whether ``data`` holds a point followed by seven ASCII digits (a fraction
    msgspec would round): the digits mapped to ``0`` by a table, then the
    substring searched for, both in SIMD (stringzilla; a regular expression
    takes seven times longer)."""
    return bool(stringzilla.contains(stringzilla.translate(data, _DIGITS_AS_ZERO), _SEVEN_DIGITS))


def as_long(written: bytes, data: bytes) -> bool:
    """Whether ``data``, one line, is as long as msgspec's ``written`` value
    of it once the JSON whitespace of both is not counted: then it holds the
    value's members in some order, each once, spelled as msgspec writes them
    (:meth:`Screen._written_back` says why, for a chunk of lines)."""
    return token_bytes(data) == len(written) - written.count(b" ")


def _without(items: list[_T], indices: list[int]) -> list[_T]:
    """``items`` without those at ``indices`` (in increasing order, a few): a copy, and a move of its tail for each."""
    kept = items.copy()
    for index in reversed(indices):
        del kept[index]
    return kept


GOOD_DATE_TIME = "2000-01-01T00:00:00Z"
_fromisoformat = datetime.fromisoformat
_ERRORS = (msgspec.MsgspecError, ValueError, RecursionError)
"""What a decoder may raise for a line it does not take (``UnicodeDecodeError`` for invalid UTF-8)."""


class Screen:
    """The native pass over the bodies of one route; see the module's docstring.

    Built by :func:`screen_for`; call it with a chunk of lines as read: it
    gives a :class:`Screened`, the indices of the lines it leaves to the usual
    path (every other line certainly has no finding), the decoded values of
    the lines it took and the job types and statuses it saw."""

    def __init__(self, schemas: SchemaSet, route: Route) -> None:
        self.schemas, self.route = schemas, route
        self.plans = [compile_route(schemas, route)]
        self._lock = threading.Lock()
        self.orders: set[tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]] = set()
        self._jobs = _job_attributes(self.plans[0])
        self._stamps = tuple((at[-1], at in self.plans[0].always) for at in self.plans[0].stamps)
        self._members = (*(name for name, _ in self._stamps), "status", "type")  # the columns _failing reads
        self._fact_names, self._facts = _facts(route, tuple(name for name, always in self._stamps if not always))
        self._times = _times(route)
        self._dates = jsonschema_rs.validator_for(DATES, validate_formats=True)
        self._encode_lines = msgspec.json.Encoder().encode_lines

    def _learn(self, data: bytes) -> Plan | None:
        """A plan in the key order of ``data``, if that order is new and room is left."""
        if len(self.plans) >= ORDERS:
            return None
        try:
            order = tuple(key_order(orjson.loads(data)))
        except orjson.JSONDecodeError:
            return None
        if order in self.orders:
            return None
        self.orders.add(order)
        plan = compile_route(self.schemas, self.route, dict(order))
        self.plans.append(plan)
        return plan

    def __call__(self, datas: list[bytes]) -> Screened:
        left: list[int] = []
        taken: list[Any] = []
        where: list[int] = []
        plan = self.plans[0]
        decode = plan.decode
        for index, data in enumerate(datas):
            try:
                taken.append(decode(data))
            except _ERRORS:
                left.append(index)
                continue
            where.append(index)
        one_plan = True  # every value decoded by one plan: of one attributes type
        if taken and not self._written_back(taken, datas if not left else _without(datas, left)):
            left, taken, where = self._line_by_line(plan, datas, left, taken, where)
            one_plan = False
        failing, seen = self._failing(taken, one_plan)
        if failing:
            left = sorted({*left, *map(where.__getitem__, failing)})
            taken = _without(taken, sorted(failing))
        return Screened(left, taken, seen)

    def _written_back(self, bodies: list[Any], datas: list[bytes]) -> bool:
        """Whether every line holds its body's members, each once and spelled
        as msgspec writes it, told for the whole chunk at once: the lines are
        the writing itself (the common case, line ends and all), or they are
        as long as the writing once the JSON whitespace of both is not
        counted (any spacing, any key order).

        The first: msgspec writes the bodies as JSON Lines, each one's writing
        (which holds no line end: it escapes them in strings) then ``\\n``,
        and each line read ends at its own ``\\n``, so the joined lines equal
        the writing only line by line.

        The second is sound because no line can be shorter than its writing
        in what is counted, and is only as long where it is the writing with
        whitespace put in. The writing's only whitespace is the spaces inside
        its strings and the line end after each value. A decoded line has no
        whitespace inside a string but spaces (msgspec refuses a raw control
        character there), so what is not counted of a line is the spaces
        inside its strings, alike on both sides, and the whitespace between
        its tokens. What is left of a line is its tokens. Each member the
        decoder dropped (the first of a key read twice, a member the types do
        not know) is a member the writing lacks, so at least 5 bytes more.
        msgspec writes every string in its shortest JSON spelling, so a
        string spelled otherwise (an escape where the character may stand as
        it is, a space written ``\\u0020``) is longer. It refuses any integer
        spelled as a fraction or with an exponent, so no string or number is
        spelled shorter than it writes it (a test pins these facts of
        msgspec). Nothing else differs: a member's position does not count,
        and the writing omits no member the line has (no field has a default
        but UNSET). So where the counts are equal, the line is its body's
        members in some order, each once, between whitespace, and the
        reference reads the same value from it. The counts are summed over
        the chunk: each line's is at least its writing's, so the sums are
        equal only where each line's is. One pass counts a chunk
        (:func:`~contracts.jsonbody.token_bytes`, in SIMD).

        Lines written compactly in a key order the ``Struct`` does not follow
        (no whitespace but line ends and the spaces inside strings) are taken
        so too, and the order of the first is learnt, so that the next chunks
        equal their writing."""
        written = self._encode_lines(bodies)
        joined = b"".join(datas)
        if joined == written:
            return True
        counted = token_bytes(joined)
        in_strings = written.count(b" ") if b" " in written else 0  # the writing has no space but in strings
        if counted != len(written) - in_strings - len(bodies):
            return False
        if len(joined) - counted - in_strings <= len(datas):  # compact (but line ends), in another key order
            self._other_order(datas[0].strip(WHITESPACE), self.plans[0])
        return True

    def _line_by_line(
        self, plan: Plan, datas: list[bytes], left: list[int], bodies: list[Any], where: list[int]
    ) -> tuple[list[int], list[Any], list[int]]:
        """The lines ``plan`` decoded compared one at a time: each as :func:`contracts.jsonbody.quick`
        compares it, or by its length (:func:`as_long`), or in the key orders known or learnt."""
        encode = msgspec.json.encode
        taken: list[Any] = []
        kept: list[int] = []
        for index, body in zip(where, bodies, strict=True):
            data = datas[index].strip(WHITESPACE)
            written = encode(body)
            if not (written_as(written, data) or as_long(written, data)):
                body = self._other_order(data, plan)
                if body is None:
                    left.append(index)
                    continue
            taken.append(body)
            kept.append(index)
        return sorted(left), taken, kept

    def _other_order(self, data: bytes, tried: Plan) -> Any:
        """The value of a line written in another key order, by the plan of that order (learnt if new)."""
        with self._lock:  # a Dask worker may judge in threads: the plans change here only
            return self._in_other_order(data, tried)

    def _in_other_order(self, data: bytes, tried: Plan) -> Any:
        encode = msgspec.json.encode
        for plan in [*(plan for plan in self.plans if plan is not tried), None]:
            if plan is None:
                plan = self._learn(data)
                if plan is None:
                    return None
            try:
                body = plan.decode(data)
            except _ERRORS:
                return None
            if written_as(encode(body), data):
                self.plans.remove(plan)  # the most recent order first
                self.plans.insert(0, plan)
                return body
        return None

    def _columns(self, attrs: list[Any], one_plan: bool) -> dict[str, Any]:
        """The members of job attributes that :meth:`_failing` reads, a column
        (a sequence in the bodies' order) each: of one attributes type, each
        body taken apart in one C call (``astuple``, in its fields' order) and
        the whole turned by ``zip``; else member by member."""
        if one_plan:
            fields = type(attrs[0]).__struct_fields__
            return dict(zip(fields, zip(*map(astuple, attrs), strict=True), strict=True))
        return {name: list(map(attrgetter(name), attrs)) for name in self._members}

    def _failing(self, bodies: list[Any], one_plan: bool) -> tuple[set[int], tuple[set[str], set[str]]]:
        """The indices of the decoded bodies whose date-times or rules fail, a
        column at a time, and the job types and statuses of all of them (the
        usual path observes those of the failing ones the same way).

        Each check first asks of the whole chunk, in one pass, whether it
        holds (it mostly does), and only where it does not finds the bodies."""
        count = len(bodies)
        if not count:
            return set(), (set(), set())
        columns = self._columns(list(map(self._jobs, bodies)), one_plan)
        kinds: dict[str, list[type]] = {}
        times: dict[str, Column] = {}
        failing: set[int] = set()
        for name, always in self._stamps:
            column = columns[name]
            if always:  # required, never null: a string in every decoded body
                at: list[int] | None = None
                strings = list(column)
            else:
                types = kinds[name] = list(map(type, column))
                present = list(map(is_, types, repeat(str)))
                at = list(compress(range(count), present))
                strings = list(compress(column, present))
            dated = read_dates(strings)
            if dated is not None:
                bad, read = dated
                for position in bad:  # its body takes the usual path, which tells
                    failing.add(position if at is None else at[position])
            else:  # each string checked on its own, and read as the rule reads it
                for position in self._bad_dates(strings):  # its body fails; a readable stand-in keeps the column whole
                    failing.add(position if at is None else at[position])
                    strings[position] = GOOD_DATE_TIME
                try:
                    read = list(map(_fromisoformat, strings))
                except ValueError:  # a form jsonschema-rs accepts and fromisoformat does not (a lower-case t)
                    found = zip(range(count) if at is None else at, map(moment, strings), strict=True)
                    times[name] = {k: v for k, v in found if v is not None}  # none where the rule reads none either
                    continue
            times[name] = read if at is None else dict(zip(at, read, strict=True))
        if self._facts is not None:
            keys = zip(columns["status"], *(kinds[name] for name in self._fact_names), strict=True)
            allowed = list(map(self._facts.__contains__, keys))
            if not all(allowed):
                failing.update(falls(allowed))
        for holds in self._times:
            failing |= holds(times, count)
        return failing, (set(columns["type"]), set(columns["status"]))

    def _bad_dates(self, strings: list[str]) -> set[int]:
        """The indices of the strings that are no date-time the reference
        certainly accepts: one compiled check of the whole column, and its
        errors where it fails (most columns of a chunk hold no bad value)."""
        if self._dates.is_valid(strings):
            return set()
        return {int(error.instance_path[0]) for error in self._dates.iter_errors(strings)}


JOB_AT = ("data", "attributes")


class Screened(NamedTuple):
    """What :class:`Screen` says of a chunk of lines."""

    left: list[int]
    """The indices of the lines left to the usual path, in order."""
    taken: list[Any]
    """The decoded values of the other lines (each certainly without a finding), in order."""
    seen: tuple[set[str], set[str]]
    """The job types and statuses of the lines decoded, for the coverage report."""


def _job_attributes(plan: Plan) -> Callable[[Any], Any]:
    """The getter of the job's attributes, there in every body; every date-time member must be one of them."""
    if not plan.stamps or any(at[:-1] != JOB_AT or at[-1] not in TIMESTAMPS for at in plan.stamps):
        raise Unsupported("date-time members other than a job's attributes")
    if not {JOB_AT[:1], JOB_AT} <= plan.always:
        raise Unsupported("a job's attributes not in every body")
    return attrgetter(".".join(JOB_AT))


def _facts(route: Route, stamps: tuple[str, ...]) -> tuple[tuple[str, ...], frozenset[tuple[Any, ...]] | None]:
    """The run-time facts as the set of every allowed ``(status, type of each
    timestamp in stamps)``: ``str`` (set), ``NoneType`` (null) or
    ``UnsetType`` (absent), with ``stamps``; ``None`` where no fact applies.
    ``stamps`` are the timestamps that may be null or absent: a fact about
    any other is not supported."""
    allowed: dict[str, list[set[Any]]] = {}
    anything: set[Any] = {str, type(None), msgspec.UnsetType}
    facts = 0
    for rule in rules_for(route.schema_id or "", route.operation.operation_id, bool(route.params)):
        fact = rule.fact
        if fact is None:
            if rule.holds_times is None:
                raise Unsupported(f"rule {rule.id} has no native shortcut")
            continue
        if not set(fact.names) <= set(stamps) or route.schema_id == JOB_LIST:
            raise Unsupported(f"fact {rule.id}")
        facts += 1
        for status in fact.statuses:
            kinds = allowed.setdefault(status, [set(anything) for _ in stamps])
            for name in fact.names:
                kinds[stamps.index(name)] &= {str} if fact.set else {type(None), msgspec.UnsetType}
    if not facts:
        return stamps, None
    for status in documented_values("jobStatus"):
        allowed.setdefault(status, [set(anything) for _ in stamps])
    return stamps, frozenset(key for status, kinds in allowed.items() for key in product((status,), *kinds))


def _times(route: Route) -> list[HoldsTimes]:
    rules = rules_for(route.schema_id or "", route.operation.operation_id, bool(route.params))
    return [rule.holds_times for rule in rules if rule.fact is None and rule.holds_times is not None]


_SCREENS: dict[tuple[Any, ...], tuple[SchemaSet, Screen | None]] = {}


def screen_for(schemas: SchemaSet, route: Route) -> Screen | None:
    """The native pass of ``route`` (built once a schema set and route, so the
    orders it learns serve every later chunk), or ``None`` where the schema
    or a rule is not supported."""
    key = (
        id(schemas),
        route.operation.operation_id,
        route.status,
        route.schema_id,
        bool(route.params),
        route.documented,
    )
    known = _SCREENS.get(key)
    if known is not None and known[0] is schemas:
        return known[1]
    try:
        screen: Screen | None = Screen(schemas, route)
    except Unsupported:
        screen = None
    _SCREENS[key] = (schemas, screen)
    return screen
