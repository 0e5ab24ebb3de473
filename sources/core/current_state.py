"""Keeping `tasks` equal to what a vendor holds now: removing tasks deleted at the vendor.

Vendor-neutral. No vendor offers a "deleted since" feed, so after a *complete* scan (what the
vendor's source proves complete: a total the vendor states, counts read before and after, or a
list's end and a stable re-read), a `tasks` row whose id was not seen is gone at the vendor and is deleted
here. An incomplete scan deletes nothing. Dimensions (contacts, prospects, accounts) are kept:
other tasks, or history, may still refer to them.

The ids seen by a run are loaded by the source into its seen-ids table (replace, e.g.
`_<vendor>_seen_task_ids`) with the run id; this runs after the load, through the pipeline's SQL
client, on any SQL destination.

Scoped to one account: a dataset holds the rows of one account (the runner binds it before the
scan and refuses any other, `pipelines.accounts.claim_dataset`), so every `tasks` row, every id
`known_task_ids` reads and every seen id is the account's own. The deletion runs under the job's
lock, after the run's own complete scan, on the run's own seen ids only (`remove_deleted_tasks`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

TASKS_TABLE = "tasks"
EXTRACT_RUNS_TABLE = "extract_runs"


def _table_exists(client: Any, name: str) -> bool:
    try:
        client.execute_sql(f"SELECT 1 FROM {client.make_qualified_table_name(name)} WHERE 1 = 0")
    except Exception:  # noqa: BLE001 - any "no such table" error of any destination
        return False
    return True


def remove_deleted_tasks(
    pipeline: Any, run_id: str, seen: int, *, seen_table: str
) -> tuple[int | None, str | None]:
    """Delete `tasks` rows that run `run_id` did not see; call only after a complete scan.

    Deletes only on this run's own evidence: the seen-ids table must hold exactly the `seen` ids
    this run read, all under this run's id. Anything else (ids of another run, from another
    account or an older run in the same dataset; a count that does not match) means the
    evidence is not this run's, so nothing is deleted and the reason is returned.

    Args:
        pipeline: the dlt pipeline that just loaded the run.
        run_id: the `run_id` of the run's `extract_runs` row.
        seen: how many distinct task ids this run read (and loaded).
        seen_table: the source's seen-ids table (columns `id`, `run_id`).

    Returns:
        (rows removed, None), or (None, why nothing was deleted).
    """
    with pipeline.sql_client() as client:
        if not _table_exists(client, TASKS_TABLE):
            return 0, None
        tasks = client.make_qualified_table_name(TASKS_TABLE)
        if _table_exists(client, seen_table):
            seen_ids = client.make_qualified_table_name(seen_table)
            counts = client.execute_sql(
                f"SELECT count(*), count(CASE WHEN run_id = %s THEN 1 END) FROM {seen_ids}",
                run_id,
            )
            total, mine = (int(counts[0][0]), int(counts[0][1] or 0)) if counts else (0, 0)
            if total != mine or mine != seen:
                return None, (
                    f"deletion skipped: the seen-ids table {seen_table} holds {mine} ids"
                    f" of this run (read {seen}) and {total - mine} of other runs; another run or"
                    " job may share this dataset, so no task was removed"
                )
            where = (
                f"NOT EXISTS (SELECT 1 FROM {seen_ids} s WHERE s.id = {tasks}.id AND s.run_id = %s)"
            )
            args: tuple[Any, ...] = (run_id,)
        elif seen == 0:  # a complete run that saw no task at all loads no seen ids
            where, args = "1 = 1", ()
        else:
            return None, (
                f"deletion skipped: this run read {seen} tasks but their ids are not in"
                f" {seen_table}; no task was removed"
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


def known_task_ids(pipeline: Any) -> Callable[[], list[str]]:
    """A callable reading the ids in the pipeline's `tasks` table (none before the first load).

    The ids of the dataset's one account (see the module docstring): what a scan may verify by
    id before deleting. Read when called (during the scan), never when made.
    """

    def read() -> list[str]:
        with pipeline.sql_client() as client:
            if not client.has_dataset() or not _table_exists(client, TASKS_TABLE):
                return []
            tasks = client.make_qualified_table_name(TASKS_TABLE)
            rows = client.execute_sql(f"SELECT id FROM {tasks}")
        return [str(row[0]) for row in rows or [] if row[0] is not None]

    return read
