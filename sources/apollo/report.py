"""What one scan of `POST /api/v1/tasks/search` did: the run report and progress events.

The report becomes one row of `extract_runs`; `warnings` are the lines a person must read
(per_page step-down, filters Apollo ignored, rows the display cap kept out of reach).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sales_tasks.sources.core.report import RunReport, TProgress, run_columns

__all__ = ["EXTRACT_RUN_COLUMNS", "ScanReport", "TProgress"]


@dataclass
class ScanReport(RunReport):
    """Counters and verdict of one task search scan (`sales_tasks.sources.core.report.RunReport` plus the
    page sizes and slices of Apollo's search)."""

    RUN_COLUMNS = run_columns(
        ("total_entries", "bigint"),
        ("tasks_seen", "bigint"),
        ("unreachable", "bigint"),
        ("pages", "bigint"),
        ("requests", "bigint"),
        ("retries", "bigint"),
        ("rate_limited", "bigint"),
        ("per_page_requested", "bigint"),
        ("per_page_used", "bigint"),
        ("slices", "bigint"),
        ("duplicates", "bigint"),
        # Quota-aware runs (`sales_tasks.sources.core.quota`): calls estimated, and left per the vendor.
        ("calls_estimated", "bigint"),
        ("calls_left", "bigint"),
    )

    per_page_requested: int = 0
    per_page_used: int = 0
    slices: int = 0


EXTRACT_RUN_COLUMNS: dict[str, Any] = ScanReport.run_table_columns()
