"""Removing tasks deleted in Reply, by the vendor-neutral rule of `sources.core.current_state`,
with Reply's own proof first.

Facts relied on (VENDOR-SPECS.md §1.3): the task list (`GET /v3/tasks`) holds every live task;
a deleted one is cancelled or archived and leaves the lists. The ids a run saw are loaded into
`_reply_seen_task_ids`; after a complete run the core removes every `tasks` row whose id is not
among them.

Before that, the scan proves the list did not shift under it and reads every task already
loaded that the list no longer showed, one by one (see `scan`): one that Reply still serves was
missed by the list, so it is loaded, the run is marked incomplete and nothing is deleted.
`known_task_ids` gives the scan the ids already loaded.
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
