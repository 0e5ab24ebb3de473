"""What one extract run did: counters, verdict and warnings, shared by every vendor's source.

Vendor-neutral. A source's report subclasses `RunReport`, adding what its vendor's scan counts
(a total and slices, counts read before and after); the report becomes one row of
`extract_runs` (`as_row`, with the columns its `RUN_COLUMNS` names: the shared head and tail
around the vendor's own counters), and `warnings` are the lines a person must read. It is safe to
read from another thread, for progress displays.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import orjson

from sales_tasks.clients.core.discovery import folder_of
from sales_tasks.clients.core.values import utc_now


def source_logger(module: str) -> logging.Logger:
    """The logger of the vendor whose source module is `module` (`sales_tasks.sources.<vendor>.scan`):
    `<vendor>_tasks.source`, so a warning says whose run it came from."""
    parts = folder_of(module).split(".")
    vendor = parts[1] if len(parts) > 2 and parts[0] == "sources" else "sales"
    return logging.getLogger(f"{vendor}_tasks.source")


TProgress = Callable[[Any], None]

# (column, dlt data type) of `extract_runs`; "json" is text holding JSON.
TRunColumns = tuple[tuple[str, str], ...]
_HEAD: TRunColumns = (
    ("run_id", "text"),
    ("started_at", "timestamp"),
    ("finished_at", "timestamp"),
    ("complete", "bool"),
    # Items of the vendor's list the scan could not key or read (never dropped silently: each
    # makes the run incomplete, so it deletes nothing).
    ("unreadable", "bigint"),
)
_TAIL: TRunColumns = (
    ("rows_per_table", "json"),  # {table: rows}
    ("warnings", "json"),  # a list of lines
    ("removed", "bigint"),  # tombstones emitted (`current_state`), None when none could be
)


def run_columns(*own: tuple[str, str]) -> TRunColumns:
    """The `extract_runs` columns of a vendor's report: the shared ones around its `own`."""
    return (*_HEAD, *own, *_TAIL)


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
    unreachable: int = 0
    unreadable: int = 0
    # Tasks deleted at the vendor and removed from `tasks` (`current_state.with_tombstones`);
    # None while the run may not delete.
    removed: int | None = None
    # False for a run that reads only part of the list on purpose (an incremental run): it never
    # deletes, however complete its part was (`may_delete`).
    full_scan: bool = True
    # Why this run is full or incremental (`sales_tasks.sources.core.incremental.RunPlan.reason`; empty for
    # a source without incremental runs) and what the last complete full scan cost, in requests.
    scan_plan: str = ""
    full_scan_requests: int | None = None
    # Quota-aware runs (`sales_tasks.sources.core.quota`): the calls the run was estimated to need, and what
    # the vendor said was left of its quota when last heard from (None: not known).
    calls_estimated: int | None = None
    calls_left: int | None = None
    # The vendor key's budget shared with other runs (`sales_tasks.sources.core.budget`), given by
    # the job; None: this run is checked on its own.
    quota_budget: Any = field(default=None, repr=False, compare=False)
    warnings: list[str] = field(default_factory=list)
    progress: TProgress | None = field(default=None, repr=False, compare=False)
    # The scan's HTTP client counters, live (the fields above are synced once per page).
    http_stats: Any = field(default=None, repr=False, compare=False)
    # The scan's rate-limit governor, live: how long the vendor's documented limits held sends
    # back (progress shows the wait as it happens).
    governor: Any = field(default=None, repr=False, compare=False)
    # When the vendor gives no total: the tasks the last run loaded, an estimate for the ETA only
    # (never for completeness).
    expected_total: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    # The columns of this report's `extract_runs` rows (`run_columns(...)`), each an attribute.
    RUN_COLUMNS: ClassVar[TRunColumns] = run_columns()

    # What the scan itself proved; `complete` also needs every listed item to have been read.
    _scan_complete: bool = field(default=False, repr=False, compare=False)

    @property
    def complete(self) -> bool:
        """True only when the scan proved it read every task and could read every item."""
        return self._scan_complete and self.unreadable == 0

    @complete.setter
    def complete(self, value: bool) -> None:
        self._scan_complete = value

    @property
    def may_delete(self) -> bool:
        """The one gate of deletions: a complete scan of the whole list (`full_scan`).

        Only such a run emits tombstones for tasks it did not see (`current_state`)."""
        return self.complete and self.full_scan

    def count_unreadable(self, what: str, count: int = 1) -> None:
        """Count list items the scan could not key or read; they make the run incomplete.

        Args:
            what: one line saying what could not be read and why (kept once as a warning).
            count: how many items.
        """
        with self._lock:
            self.unreadable += count
        self.warn(f"{what}; the run is incomplete and deletes nothing")

    @classmethod
    def run_table_columns(cls) -> dict[str, Any]:
        """The dlt column hints of `extract_runs`."""
        return {
            name: {
                "name": name,
                "data_type": "text" if kind == "json" else kind,
                "nullable": name != "run_id",
            }
            for name, kind in cls.RUN_COLUMNS
        }

    def as_row(self) -> dict[str, Any]:
        """The `extract_runs` row: every column is the report's attribute of that name (a
        misspelt one raises), `rows_per_table` its `rows`."""
        values = {"rows_per_table": self.rows}
        row: dict[str, Any] = {}
        for name, kind in self.RUN_COLUMNS:
            value = values[name] if name in values else getattr(self, name)
            row[name] = (
                orjson.dumps(value).decode() if kind == "json" and value is not None else value
            )
        return row

    def warn(self, message: str) -> None:
        """Log a warning and keep it for the run report (each distinct message once)."""
        with self._lock:
            if message in self.warnings:
                return
            self.warnings.append(message)
        source_logger(type(self).__module__).warning(message)

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
        """Copy an HTTP client's counters (`sales_tasks.clients.core.RequestStats`) into the report."""
        self.requests = stats.requests
        self.retries = stats.retries
        self.rate_limited = stats.rate_limited
