"""The contract document: valid OpenAPI 3.1, loadable by schemathesis, one source of truth."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import schemathesis
import yaml
from openapi_spec_validator import validate as validate_openapi
from schemathesis.errors import FailureGroup

from contracts.registry import SCHEMA_DIR, name_of
from contracts.routing import OPENAPI_PATH, operations, resolve
from tests.casefiles import example

SPEC = yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))
GET_JOB = SPEC["paths"]["/pcm/jobs/{jobID}"]["get"]


def response(body: Any, status: int = 200) -> schemathesis.Response:
    request = requests.Request("GET", "http://127.0.0.1/pcm/jobs/x").prepare()
    return schemathesis.Response(
        status_code=status,
        headers={"Content-Type": ["application/json"]},
        content=json.dumps(body).encode(),
        request=request,
        elapsed=0.0,
        verify=True,
    )


def test_contract_is_valid_openapi_3_1_with_external_refs() -> None:
    assert SPEC["openapi"].startswith("3.1")
    validate_openapi(SPEC, base_uri=OPENAPI_PATH.as_uri())


def answers() -> list[tuple[str, str, dict[str, Any]]]:
    """(operation id, status, response) for every response, component refs followed."""
    found = []
    for item in SPEC["paths"].values():
        for op in item.values():
            for status, answer in op["responses"].items():
                if "$ref" in answer:
                    answer = SPEC["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
                found.append((op["operationId"], status, answer))
    return found


def test_every_response_schema_is_a_ref_to_a_file_of_schemas() -> None:
    for operation, status, answer in answers():
        ref = answer["content"]["application/json"]["schema"]["$ref"]
        assert (OPENAPI_PATH.parent / ref).resolve() == (SCHEMA_DIR / name_of(ref)).resolve(), (operation, status)


def test_routing_table_is_read_from_the_contract() -> None:
    table = {(op.method, op.template): op for op in operations()}
    assert {key: op.operation_id for key, op in table.items()} == {
        ("GET", "/pcm/jobs"): "getAllJobs",
        ("GET", "/pcm/jobs/{jobID}"): "getJob",
        ("GET", "/pcm/jobs/{jobID}/errors"): "getJobErrors",
        ("POST", "/pcm/jobs/{jobID}/cancel"): "cancelJob",
    }
    bodies = {"getAllJobs": "job-list-response.json", "getJob": "job-response.json"}
    bodies |= {"getJobErrors": "job-errors-response.json", "cancelJob": "job-response.json"}
    for op in operations():
        assert {status: name_of(schema) for status, schema in op.responses.items()} == {
            200: bodies[op.operation_id],
            **dict.fromkeys((400, 401, 403, 404, 422, 429, 500), "error-response.json"),
        }
        assert op.documented_statuses == (200, 400, 404, 422, 500)
        assert op.undocumented == {401, 403, 429}
    route = resolve("get", "/pcm/jobs/abc/errors?page[limit]=2", 404)
    assert (route.params, route.query, route.operation.operation_id) == (
        {"jobID": "abc"},
        {"page[limit]": "2"},
        "getJobErrors",
    )


@pytest.mark.parametrize(
    ("status", "name"),
    [
        (status, name)
        for operation, status, answer in answers()
        if operation == "getJob"
        for name in answer["content"]["application/json"].get("examples", {})
    ],
)
def test_contract_examples_are_the_recorded_examples(status: str, name: str) -> None:
    answer = next(a for op, s, a in answers() if op == "getJob" and s == status)
    value = answer["content"]["application/json"]["examples"][name]["value"]
    recorded = example(f"get-a-job/{status}-{name}")
    assert value == recorded["response"]["body"]


def test_links_chain_the_list_to_a_job_and_a_job_to_its_errors() -> None:
    list_links = SPEC["paths"]["/pcm/jobs"]["get"]["responses"]["200"]["links"]
    assert list_links["GetJobById"] == {"operationId": "getJob", "parameters": {"jobID": "$response.body#/data/0/id"}}
    job_links = GET_JOB["responses"]["200"]["links"]
    assert job_links["GetJobErrors"]["parameters"] == {"jobID": "$response.body#/data/id"}


def test_schemathesis_loads_the_contract_and_judges_recorded_bodies() -> None:
    schema = schemathesis.openapi.from_path(str(OPENAPI_PATH))
    operation = schema["/pcm/jobs/{jobID}"]["GET"]
    good = example("get-a-job/200-product-export")["response"]["body"]
    assert operation.validate_response(response(good)) is None

    drifted = json.loads(json.dumps(good))
    drifted["data"]["attributes"]["status"] = "archived"
    with pytest.raises((AssertionError, FailureGroup)):
        operation.validate_response(response(drifted))

    zone_less = json.loads(json.dumps(good))
    zone_less["data"]["attributes"]["created_at"] = "2020-09-22T09:00:00"
    with pytest.raises((AssertionError, FailureGroup)):
        operation.validate_response(response(zone_less))

    error = example("get-a-job/404-not-found")["response"]["body"]
    assert operation.validate_response(response(error, 404)) is None
    with pytest.raises((AssertionError, FailureGroup)):
        operation.validate_response(response({"error": "Not Found"}, 404))
