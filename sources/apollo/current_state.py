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


def remove_deleted_tasks(pipeline: Any, run_id: str, seen: int) -> tuple[int | None, str | None]:
    """Delete `tasks` rows that run `run_id` did not see; call only after a complete scan.

    Deletes only on this run's own evidence: the seen-ids table must hold exactly the `seen` ids
    this run read, all under this run's id. Anything else (ids of another run, from another
    account or an older run in the same dataset; a count that does not match) means the
    evidence is not this run's, so nothing is deleted and the reason is returned.

    Args:
        pipeline: the dlt pipeline that just loaded the run.
        run_id: the `run_id` of the run's `extract_runs` row.
        seen: how many distinct task ids this run read (and loaded).

    Returns:
        (rows removed, None), or (None, why nothing was deleted).
    """
    with pipeline.sql_client() as client:
        if not _table_exists(client, TASKS_TABLE):
            return 0, None
        tasks = client.make_qualified_table_name(TASKS_TABLE)
        if _table_exists(client, SEEN_TASK_IDS_TABLE):
            seen_table = client.make_qualified_table_name(SEEN_TASK_IDS_TABLE)
            counts = client.execute_sql(
                f"SELECT count(*), count(CASE WHEN run_id = %s THEN 1 END) FROM {seen_table}",
                run_id,
            )
            total, mine = (int(counts[0][0]), int(counts[0][1] or 0)) if counts else (0, 0)
            if total != mine or mine != seen:
                return None, (
                    f"deletion skipped: the seen-ids table {SEEN_TASK_IDS_TABLE} holds {mine} ids"
                    f" of this run (read {seen}) and {total - mine} of other runs; another run or"
                    " job may share this dataset, so no task was removed"
                )
            where = (
                f"NOT EXISTS (SELECT 1 FROM {seen_table} s"
                f" WHERE s.id = {tasks}.id AND s.run_id = %s)"
            )
            args: tuple[Any, ...] = (run_id,)
        elif seen == 0:  # a complete run that saw no task at all loads no seen ids
            where, args = "1 = 1", ()
        else:
            return None, (
                f"deletion skipped: this run read {seen} tasks but their ids are not in"
                f" {SEEN_TASK_IDS_TABLE}; no task was removed"
            )
        rows = client.execute_sql(f"SELECT count(*) FROM {tasks} WHERE {where}", *args)
        removed = int(rows[0][0]) if rows else 0
        if removed:
            client.execute_sql(f"DELETE FROM {tasks} WHERE {where}", *args)
        return removed, None


def record_removed(pipeline: Any, run_id: str, removed: int | None) -> None:
    """Write the removal count into the run's `extract_runs` row."""
    with pipeline.sql_client() as client:
        if not _table_exists(client, EXTRACT_RUNS_TABLE):
            return
        runs = client.make_qualified_table_name(EXTRACT_RUNS_TABLE)
        client.execute_sql(f"UPDATE {runs} SET removed = %s WHERE run_id = %s", removed, run_id)
