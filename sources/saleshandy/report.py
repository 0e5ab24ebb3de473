"""What one scan of `GET /v1/tasks` did: the run report, one row of `extract_runs`.

Besides the shared counters (`sales_tasks.sources.core.report.RunReport`) it keeps Saleshandy's own proof of
completeness: `GET /v1/tasks/counts` read before and after the list (`counts_at_start`,
`counts_at_end`), the tasks loaded before that the list no longer showed and `GET
/v1/tasks/{taskId}` answered 404 for (`verified_gone`), and the page size used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sales_tasks.sources.core.report import RunReport, run_columns


@dataclass
class SaleshandyScanReport(RunReport):
    """Counters and verdict of one Saleshandy task scan."""

    RUN_COLUMNS = run_columns(
        ("total_entries", "bigint"),  # the tasks GET /v1/tasks/counts said exist at the start
        ("tasks_seen", "bigint"),
        ("unreachable", "bigint"),
        ("pages", "bigint"),
        ("page_size", "bigint"),
        ("requests", "bigint"),
        ("retries", "bigint"),
        ("rate_limited", "bigint"),
        ("duplicates", "bigint"),
        ("counts_at_start", "json"),  # the counts per status
        ("counts_at_end", "json"),
        # Known tasks the list no longer showed, each answered 404 by id (None: not checked).
        ("verified_gone", "bigint"),
        # False: an incremental run (open tabs whole, done tabs down to the watermarks).
        ("full_scan", "bool"),
        # Quota-aware runs (`sales_tasks.sources.core.quota`): calls estimated, and left per the vendor.
        ("calls_estimated", "bigint"),
        ("calls_left", "bigint"),
    )

    page_size: int = 0
    counts_at_start: dict[str, int] | None = None
    counts_at_end: dict[str, int] | None = field(default=None)
    verified_gone: int | None = None

    @property
    def per_page_used(self) -> int:
        return self.page_size


EXTRACT_RUN_COLUMNS: dict[str, Any] = SaleshandyScanReport.run_table_columns()
