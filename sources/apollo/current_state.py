"""Keeping `tasks` equal to what Apollo holds now: removing tasks deleted in Apollo.

Facts relied on: task search (`POST /api/v1/tasks/search`) lists every live task and never a
deleted one; there is no "deleted since" feed. So after a *complete* scan (every task of
`total_entries` seen, see `scan`), a `tasks` row whose id was not seen is gone from Apollo and
is deleted here. An incomplete scan deletes nothing. Contacts and accounts are kept: they are
dimensions that other tasks, or history, may still refer to.

The ids seen by a run are loaded into `_apollo_seen_task_ids` (replace) with the run id; this runs
after the load, through the pipeline's SQL client, on any SQL destination.
"""

from __future__ import annotations

from typing import Any

SEEN_TASK_IDS_TABLE = "_apollo_seen_task_ids"
TASKS_TABLE = "tasks"
EXTRACT_RUNS_TABLE = "extract_runs"


def _table_exists(client: Any, name: str) -> bool:
    try:
        client.execute_sql(f"SELECT 1 FROM {client.make_qualified_table_name(name)} WHERE 1 = 0")
    except Exception:  # noqa: BLE001 - any "no such table" error of any destination
        return False
    return True


def remove_deleted_tasks(pipeline: Any, run_id: str) -> int:
    """Delete `tasks` rows that run `run_id` did not see; call only after a complete scan.

    Args:
        pipeline: the dlt pipeline that just loaded the run.
        run_id: the `run_id` of the run's `extract_runs` row.

    Returns:
        How many task rows were removed.
    """
    with pipeline.sql_client() as client:
        if not _table_exists(client, TASKS_TABLE):
            return 0
        tasks = client.make_qualified_table_name(TASKS_TABLE)
        if _table_exists(client, SEEN_TASK_IDS_TABLE):
            seen = client.make_qualified_table_name(SEEN_TASK_IDS_TABLE)
            where = f"NOT EXISTS (SELECT 1 FROM {seen} s WHERE s.id = {tasks}.id AND s.run_id = %s)"
            args: tuple[Any, ...] = (run_id,)
        else:  # a complete run that saw no task at all
            where, args = "1 = 1", ()
        rows = client.execute_sql(f"SELECT count(*) FROM {tasks} WHERE {where}", *args)
        removed = int(rows[0][0]) if rows else 0
        if removed:
            client.execute_sql(f"DELETE FROM {tasks} WHERE {where}", *args)
        return removed


def record_removed(pipeline: Any, run_id: str, removed: int | None) -> None:
    """Write the removal count into the run's `extract_runs` row."""
    with pipeline.sql_client() as client:
        if not _table_exists(client, EXTRACT_RUNS_TABLE):
            return
        runs = client.make_qualified_table_name(EXTRACT_RUNS_TABLE)
        client.execute_sql(f"UPDATE {runs} SET removed = %s WHERE run_id = %s", removed, run_id)
