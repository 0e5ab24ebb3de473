"""What one scan of Reply's task list did: the run report and progress events.

The report becomes one row of `extract_runs`; `warnings` are the lines a person must read (an
incomplete scan, a list that changed while it was read, enum values Reply added).
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

logger = logging.getLogger("sales_tasks.reply.source")

TProgress = Callable[["ReplyScanReport"], None]


@dataclass
class ReplyScanReport:
    """Counters and verdict of one scan; safe to read from another thread for progress.

    `complete` is True only when the list was read to its end (`hasMore` false, or an empty
    page) within the stop guard and a re-read of the first page at the end matched the first
    read: only then may tasks missing from the scan be removed downstream.
    """

    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started_at: dt.datetime = field(default_factory=utc_now)
    finished_at: dt.datetime | None = None
    list_endpoint: str = ""
    top: int = 0
    pages: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    tasks_seen: int = 0
    duplicates: int = 0
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    paced_seconds: float = 0.0
    end_reached: bool = False
    stale_has_more: bool = False
    complete: bool = False
    verified_gone: int | None = None
    warnings: list[str] = field(default_factory=list)
    progress: TProgress | None = field(default=None, repr=False, compare=False)
    # The scan's HTTP client, live (its counters move during a rate-limit wait).
    http_stats: Any = field(default=None, repr=False, compare=False)
    governor: Any = field(default=None, repr=False, compare=False)
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

    def page_done(self) -> None:
        with self._lock:
            self.pages += 1
        self.notify()

    def notify(self) -> None:
        if self.progress is not None:
            self.progress(self)

    def sync(self) -> None:
        """Copy the HTTP client's counters and the governor's pacing wait into the report."""
        stats = self.http_stats
        if stats is not None:
            self.requests = stats.requests
            self.retries = stats.retries
            self.rate_limited = stats.rate_limited
        if self.governor is not None:
            self.paced_seconds = round(float(self.governor.waited_seconds), 3)

    def as_row(self) -> dict[str, Any]:
        """The `extract_runs` row (`removed` is filled in after the load, see current_state)."""
        return {
            "run_id": self.run_id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "complete": self.complete,
            "end_reached": self.end_reached,
            "stale_has_more": self.stale_has_more,
            "list_endpoint": self.list_endpoint,
            "top": self.top,
            "tasks_seen": self.tasks_seen,
            "pages": self.pages,
            "requests": self.requests,
            "retries": self.retries,
            "rate_limited": self.rate_limited,
            "paced_seconds": self.paced_seconds,
            "duplicates": self.duplicates,
            "verified_gone": self.verified_gone,
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
        ("end_reached", "bool"),
        ("stale_has_more", "bool"),
        ("list_endpoint", "text"),
        ("top", "bigint"),
        ("tasks_seen", "bigint"),
        ("pages", "bigint"),
        ("requests", "bigint"),
        ("retries", "bigint"),
        ("rate_limited", "bigint"),
        ("paced_seconds", "double"),
        ("duplicates", "bigint"),
        ("verified_gone", "bigint"),
        ("rows_per_table", "text"),  # JSON text
        ("warnings", "text"),  # JSON text: a list of lines
        ("removed", "bigint"),
    )
}
