"""Discovery of jobs from the job list, against a deployment that caps page[limit]."""

from __future__ import annotations

import httpx
import respx

from contracts.client import ApiClient, Politeness
from contracts.target import DISCOVERY_PAGES, discover

BASE = "https://api.example.test"


def listing(total: int, cap: int) -> respx.MockRouter:
    jobs = [
        {"id": f"job-{n}", "attributes": {"type": "product-import", "status": ("success", "failed", "pending")[n % 3]}}
        for n in range(total)
    ]

    def answer(request: httpx.Request) -> httpx.Response:
        limit = min(int(request.url.params["page[limit]"]), cap)
        offset = int(request.url.params["page[offset]"])
        return httpx.Response(200, json={"data": jobs[offset : offset + limit], "meta": {"results": {"total": total}}})

    router = respx.mock(base_url=BASE, assert_all_called=False)
    router.get("/pcm/jobs").mock(side_effect=answer)
    return router


def test_discovery_reads_every_job_of_a_list_whose_pages_are_capped() -> None:
    with listing(total=14, cap=3) as router:
        job_ids, discovery = discover(ApiClient(BASE, politeness=Politeness(rate=0)))
        assert router.calls.call_count == 5  # 3 + 3 + 3 + 3 + 2
    assert len(job_ids) == 3  # one per (type, status)
    assert discovery.startswith("sampled from the job list: 14 of 14 jobs read")


def test_discovery_is_bounded_under_a_tiny_cap() -> None:
    with listing(total=1000, cap=1) as router:
        _, discovery = discover(ApiClient(BASE, politeness=Politeness(rate=0)))
        assert router.calls.call_count == DISCOVERY_PAGES
    assert f"{DISCOVERY_PAGES} of 1000 jobs read" in discovery
