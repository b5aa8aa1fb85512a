"""spec-diff: the contract against published OpenAPI documents written for these tests.

tests/cases/specs/ holds vendor-shaped documents (components, $ref chains,
shared error responses, unrelated paths) in both dialects:

- equivalent-3.0.yaml, equivalent-3.1.yaml mean what our contract means,
  written differently (each file's header lists how): nothing is reported;
- drifted-3.0.yaml, drifted-3.1.yaml carry planted differences (listed in each
  file's header and, exactly, in EXPECTED below): exactly those are reported.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

import contracts
from contracts.cli import main
from contracts.registry import ROOT
from contracts.specdiff.canonical import canonical
from contracts.specdiff.compare import schema_changes
from contracts.specdiff.documents import inline, published_resolver, upgraded
from contracts.specdiff.findings import SpecDiff, spec_diff

SPECS = Path(__file__).parent.parent / "cases" / "specs"
LIST, JOB, ERRORS, CANCEL = (
    "GET /pcm/jobs",
    "GET /pcm/jobs/{jobID}",
    "GET /pcm/jobs/{jobID}/errors",
    "POST /pcm/jobs/{jobID}/cancel",
)
JOB_PLACES = ((LIST, "200", "/data/*"), (JOB, "200", "/data"), (CANCEL, "200", "/data"))
"""Where the job resource sits: one finding in it lists all three."""


def planted(*rows: tuple[str, str, str, str | None, str, Any, Any]) -> dict[tuple[Any, ...], str]:
    """(classification, id, operation, status, pointer, ours, theirs) -> {key: classification}."""
    return {(i, op, st, p, json.dumps(o), json.dumps(t)): c for c, i, op, st, p, o, t in rows}


DECIDED_STATUSES = [("decided", "response-status-removed", LIST, s, "", s, None) for s in ("401", "403", "429")]
DECIDED_PAGES = [
    ("decided", "parameter-removed", LIST, None, "", f"{p} in query", None) for p in ("page[limit]", "page[offset]")
]

EXPECTED = {
    "drifted-3.0.yaml": planted(
        *DECIDED_STATUSES,
        *DECIDED_PAGES,
        *[
            ("decided", "enum-value-removed", LIST, "200", "/data/*/attributes/type", t, None)
            for t in ("pricebook-import", "pricebook-delete", "hierarchy-delete", "indexing-job", "attach-nodes")
        ],
        ("decided", "enum-value-removed", LIST, "200", "/data/*/attributes/status", "cancelling", None),
        ("decided", "became-non-nullable", LIST, "200", "/data/*/meta/filter", True, False),
        ("decided", "property-removed", LIST, "200", "/links", "links", None),
        ("decided", "property-removed", ERRORS, "200", "/links", "links", None),
        ("decided", "property-removed", LIST, "200", "/data/*/meta/request_id", "request_id", None),
        ("decided", "property-removed", ERRORS, "200", "/meta", "meta", None),
        ("decided", "property-became-optional", LIST, "200", "/meta/results/total", True, False),
        ("breaking", "enum-value-added", LIST, "200", "/data/*/attributes/status", None, "completed"),
        ("breaking", "min-length-removed", LIST, "200", "/data/*/id", 1, None),
        ("breaking", "pattern-removed", LIST, "400", "/errors/*/status", "^[1-5][0-9]{2}$", None),
        ("breaking", "became-nullable", LIST, "200", "/data/*/attributes/updated_at", False, True),
        ("breaking", "response-status-added", CANCEL, "409", "", None, "409"),
        ("not-breaking", "property-added", LIST, "200", "/data/*/attributes/progress", None, "progress"),
        ("not-breaking", "property-became-required", ERRORS, "200", "/data/*/id", False, True),
        ("not-breaking", "parameter-added", LIST, None, "", None, "filter in query"),
    ),
    "drifted-3.1.yaml": planted(
        *DECIDED_STATUSES,
        *DECIDED_PAGES,
        *[
            ("decided", "format-removed", LIST, "200", f"/data/*/attributes/{t}", "date-time", None)
            for t in ("created_at", "updated_at", "started_at", "completed_at")
        ],
        ("decided", "enum-value-removed", LIST, "200", "/data/*/attributes/status", "cancelling", None),
        ("breaking", "type-changed", LIST, "400", "/errors/*/status", ["string"], ["integer"]),
        ("breaking", "pattern-removed", LIST, "400", "/errors/*/status", "^[1-5][0-9]{2}$", None),
        ("breaking", "max-length-removed", LIST, "400", "/errors/*/status", 3, None),
        ("breaking", "min-items-removed", LIST, "400", "/errors", 1, None),
        ("breaking", "property-became-optional", LIST, "200", "/data/*/attributes/created_at", True, False),
        ("breaking", "enum-value-added", LIST, "200", "/data/*/attributes/type", None, "catalog-publish"),
        ("breaking", "media-type-added", LIST, "200", "", None, "text/csv"),
        ("decided", "property-became-required", LIST, "200", "/data/*/attributes/started_at", False, True),
        ("decided", "property-became-required", LIST, "200", "/data/*/attributes/completed_at", False, True),
        ("decided", "format-added", LIST, "200", "/data/*/id", None, "uuid"),
        ("not-breaking", "response-status-removed", CANCEL, "422", "", "422", None),
        ("not-breaking", "operation-added", "DELETE /pcm/jobs/{jobID}", None, "", None, "DELETE /pcm/jobs/{jobID}"),
    ),
}


@pytest.fixture(scope="module")
def reports() -> dict[str, SpecDiff]:
    return {name: spec_diff(SPECS / name) for name in (*EXPECTED, "equivalent-3.0.yaml", "equivalent-3.1.yaml")}


def found(diff: SpecDiff) -> dict[tuple[Any, ...], str]:
    return {
        (d.id, d.places[0].operation, d.places[0].status, d.places[0].pointer, json.dumps(d.group.ours),
         json.dumps(d.group.theirs)): d.classification
        for d in diff.differences
    }  # fmt: skip


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(["spec-diff", *argv], out=out), out.getvalue()


# ---------------------------------------------------------------- exactly what was planted


@pytest.mark.parametrize("name", ["equivalent-3.0.yaml", "equivalent-3.1.yaml"])
def test_a_spec_that_means_what_ours_means_reports_nothing(reports: dict[str, SpecDiff], name: str) -> None:
    diff = reports[name]
    assert [d.as_dict() for d in diff.differences] == []
    assert diff.unattributed == ()  # and judges every recorded case as ours does


@pytest.mark.parametrize("name", list(EXPECTED))
def test_a_drifted_spec_reports_exactly_the_planted_differences_classified(
    reports: dict[str, SpecDiff], name: str
) -> None:
    assert found(reports[name]) == EXPECTED[name]


def test_a_change_in_the_job_resource_is_one_finding_listing_every_response(reports: dict[str, SpecDiff]) -> None:
    (added,) = [d for d in reports["drifted-3.0.yaml"].differences if d.id == "enum-value-added"]
    assert [(p.operation, p.status, p.pointer) for p in added.places] == [
        (op, st, f"{at}/attributes/status") for op, st, at in JOB_PLACES
    ]


def test_a_change_in_the_shared_error_body_lists_every_error_response(reports: dict[str, SpecDiff]) -> None:
    (removed,) = [d for d in reports["drifted-3.0.yaml"].differences if d.id == "pattern-removed"]
    assert {(p.operation, p.status) for p in removed.places} == {
        (op, st) for op in (LIST, JOB, ERRORS, CANCEL) for st in ("400", "404", "422", "500")
    }
    assert {p.pointer for p in removed.places} == {"/errors/*/status"}


def test_decided_findings_carry_the_reason_from_the_decisions_file(reports: dict[str, SpecDiff]) -> None:
    decided = [d for d in reports["drifted-3.1.yaml"].differences if d.classification == "decided"]
    assert all(d.reason for d in decided)
    (created,) = [d for d in decided if d.places[0].pointer == "/data/*/attributes/created_at"]
    assert "zone offset" in (created.reason or "")


# ---------------------------------------------------------------- what it would change


def cases_of(diff: SpecDiff, rule: str, pointer: str) -> list[str]:
    (difference,) = [d for d in diff.differences if d.id == rule and d.places[0].pointer == pointer]
    return [c.description for c in difference.cases]


def test_a_breaking_finding_lists_the_drift_cases_the_published_spec_accepts(reports: dict[str, SpecDiff]) -> None:
    diff = reports["drifted-3.0.yaml"]
    assert diff.drift_corpus
    assert diff.cases_read > 300
    assert "drift case 'status completed is rejected' is accepted by the published spec" in cases_of(
        diff, "enum-value-added", "/data/*/attributes/status"
    )
    assert cases_of(diff, "became-nullable", "/data/*/attributes/updated_at") == [
        "drift case 'updated_at as null is rejected' is accepted by the published spec"
    ]


def test_a_looser_spec_accepts_the_documented_examples_we_reject(reports: dict[str, SpecDiff]) -> None:
    diff = reports["drifted-3.1.yaml"]
    rejected = cases_of(diff, "type-changed", "/errors/*/status")
    assert "example 'get-a-job/404-not-found' is rejected by the published spec" in rejected
    assert "drift case 'a zone-less created_at is rejected' is accepted by the published spec" in cases_of(
        diff, "format-removed", "/data/*/attributes/created_at"
    )


def test_an_enum_finding_lists_only_the_cases_of_its_value(reports: dict[str, SpecDiff]) -> None:
    removed = {d.group.ours: d for d in reports["drifted-3.0.yaml"].differences if d.id == "enum-value-removed"}
    for value in ("pricebook-import", "attach-nodes"):
        assert [c.description for c in removed[value].cases] == [
            f"drift case 'type {value} is accepted' is rejected by the published spec"
        ]


def test_no_cases_judges_nothing() -> None:
    diff = spec_diff(SPECS / "drifted-3.0.yaml", cases=False)
    assert diff.cases_read == 0
    assert all(d.cases == () for d in diff.differences)


# ---------------------------------------------------------------- differences without meaning


STRING_OR_NULL_31 = {"type": ["string", "null"], "format": "date-time"}

SAME_MEANING = {
    "const vs a single-value enum": ({"const": "pim-job"}, {"type": "string", "enum": ["pim-job"]}),
    "nullable vs a type array": (STRING_OR_NULL_31, {"type": "string", "format": "date-time", "nullable": True}),
    "nullable beside an allOf $ref vs a type array": (
        {"type": ["string", "null"], "minLength": 1},
        {"allOf": [{"$ref": "#/components/schemas/Id"}], "nullable": True},
    ),
    "anyOf with null vs a type array": (
        STRING_OR_NULL_31,
        {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]},
    ),
    "a $ref vs the same schema inline": (
        {"type": "object", "properties": {"id": {"type": "string", "minLength": 1}}},
        {"type": "object", "properties": {"id": {"$ref": "#/components/schemas/Id"}}},
    ),
    "allOf vs one object": (
        {
            "type": "object",
            "required": ["a", "b"],
            "properties": {"a": {"type": "string"}, "b": {"type": "integer", "minimum": 0, "maximum": 10}},
        },
        {
            "allOf": [
                {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}},
                {"required": ["b"], "properties": {"b": {"type": "integer", "minimum": 0}}},
                {"properties": {"b": {"maximum": 10}}},
            ]
        },
    ),
    "descriptions, titles and examples": (
        {"type": "string", "enum": ["a", "b"]},
        {"type": "string", "enum": ["b", "a"], "description": "d", "title": "t", "example": "a", "x-x": 1},
    ),
    "a number type vs an integer and number type": ({"type": "number"}, {"type": ["integer", "number"]}),
}


def vendor_form(schema: Any) -> Any:
    document = {"components": {"schemas": {"Id": {"type": "string", "minLength": 1, "description": "An id."}}}}
    return inline(schema, published_resolver(document), "#", upgrade=True)


@pytest.mark.parametrize("ours, theirs", list(SAME_MEANING.values()), ids=list(SAME_MEANING))
def test_differences_without_meaning_are_not_reported(ours: Any, theirs: Any) -> None:
    assert list(schema_changes(canonical(ours), canonical(vendor_form(theirs)))) == []


def test_our_per_type_meta_compares_as_one_meta_with_every_member() -> None:
    from contracts.specdiff.documents import ours

    job = canonical(ours().operations[JOB].responses["200"]["application/json"]).properties["data"]
    meta = job.properties["meta"]
    assert set(meta.properties) == {"x_request_id", "request_id", "file_locations", "filter", "copied_from",
                                    "hierarchy_id"}  # fmt: skip
    assert meta.required == {"x_request_id"}


def test_unquoted_yaml_timestamps_stay_strings(tmp_path: Path) -> None:
    text = (SPECS / "drifted-3.0.yaml").read_text(encoding="utf-8")
    text = text.replace("enum: [pending, started,", "enum: [2020-09-22T09:00:00, pending, started,")
    (tmp_path / "spec.yaml").write_text(text, encoding="utf-8")
    code, out = run(str(tmp_path / "spec.yaml"), "--format", "json", "--no-cases")
    assert code == 1
    added = [d["theirs"] for d in json.loads(out)["differences"] if d["id"] == "enum-value-added"]
    assert added == ["2020-09-22T09:00:00", "completed"]


def test_a_member_named_nullable_is_a_member() -> None:
    properties = {"nullable": {"type": "boolean"}}
    assert upgraded({"type": "object", "properties": dict(properties)}) == {"type": "object", "properties": properties}
    assert upgraded(dict(properties)) == properties  # the properties map itself goes through too


def test_3_0_exclusive_bounds_become_numbers() -> None:
    assert upgraded({"type": "integer", "minimum": 0, "exclusiveMinimum": True}) == {
        "type": "integer",
        "exclusiveMinimum": 0,
    }


# ---------------------------------------------------------------- the command


def test_text_groups_findings_by_operation_one_line_each() -> None:
    code, out = run(str(SPECS / "drifted-3.0.yaml"))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"spec-diff: {SPECS / 'drifted-3.0.yaml'} (OpenAPI 3.0.3) against contracts/openapi.yaml"
    assert [line for line in lines if line and not line.startswith(" ")][2:] == [LIST, ERRORS, CANCEL, lines[-1]]
    finding_lines = [line for line in lines if line.startswith("  ") and not line.startswith("      ")]
    assert len(finding_lines) == len(EXPECTED["drifted-3.0.yaml"])
    assert (
        '  breaking      enum-value-added 200 /data/*/attributes/status: theirs allows "completed", ours does not'
        " (also GET /pcm/jobs/{jobID} 200; POST /pcm/jobs/{jobID}/cancel 200)" in lines
    )
    assert lines[-1] == "summary: 5 breaking, 3 not breaking, 17 decided (0 accepted)"


def test_json_has_the_documented_shape() -> None:
    code, out = run(str(SPECS / "drifted-3.1.yaml"), "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert set(report) == {"source", "openapi", "differences", "summary", "cases"}
    assert report["summary"] == {"breaking": 7, "not-breaking": 2, "decided": 13, "accepted": 0, "total": 22}
    for difference in report["differences"]:
        assert set(difference) == {"id", "operation", "status", "pointer", "ours", "theirs", "classification",
                                   "message", "places", "reason", "accepted", "cases"}  # fmt: skip
        assert difference["classification"] in ("breaking", "not-breaking", "decided")
        assert difference["places"][0] == {k: difference[k] for k in ("operation", "status", "pointer")}
    assert set(report["cases"]) == {"read", "drift_corpus", "unexplained"}


def test_markdown_is_a_table_for_a_pull_request() -> None:
    code, out = run(str(SPECS / "drifted-3.1.yaml"), "--format", "markdown")
    assert code == 1
    assert out.startswith("### Spec drift: `")
    assert "| | finding | where | ours | theirs | what |" in out
    rows = [line for line in out.splitlines() if line.startswith("| :")]
    assert len(rows) == len(EXPECTED["drifted-3.1.yaml"])
    assert any("`type-changed`" in row and "`GET /pcm/jobs` 400 `/errors/*/status` (+14)" in row for row in rows)


@pytest.mark.parametrize("name", ["equivalent-3.0.yaml", "equivalent-3.1.yaml"])
def test_nothing_to_report_exits_0(name: str) -> None:
    code, out = run(str(SPECS / name), "--format", "markdown")
    assert (code, out.splitlines()[-1]) == (0, "No difference of meaning from our contract.")


def test_only_decided_differences_exit_0(tmp_path: Path) -> None:
    document = yaml.safe_load((SPECS / "equivalent-3.1.yaml").read_text(encoding="utf-8"))
    del document["paths"]["/pcm/jobs"]["get"]["parameters"]
    (tmp_path / "spec.json").write_text(json.dumps(document), encoding="utf-8")
    code, out = run(str(tmp_path / "spec.json"))
    assert (code, out.splitlines()[-1]) == (0, "summary: 0 breaking, 0 not breaking, 2 decided (0 accepted)")


def test_accepted_differences_fail_ci_only_on_new_drift(tmp_path: Path) -> None:
    accepted = tmp_path / "accepted.yaml"
    code, _ = run(str(SPECS / "drifted-3.0.yaml"), "--write-accepted", str(accepted))
    assert code == 1
    assert len(yaml.safe_load(accepted.read_text(encoding="utf-8"))["accepted"]) == 5
    code, out = run(str(SPECS / "drifted-3.0.yaml"), "--accept", str(accepted))
    assert (code, out.splitlines()[-1]) == (0, "summary: 5 breaking, 3 not breaking, 17 decided (5 accepted)")
    assert "  breaking (accepted) response-status-added 409" in out
    newer = (SPECS / "drifted-3.0.yaml").read_text(encoding="utf-8").replace("maxLength: 3}", "}")
    (tmp_path / "newer.yaml").write_text(newer, encoding="utf-8")
    code, out = run(str(tmp_path / "newer.yaml"), "--accept", str(accepted), "--format", "json")
    failing = [
        d["id"] for d in json.loads(out)["differences"] if d["classification"] == "breaking" and not d["accepted"]
    ]
    assert (code, failing) == (1, ["max-length-removed"])


DANGLING = {"openapi": "3.1.0", "paths": {"/pcm/jobs": {"get": {"responses": {"200": {"$ref": "#/components/nope"}}}}}}
CYCLE = {
    "openapi": "3.0.3",
    "paths": {"/pcm/jobs/{id}": {"get": {"responses": {"200": {"content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/A"}}}}}}}},
    "components": {"schemas": {"A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
                               "B": {"allOf": [{"$ref": "#/components/schemas/A"}]}}},
}  # fmt: skip

BAD_INPUT = {
    "a missing file": (None, "missing.yaml: cannot read: No such file or directory"),
    "neither JSON nor YAML": ("openapi: [3.1\n", "neither JSON nor YAML"),
    "not an OpenAPI document": ("swagger: '2.0'\npaths: {}\n", "not an OpenAPI document (no 'openapi' member)"),
    "an unsupported version": ("openapi: 2.0.0\n", "OpenAPI 2.0.0 is not supported (3.0.x or 3.1.x)"),
    "a dangling $ref": (json.dumps(DANGLING), "$ref '#/components/nope' does not resolve"),
    "a $ref cycle": (json.dumps(CYCLE), "$ref cycle: #/components/schemas/A -> #/components/schemas/B"),
    "an external $ref": (json.dumps(DANGLING).replace("#/components/nope", "other.yaml#/x"), "only references within"),
}


@pytest.mark.parametrize("text, reason", list(BAD_INPUT.values()), ids=list(BAD_INPUT))
def test_a_document_that_cannot_be_read_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str | None, reason: str
) -> None:
    spec = tmp_path / ("missing.yaml" if text is None else "spec.yaml")
    if text is not None:
        spec.write_text(text, encoding="utf-8")
    code, out = run(str(spec))
    err = capsys.readouterr().err
    assert (code, out) == (2, "")
    assert err.count("\n") == 1, err
    assert err.startswith(f"pcm-contracts: {spec}")
    assert reason in err


def test_a_malformed_accepted_file_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "accepted.yaml").write_text("- just a list\n", encoding="utf-8")
    code, _ = run(str(SPECS / "equivalent-3.1.yaml"), "--accept", str(tmp_path / "accepted.yaml"))
    assert code == 2
    assert "an accepted-differences file is a mapping" in capsys.readouterr().err


def test_the_python_function_takes_a_parsed_document() -> None:
    document = yaml.safe_load((SPECS / "drifted-3.1.yaml").read_text(encoding="utf-8"))
    diff = contracts.spec_diff(document, cases=False)
    assert diff.failed
    assert diff.summary["total"] == len(EXPECTED["drifted-3.1.yaml"])
    with pytest.raises(contracts.SpecError, match="not an OpenAPI document"):
        contracts.spec_diff({"swagger": "2.0"})


def command() -> list[str]:
    script = Path(sys.executable).with_name("pcm-contracts")
    return [str(script)] if script.exists() else [sys.executable, "-m", "contracts"]


def as_json(name: str) -> str:
    return json.dumps(yaml.safe_load((SPECS / name).read_text(encoding="utf-8")))


INSTALLED = {
    "nothing to report, a file, text": (["equivalent-3.0.yaml"], None, 0, "summary: 0 breaking"),
    "drift, standard input, JSON": (["-", "--format", "json"], as_json("drifted-3.1.yaml"), 1, '"source": "stdin"'),
    "drift, a file, markdown": (["drifted-3.0.yaml", "--format", "markdown"], None, 1, "| :x: breaking |"),
    "not OpenAPI, standard input": (["-"], "just: yaml\n", 2, ""),
}


@pytest.mark.parametrize("argv, stdin, code, shown", list(INSTALLED.values()), ids=list(INSTALLED))
def test_the_installed_command(argv: list[str], stdin: str | None, code: int, shown: str) -> None:
    done = subprocess.run(
        [*command(), "spec-diff", *argv], input=stdin, capture_output=True, text=True, cwd=SPECS, timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == code, done.stderr
    assert shown in done.stdout
    if code == 2:
        assert (done.stdout, done.stderr) == (
            "",
            "pcm-contracts: stdin: not an OpenAPI document (no 'openapi' member)\n",
        )
    else:
        assert done.stderr == ""


def test_the_package_carries_the_decisions_file() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "decisions.yaml" in setuptools["package-data"]["contracts.schemas"]
    assert {"contracts.specdiff", "contracts.schemas"} <= set(setuptools["packages"])
    decisions = yaml.safe_load((ROOT / "schemas" / "decisions.yaml").read_text(encoding="utf-8"))["decisions"]
    assert all({"id", "reason"} <= set(entry) for entry in decisions)


def test_the_readme_example_is_a_real_run(monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## When the vendor's spec changes") :]
    block = section[section.index("```\nspec-diff: ") + 4 :]
    shown = [line for line in block[: block.index("```")].splitlines() if "left out here" not in line]
    monkeypatch.chdir(ROOT)  # the example names the spec relative to the clone
    code, out = run("tests/cases/specs/drifted-3.1.yaml")
    real = iter(out.splitlines())
    assert code == 1
    assert all(line in real for line in shown)  # in this order, some left out


def schemas_of(document: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = document["components"]["schemas"]
    return schemas


ODD_MEMBERS = {
    "a type that is a number": lambda d: schemas_of(d)["Job"].update(type=5),
    "required as a string": lambda d: schemas_of(d)["Job"].update(required="id"),
    "properties as a list": lambda d: schemas_of(d)["Job"].update(properties=[]),
    "allOf as an object": lambda d: schemas_of(d)["JobAttributes"].update(allOf={"a": 1}),
    "an invalid pattern": lambda d: schemas_of(d)["Error"]["properties"]["status"].update(pattern="(["),
    "responses as a list": lambda d: d["paths"]["/pcm/jobs"]["get"].update(responses=[]),
    "a path item as a list": lambda d: d["paths"].update({"/pcm/jobs": []}),
}


@pytest.mark.parametrize("plant", list(ODD_MEMBERS.values()), ids=list(ODD_MEMBERS))
def test_members_of_the_wrong_kind_are_compared_never_a_crash(plant: Any) -> None:
    document = yaml.safe_load((SPECS / "equivalent-3.1.yaml").read_text(encoding="utf-8"))
    plant(document)
    try:
        diff = spec_diff(document)
    except contracts.SpecError:
        return
    assert diff.differences  # something is reported, and nothing raised
