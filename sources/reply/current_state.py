"""Removing tasks deleted in Reply, by the vendor-neutral rule of `sales_tasks.sources.core.current_state`,
with Reply's own proof first.

Facts relied on (VENDOR-SPECS.md §1.3): the task list (`GET /v3/tasks`) holds every live task;
a deleted one is cancelled or archived and leaves the lists. The ids a run saw are loaded into
`_reply_seen_task_ids`; after a run that may delete, every task loaded before whose id is not
among them gets a tombstone (`sales_tasks.sources.core.current_state`), which dlt's merge applies.

Before that, the scan proves the list did not shift under it and reads every task already
loaded that the list no longer showed, one by one (see `scan`): one that Reply still serves was
missed by the list, so it is loaded, the run is marked incomplete and nothing is deleted.
`known_task_ids` gives the scan the ids already loaded: the dataset is bound to one account
(`sales_tasks.pipelines.accounts.claim_dataset`), so they are this account's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sales_tasks.sources.core import current_state

SEEN_TASK_IDS_TABLE = "_reply_seen_task_ids"


def known_task_ids(pipeline: Any) -> Callable[[], list[int]]:
    """A callable reading the ids in the pipeline's `tasks` table (none before the first load)."""
    read_ids = current_state.known_task_ids(pipeline)

    def read() -> list[int]:
        return [int(task_id) for task_id in read_ids()]

    return read
