from __future__ import annotations

from contracts.coverage import Coverage, documented
from tests.casefiles import example


def test_documented_sets_come_from_the_contract() -> None:
    known = documented()
    assert len(known["operations"]) == 4
    assert "pricebook-import" in known["job types"]
    assert "cancelling" in known["job statuses"]
    assert known["meta variants"] == ("product-export", "hierarchy-duplicate", "other job types")
    assert known["error statuses"] == ("400", "404", "422", "500")


def test_observed_and_missing_are_reported_per_dimension() -> None:
    coverage = Coverage()
    listing = example("get-all-jobs/200-documented-jobs")["response"]["body"]
    coverage.observe("GET", "/pcm/jobs?page[limit]=5", 200, listing)
    coverage.observe("GET", "/pcm/jobs/x", 404, {"errors": []})
    coverage.observe("GET", "/pcm/jobs/x", 401, {"errors": []})
    coverage.observe("GET", "/pcm/products", 200, {})  # not an operation of this contract: ignored
    report = coverage.report()
    assert report["operations"]["observed"] == ["GET /pcm/jobs", "GET /pcm/jobs/{jobID}"]
    assert report["job statuses"] == {
        "observed": ["success"],
        "missing": ["pending", "started", "failed", "cancelled", "cancelling"],
        "undocumented": [],
    }
    assert report["meta variants"]["missing"] == []
    assert report["error statuses"]["undocumented"] == ["401"]
    assert report["statuses by operation"]["GET /pcm/jobs/{jobID}"] == {
        "observed": [401, 404],
        "missing": [200, 400, 422, 500],
    }
    assert (
        "  job types: 4/10 (not seen: price-import, pricebook-import, pricebook-delete, hierarchy-delete, "
        + ("indexing-job, attach-nodes)")
        in coverage.lines()
    )
