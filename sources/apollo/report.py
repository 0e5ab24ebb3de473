"""What one scan of `POST /api/v1/tasks/search` did: the run report and progress events.

The report becomes one row of `extract_runs`; `warnings` are the lines a person must read
(per_page step-down, filters Apollo ignored, rows the display cap kept out of reach).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from sources.core.report import RunReport, TProgress

__all__ = ["EXTRACT_RUN_COLUMNS", "ScanReport", "TProgress"]


@dataclass
class ScanReport(RunReport):
    """Counters and verdict of one task search scan (`sources.core.report.RunReport` plus the
    page sizes and slices of Apollo's search)."""

    per_page_requested: int = 0
    per_page_used: int = 0
    slices: int = 0

    def as_row(self) -> dict[str, Any]:
        """The `extract_runs` row (removed is filled in after the load, see current_state)."""
        return {
            "run_id": self.run_id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "complete": self.complete,
            "total_entries": self.total_entries,
            "tasks_seen": self.tasks_seen,
            "unreachable": self.unreachable,
            "pages": self.pages,
            "requests": self.requests,
            "retries": self.retries,
            "rate_limited": self.rate_limited,
            "per_page_requested": self.per_page_requested,
            "per_page_used": self.per_page_used,
            "slices": self.slices,
            "duplicates": self.duplicates,
            "rows_per_table": orjson.dumps(self.rows).decode(),
            "warnings": orjson.dumps(self.warnings).decode(),
            "removed": None,
        }


EXTRACT_RUN_COLUMNS: dict[str, dict[str, Any]] = {
    name: {"name": name, "data_type": data_type, "nullable": name != "run_id"}
    for name, data_type in (
        ("run_id", "text"),
        ("started_at", "timestamp"),
        ("finished_at", "timestamp"),
        ("complete", "bool"),
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
        ("rows_per_table", "text"),  # JSON text
        ("warnings", "text"),  # JSON text: a list of lines
        ("removed", "bigint"),
    )
}
