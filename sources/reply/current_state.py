"""Removing tasks deleted in Reply, by the vendor-neutral rule of `sources.core.current_state`,
with Reply's own proof first.

Facts relied on: the task list (`GET /v3/tasks`) holds every live task, and a deleted one
answers `GET /v3/tasks/{id}` with 404 [? the emulator's reading; no recorded answer is public].
The ids a run saw are loaded into `_reply_seen_task_ids`; after a complete run the core removes
every `tasks` row whose id is not among them.

Before that, the scan reads the tasks already loaded that the list no longer showed, one by one
(`verify_deletions` of them at most; see `scan`): one that Reply still serves was missed by the
list (rows shift between pages when tasks are created or deleted during the read), so it is
loaded, the run is marked incomplete and nothing is deleted. `known_task_ids` gives the scan the
ids already loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sources.core.current_state import TASKS_TABLE

SEEN_TASK_IDS_TABLE = "_reply_seen_task_ids"


def known_task_ids(pipeline: Any) -> Callable[[], list[int]]:
    """A callable reading the ids in the pipeline's `tasks` table (none before the first load)."""

    def read() -> list[int]:
        with pipeline.sql_client() as client:
            if not client.has_dataset():
                return []
            tasks = client.make_qualified_table_name(TASKS_TABLE)
            try:
                rows = client.execute_sql(f"SELECT id FROM {tasks}")
            except Exception:  # noqa: BLE001 - any "no such table" error of any destination
                return []
        return [int(row[0]) for row in rows or [] if row[0] is not None]

    return read
