"""No row dropped silently: an item of Apollo's task search that is not a task with an `id` is
counted (`extract_runs.unreadable`) and makes the run incomplete, so it deletes nothing."""

from __future__ import annotations

from typing import Any

import httpx

from sales_tasks.clients.apollo.profile import APOLLO_PROFILE
from sales_tasks.clients.core import ApiClient, RetryPolicy
from sales_tasks.sources.apollo.batch import Batch
from sales_tasks.sources.apollo.report import ScanReport
from sales_tasks.sources.apollo.scan import TaskScanner

ITEMS: list[Any] = [
    {"id": "t1", "created_at": "2026-01-02T00:00:00.000Z"},
    {"created_at": "2026-01-01T00:00:00.000Z", "note": "no id"},
    "not an object",
]


def answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"tasks": ITEMS, "pagination": {"total_entries": 3}})


def test_items_without_an_id_are_counted_and_the_run_is_incomplete() -> None:
    report = ScanReport()
    client = ApiClient(
        "https://apollo.test",
        "key",
        profile=APOLLO_PROFILE,
        retry=RetryPolicy(max_attempts=1),
        transport=httpx.MockTransport(answer),
    )
    ids: list[str] = []
    with client:
        for item in TaskScanner(client, report, per_page=100, concurrency=1):
            if isinstance(item, Batch) and item.tasks is not None:
                ids += item.tasks.column("id").to_pylist()
    assert ids == ["t1"]
    assert report.unreadable == 2 and not report.complete
    assert any("2 item(s)" in w and "incomplete" in w for w in report.warnings)
    row = report.as_row()
    assert row["unreadable"] == 2 and row["complete"] is False
