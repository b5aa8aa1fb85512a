"""A :class:`~contracts.specdiff.SpecDiff` as text, JSON or Markdown.

The JSON shape is stable::

    {"source": ..., "openapi": "3.0.3",
     "differences": [{"id", "operation", "status", "pointer", "ours", "theirs",
                      "classification", "message", "places": [{"operation", "status", "pointer"}],
                      "reason", "accepted", "cases": [{"case", "operation", "status", "ours", "theirs"}]}],
     "summary": {"breaking", "not-breaking", "decided", "accepted", "total"},
     "cases": {"read", "drift_corpus", "unexplained": [...]}}
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal, TextIO

from contracts.violations import show

if TYPE_CHECKING:
    from contracts.specdiff.compare import Place
    from contracts.specdiff.findings import Difference, SpecDiff

Format = Literal["text", "json", "markdown"]
FORMATS: tuple[Format, ...] = ("text", "json", "markdown")
SHOWN_CASES = 3


def _where(place: Place) -> str:
    return " ".join(part for part in (place.status, place.pointer) if part)


def _also(difference: Difference) -> str:
    """The other places, per operation: ``GET /pcm/jobs/{jobID} 200, 404; ...``."""
    others: dict[str, list[str]] = {}
    for place in difference.places[1:]:
        others.setdefault(place.operation, [])
        if place.status and place.status not in others[place.operation]:
            others[place.operation].append(place.status)
    return "; ".join(f"{op} {', '.join(statuses)}".rstrip() for op, statuses in others.items())


def _label(difference: Difference) -> str:
    return difference.classification + (" (accepted)" if difference.accepted else "")


def _cases(difference: Difference) -> list[str]:
    lines = [c.description for c in difference.cases[:SHOWN_CASES]]
    if len(difference.cases) > SHOWN_CASES:
        lines.append(f"... and {len(difference.cases) - SHOWN_CASES} more")
    return lines


def _cases_note(diff: SpecDiff) -> str:
    corpus = "the recorded examples and the drift corpus" if diff.drift_corpus else "the recorded examples"
    return f"{diff.cases_read} cases judged by the published spec ({corpus})"


def _summary(diff: SpecDiff) -> str:
    s = diff.summary
    return (
        f"{s['breaking']} breaking, {s['not-breaking']} not breaking, {s['decided']} decided ({s['accepted']} accepted)"
    )


ORDER = {"breaking": 0, "not-breaking": 1, "decided": 2}


def by_operation(differences: Iterable[Difference]) -> dict[str, list[Difference]]:
    """Per operation (of the first place), breaking first, then not breaking, then decided."""
    grouped: dict[str, list[Difference]] = {}
    for difference in differences:
        grouped.setdefault(difference.places[0].operation, []).append(difference)
    return {op: sorted(found, key=lambda d: ORDER[d.classification]) for op, found in grouped.items()}


def text(diff: SpecDiff, out: TextIO) -> None:
    out.write(f"spec-diff: {diff.source} (OpenAPI {diff.version}) against contracts/openapi.yaml\n")
    out.write(f"{_cases_note(diff)}\n")
    for operation, differences in by_operation(diff.differences).items():
        out.write(f"\n{operation}\n")
        for d in differences:
            where = _where(d.places[0])
            also = _also(d)
            out.write(
                f"  {_label(d):<13} {d.id}{' ' + where if where else ''}: {d.group.message}"
                + (f" (also {also})" if also else "")
                + "\n"
            )
            if d.reason:
                out.write(f"      decided: {d.reason}\n")
            out.writelines(f"      {line}\n" for line in _cases(d))
    if diff.unattributed:
        out.write(f"\n{len(diff.unattributed)} cases are judged otherwise for reasons no finding explains, e.g.:\n")
        out.writelines(f"  {c.description}\n" for c in diff.unattributed[:SHOWN_CASES])
    out.write(f"\nsummary: {_summary(diff)}\n")


def as_json(diff: SpecDiff) -> dict[str, object]:
    return {
        "source": diff.source,
        "openapi": diff.version,
        "differences": [d.as_dict() for d in diff.differences],
        "summary": diff.summary,
        "cases": {
            "read": diff.cases_read,
            "drift_corpus": diff.drift_corpus,
            "unexplained": [c.as_dict() for c in diff.unattributed],
        },
    }


def json_report(diff: SpecDiff, out: TextIO) -> None:
    json.dump(as_json(diff), out, indent=2, ensure_ascii=False)
    out.write("\n")


def _cell(value: object) -> str:
    return "—" if value is None else f"`{show(value)}`".replace("|", "\\|")


def markdown(diff: SpecDiff, out: TextIO) -> None:
    icons = {"breaking": ":x:", "not-breaking": ":white_check_mark:", "decided": ":memo:"}
    out.write(f"### Spec drift: `{diff.source}` (OpenAPI {diff.version})\n\n")
    out.write(f"**{_summary(diff)}**. {_cases_note(diff)}.\n\n")
    if not diff.differences:
        out.write("No difference of meaning from our contract.\n")
        return
    out.write("| | finding | where | ours | theirs | what |\n| --- | --- | --- | --- | --- | --- |\n")
    for d in sorted(diff.differences, key=lambda d: ORDER[d.classification]):
        first = d.places[0]
        where = f"`{first.operation}`" + (f" {first.status}" if first.status else "")
        where += (f" `{first.pointer}`" if first.pointer else "") + (
            f" (+{len(d.places) - 1})" if len(d.places) > 1 else ""
        )
        what = d.group.message + (f" *Decided: {d.reason}*" if d.reason else "")
        what += "".join(f"<br>{line}" for line in _cases(d))
        row = [f"{icons[d.classification]} {_label(d)}", f"`{d.id}`", where, _cell(d.group.ours), _cell(d.group.theirs)]
        out.write("| " + " | ".join([*row, what.replace("|", "\\|")]) + " |\n")


REPORTERS = {"text": text, "json": json_report, "markdown": markdown}
