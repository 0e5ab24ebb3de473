"""What one scan of Reply's task list did: the run report (`sales_tasks.sources.core.report.RunReport` plus
what Reply's scan counts) and its `extract_runs` row.

`warnings` are the lines a person must read (an incomplete scan, a list that changed while it
was read, enum values Reply added).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sales_tasks.sources.core.report import RunReport, run_columns


@dataclass
class ReplyScanReport(RunReport):
    """Counters and verdict of one scan of Reply's task list.

    Reply gives no total (`total_entries` stays None). `complete` is True only when the list was
    read to its end within the stop guard with every item keyed and none twice, a second pass
    held the same ids page by page (`list_stable`), and every loaded task the list no longer
    showed was read by id and is gone in Reply (`unseen_known` = `verified_gone`; see
    `sales_tasks.sources.reply.scan`): only then may they be removed downstream.
    """

    RUN_COLUMNS = run_columns(
        ("end_reached", "bool"),
        ("stale_has_more", "bool"),
        ("list_endpoint", "text"),
        ("top", "bigint"),
        ("tasks_seen", "bigint"),
        ("pages", "bigint"),
        ("recheck_pages", "bigint"),
        ("list_stable", "bool"),
        ("requests", "bigint"),
        ("retries", "bigint"),
        ("rate_limited", "bigint"),
        ("paced_seconds", "double"),
        ("duplicates", "bigint"),
        ("unseen_known", "bigint"),
        ("verified_gone", "bigint"),
        ("verified_live", "bigint"),
        ("users", "bigint"),
        # False: an incremental run (open statuses whole, `finished` from a floor on startAt).
        ("full_scan", "bool"),
        # Quota-aware runs (`sales_tasks.sources.core.quota`): calls estimated, and left per the vendor.
        ("calls_estimated", "bigint"),
        ("calls_left", "bigint"),
    )

    list_endpoint: str = ""
    top: int = 0
    paced_seconds: float = 0.0
    end_reached: bool = False
    stale_has_more: bool = False
    # Pages of the second pass, and whether it held the first pass's ids page by page.
    recheck_pages: int = 0
    list_stable: bool = False
    # Loaded tasks the list did not show; of them, read by id and gone / still live.
    unseen_known: int | None = None
    verified_gone: int | None = None
    verified_live: int | None = None
    # Users read from `whoami/team-users` (None: not read).
    users: int | None = None
    # The scan's rate-limit governor, live: how long it waited for Reply's limits.
    governor: Any = field(default=None, repr=False, compare=False)

    def sync(self) -> None:
        """Copy the HTTP client's counters and the governor's pacing wait into the report."""
        if self.http_stats is not None:
            self.sync_stats(self.http_stats)
        if self.governor is not None:
            self.paced_seconds = round(float(self.governor.waited_seconds), 3)


EXTRACT_RUN_COLUMNS: dict[str, Any] = ReplyScanReport.run_table_columns()
