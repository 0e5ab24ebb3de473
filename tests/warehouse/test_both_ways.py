"""Both directions against each real warehouse: extract into it, query the analyst models, push
follow-ups from it. One test body, parametrised by warehouse (DuckDB file, PostgreSQL server)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sales_tasks.pipelines.extract import run_extract
from sales_tasks.pipelines.push import run_push
from sales_tasks.sandbox import Sandbox
from sales_tasks.sources.apollo.demo import followups_sql
from tests.source.helpers import served_tasks


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    """How to extract into the warehouse and the SQLAlchemy URL to read it (and push from it)."""
    if request.param == "duckdb":
        path = tmp_path / "warehouse.duckdb"
        return {
            "extract": {"destination": "duckdb", "duckdb_path": str(path)},
            "url": f"duckdb:///{path}",
        }
    url = request.getfixturevalue("postgres_url")
    return {"extract": {"destination": "postgres", "credentials": url}, "url": url}


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql)).fetchall()]
    finally:
        engine.dispose()


def test_extract_models_and_push_on_each_warehouse(
    make_sandbox: Any, warehouse: dict[str, Any], tmp_path: Path
) -> None:
    sb: Sandbox = make_sandbox(tasks=400, seed=11, max_per_page=200)
    common = {
        "api_key": sb.master_key,
        "base_url": sb.base_url,
        "pipelines_dir": str(tmp_path / "pipelines"),
        **warehouse["extract"],
    }
    summary = run_extract(**common)
    assert summary.complete
    url = warehouse["url"]

    # Rows: exactly the tasks Apollo serves, once each, with their values.
    served = {t["id"]: t for t in served_tasks(sb)}
    loaded = _rows(url, "SELECT id, status, type, priority, user_id, contact_id FROM apollo.tasks")
    assert Counter(r[0] for r in loaded).most_common(1)[0][1] == 1
    assert {r[0] for r in loaded} == set(served)
    for task_id, status, kind, priority, user_id, contact_id in loaded:
        t = served[task_id]
        assert (status, kind, priority, user_id, contact_id) == (
            t["status"],
            t["type"],
            t["priority"],
            t["user_id"],
            t["contact_id"],
        )

    # Typed columns: timestamps are timestamps with a time zone, booleans are booleans.
    types = dict(
        _rows(
            url,
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = 'apollo' AND table_name = 'tasks'",
        )
    )
    assert "time zone" in types["due_at"].lower()
    assert "time zone" in types["created_at"].lower()
    assert types["answered"].lower() == "boolean"

    # Models: each view answers, and agrees with the raw tasks.
    scheduled = sum(1 for t in served.values() if t["status"] == "scheduled")
    finished = sum(1 for t in served.values() if t["status"] in ("completed", "skipped"))
    assert _rows(url, "SELECT count(*) FROM apollo.open_tasks")[0][0] == scheduled
    assert _rows(url, "SELECT count(*) FROM apollo.task_outcomes")[0][0] == finished
    assert _rows(url, "SELECT count(*) FROM apollo.tasks_enriched")[0][0] == len(served)
    overdue = _rows(
        url, "SELECT count(*), min(days_overdue), count(owner_email) FROM apollo.overdue_tasks"
    )[0]
    assert overdue[0] > 0 and overdue[1] >= 0 and overdue[2] == overdue[0]
    contact = _rows(
        url,
        "SELECT e.contact_email, c.email FROM apollo.tasks_enriched e"
        " JOIN apollo.contacts c ON c.id = e.contact_id LIMIT 1",
    )[0]
    assert contact[0] == contact[1] and "@" in contact[0]

    # Push from the same warehouse: follow-ups defined in SQL, created once, never twice.
    sb.clear_requests()
    first = run_push(
        query=followups_sql(limit=6),
        warehouse=url,
        api_key=sb.master_key,
        base_url=sb.base_url,
        pipelines_dir=str(tmp_path / "push"),
    )
    assert first.rows_in > 0 and first.created == first.rows_in and first.adds_up
    second = run_push(
        query=followups_sql(limit=6),
        warehouse=url,
        api_key=sb.master_key,
        base_url=sb.base_url,
        pipelines_dir=str(tmp_path / "push-again"),
    )
    assert second.created == 0 and second.already_delivered == first.rows_in
    created = sb.created()
    assert len(created) == first.rows_in
    assert len({t["contact_id"] for t in created}) == len(created)
    ledger = _rows(
        url, "SELECT count(*) FROM apollo_push.delivery_ledger WHERE state = 'delivered'"
    )
    assert ledger[0][0] == first.rows_in

    # A task deleted in Apollo disappears from the mirror and its models after a complete run.
    gone = next(iter(served))
    sb.delete_task(gone)
    again = run_extract(**common)
    assert again.complete and again.removed == 1
    assert (
        _rows(url, f"SELECT count(*) FROM apollo.tasks_enriched WHERE task_id = '{gone}'")[0][0]
        == 0
    )
