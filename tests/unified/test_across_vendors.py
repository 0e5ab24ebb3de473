"""Three vendors in one warehouse: the unified views answer per owner across all of them, and a
shared-vocabulary query pushes one vendor's work into another, exactly once.

Real extracts from three sandboxes (Apollo, Saleshandy, Reply.io) over HTTP into real DuckDB and
PostgreSQL; the cross-vendor push is checked in what the Reply sandbox received.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sales_tasks.destinations.registry import sink
from sales_tasks.pipelines.extract import run_extract
from sales_tasks.pipelines.push import run_push
from tests.unified.conftest import rows


def _load_all(sbs: dict[str, Any], where: dict[str, Any], tmp_path: Path) -> None:
    common = {"pipelines_dir": str(tmp_path / "pipelines"), **where["extract"]}
    apollo, saleshandy, reply = sbs["apollo"], sbs["saleshandy"], sbs["reply"]
    run_extract(api_key=apollo.master_key, base_url=apollo.base_url, **common)
    run_extract("saleshandy", api_key=saleshandy.api_key, base_url=saleshandy.base_url, **common)
    run_extract("reply", api_key=reply.api_key, base_url=reply.base_url, **common)


@pytest.fixture
def three(
    make_sandbox: Any, make_saleshandy_sandbox: Any, make_reply_sandbox: Any
) -> dict[str, Any]:
    return {
        "apollo": make_sandbox(tasks=400, seed=5),
        "saleshandy": make_saleshandy_sandbox(tasks=120, seed=6),
        "reply": make_reply_sandbox(tasks=90, seed=7),
    }


def test_one_query_answers_open_and_overdue_per_owner_across_three_vendors(
    three: dict[str, Any],
    warehouse: dict[str, Any],
    tmp_path: Path,
) -> None:
    _load_all(three, warehouse, tmp_path)
    url = warehouse["url"]
    counts = dict(rows(url, "SELECT vendor, count(*) FROM sales_tasks.all_tasks GROUP BY vendor"))
    assert counts == {"apollo": 400, "saleshandy": 120, "reply": 90}
    for vendor, dataset in (("apollo", "apollo"), ("saleshandy", "saleshandy"), ("reply", "reply")):
        loaded = rows(url, f"SELECT count(*) FROM {dataset}.tasks")[0][0]
        assert counts[vendor] == loaded
    # Every vendor's codes map to shared names; nothing is left unnamed.
    unnamed = rows(
        url,
        "SELECT vendor, vendor_type, vendor_status FROM sales_tasks.all_tasks"
        " WHERE type IS NULL OR status IS NULL",
    )
    assert unnamed == []
    statuses = {
        (v, s) for v, s in rows(url, "SELECT DISTINCT vendor, status FROM sales_tasks.all_tasks")
    }
    assert {s for v, s in statuses if v == "saleshandy"} <= {"open", "completed", "skipped"}
    assert ("reply", "open") in statuses and ("saleshandy", "open") in statuses

    all_tasks = rows(
        url,
        "SELECT vendor, COALESCE(owner_email, owner_name, owner_id, '(no owner)'), is_open,"
        " is_overdue FROM sales_tasks.all_tasks",
    )
    open_n = Counter((v, o) for v, o, is_open, _ in all_tasks if is_open)
    overdue_n = Counter((v, o) for v, o, _, overdue in all_tasks if overdue)
    per_owner = rows(
        url, "SELECT vendor, owner, open_tasks, overdue_tasks FROM sales_tasks.open_by_owner"
    )
    assert {(v, o): n for v, o, n, _ in per_owner} == dict(open_n)
    assert {(v, o): n for v, o, _, n in per_owner} == {k: overdue_n.get(k, 0) for k in open_n}
    assert {v for v, *_ in per_owner} == {"apollo", "saleshandy", "reply"}
    assert sum(overdue_n.values()) > 0, "the sandboxes hold an overdue backlog"


def test_overdue_apollo_calls_become_reply_call_tasks_exactly_once(
    three: dict[str, Any],
    warehouse: dict[str, Any],
    tmp_path: Path,
) -> None:
    apollo, reply = three["apollo"], three["reply"]
    _load_all(three, warehouse, tmp_path)
    url = warehouse["url"]
    overdue = rows(
        url,
        "SELECT DISTINCT contact_email FROM sales_tasks.all_tasks WHERE vendor = 'apollo'"
        " AND type = 'call' AND is_overdue AND contact_email IS NOT NULL ORDER BY 1 LIMIT 6",
    )
    emails = [e for (e,) in overdue]
    assert len(emails) >= 3
    # The same people exist in Reply (a team that moved tools), found there by exact email.
    reply_ids = {e: reply.add_contact(e)["id"] for e in emails}
    start = (datetime.now(UTC) + timedelta(days=1)).replace(hour=9, minute=0, second=0)
    query = f"""
        SELECT 'moved-' || task_id AS request_id, contact_email, 'call' AS task_type,
               '{start:%Y-%m-%dT%H:%M:%SZ}' AS start_at,
               '{start + timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ}' AS due_to,
               'Call {{{{firstName}}}}: follow-up moved from Apollo' AS body
        FROM sales_tasks.all_tasks
        WHERE vendor = 'apollo' AND type = 'call' AND is_overdue
          AND contact_email IN ({", ".join(f"'{e}'" for e in emails)})
    """
    wanted = rows(url, query)
    options = {
        "sink": sink("reply"),
        "query": query,
        "warehouse": url,
        "api_key": reply.api_key,
        "base_url": reply.base_url,
        "pipelines_dir": str(tmp_path / "pipelines"),
        "reconcile_wait_seconds": 1.0,
    }
    first = run_push(**options)
    assert (first.created, first.rejected) == (len(wanted), 0)
    made = reply.created()
    assert len(made) == len(wanted)
    assert Counter(t["contactId"] for t in made) == Counter(
        reply_ids[email] for _, email, *_ in wanted
    )
    assert {t["template"]["body"] for t in made} == {
        "Call {{firstName}}: follow-up moved from Apollo"
    }
    assert {str(t["taskType"]) for t in made} <= {"2", "call"}

    again = run_push(**options)
    assert (again.created, again.already_delivered) == (0, len(wanted))
    assert len(reply.created()) == len(wanted)
    assert apollo.created() == [], "nothing was written to Apollo"
