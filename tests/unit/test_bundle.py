"""Self-contained schemas: generated from schemas/, complete, and the same verdicts in other validators.

The recorded examples and the drift corpus are validated against the bundles
by check-jsonschema (Python, its own CLI) and by ajv (JavaScript, through npm
when Node is present), one process per bundle for many instances; each must
give the verdict ``contracts.validate`` gives from its schema findings (rules
``schema.*``; the semantic rules are not JSON Schema and are left out).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from contracts import routing
from contracts.bundling import bundle, references, response_schemas, write_bundles
from contracts.cli import main
from contracts.errors import UnknownSchema
from contracts.registry import SCHEMA_BASE, SCHEMA_DIR, name_of
from contracts.validation import Validator
from tests.casefiles import drift_cases, example_cases


@dataclass(frozen=True)
class Instance:
    id: str
    schema: str  # the bundle's file name
    strict: bool
    body: Any
    invalid: bool  # as contracts.validate says, from its schema.* findings


def instances() -> list[Instance]:
    """Every recorded example and drift case whose route has a schema, with the contract's schema verdict.

    Cases that turn undocumented values off are left out: they drop a finding
    JSON Schema itself reports (the enum), so no plain validator agrees."""
    found = []
    for case in [*example_cases(), *drift_cases()]:
        if case.strictness.undocumented_value == "off":
            continue
        route = routing.resolve(case.method, case.path, case.status)
        if route.schema_id is None:
            continue
        violations = Validator(case.strictness).validate_route(case.body, route)
        strict = case.strictness.undocumented_field != "off"
        invalid = any(v.rule.startswith("schema.") for v in violations)
        found.append(Instance(case.id, name_of(route.schema_id), strict, case.body, invalid))
    return found


INSTANCES = instances()


@pytest.fixture(scope="module")
def groups(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, bool], tuple[Path, dict[Path, Instance]]]:
    """Per bundle (schema, strict): the bundle file and one instance file per case."""
    root = tmp_path_factory.mktemp("bundles")
    made: dict[tuple[str, bool], tuple[Path, dict[Path, Instance]]] = {}
    files: dict[tuple[str, bool], dict[Path, Instance]] = defaultdict(dict)
    for strict in (False, True):
        for path in write_bundles(root / ("strict" if strict else "open"), strict=strict):
            (root / "instances" / f"{path.stem}-{strict}").mkdir(parents=True)
    for number, instance in enumerate(INSTANCES):
        key = (instance.schema, instance.strict)
        path = root / "instances" / f"{Path(instance.schema).stem}-{instance.strict}" / f"{number:04d}.json"
        path.write_text(json.dumps(instance.body), encoding="utf-8")
        files[key][path] = instance
    for (schema, strict), by_path in files.items():
        made[(schema, strict)] = (root / ("strict" if strict else "open") / schema, by_path)
    return made


def disagreements(verdicts: dict[Path, bool], by_path: dict[Path, Instance]) -> list[str]:
    assert set(verdicts) == set(by_path), "the validator left instances out"
    return sorted(
        f"{by_path[path].id}: contracts says {'invalid' if by_path[path].invalid else 'valid'}"
        for path, invalid in verdicts.items()
        if invalid != by_path[path].invalid
    )


def test_the_instances_cover_every_response_schema_and_both_verdicts() -> None:
    assert {i.schema for i in INSTANCES} == {name_of(s) for s in response_schemas()}
    assert {i.invalid for i in INSTANCES} == {True, False}
    assert {i.strict for i in INSTANCES} == {True, False}
    assert len(INSTANCES) > 300


def test_the_response_schemas_are_those_the_contract_document_names() -> None:
    named = {schema for op in routing.operations() for schema in op.responses.values()}
    assert set(response_schemas()) == named
    assert response_schemas() == tuple(sorted(named))


def refs_with_base(node: Any, base: str) -> Iterator[tuple[str, str]]:
    """Every ``$ref`` below ``node`` with the base URI it resolves against (the nearest ``$id``)."""
    if isinstance(node, dict):
        base = urljoin(base, node["$id"]) if isinstance(node.get("$id"), str) else base
        if isinstance(node.get("$ref"), str):
            yield base, node["$ref"]
        for key, value in node.items():
            if key not in ("enum", "const", "examples", "default"):
                yield from refs_with_base(value, base)
    elif isinstance(node, list):
        for value in node:
            yield from refs_with_base(value, base)


@pytest.mark.parametrize("schema_id", response_schemas(), ids=name_of)
@pytest.mark.parametrize("strict", [False, True], ids=["open", "strict"])
def test_a_bundle_resolves_every_ref_without_any_other_document(schema_id: str, strict: bool) -> None:
    document = bundle(schema_id, strict=strict)
    alone = Registry().with_resource(schema_id, DRAFT202012.create_resource(document)).crawl()
    found = list(refs_with_base(document, schema_id))
    assert found
    for base, ref in found:
        try:
            alone.resolver(base_uri=base).lookup(ref)
        except Unresolvable as error:
            pytest.fail(f"{name_of(schema_id)}: {ref} (from {base}) does not resolve inside the bundle: {error}")
    assert document["$id"] == schema_id
    assert all(name_of(needed) in document.get("$defs", {}) for needed in references(schema_id)[1:])
    Draft202012Validator(document, registry=Registry()).is_valid({})  # usable with nothing else at hand


def test_a_bundle_embeds_each_needed_resource_with_its_id_and_no_schema_keyword() -> None:
    document = bundle("job-list-response.json")
    for name in ("job.json", "pagination.json"):
        embedded = document["$defs"][name]
        assert embedded["$id"] == SCHEMA_BASE + name
        assert "$schema" not in embedded
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_a_bundle_is_generated_from_schemas_not_copied() -> None:
    written = json.loads((SCHEMA_DIR / "job.json").read_text(encoding="utf-8"))
    embedded = bundle("job-response.json")["$defs"]["job.json"]
    assert embedded == {k: v for k, v in written.items() if k != "$schema"}
    strict = bundle("job-response.json", strict=True)["$defs"]["job.json"]
    assert strict["unevaluatedProperties"] is False  # the closed variant, as the registry builds it


def test_an_unknown_schema_is_an_unknown_schema_error() -> None:
    with pytest.raises(UnknownSchema, match=r"no schema '\S*/nope\.json' \(known: "):
        bundle("nope.json")


def test_the_schemas_command_writes_one_bundle_per_response_schema(tmp_path: Path) -> None:
    out = tmp_path / "bundles"
    code = main(["schemas", "--bundle", str(out)])
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(name_of(s) for s in response_schemas())
    for schema_id in response_schemas():
        assert json.loads((out / name_of(schema_id)).read_text()) == bundle(schema_id)
    assert main(["schemas", "--bundle", str(tmp_path / "strict"), "--strict"]) == 0
    assert json.loads((tmp_path / "strict" / "job-response.json").read_text()) == bundle(
        "job-response.json", strict=True
    )


def test_the_schemas_command_lists_the_response_schemas(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schemas"]) == 0
    assert capsys.readouterr().out.split() == [name_of(s) for s in response_schemas()]


def test_a_bundle_directory_that_cannot_be_made_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["schemas", "--bundle", str(blocker / "below")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pcm-contracts: cannot write the bundles to ")
    assert err.count("\n") == 1


def check_jsonschema(schema: Path, paths: list[Path]) -> dict[Path, bool]:
    program = Path(sys.executable).parent / "check-jsonschema"
    if not program.exists():
        pytest.skip("check-jsonschema is not installed (pip install -e '.[test]')")
    done = subprocess.run(
        [str(program), "--output-format", "json", "--schemafile", str(schema), *map(str, paths)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    report = json.loads(done.stdout)
    assert not report["parse_errors"], report["parse_errors"]
    failed = {Path(error["filename"]) for error in report["errors"]}
    return {path: path in failed for path in paths}


def test_check_jsonschema_gives_the_verdicts_of_contracts(
    groups: dict[tuple[str, bool], tuple[Path, dict[Path, Instance]]],
) -> None:
    mismatched = []
    for schema, by_path in groups.values():
        mismatched += disagreements(check_jsonschema(schema, sorted(by_path)), by_path)
    assert mismatched == [], "\n".join(mismatched)


@pytest.fixture(scope="session")
def ajv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ajv-cli with ajv-formats, installed from the npm registry once per session."""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.skip("node and npm are not installed: ajv cannot run")
    prefix = tmp_path_factory.mktemp("ajv")
    install = [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--silent",
               "ajv@8", "ajv-formats@3", "ajv-cli@5"]  # fmt: skip
    try:
        done = subprocess.run(install, capture_output=True, text=True, timeout=300, check=False)
    except subprocess.TimeoutExpired:
        pytest.skip("npm install ajv ajv-formats ajv-cli took over 5 minutes")
    program = prefix / "node_modules" / ".bin" / "ajv"
    if done.returncode != 0 or not program.exists():
        pytest.skip(f"npm install ajv ajv-formats ajv-cli failed: {(done.stderr or done.stdout).strip()[-300:]}")
    return program


