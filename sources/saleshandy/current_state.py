"""The task ids already loaded, for the Saleshandy scan's proof of deletions (`scan`, check 5).

After a complete run the vendor-neutral rule (`sources.core.current_state`) removes every `tasks`
row the run did not see. The scan proves each such removal first: a loaded task the list did not
show must answer `GET /v1/tasks/{taskId}` with 404 (VENDOR-SPECS 2.2, SN @~389,500); one that
still answers was hidden by rows shifting while the list was read, so the run is incomplete and
nothing is deleted. `known_task_ids` gives the scan the ids already loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sources.core.current_state import TASKS_TABLE


def known_task_ids(pipeline: Any) -> Callable[[], list[str]]:
    """A callable reading the ids in the pipeline's `tasks` table (none before the first load)."""

    def read() -> list[str]:
        with pipeline.sql_client() as client:
            if not client.has_dataset():
                return []
            tasks = client.make_qualified_table_name(TASKS_TABLE)
            try:
                rows = client.execute_sql(f"SELECT id FROM {tasks}")
            except Exception:  # noqa: BLE001 - any "no such table" error of any destination
                return []
        return [str(row[0]) for row in rows or [] if row[0] is not None]

    return read
