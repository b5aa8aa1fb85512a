from __future__ import annotations

import copy
from typing import Any

import pytest

import contracts
from contracts import Strictness, UnknownRoute
from contracts.errors import OptionError, UnknownSchema
from contracts.registry import load
from tests.casefiles import example

PATH = "/pcm/jobs/7e1b9ba1-c844-4556-9b16-4ae3f0988b0f"


def export_job() -> dict[str, Any]:
    return copy.deepcopy(example("get-a-job/200-product-export")["response"]["body"])


def by_pointer(found: list[contracts.Violation]) -> dict[str, contracts.Violation]:
    return {v.pointer: v for v in found}


def test_documented_example_has_no_findings() -> None:
    assert contracts.validate(export_job(), path=PATH, status=200) == []


@pytest.mark.parametrize(
    "value",
    ["2020-09-22T09:00:00", "2024-02-30T10:00:00Z", "2024-01-05", "yesterday"],
)
def test_bad_date_time_is_rejected_so_format_checking_is_live(value: str) -> None:
    body = export_job()
    body["data"]["attributes"]["created_at"] = value
    found = by_pointer(contracts.validate(body, path=PATH))
    assert found["/data/attributes/created_at"].rule == "schema.format"


def test_missing_member_is_reported_at_its_own_pointer() -> None:
    body = export_job()
    del body["data"]["id"]
    (violation,) = contracts.validate(body, path=PATH)
    assert (violation.rule, violation.pointer, violation.kind) == ("schema.required", "/data/id", "structure")
    assert violation.schema_pointer == "https://pcm-contracts.example/schemas/job.json#/required"
    assert "'id'" in violation.message


def test_schema_pointer_names_the_failing_keyword_in_its_file() -> None:
    body = export_job()
    body["data"]["meta"]["filter"] = 5
    (violation,) = contracts.validate(body, path=PATH)
    assert violation.schema_pointer == (
        "https://pcm-contracts.example/schemas/job.json#/$defs/productExportMeta/properties/filter/type"
    )


def test_undocumented_enum_value_is_its_own_kind_and_an_error_by_default() -> None:
    body = export_job()
    body["data"]["attributes"]["status"] = "archived"
    (violation,) = contracts.validate(body, path=PATH)
    assert (violation.kind, violation.severity, violation.rule) == ("undocumented-value", "error", "schema.enum")
    assert '"archived"' in violation.message


@pytest.mark.parametrize(("level", "expected"), [("warning", ["warning"]), ("off", []), ("error", ["error"])])
def test_strictness_regrades_undocumented_values(level: str, expected: list[str]) -> None:
    body = export_job()
    body["data"]["attributes"]["type"] = "catalog-publish"
    found = contracts.validate(body, path=PATH, strictness=Strictness(undocumented_value=level))  # type: ignore[arg-type]
    assert [v.severity for v in found] == expected


def test_unknown_fields_are_tolerated_by_default_and_reported_in_strict_mode() -> None:
    body = export_job()
    body["data"]["meta"]["shard"] = "eu-1"
    body["data"]["meta"]["copied_from"] = "x"
    assert contracts.validate(body, path=PATH) == []
    strict = contracts.validate(body, path=PATH, strictness=Strictness.parse(["undocumented-field=error"]))
    assert {(v.pointer, v.kind, v.severity) for v in strict} == {
        ("/data/meta/shard", "undocumented-field", "error"),
        ("/data/meta/copied_from", "undocumented-field", "error"),
    }


def test_strict_schemas_are_a_derived_copy_not_the_files() -> None:
    open_job = load().get("job.json")
    strict_job = load(strict=True).get("job.json")
    assert "unevaluatedProperties" not in open_job
    assert strict_job["unevaluatedProperties"] is False


def test_long_values_are_truncated_in_messages() -> None:
    body = export_job()
    body["data"]["attributes"]["status"] = "x" * 500
    (violation,) = contracts.validate(body, path=PATH)
    assert len(violation.message) < 200
    assert "…" in violation.message


