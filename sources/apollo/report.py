"""What one scan of `POST /api/v1/tasks/search` did: the run report and progress events.

The report becomes one row of `extract_runs`; `warnings` are the lines a person must read
(per_page step-down, filters Apollo ignored, rows the display cap kept out of reach).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from clients.core.values import utc_now

logger = logging.getLogger("apollo_tasks.source")

TProgress = Callable[["ScanReport"], None]


@dataclass
class ScanReport:
    """Counters and verdict of one scan; safe to read from another thread for progress."""

    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started_at: dt.datetime = field(default_factory=utc_now)
    finished_at: dt.datetime | None = None
    total_entries: int | None = None
    pages: int = 0
    pages_planned: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    tasks_seen: int = 0
    duplicates: int = 0
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    per_page_requested: int = 0
    per_page_used: int = 0
    slices: int = 0
    complete: bool = False
    unreachable: int = 0
    warnings: list[str] = field(default_factory=list)
    progress: TProgress | None = field(default=None, repr=False, compare=False)
    # The scan's HTTP client counters, live (the fields above are synced once per page).
    http_stats: Any = field(default=None, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def warn(self, message: str) -> None:
        """Log a warning and keep it for the run report (each distinct message once)."""
        with self._lock:
            if message in self.warnings:
                return
            self.warnings.append(message)
        logger.warning(message)

    def count_rows(self, table: str, rows: int) -> None:
        with self._lock:
            self.rows[table] = self.rows.get(table, 0) + rows

    def page_done(self, planned_more: int = 0) -> None:
        with self._lock:
            self.pages += 1
            self.pages_planned += planned_more
        self.notify()

    def plan_more(self, pages: int) -> None:
        with self._lock:
            self.pages_planned += pages
        self.notify()

    def notify(self) -> None:
        if self.progress is not None:
            self.progress(self)

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
