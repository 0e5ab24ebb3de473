"""The task ids already loaded, for the Saleshandy scan's proof of deletions (`scan`, check 5)
and for the tombstones of the vendor-neutral rule (`sales_tasks.sources.core.current_state`).

After a run that may delete, every task loaded before that the run did not see gets a tombstone.
The scan proves each such removal first: a loaded task the list did not show must answer
`GET /v1/tasks/{taskId}` with 404 (VENDOR-SPECS 2.2, SN @~389,500); one that still answers was
hidden by rows shifting while the list was read, so the run is incomplete and deletes nothing.
"""

from __future__ import annotations

from sales_tasks.sources.core.current_state import known_task_ids

__all__ = ["known_task_ids"]
