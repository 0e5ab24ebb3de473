"""What one extract run did: counters, verdict and warnings, shared by every vendor's source.

Vendor-neutral. A source's report subclasses `RunReport`, adding what its vendor's scan counts
(Apollo's `total_entries` and slices, Saleshandy's counts); the report becomes one row of
`extract_runs`, and `warnings` are the lines a person must read. It is safe to read from another
thread, for progress displays.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from clients.core.values import utc_now

logger = logging.getLogger("apollo_tasks.source")

TProgress = Callable[[Any], None]


@dataclass
class RunReport:
    """Counters and verdict of one scan; safe to read from another thread for progress."""

    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started_at: dt.datetime = field(default_factory=utc_now)
    finished_at: dt.datetime | None = None
    # The tasks the vendor says exist (None: unknown), for progress and completeness.
    total_entries: int | None = None
    pages: int = 0
    pages_planned: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    tasks_seen: int = 0
    duplicates: int = 0
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
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

    def sync_stats(self, stats: Any) -> None:
        """Copy an HTTP client's counters (`clients.core.RequestStats`) into the report."""
        self.requests = stats.requests
        self.retries = stats.retries
        self.rate_limited = stats.rate_limited
