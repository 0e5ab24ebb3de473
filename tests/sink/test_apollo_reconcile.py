"""Apollo's push after a lost create answer, on every reading of what Apollo does that no
document settles (`created_from` of API-made tasks, paging in a body, the contact filter): the
tasks the lost call made are recognised, none is sent twice, none left needing review."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sink.conftest import created_by_request, ledger, task_rows, write_input

BULK = "/api/v1/tasks/bulk_create"
SINGLE = "/api/v1/tasks"
SEARCH = "/api/v1/tasks/search"


@pytest.mark.parametrize("created_from", ["api", "zp_ui", "null"])
@pytest.mark.parametrize("filters", ["honour", "ignore"])
def test_a_dropped_bulk_answer_is_recognised_whatever_created_from_says(
    make_sandbox: Any, warehouse_url: str, push: Any, created_from: str, filters: str
) -> None:
    sb = make_sandbox(created_from=created_from, filters=filters)
    rows = task_rows(sb, 6)
    write_input(warehouse_url, rows)
    sb.script_faults([{"path": BULK, "fault": "drop_after_create", "count": 1}])
    summary = push(sb)
    assert summary.needs_review == 0 and not summary.has_needs_review, summary.format()
    assert set(created_by_request(sb, rows).values()) == {1}  # no duplicate, none missing
    assert {e["state"] for e in ledger(warehouse_url).values()} == {"delivered"}
    assert {t["created_from"] for t in sb.created()} == {
        None if created_from == "null" else created_from
    }
    searches = [r for r in sb.requests(SEARCH) if r["method"] == "POST"]
    assert searches and all("page" in r["query"] and "per_page" in r["query"] for r in searches)
    assert all("page" not in (r["body"] or {}) for r in searches)


@pytest.mark.parametrize("body_paging", ["ignore", "honour"])
def test_a_dropped_titled_answer_is_recognised_whether_body_paging_counts(
    make_sandbox: Any, warehouse_url: str, push: Any, body_paging: str
) -> None:
    """Titled rows go one per call (`POST /api/v1/tasks`); the whole list is read (filter
    ignored) over several pages, paged in the query string, so a body that Apollo may ignore
    changes nothing."""
    sb = make_sandbox(tasks=450, body_paging=body_paging, filters="ignore", created_from="zp_ui")
    rows = task_rows(sb, 3, title="Call back")
    write_input(warehouse_url, rows)
    sb.script_faults([{"path": SINGLE, "fault": "drop_after_create", "count": 2}])
    summary = push(sb)
    assert summary.needs_review == 0, summary.format()
    assert set(created_by_request(sb, rows).values()) == {1}
    assert {e["state"] for e in ledger(warehouse_url).values()} == {"delivered"}
    pages = {int(r["query"]["page"]) for r in sb.requests(SEARCH) if r["method"] == "POST"}
    assert {1, 2, 3, 4, 5} <= pages  # 450+ tasks, 100 a page: every page was asked for
