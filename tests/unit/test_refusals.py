"""A 401 or 403 is judged the same live and captured (contracts.responses.as_refusal)."""

from __future__ import annotations

import pytest

from contracts.responses import as_refusal
from contracts.violations import Violation

STATUS = Violation(
    "status_is_documented", "", "status 401 is not on the documented page", "error", "undocumented-value"
)
BODY = Violation("schema.required", "/errors", "required member 'errors' is missing", "error", "structure")


@pytest.mark.parametrize(
    "own_credentials, kept", [(False, []), (True, [STATUS])], ids=["captured-or-no-credentials", "the-suites-own"]
)
@pytest.mark.parametrize("status", [401, 403])
def test_a_refusals_body_is_a_warning_and_its_status_a_finding_only_for_the_suites_own_credentials(
    status: int, own_credentials: bool, kept: list[Violation]
) -> None:
    judged = as_refusal([STATUS, BODY], status, own_credentials=own_credentials)
    assert [v for v in judged if v.severity == "error"] == kept
    assert [v.rule for v in judged if v.severity == "warning"] == ["schema.required"]


@pytest.mark.parametrize("status", [200, 404, 500])
def test_other_answers_are_judged_as_they_are(status: int) -> None:
    assert as_refusal([STATUS, BODY], status, own_credentials=False) == [STATUS, BODY]
