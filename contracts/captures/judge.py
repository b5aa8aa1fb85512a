"""Items -> results: the verdict on each captured payload.

The third stage of :mod:`contracts.captures`. :meth:`Checker.check` judges
one item; :meth:`Checker.judge` judges a reader's items in bulk, with the same
verdicts: the common line of JSON Lines, a compact bare body that the fast
path finds without a finding, joins a :class:`~contracts.captures.results.Passed`
batch and costs one fast parse and one compiled check; any other item is
judged one at a time, and a HAR entry found valid without a finding joins a
batch too (so a HAR's results do not grow with its entries).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import repeat
from operator import contains, is_, methodcaller
from typing import Any

from contracts import jsonbody, native, routing
from contracts.captures.items import Line, Lines, NotJsonBody, One, Payload, Read, Skipped, Unreadable, is_record
from contracts.captures.readers import line_item, record_item
from contracts.captures.results import Judged, Passed, Result, passed
from contracts.coverage import Coverage
from contracts.errors import UnknownRoute
from contracts.jsonbody import WHITESPACE
from contracts.responses import as_refusal, content_type_findings, not_json
from contracts.validation import Validator, validator_for
from contracts.violations import Strictness, Violation, is_failure

JOB_PATH = "/pcm/jobs/{jobID}"
ERRORS_PATH = "/pcm/jobs/{jobID}/errors"


BATCH = 4096
"""Most lines in one :class:`Passed` batch."""
WAITING = 4096
"""Lines of JSON Lines screened before the lines the screens left are judged one by one: the screens
of up to 16 chunks run back to back, then the detailed checks of what they left, so that each kind of
work runs warm in the processor's caches instead of taking turns line by line. Measured here, judging
a log with 2% drifted lines takes about 12% less time so (1,024 lines: 5% more; 16,384: no gain).
The order of the results is the order of the lines."""
WAITING_BYTES = 4 * 2**20
"""Fewer lines wait when they are long: what waits holds at most about this many bytes of lines."""


def guess(body: Any) -> tuple[str, int] | str:
    """``(path, status)`` from a bare body's shape, or why it cannot be told.

    ``{"data": {...}}`` is Get a Job's 200 (for a job whose request is not
    known, so ``data_id_matches_request`` has no id to compare); ``data`` as
    an array of ``pim-job`` items is the job list, of ``pim-job-error`` items a
    job's errors; ``{"errors": [...]}`` is an error body with the status its
    items agree on. Anything else (an empty array included) is not guessed."""
    if isinstance(body, dict) and isinstance(body.get("data"), dict):
        return JOB_PATH, 200
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        # the status as the docs have it ("404"), or drifted to a number: the schema reports that
        statuses = {str(item.get("status")) for item in body["errors"] if isinstance(item, dict)}
        status = statuses.pop() if len(statuses) == 1 else ""
        if status.isdigit() and len(status) == 3:
            return JOB_PATH, int(status)
        return "an error body whose items do not agree on one status: pass --status"
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        types = (item.get("type") if isinstance(item, dict) else None for item in body["data"])
        kinds = {kind if isinstance(kind, str) else None for kind in types}
        if kinds == {"pim-job"}:
            return "/pcm/jobs", 200
        if kinds == {"pim-job-error"}:
            return ERRORS_PATH, 200
        return "a body whose data is an array of no single known type (a job list? a job's errors?): pass --path"
    return NOT_A_BODY


NOT_A_BODY = "cannot tell which response this body is (neither a job nor an error body): pass --path and --status"
"""Why a bare body of no documented shape is unreadable (skipped with ``skip_unknown``)."""


@dataclass
class Checker:
    """Judges items. ``method``, ``path`` and ``status`` apply to bare bodies
    only; a capture's own request and status always win."""

    strictness: Strictness = field(default_factory=Strictness)
    method: str = "GET"
    path: str | None = None
    status: int | None = None
    coverage: Coverage | None = None
    """When given, every judged payload is observed for the coverage report."""
    skip_unknown: bool = False
    """What is plainly no payload of this contract is skipped, not unreadable: a
    named file of another type, a bare body with neither ``data`` nor ``errors``
    (``package.json``). The pre-commit hook's mode."""

    @property
    def validator(self) -> Validator:
        return validator_for(self.strictness)

    def check(self, item: One) -> Result:
        """The result of one item."""
        if isinstance(item, Line):
            item = line_item(item)
        if isinstance(item, Unreadable):
            return Result(item.source, "unreadable", reason=item.reason)
        if isinstance(item, Skipped):
            return Result(item.source, "skipped", reason=item.reason)
        try:
            route = self._route(item)
        except UnknownRoute as error:
            return Result(item.source, "skipped", reason=f"not an operation of this contract: {error}")
        if isinstance(route, str):
            skip = self.skip_unknown and route == NOT_A_BODY
            reason = "not a response body of this contract (neither a job nor an error body)" if skip else route
            return Result(item.source, "skipped" if skip else "unreadable", reason=reason)
        found = content_type_findings(item.headers) if item.headers is not None else []
        if isinstance(item.body, NotJsonBody):
            if self.coverage is not None:
                self.coverage.observe_route(route, None)
            found.append(not_json(item.body.reason))
            return self._result(item.source, found, route)
        return self._judged(self.validator, item.source, item.body, route, found)

    def _judged(
        self, validator: Validator, source: str, body: Any, route: routing.Route, before: list[Violation] | None = None
    ) -> Result:
        """The result of a JSON ``body`` answered on ``route``; ``before``: the findings about its response."""
        if self.coverage is not None:
            self.coverage.observe_route(route, body)
        found = validator.validate_route(body, route)
        return self._result(source, before + found if before else found, route)

    @staticmethod
    def _result(source: str, found: list[Violation], route: routing.Route) -> Result:
        found = as_refusal(found, route.status, own_credentials=False)  # a capture: whose credentials?
        return Result(source, "invalid" if is_failure(found) else "valid", tuple(found))

    def _route(self, item: Payload) -> routing.Route | str:
        """The route of a payload; raises :class:`UnknownRoute` off the contract."""
        if item.status is not None:
            return routing.resolve(item.method or "GET", item.path or JOB_PATH, item.status)
        return self._bare_route(item.body, item.method)

    def _bare_route(self, body: Any, method: str | None = None) -> routing.Route | str:
        """The route of a bare body: ``--path``/``--status``, else its shape."""
        path, status = self.path, self.status
        if path is None or status is None:
            guessed = guess(body)
            if isinstance(guessed, str):
                return guessed
            path, status = path or guessed[0], status or guessed[1]
        return routing.resolve(method or self.method, path, status)

    def _test_for(self, value: Any, validator: Validator) -> tuple[routing.Route, Callable[[Any], bool]] | None:
        """The route of a bare body and its :meth:`Validator.holds_on` test; ``None`` off the contract."""
        try:
            route = self._bare_route(value)
        except UnknownRoute:
            return None
        return (route, validator.holds_on(route)) if isinstance(route, routing.Route) else None

    def judge(self, items: Iterable[Read]) -> Iterator[Judged]:
        """The results of ``items`` as :meth:`check` gives them one by one, in bulk.

        A bare body that :meth:`Validator.holds_on
        <contracts.validation.Validator.holds_on>` finds without a finding
        joins a :class:`Passed` batch (of lines that follow each other in one
        source); any other item is checked one at a time. :class:`Lines` are
        judged a chunk at a time: a chunk of Get a Job bodies (:func:`all_jobs`)
        is read and screened at once (:func:`jsonbody.quick_all
        <contracts.jsonbody.quick_all>`, :meth:`Validator.holding_on
        <contracts.validation.Validator.holding_on>`), and only the lines those
        leave open go the line-by-line way (checked in full at once: a line a
        screen left mostly has a finding, so the :meth:`Validator.holds_on
        <contracts.validation.Validator.holds_on>` test would only come first
        and fail; one valid without a finding joins the batch all the same).
        After a chunk the bulk path does not take, it is not tried for the next
        2, 4, ... 64 chunks (a log of other bodies soon stops trying). The chunks of one file are screened up to
        :data:`WAITING` lines ahead of the lines they leave, which are then
        judged in line order. A HAR entry valid without a finding joins a batch
        of its file's entries.
        """
        validator, coverage = self.validator, self.coverage
        # The route of a bare body depends on the body only through guess(body), and not at all
        # when --path and --status are both given: each (route, its test) is found once a shape.
        fixed = self.path is not None and self.status is not None
        tests: dict[tuple[str, int] | str | None, tuple[routing.Route, Callable[[Any], bool]] | None] = {}
        quick, missing = jsonbody.quick, jsonbody.MISSING
        job = self._test_for({"data": {}}, validator)  # the route of every body all_jobs takes
        holding = validator.holding_on(job[0]) if job is not None else None
        screen = native.screen_for(validator.schemas, job[0]) if job is not None and validator.fast else None
        name, numbers, mark = "", list[int](), ":"
        misses = wait = 0

        def rest(
            datas: list[bytes], base: int, todo: list[int], known: set[int], values: list[Any], screened: bool
        ) -> Iterator[Judged]:
            """The results of a chunk: its lines in ``todo`` one by one, the others passed where it was screened."""
            nonlocal numbers
            done = 0  # the lines before it are judged
            for index in todo:
                if index > done and screened:
                    numbers.extend(range(base + done, base + index))
                    if coverage is not None and job is not None:
                        for value in values[done:index]:
                            coverage.observe_route(job[0], value)
                done, number, data = index + 1, base + index, datas[index].strip(WHITESPACE)
                if index in known:  # what line_item would read, and the line-by-line path would not take
                    yield from batches(name, numbers, mark)
                    numbers = []
                    yield self.check(Payload(f"{name}:{number}", values[index]))
                    continue
                if not data:
                    continue
                value = quick(data)  # the reader's fast check: MISSING for anything it must look at closely
                test = None
                if value is not missing and not is_record(value):
                    shape = None if fixed else guess(value)
                    if shape in tests:
                        test = tests[shape]
                    else:
                        test = tests[shape] = self._test_for(value, validator)
                # a line a screen left mostly has a finding: judged in full at once, not tested first
                if test is not None and not screened and test[1](value):
                    numbers.append(number)
                    if coverage is not None:
                        coverage.observe_route(test[0], value)
                    continue
                if test is not None:  # a bare body of a known route: what check() would do with it
                    result = self._judged(validator, f"{name}:{number}", value, test[0])
                    if result.verdict == "valid" and not result.violations:  # in the batch, as the test puts it
                        numbers.append(number)
                        continue
                    yield from batches(name, numbers, mark)
                    numbers = []
                    yield result
                    continue
                yield from batches(name, numbers, mark)
                numbers = []
                # what line_item would read, read once already (quick is parse's own first step)
                yield self.check(
                    Line(name, number, data) if value is missing else record_item(value, f"{name}:{number}")
                )
            if screened and done < len(datas):
                numbers.extend(range(base + done, base + len(datas)))
                if coverage is not None and job is not None:
                    for value in values[done:]:
                        coverage.observe_route(job[0], value)
            if len(numbers) >= BATCH:
                yield from batches(name, numbers, mark)
                numbers = []

        waiting: list[tuple[list[bytes], int, list[int], set[int], list[Any], bool]] = []  # screened: judged at once
        held = size = 0  # the lines waiting, and their bytes
        for found in items:
            if waiting and (
                not isinstance(found, Lines) or found.name != name or held >= WAITING or size >= WAITING_BYTES
            ):
                for chunk in waiting:
                    yield from rest(*chunk)
                waiting, held, size = [], 0, 0
            if not isinstance(found, Lines):
                result = self.check(found)
                entry = found.entry if isinstance(found, Payload) else None
                if entry is not None and result.verdict == "valid" and not result.violations:
                    file = found.source.rpartition("#")[0]  # a valid HAR entry: a batch of its file's entries
                    if file != name or mark != "#" or len(numbers) >= BATCH:
                        yield from batches(name, numbers, mark)
                        name, numbers, mark = file, [], "#"
                    numbers.append(entry)
                    continue
                yield from batches(name, numbers, mark)
                numbers = []
                yield result
                continue
            if found.name != name or mark != ":":
                yield from batches(name, numbers, mark)
                name, numbers, mark = found.name, [], ":"
            datas = found.lines
            values: list[Any] = []
            todo, known = list(range(len(datas))), set[int]()
            if screen is not None and not wait:
                todo, taken, seen = screen(datas)  # every line but those in todo holds
                if coverage is not None and job is not None and taken:
                    coverage.observe_jobs(job[0], *seen)
                misses = 0 if len(todo) * 2 < len(datas) else misses + 1
                wait = 2 ** min(misses, 6) if misses else 0
            elif holding is not None and not wait:
                datas = list(map(bytes.strip, datas, repeat(WHITESPACE)))  # quick reads lines without their ends
                read = jsonbody.quick_all(datas)
                failed = holding(read[0]) if read is not None and all_jobs(read[0]) else None
                misses = 0 if failed is not None else misses + 1
                wait = 2 ** min(misses, 6) if misses else 0
                if read is not None and failed is not None:  # every line but those in todo holds
                    values, todo = read[0], sorted({*read[1], *failed})
                    known = set(failed).difference(read[1])  # read as parse reads them: bare bodies with a finding
            elif wait:
                wait -= 1
            screened = (screen is not None and len(todo) < len(datas)) or bool(values)
            waiting.append((datas, found.first, todo, known, values, screened))
            held += len(datas)
            size += sum(map(len, datas))
        for chunk in waiting:
            yield from rest(*chunk)
        yield from batches(name, numbers, mark)


def batches(name: str, numbers: list[int], mark: str = ":") -> Iterator[Passed]:
    """``numbers`` as :class:`Passed` batches of at most :data:`BATCH` items (none for none)."""
    for start in range(0, len(numbers), BATCH):
        yield passed(name, numbers[start : start + BATCH], mark)


def all_jobs(values: list[Any]) -> bool:
    """Whether every value is a bare body (no capture record) that :func:`guess`
    takes for Get a Job's 200, told without a Python call a value: a dict
    without a ``response`` member (which :func:`~contracts.captures.items.is_record`
    needs) whose ``data`` is a dict (:func:`guess`'s first case)."""
    dicts = repeat(dict)
    return (
        all(map(is_, map(type, values), dicts))
        and not any(map(contains, values, repeat("response")))
        and all(map(is_, map(type, map(methodcaller("get", "data"), values)), dicts))
    )
