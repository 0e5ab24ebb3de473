"""The state of one Apollo.io emulator: its seed dataset, the task store, the renderer, plus
the generic request log, faults and rate counters (`sales_tasks.sandbox.core.app.EmulatorApp`).

Endpoints and Apollo's hooks take this state; the routing and auth on top of it are
`sales_tasks.sandbox.apollo.app`, so neither imports the other.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sales_tasks.sandbox.apollo.config import SandboxConfig
from sales_tasks.sandbox.apollo.data import Dataset
from sales_tasks.sandbox.apollo.render import Renderer
from sales_tasks.sandbox.apollo.store import Store
from sales_tasks.sandbox.core import names
from sales_tasks.sandbox.core.app import EmulatorApp


class ApolloState(EmulatorApp[SandboxConfig]):
    """The dataset, the store and what happened since the start."""

    vendor = "apollo"

    def __init__(self, cfg: SandboxConfig) -> None:
        super().__init__(cfg)
        self.ds = Dataset(cfg.tasks, cfg.seed, cfg.anchor_date)
        self.renderer = Renderer(self.ds, cfg.contact_cache_size)
        self.store = Store(self.ds, self.renderer, self.clock.now)
        self._haystack: list[str] | None = None

    def reset(self) -> None:
        """Back to the seed state: created tasks, deletions, patches, and the generic state."""
        self.store.reset()
        super().reset()

    def stats(self) -> dict[str, Any]:
        return {
            "tasks": self.store.count(),
            "seed_tasks": self.ds.n_tasks,
            "created_tasks": len(self.store.created),
            "users": self.ds.n_users,
            "contacts": self.ds.n_contacts,
            "accounts": self.ds.n_accounts,
            "requests": self.requests_per_path(),
            "requests_served": dict(self.calls),
            "request_log_entries": len(self.log),
        }

    def contact_matches(self, keywords: str) -> np.ndarray:
        """Indexes of contacts whose name, title, employer or email contain every keyword."""
        words = keywords.lower().split()
        if not words:
            return np.arange(self.ds.n_contacts)
        if self._haystack is None:
            ds = self.ds
            self._haystack = [
                " ".join(
                    (
                        *ds.contact_name(c),
                        names.TITLES[int(ds.c_title[c])],
                        ds.account_name(int(ds.c_account[c]))[0],
                        ds.contact_email(c),
                    )
                ).lower()
                for c in range(ds.n_contacts)
            ]
        hits = [i for i, text in enumerate(self._haystack) if all(w in text for w in words)]
        return np.array(hits, dtype=np.int64)
