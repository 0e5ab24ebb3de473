"""The analyst notebook runs top to bottom, so it can never rot.

It is executed with a real kernel (nbclient) against a fresh demo: the notebook itself finds no
DuckDB file, runs the demo extract (a local sandbox), queries the models, draws the charts and
plans a push in dry-run mode.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import duckdb
import nbformat
import pytest
from nbclient import NotebookClient

from sales_tasks.sources.core.history import reopen_counts_sql

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "task_analytics.ipynb"


def test_notebook_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.slow
def test_notebook_runs_top_to_bottom_on_a_fresh_demo(tmp_path, monkeypatch):
    demo_file = tmp_path / "apollo_demo.duckdb"
    monkeypatch.setenv("APOLLO_DEMO_DUCKDB", str(demo_file))
    monkeypatch.setenv("APOLLO_DEMO_TASKS", "3000")
    history_file = tmp_path / "apollo_history_demo.duckdb"
    monkeypatch.setenv("APOLLO_HISTORY_DUCKDB", str(history_file))
    monkeypatch.delenv("APOLLO_API_KEY", raising=False)  # never the real API from a test
    monkeypatch.chdir(NOTEBOOK.parent)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    ).execute()

    assert demo_file.exists(), "the notebook should have run the demo extract"
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    texts = "\n".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert len(images) >= 6, (
        "by type, overdue by owner, weekly, completion time, across vendors, status changes"
    )
    assert "push (dry run)" in texts and "follow-up task(s) to create" in texts
    assert "cross-vendor push (dry run):" in texts
    printed, table = cell_output(nb, "across = sql(")
    assert "overdue_share" in table and {"apollo", "saleshandy", "reply"} <= set(table.split())
    assert os.environ.get("APOLLO_API_KEY") is None

    # The charts are honest: the week the extract ran in (not over) is left out of the weekly
    # line, overdue is a share of each owner's open tasks, the type boxes carry their medians.
    # The extract's week is read from the file (not today's calendar), and on a day when that
    # week has no rows yet (a Monday morning) there is nothing in it to leave out.
    printed, table = cell_output(nb, "weekly = sql(")
    (left_out,) = [line for line in printed.splitlines() if line.startswith("left out")]
    as_of_week, weeks_with_rows = _extract_week(demo_file)
    assert f"{as_of_week:%Y-%m-%d}" not in table and "completed" in table
    assert (f"{as_of_week:%Y-%m-%d}" in left_out) == (as_of_week in weeks_with_rows), left_out
    assert not [w for w in weeks_with_rows if w > as_of_week], "no task after the extract ran"
    assert "skipped" in table  # skipped tasks are finished work too
    # counts are whole numbers, never floats (`12.0`)
    for marker in ("by_type = sql(", "weekly = sql("):
        assert not re.search(r"\b\d+\.0\b", cell_output(nb, marker)[1]), marker
    printed, table = cell_output(nb, "overdue = sql(")
    assert "overdue_share" in table and "open" in table
    printed, table = cell_output(nb, "outcomes = sql(")
    assert "50%" in table

    # The life of a task: the history the cell made is the one it charts and counts.
    printed, table = cell_output(nb, "moves = sql(")
    made = {line for line in printed.splitlines() if line.startswith("changes made")}
    assert len(made) == 1 and history_file.exists()
    with duckdb.connect(str(history_file), read_only=True) as con:
        by_reopens = dict(
            con.sql(
                f"SELECT reopens, count(*) FROM ({reopen_counts_sql('apollo')}) AS r"
                " GROUP BY ALL ORDER BY reopens"
            ).fetchall()
        )
        versions = con.sql("SELECT count(*) FROM apollo.task_status_history").fetchone()
    assert sum(n for times, n in by_reopens.items() if times > 0) > 0  # some came back
    assert versions is not None and versions[0] > 600  # more versions than tasks
    (counts,) = [line for line in printed.splitlines() if line.startswith("tasks by times")]
    assert counts == f"tasks by times reopened: {by_reopens}", counts
    assert "completed" in table and "ended" in table and "mean_seconds_ended" in table


def _extract_week(demo_file: Path) -> tuple[date, set[date]]:
    """The Monday of the week the demo extract ran in, and every week with a task created or
    completed in it (weeks start on Monday, as DuckDB's `date_trunc('week', ...)`)."""
    with duckdb.connect(str(demo_file), read_only=True) as con:
        (as_of_week,) = con.sql(
            "SELECT date_trunc('week', max(started_at))::DATE FROM apollo.extract_runs"
        ).fetchone() or (None,)
        weeks = con.sql(
            "SELECT DISTINCT date_trunc('week', t)::DATE FROM ("
            " SELECT created_at AS t FROM apollo.tasks"
            " UNION ALL SELECT completed_at FROM apollo.tasks WHERE completed_at IS NOT NULL)"
        ).fetchall()
    assert isinstance(as_of_week, date), "the demo extract should have recorded its run"
    return as_of_week, {w for (w,) in weeks}


def cell_output(nb: nbformat.NotebookNode, marker: str) -> tuple[str, str]:
    """(printed, displayed) text of the one code cell whose source contains `marker`."""
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and marker in c.source]
    printed = [o.get("text", "") for o in cell.outputs if o.output_type == "stream"]
    shown = [o["data"]["text/plain"] for o in cell.outputs if "text/plain" in o.get("data", {})]
    return "".join(printed), "\n".join(shown)
