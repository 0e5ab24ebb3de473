"""A task due on a day (Saleshandy's `dueDate`, a DATE) is overdue only once that day has ended.

The `sales_tasks.all_tasks` view is built over a Saleshandy-shaped dataset holding tasks due
yesterday, today and tomorrow (relative to the database's own CURRENT_DATE, so the test does not
depend on the calendar), on DuckDB and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sales_tasks.pipelines.unified import create_unified_views


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def connection(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Connection]:
    if request.param == "duckdb":
        url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def _execute(conn: sa.Connection) -> Any:
    """`execute(sql, *args)` with dlt's `%s` placeholders, as `create_unified_views` calls it."""

    def execute(sql: str, *args: Any) -> Any:
        for i in range(len(args)):
            sql = sql.replace("%s", f":p{i}", 1)
        result = conn.execute(sa.text(sql), {f"p{i}": a for i, a in enumerate(args)})
        return result.fetchall() if result.returns_rows else None

    return execute


def test_a_task_due_today_is_open_but_not_overdue(connection: sa.Connection) -> None:
    for sql in (
        "DROP SCHEMA IF EXISTS sales_tasks CASCADE",
        "DROP SCHEMA IF EXISTS saleshandy CASCADE",
        "CREATE SCHEMA saleshandy",
        "CREATE TABLE saleshandy._saleshandy_seen_task_ids (id VARCHAR)",
        "CREATE TABLE saleshandy.tasks (id VARCHAR, status VARCHAR, due_date DATE,"
        " task_type VARCHAR, prospect_id VARCHAR, assignee_id VARCHAR, priority VARCHAR)",
        "INSERT INTO saleshandy.tasks VALUES"
        " ('yesterday', 'overdue', CURRENT_DATE - 1, '9', 'p1', 'a1', '2'),"
        " ('today', 'dueToday', CURRENT_DATE, '9', 'p1', 'a1', '2'),"
        " ('tomorrow', 'upcoming', CURRENT_DATE + 1, '9', 'p1', 'a1', '2'),"
        " ('done', 'completed', CURRENT_DATE - 1, '9', 'p1', 'a1', '2')",
    ):
        connection.execute(sa.text(sql))
    create_unified_views(_execute(connection))

    got = connection.execute(
        sa.text("SELECT task_id, is_open, is_overdue FROM sales_tasks.all_tasks ORDER BY task_id")
    ).fetchall()
    assert [tuple(r) for r in got] == [
        ("done", False, False),
        ("today", True, False),
        ("tomorrow", True, False),
        ("yesterday", True, True),
    ]
    columns = connection.execute(sa.text("SELECT * FROM sales_tasks.all_tasks")).keys()
    assert "overdue_from" not in columns
    per_owner = connection.execute(
        sa.text("SELECT open_tasks, overdue_tasks FROM sales_tasks.open_by_owner")
    ).fetchall()
    assert [tuple(r) for r in per_owner] == [(3, 1)]
