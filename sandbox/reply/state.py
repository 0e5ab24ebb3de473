"""The state of one Reply.io emulator: its seed dataset and task store, plus the generic request
log, faults and rate counters (`sales_tasks.sandbox.core.app.EmulatorApp`).

Endpoints and hooks take this state; routing and auth on top of it are `sales_tasks.sandbox.reply.app`.
"""

from __future__ import annotations

from typing import Any

from sales_tasks.sandbox.core.app import EmulatorApp
from sales_tasks.sandbox.core.ratelimit import RateLimiter
from sales_tasks.sandbox.reply.config import RATE_WINDOWS, ReplyConfig
from sales_tasks.sandbox.reply.data import Dataset
from sales_tasks.sandbox.reply.store import Store


class ReplyState(EmulatorApp[ReplyConfig]):
    """The dataset, the store and what happened since the start."""

    vendor = "reply"

    def __init__(self, cfg: ReplyConfig) -> None:
        super().__init__(cfg)
        self.limiter = RateLimiter(RATE_WINDOWS)
        self.ds = Dataset(
            cfg.tasks, cfg.seed, cfg.anchor_date, cfg.contacts, cfg.users, cfg.history_days
        )
        self.store = Store(self.ds, self.clock.now)
        self.user_by_id = {u["id"]: u for u in self.ds.users}
        self.user_by_email = {u["email"].lower(): u for u in self.ds.users}

    def reset(self) -> None:
        """Back to the seed state: created, changed and deleted tasks, and the generic state."""
        self.store.reset()
        super().reset()

    def stats(self) -> dict[str, Any]:
        return {
            "tasks": len(self.store.tasks),
            "seed_tasks": len(self.ds.tasks),
            "created_tasks": len(self.store.created),
            "users": len(self.ds.users),
            "contacts": len(self.ds.contacts),
            "requests": self.requests_per_path(),
            "requests_served": dict(self.calls),
            "request_log_entries": len(self.log),
        }

    def as_strings(self) -> bool:
        return self.cfg.enum_answers == "strings"
