"""A push to Apollo whose calls share one contact, under lost answers and 5xx, over the sandbox
in either default order of tasks search (the sandbox's switch `default_order`: Apollo documents
none, VENDOR-SPECS 3.2): every row is created exactly once, and only the newest-first order lets
a look read just what entered the list since the run's last trusted read
(`sales_tasks.destinations.apollo.kept`); with the other order every look reads the whole list.
Into DuckDB and PostgreSQL (`warehouse_url`)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.sink.conftest import ledger, push, warehouse_url, write_input

FIXTURES = (push, warehouse_url)  # found by pytest in this module's namespace

SEARCH = "/api/v1/tasks/search"


def shared_rows(sb: Any, n: int, contacts: int) -> list[dict[str, Any]]:
    """n rows over `contacts` contacts, each with a due date of its own."""
    user = sb.users()[0]["id"]
    ids = [c["id"] for c in sb.contacts(contacts)]
    return [
        {
            "request_id": f"kept-{i}",
            "user_id": user,
            "contact_id": ids[i % len(ids)],
            "type": "call",
            "due_at": f"2025-07-{1 + i % 28:02d}T{8 + i // 28:02d}:00:00Z",
            "note": "follow up",
        }
        for i in range(n)
    ]


@pytest.mark.parametrize("order", ["newest_first", "oldest_first"])
def test_a_shared_contacts_push_under_faults_creates_each_row_once_in_either_order(
    make_sandbox: Any, warehouse_url: str, push: Any, order: str
) -> None:
    sb = make_sandbox(tasks=300, default_order=order)
    sb.configure(faults={"error_rate": 0.1, "drop_after_create_rate": 0.15, "fault_seed": 3})
    rows = shared_rows(sb, 200, 1)
    write_input(warehouse_url, rows)
    # The wait bounds only how long a row waits for its proof; a loaded machine slows the
    # run's own witnesses, and this test is about each row once, not about time.
    summary = push(sb, reconcile_wait_seconds=120.0)
    pages = [  # the pages the faulted push's looks read
        int(r["query"]["page"])
        for r in sb.requests(SEARCH)
        if r["method"] == "POST" and r["status"] == 200
    ]
    # The next push, fault-free, brings 5 new rows (as the next day's push would). A row whose
    # call was among the run's last and lost its answer has no later call of its run to prove
    # the search caught up (Apollo documents no index lag), so it waits `sending` for a later
    # push's creates: these 5 are that proof, and nothing is sent twice.
    sb.configure(faults={"error_rate": 0.0, "drop_after_create_rate": 0.0})
    rows += shared_rows(sb, 205, 1)[200:]
    write_input(warehouse_url, rows)
    push(sb, reconcile_wait_seconds=120.0)
    made = Counter((t["contact_id"], t["due_at"][:19]) for t in sb.created())
    assert len(made) == len(rows) and set(made.values()) == {1}, summary.format()
    assert {e["state"] for e in ledger(warehouse_url).values()} == {"delivered"}
    assert sum(summary.reconciled.values()) > 0  # answers were lost and settled
    assert len(pages) > 10  # many looks: answers were lost all along the run
    if order == "newest_first":
        # The contact's list outgrew one page early on, yet the looks read only the page of
        # what entered since the last one (page 2 only if 100 tasks entered between two looks).
        assert pages.count(2) <= 2, pages
    else:
        # Nothing is kept: once the list outgrew one page, every look reads on to page 2
        # (a look asks for its pages at once, so the log may hold a look's 2 before its 1).
        later = pages[pages.index(2) + 1 :]
        assert later.count(2) >= later.count(1) - 1, pages
