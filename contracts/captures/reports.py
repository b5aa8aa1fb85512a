"""Results -> reports: text (default), JSON and JUnit XML, all streamed.

The last stage of :mod:`contracts.captures`; :data:`REPORTERS` names them.

Each reporter gets ``result()`` once per item as it is judged (or once per
:class:`~contracts.captures.results.Passed` batch of valid ones) and ``finish()`` with
the summary, so memory does not grow with the number of payloads. Every line
written passes through :func:`contracts.redaction.redact`. Reports write to a
:class:`~contracts.console.Writer` (a text stream, or the progress bar's console).

The JSON shape (stable; ``verdict`` is one of valid, invalid, unreadable,
skipped; ``reason`` only for unreadable and skipped items)::

    {"results": [{"source": "log.jsonl:17", "verdict": "invalid", "valid": false,
                  "violations": [{"rule", "pointer", "message", "severity", "kind", "schema_pointer"}]}],
     "summary": {"read": 3, "valid": 1, "invalid": 1, "unreadable": 1, "skipped": 0,
                 "rules": {"schema.enum": 1}, "first_failing": ["log.jsonl:17"]},
     "coverage": {"operations": {"observed": [...], "missing": [...], "undocumented": [...]},
                  "job types": {...}, "job statuses": {...}, "meta variants": {...},
                  "error statuses": {...}, "statuses by operation": {"GET /pcm/jobs": {"observed", "missing"}}}}

A run that is interrupted (Ctrl-C, SIGTERM) still ends its report well-formed,
with what it judged and a word that it is incomplete (``finish(summary,
interrupted=...)``): the text report's last line, an ``"interrupted"`` member
after the JSON summary, one more JUnit case (``the run``) with an error of
type ``interrupted``, so that no reader takes the part for the whole.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Callable
from typing import ClassVar, Literal, Protocol

from contracts.captures.results import Judged, Passed, Result, Summary
from contracts.console import Writer, colour_wanted
from contracts.coverage import Coverage
from contracts.redaction import redact

Format = Literal["text", "json", "junit"]
FORMATS: tuple[Format, ...] = ("text", "json", "junit")


class Reporter(Protocol):
    def result(self, result: Judged) -> None: ...

    def finish(self, summary: Summary, interrupted: str | None = None) -> None: ...


class TextReporter:
    """One line a finding, ``source: /pointer: message [rule]``, grouped by
    source; unreadable items as ``source: unreadable: reason``; then the summary.

    ``verbosity`` -1 (``-q``): only what fails (error findings, unreadable
    items), no warnings and no summary; 0: also warnings, then the summary;
    1 (``-v``): also every valid item (``source: valid``) and every skipped
    one with its reason. ``colour``: errors in red, warnings in yellow,
    unreadable items in magenta (``None``: as :func:`~contracts.console.colour_wanted`
    decides for ``auto``)."""

    COLOURS: ClassVar[dict[str, str]] = {
        "error": "\033[31m",
        "warning": "\033[33m",
        "unreadable": "\033[35m",
        "valid": "\033[32m",
    }

    def __init__(self, out: Writer, *, colour: bool | None = None, verbosity: int = 0) -> None:
        self.out = out
        self.colour = colour_wanted("auto", out) if colour is None else colour
        self.verbosity = verbosity

    def _paint(self, text: str, how: str) -> str:
        return f"{self.COLOURS[how]}{text}\033[0m" if self.colour else text

    def result(self, result: Judged) -> None:
        if isinstance(result, Passed):  # valid without findings: nothing to say, unless asked
            if self.verbosity > 0:
                valid = self._paint("valid", "valid")
                self.out.write(redact("".join(f"{one.source}: {valid}\n" for one in result.results())))
            return
        lines = []
        if result.verdict == "unreadable":
            lines.append(f"{result.source}: {self._paint('unreadable', 'unreadable')}: {result.reason}")
        elif result.verdict == "skipped" and self.verbosity > 0:
            lines.append(f"{result.source}: skipped: {result.reason}")
        elif result.verdict == "valid" and self.verbosity > 0 and not result.violations:
            lines.append(f"{result.source}: {self._paint('valid', 'valid')}")
        for violation in result.violations:
            if violation.severity == "error":
                lines.append(f"{result.source}: {self._paint(str(violation), 'error')}")
            elif self.verbosity >= 0:
                lines.append(f"{result.source}: {violation} {self._paint('(warning)', 'warning')}")
        if lines:
            self.out.write(redact("\n".join(lines)) + "\n")

    def finish(self, summary: Summary, interrupted: str | None = None) -> None:
        if self.verbosity < 0:
            return
        counts = summary.counts
        invalid, unreadable = (
            self._paint(f"{counts[kind]} {kind}", "error") if counts[kind] else f"0 {kind}"
            for kind in ("invalid", "unreadable")
        )
        lines = [
            f"read {summary.read} payload(s): {counts['valid']} valid, {invalid}, {unreadable}, "
            f"{counts['skipped']} skipped"
        ]
        if summary.rules:
            top = ", ".join(f"{rule} ({n})" for rule, n in summary.rules.most_common(5))
            lines.append(f"most frequent findings: {top}")
        if summary.failing:
            more = summary.counts["invalid"] + summary.counts["unreadable"] - len(summary.failing)
            lines.append(f"first failing: {', '.join(summary.failing)}" + (f" (and {more} more)" if more else ""))
        if interrupted is not None:
            lines.append(self._paint(interrupted, "error"))
        self.out.write(redact("\n".join(lines)) + "\n")


class JsonReporter:
    """The stable JSON shape of the module docstring, written as it goes;
    ``coverage``, observed by the judge, is written at the end."""

    def __init__(self, out: Writer, *, coverage: Coverage | None = None) -> None:
        self.out = out
        self.coverage = coverage
        self.first = True
        self.out.write('{"results": [')
        self._valid: dict[str, tuple[str, str]] = {}

    def result(self, result: Judged) -> None:
        if isinstance(result, Passed):
            self._passed(result)
            return
        separator = "\n  " if self.first else ",\n  "
        self.first = False
        self.out.write(separator + redact(json.dumps(result.as_dict(), ensure_ascii=False)))

    def _passed(self, batch: Passed) -> None:
        """A batch of valid results in one write: each is the JSON of a valid
        result of ``batch.name`` but for its line number. When a secret is in
        the batch's text, each result is redacted and written on its own."""
        key = batch.name + batch.mark
        if key not in self._valid:
            written = json.dumps(Result(f"{key}\0", "valid").as_dict(), ensure_ascii=False)
            head, _, tail = written.rpartition("\\u0000")
            self._valid[key] = head, tail
        head, tail = self._valid[key]
        offset = batch.offset
        text = ",\n  ".join(f"{head}{number + offset}{tail}" for number in batch.numbers)
        text = ("\n  " if self.first else ",\n  ") + text
        if not batch.numbers or redact(text) != text:
            for one in batch.results():
                self.result(one)
            return
        self.first = False
        self.out.write(text)

    def finish(self, summary: Summary, interrupted: str | None = None) -> None:
        self.out.write('\n],\n"summary": ' + redact(json.dumps(summary.as_dict(), ensure_ascii=False)))
        if interrupted is not None:
            self.out.write(',\n"interrupted": ' + json.dumps(interrupted))
        if self.coverage is not None:
            self.out.write(',\n"coverage": ' + redact(json.dumps(self.coverage.report(), ensure_ascii=False)))
        self.out.write("}\n")


NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot hold, even escaped (a payload's control characters, lone surrogates)."""


def xml_safe(text: str) -> str:
    """``text`` with every character XML cannot hold written as its Python escape (``\\x01``)."""
    return NOT_XML.sub(lambda found: found.group().encode("unicode_escape").decode("ascii"), text)


def escape(text: str) -> str:
    from xml.sax.saxutils import escape  # imported when first asked: it brings urllib.request, 50 ms of start-up

    return escape(xml_safe(text))


def quoteattr(text: str) -> str:
    from xml.sax.saxutils import quoteattr

    return quoteattr(xml_safe(text))


class JUnitReporter:
    """One test case a payload: invalid -> failure, unreadable -> error,
    skipped -> skipped; an interrupted run, one case more, in error. Cases
    are spooled to a temporary file, since the counts in the ``testsuite``
    element are known only at the end."""

    def __init__(self, out: Writer, *, name: str = "pcm-contracts validate") -> None:
        self.out = out
        self.name = name
        self.started = time.monotonic()
        self.spool = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed by finish()

    def result(self, result: Judged) -> None:
        if isinstance(result, Passed):
            for one in result.results():
                self.result(one)
            return
        case = f"  <testcase classname={quoteattr('payloads')} name={quoteattr(result.source)}"
        if result.verdict == "valid":
            self.spool.write(redact(case + "/>\n"))
            return
        if result.verdict == "skipped":
            body = f"<skipped message={quoteattr(result.reason or '')}/>"
        elif result.verdict == "unreadable":
            body = f"<error message={quoteattr(result.reason or '')} type={quoteattr('unreadable')}/>"
        else:
            errors = [str(v) for v in result.violations if v.severity == "error"]
            text = "\n".join(str(v) + ("" if v.severity == "error" else " (warning)") for v in result.violations)
            headline = quoteattr(errors[0] if errors else "invalid")
            body = f"<failure message={headline} type={quoteattr('contract')}>{escape(text)}</failure>"
        self.spool.write(redact(f"{case}>{body}</testcase>\n"))

    def finish(self, summary: Summary, interrupted: str | None = None) -> None:
        counts = summary.counts
        elapsed = time.monotonic() - self.started
        stopped = int(interrupted is not None)  # one error case more: the run itself
        self.out.write('<?xml version="1.0" encoding="utf-8"?>\n<testsuites>\n')
        self.out.write(
            f'<testsuite name={quoteattr(self.name)} tests="{summary.read + stopped}" failures="{counts["invalid"]}" '
            f'errors="{counts["unreadable"] + stopped}" skipped="{counts["skipped"]}" time="{elapsed:.3f}">\n'
        )
        self.spool.seek(0)
        while block := self.spool.read(2**16):
            self.out.write(block)
        self.spool.close()
        if interrupted is not None:
            case = f"  <testcase classname={quoteattr('pcm-contracts')} name={quoteattr('the run')}>"
            error = f"<error message={quoteattr(interrupted)} type={quoteattr('interrupted')}/>"
            self.out.write(f"{case}{error}</testcase>\n")
        self.out.write("</testsuite>\n</testsuites>\n")


REPORTERS: dict[Format, Callable[..., Reporter]] = {
    "text": lambda out, *, colour, verbosity, coverage: TextReporter(out, colour=colour, verbosity=verbosity),
    "json": lambda out, *, colour, verbosity, coverage: JsonReporter(out, coverage=coverage),
    "junit": lambda out, *, colour, verbosity, coverage: JUnitReporter(out),
}
"""Each format's reporter, given the stream and what each may use: ``colour``
and ``verbosity`` (the text report), ``coverage`` (the JSON report)."""


def reporter_for(
    kind: Format, out: Writer, *, colour: bool = False, verbosity: int = 0, coverage: Coverage | None = None
) -> Reporter:
    """The reporter of ``kind``."""
    return REPORTERS[kind](out, colour=colour, verbosity=verbosity, coverage=coverage)