AJV_DIFFERENCES = [
    # ajv-formats' date-time is looser than RFC 3339's grammar (README, "Schemas for other validators"):
    # a space for the T (which RFC 3339 only mentions in a note) and an offset without its colon (+0100).
    "job-response::timestamp forms::a space instead of T is rejected: contracts says invalid",
    "job-response::timestamp forms::an offset without a colon is rejected: contracts says invalid",
]
"""Where ajv with ajv-formats differs from the contract's reading, and why: nothing else may."""


def ajv_verdicts(program: Path, schema: Path, paths: list[Path]) -> dict[Path, bool]:
    folder = paths[0].parent
    assert all(path.parent == folder for path in paths)
    command = [str(program), "validate", "--spec=draft2020", "-c", "ajv-formats", "--strict=false",
               "-s", str(schema), "-d", str(folder / "*.json")]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, cwd=program.parents[2])
    verdicts: dict[Path, bool] = {}
    for line in (done.stdout + done.stderr).splitlines():
        name, _, verdict = line.rpartition(" ")
        if verdict in ("valid", "invalid") and name.endswith(".json"):
            verdicts[Path(name)] = verdict == "invalid"
    return verdicts


def test_ajv_gives_the_verdicts_of_contracts(
    ajv: Path, groups: dict[tuple[str, bool], tuple[Path, dict[Path, Instance]]]
) -> None:
    mismatched = []
    for schema, by_path in groups.values():
        mismatched += disagreements(ajv_verdicts(ajv, schema, sorted(by_path)), by_path)
    assert mismatched == AJV_DIFFERENCES, "\n".join(mismatched)