def test_unknown_route_is_an_error_not_a_pass() -> None:
    with pytest.raises(UnknownRoute, match="no documented operation"):
        contracts.validate({}, path="/pcm/products/1")
    with pytest.raises(UnknownRoute, match="method not documented"):
        contracts.validate({}, method="DELETE", path=PATH)


def test_route_ignores_query_and_host_and_decodes_the_id() -> None:
    body = export_job()
    url = "https://euwest.api.elasticpath.com/pcm/jobs/7e1b9ba1-c844-4556-9b16-4ae3f0988b0f?include=x"
    assert contracts.validate(body, path=url) == []
    found = contracts.validate(body, path="/pcm/jobs/a%2Fb")
    assert [(v.rule, v.pointer) for v in found] == [("data_id_matches_request", "/data/id")]


def test_undocumented_status_without_schema_is_a_structure_finding() -> None:
    (violation,) = contracts.validate({}, path=PATH, status=418)
    assert (violation.rule, violation.kind, violation.pointer) == ("status_is_documented", "structure", "")
    assert "400, 404, 422, 500" in violation.message


def test_undocumented_error_status_is_checked_as_an_error_body() -> None:
    body = {"errors": [{"status": "401", "title": "Unauthorized"}]}
    found = contracts.validate(body, path=PATH, status=401)
    assert [(v.rule, v.kind, v.severity) for v in found] == [("status_is_documented", "undocumented-value", "error")]
    relaxed = contracts.validate(body, path=PATH, status=401, strictness=Strictness(undocumented_value="warning"))
    assert [v.severity for v in relaxed] == ["warning"]
    broken = contracts.validate({"message": "Unauthorized"}, path=PATH, status=401)
    assert ("schema.required", "/errors") in {(v.rule, v.pointer) for v in broken}


@pytest.mark.parametrize(
    "setting",
    ["undocumented-field", "undocumented-field=loud", "structure=off", "=error"],
)
def test_malformed_strictness_is_a_clear_option_error(setting: str) -> None:
    with pytest.raises(OptionError, match="KIND=LEVEL"):
        Strictness.parse([setting])


def test_unknown_schema_is_a_clear_error() -> None:
    with pytest.raises(UnknownSchema, match=r"job-response\.json"):
        load().get("nope.json")


def test_non_object_bodies_are_findings_not_crashes() -> None:
    for body in (None, [], "text", 3, [{"data": {}}]):
        found = contracts.validate(body, path=PATH)
        assert [v.rule for v in found] == ["schema.type"]


def test_violation_reads_as_pointer_message_rule() -> None:
    body = export_job()
    body["data"]["attributes"]["status"] = "completed"
    (violation,) = contracts.validate(body, path=PATH)
    assert str(violation) == '/data/attributes/status: "completed" is outside the documented set ' + (
        "(pending, started, success, failed, cancelled, cancelling) [schema.enum]"
    )
    assert violation.as_dict()["kind"] == "undocumented-value"


def test_each_missing_member_is_reported_once_with_an_escaped_pointer() -> None:
    body = {"data": {"id": "x", "meta": {"x_request_id": "r"}}}
    found = contracts.validate(body, path="/pcm/jobs/x")
    assert [(v.rule, v.pointer) for v in found] == [
        ("schema.required", "/data/attributes"),
        ("schema.required", "/data/type"),
    ]
    strict = Strictness(undocumented_field="error")
    odd = export_job()
    odd["data"]["meta"]["a/b~c"] = 1
    (violation,) = contracts.validate(odd, path=PATH, strictness=strict)
    assert violation.pointer == "/data/meta/a~1b~0c"


def test_digit_like_member_names_sort_without_crashing() -> None:
    body = copy.deepcopy(example("get-a-job/200-product-export")["response"]["body"])
    body["data"]["attributes"]["²"] = 1
    found = contracts.validate(
        body, path=f"/pcm/jobs/{body['data']['id']}", strictness=Strictness(undocumented_field="warning")
    )
    assert [(v.pointer, v.severity) for v in found] == [("/data/attributes/²", "warning")]
