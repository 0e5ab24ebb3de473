"""The state of one Saleshandy emulator: its seed dataset and store, "today", plus the generic
request log, faults and rate counters (`sales_tasks.sandbox.core.app.EmulatorApp`).

Endpoints and hooks take this state; the routing and auth on top of it are
`sales_tasks.sandbox.saleshandy.app`, so neither imports the other.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sales_tasks.sandbox.core.app import EmulatorApp
from sales_tasks.sandbox.saleshandy.config import SaleshandyConfig
from sales_tasks.sandbox.saleshandy.data import Dataset, anchor_day
from sales_tasks.sandbox.saleshandy.render import TaskShape
from sales_tasks.sandbox.saleshandy.store import Store


class SaleshandyState(EmulatorApp[SaleshandyConfig]):
    """The dataset, the store and what happened since the start."""

    vendor = "saleshandy"

    def __init__(self, cfg: SaleshandyConfig) -> None:
        super().__init__(cfg)
        self.ds = Dataset(
            cfg.tasks,
            cfg.seed,
            anchor_day(cfg.anchor_date, self.clock_day()),
            cfg.history_days,
            cfg.old_slips,
        )
        self.store = Store(self.ds, self.clock.now)
        self.creates = 0  # create calls served (seeds the shuffled result order)
        # Changes to make before a page of the task list is answered (`/_sandbox/list-changes`).
        self.list_changes: list[dict[str, Any]] = []
        # Accepted bulk skips/snoozes by id (`sales_tasks.sandbox.saleshandy.endpoints_changes`).
        self.bulk_actions: dict[str, Any] = {}

    def clock_day(self) -> Any:
        return datetime.now(ZoneInfo(self.cfg.timezone)).date()

    def today(self) -> str:
        """Today as YYYY-MM-DD: the pinned anchor day, else the clock's date in the time zone."""
        if self.cfg.anchor_date is not None:
            return self.ds.anchor.isoformat()
        return str(self.clock_day().isoformat())

    def shape(self) -> TaskShape:
        """How the API renders a task under the current switches."""
        return TaskShape(self.cfg.task_key, self.cfg.list_prospect, self.cfg.task_created_at)

    def reset(self) -> None:
        """Back to the seed state: created tasks, prospects, deletions, and the generic state."""
        self.store.reset()
        self.creates = 0
        self.list_changes = []
        self.bulk_actions = {}
        super().reset()

    def stats(self) -> dict[str, Any]:
        return {
            "tasks": len(self.store.tasks),
            "seed_tasks": len(self.ds.tasks),
            "created_tasks": len(self.store.created),
            "deleted_tasks": self.store.deleted,
            "prospects": len(self.ds.prospects),
            "assignees": len(self.ds.assignees),
            "sequences": len(self.ds.sequences),
            "today": self.today(),
            "requests": self.requests_per_path(),
            "requests_served": dict(self.calls),
            "request_log_entries": len(self.log),
        }
