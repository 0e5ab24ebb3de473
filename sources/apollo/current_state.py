"""Removing tasks deleted in Apollo, by the vendor-neutral rule of `sales_tasks.sources.core.current_state`.

Facts relied on: task search (`POST /api/v1/tasks/search`) lists every live task and never a
deleted one, and a scan is complete when every task of `total_entries` was seen, twice (see
`scan`). After such a run every task loaded before that the run did not see gets a tombstone,
which dlt's merge applies. The ids a run saw are also loaded into `_apollo_seen_task_ids` (the
mark of an Apollo dataset for the `sales_tasks` views).
"""

from __future__ import annotations

from sales_tasks.sources.core.current_state import (
    EXTRACT_RUNS_TABLE,
    TASKS_TABLE,
    known_task_ids,
    remove_deleted_tasks,
)

SEEN_TASK_IDS_TABLE = "_apollo_seen_task_ids"

__all__ = [
    "EXTRACT_RUNS_TABLE",
    "SEEN_TASK_IDS_TABLE",
    "TASKS_TABLE",
    "known_task_ids",
    "remove_deleted_tasks",
]
