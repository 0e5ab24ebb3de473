"""`run_extract("saleshandy")` over real HTTP against the sandbox into real DuckDB and PostgreSQL:
every task lands once with typed values, its prospect and assignee too, and paging ends on a
short page."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.saleshandy.sh_extract_support import (
    ASSIGNEES,
    extract,
    list_calls,
    query,
    served_tasks,
)


def _utc(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _expected(task: dict[str, Any]) -> tuple[Any, ...]:
    sequence = task.get("sequence") or {}
    return (
        task["id"],
        task["taskType"],
        task["priority"],
        task["status"],
        dt.date.fromisoformat(task["dueDate"]),
        task["taskNote"],
        task["prospect"]["id"],
        str(task["assignee"]["id"]),
        sequence.get("id"),
        sequence.get("stepNumber"),
        _utc(task["createdAt"]),
        _utc(task["completedAt"]),
        _utc(task["skippedAt"]),
    )


COLUMNS = (
    "id, task_type, priority, status, due_date, task_note, prospect_id, assignee_id,"
    " sequence_id, sequence_step, created_at, completed_at, skipped_at"
)


def _normalise(row: tuple[Any, ...]) -> tuple[Any, ...]:
    # DuckDB answers timestamptz in the session's zone: compare instants in UTC.
    return tuple(v.astimezone(dt.UTC) if isinstance(v, dt.datetime) else v for v in row)


@pytest.mark.parametrize("payload", ["array", "object"])
def test_every_task_lands_once_with_typed_values(
    make_saleshandy_sandbox: Any, tmp_path: Path, payload: str
) -> None:
    sb = make_saleshandy_sandbox(list_payload=payload)
    served = served_tasks(sb)
    assert len(served) == 300
    summary = extract(sb, tmp_path)
    assert summary.complete and summary.total_entries == 300 and summary.removed == 0
    got = {r[0]: _normalise(r) for r in query(tmp_path, f"SELECT {COLUMNS} FROM saleshandy.tasks")}
    assert got == {t["id"]: _expected(t) for t in served}
    names = query(
        tmp_path,
        "SELECT task_type, task_type_name, count(*) FROM saleshandy.tasks GROUP BY 1, 2"
        " ORDER BY task_type::INT",
    )
    assert [n[0] for n in names] == sorted({t["taskType"] for t in served}, key=int)
    assert ("13", "call_follow_up") in {(n[0], n[1]) for n in names}
    assert all(n[1] is not None for n in names)
    types = dict(
        query(
            tmp_path,
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = 'saleshandy' AND table_name = 'tasks'",
        )
    )
    assert types["due_date"] == "DATE" and types["created_at"].startswith("TIMESTAMP")
    assert types["sequence_step"] == "BIGINT" and types["extra_fields"] == "VARCHAR"
    prospects = {t["prospect"]["id"]: t["prospect"] for t in served}
    rows = query(tmp_path, "SELECT id, email, first_name, last_name FROM saleshandy.prospects")
    assert {r[0]: r[1:] for r in rows} == {
        p["id"]: (p["email"], p["firstName"], p["lastName"]) for p in prospects.values()
    }
    assignees = {str(a["id"]): a for a in sb.assignees()}
    rows = query(tmp_path, "SELECT id, name, email FROM saleshandy.assignees")
    assert {r[0] for r in rows} == set(assignees)
    assert all(r[1] == assignees[r[0]]["name"] for r in rows)
    run = query(tmp_path, "SELECT complete, total_entries, tasks_seen, counts_at_start,"
                          " counts_at_end, removed, pages FROM saleshandy.extract_runs")  # fmt: skip
    assert len(run) == 1
    complete, total, seen, start, end, removed, pages = run[0]
    # 300 rows fill three pages: the fourth, empty, ends the list.
    assert (complete, total, seen, removed, pages) == (True, 300, 300, 0, 4)
    assert json.loads(start) == json.loads(end) and sum(json.loads(start).values()) == 300


def test_rerun_merges_without_duplicates(saleshandy_sandbox: Any, tmp_path: Path) -> None:
    for _ in range(2):
        assert extract(saleshandy_sandbox, tmp_path).complete
    assert query(tmp_path, "SELECT count(*), count(DISTINCT id) FROM saleshandy.tasks") == [
        (300, 300)
    ]
    assert query(tmp_path, "SELECT count(*) FROM saleshandy.extract_runs") == [(2,)]


@pytest.mark.parametrize(("tasks", "pages"), [(250, 3), (200, 3), (0, 1)])
def test_paging_stops_on_a_short_page(
    make_saleshandy_sandbox: Any, tmp_path: Path, tasks: int, pages: int
) -> None:
    sb = make_saleshandy_sandbox(tasks=tasks)
    summary = extract(sb, tmp_path)
    calls = list_calls(sb)
    # Fetched at once, so they may arrive in any order: each page exactly once.
    assert sorted((int(c["query"]["page"]), c["query"]["pageSize"]) for c in calls) == [
        (n, "100") for n in range(1, pages + 1)
    ]
    assert summary.complete and summary.rows.get("tasks", 0) == tasks and summary.pages == pages
    if tasks:
        assert query(tmp_path, "SELECT count(*) FROM saleshandy.tasks") == [(tasks,)]


def test_small_pages(make_saleshandy_sandbox: Any, tmp_path: Path) -> None:
    sb = make_saleshandy_sandbox(tasks=95)
    summary = extract(sb, tmp_path, page_size=10, concurrency=1)
    assert [c["query"]["page"] for c in list_calls(sb)] == [str(n) for n in range(1, 11)]
    assert summary.complete and summary.rows["tasks"] == 95


def test_pages_past_the_planned_ones_are_read_when_tasks_were_added(
    saleshandy_sandbox: Any, tmp_path: Path
) -> None:
    """The counts plan 4 pages of 300 tasks; 100 tasks are made before the list is read: the
    fourth page is full, so the extract reads on to the short fifth, and says the run is
    incomplete (the counts changed)."""
    sb = saleshandy_sandbox
    prospect = served_tasks(sb)[0]["prospect"]["id"]
    sb.clear_requests()
    # Made by the sandbox when the extract asks for the assignees, before it reads the list.
    made = {"method": "POST", "path": "/_sandbox/tasks"}
    add = {**made, "body": {"prospectId": prospect, "taskType": "9"}}
    sb.on_request(
        [
            {"path": ASSIGNEES, "do": {**add, "body": {**add["body"], "taskNote": f"added {n}"}}}
            for n in range(100)
        ]
    )
    summary = extract(sb, tmp_path)
    assert sb.scheduled_calls() == []
    assert sorted(int(c["query"]["page"]) for c in list_calls(sb)) == [1, 2, 3, 4, 5]
    assert summary.rows["tasks"] == 400 and not summary.complete
    assert query(tmp_path, "SELECT count(*) FROM saleshandy.tasks") == [(400,)]
    assert any("(300 -> 400" in w for w in summary.warnings), summary.warnings
    assert summary.format().startswith(
        "Saleshandy extract INCOMPLETE: the Saleshandy scan could not be proved complete"
        " (400 tasks read); nothing was deleted\n"
    )


def test_into_postgres(saleshandy_sandbox: Any, tmp_path: Path, postgres_url: str) -> None:
    served = served_tasks(saleshandy_sandbox)
    summary = extract(
        saleshandy_sandbox, tmp_path, destination="postgres", credentials=postgres_url
    )
    assert summary.complete and summary.rows["tasks"] == 300
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(f"SELECT {COLUMNS} FROM saleshandy.tasks")).fetchall()
            types = dict(
                conn.execute(
                    sa.text(
                        "SELECT column_name, data_type FROM information_schema.columns"
                        " WHERE table_schema = 'saleshandy' AND table_name = 'tasks'"
                    )
                ).fetchall()
            )
    finally:
        engine.dispose()
    assert {r[0]: _normalise(tuple(r)) for r in rows} == {t["id"]: _expected(t) for t in served}
    assert types["due_date"] == "date" and types["created_at"] == "timestamp with time zone"
