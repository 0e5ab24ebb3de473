"""What one scan of `GET /v1/tasks` did: the run report, one row of `extract_runs`.

Besides the shared counters (`sources.core.report.RunReport`) it keeps Saleshandy's own proof of
completeness: `GET /v1/tasks/counts` read before and after the list (`counts_at_start`,
`counts_at_end`), and the page size used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from sources.core.report import RunReport


@dataclass
class SaleshandyScanReport(RunReport):
    """Counters and verdict of one Saleshandy task scan."""

    page_size: int = 0
    counts_at_start: dict[str, int] | None = None
    counts_at_end: dict[str, int] | None = field(default=None)

    @property
    def per_page_used(self) -> int:
        return self.page_size

    def as_row(self) -> dict[str, Any]:
        """The `extract_runs` row (removed is filled in after the load, see current_state)."""

        def as_json(value: Any) -> str | None:
            return None if value is None else orjson.dumps(value).decode()

        return {
            "run_id": self.run_id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "complete": self.complete,
            "total_entries": self.total_entries,
            "tasks_seen": self.tasks_seen,
            "unreachable": self.unreachable,
            "pages": self.pages,
            "page_size": self.page_size,
            "requests": self.requests,
            "retries": self.retries,
            "rate_limited": self.rate_limited,
            "duplicates": self.duplicates,
            "counts_at_start": as_json(self.counts_at_start),
            "counts_at_end": as_json(self.counts_at_end),
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
        ("total_entries", "bigint"),  # the tasks GET /v1/tasks/counts said exist at the start
        ("tasks_seen", "bigint"),
        ("unreachable", "bigint"),
        ("pages", "bigint"),
        ("page_size", "bigint"),
        ("requests", "bigint"),
        ("retries", "bigint"),
        ("rate_limited", "bigint"),
        ("duplicates", "bigint"),
        ("counts_at_start", "text"),  # JSON text: the counts per status
        ("counts_at_end", "text"),
        ("rows_per_table", "text"),  # JSON text
        ("warnings", "text"),  # JSON text: a list of lines
        ("removed", "bigint"),
    )
}
