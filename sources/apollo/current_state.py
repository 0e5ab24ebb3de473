"""Removing tasks deleted in Apollo, by the vendor-neutral rule of `sources.core.current_state`.

Facts relied on: task search (`POST /api/v1/tasks/search`) lists every live task and never a
deleted one, and a scan is complete when every task of `total_entries` was seen (see `scan`).
The ids a run saw are loaded into `_apollo_seen_task_ids`.
"""

from __future__ import annotations

from typing import Any

from sources.core import current_state
from sources.core.current_state import EXTRACT_RUNS_TABLE, TASKS_TABLE, record_removed

SEEN_TASK_IDS_TABLE = "_apollo_seen_task_ids"

__all__ = [
    "EXTRACT_RUNS_TABLE",
    "SEEN_TASK_IDS_TABLE",
    "TASKS_TABLE",
    "record_removed",
    "remove_deleted_tasks",
]


def remove_deleted_tasks(pipeline: Any, run_id: str, seen: int) -> tuple[int | None, str | None]:
    """Delete `tasks` rows the complete run `run_id` did not see (see `sources.core`)."""
    return current_state.remove_deleted_tasks(
        pipeline, run_id, seen, seen_table=SEEN_TASK_IDS_TABLE
    )
