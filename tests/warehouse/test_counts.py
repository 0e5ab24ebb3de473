"""The counts the notebook shows are integers and complete: tasks created, completed and skipped
per week (`sales_tasks.pipelines.models.weekly_flow_sql`) and open/overdue per owner
(`sales_tasks.open_by_owner`), read with pandas from a real extract of the sandbox into DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from sales_tasks.pipelines.extract import run_extract
from sales_tasks.pipelines.models import weekly_flow_sql
from sales_tasks.sandbox import Sandbox
from tests.source.helpers import served_tasks


# DuckDB's `.df()` (as the notebook reads) calls a pandas API that pandas 3.1 deprecates.
@pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.drop")
def test_weekly_flow_counts_every_created_completed_and_skipped_task_as_integers(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "w.duckdb"
    run_extract(
        api_key=sandbox.master_key,
        base_url=sandbox.base_url,
        duckdb_path=str(path),
        pipelines_dir=str(tmp_path / "p"),
    )
    served = served_tasks(sandbox)
    con = duckdb.connect(str(path), read_only=True)
    try:
        weekly = con.sql(weekly_flow_sql("apollo", "2999-01-01 00:00:00+00")).df()
        per_owner = con.sql("SELECT * FROM sales_tasks.open_by_owner").df()
    finally:
        con.close()

    assert int(weekly["created"].sum()) == len(served)
    assert int(weekly["completed"].sum()) == sum(t["status"] == "completed" for t in served)
    skipped = sum(t["status"] == "skipped" for t in served)
    assert skipped > 0 and int(weekly["skipped"].sum()) == skipped
    for frame, columns in (
        (weekly, ("created", "completed", "skipped")),
        (per_owner, ("open_tasks", "overdue_tasks")),
    ):
        assert {c: str(frame[c].dtype) for c in columns} == dict.fromkeys(columns, "int64")
    assert int(per_owner["open_tasks"].sum()) == sum(t["status"] == "scheduled" for t in served)
