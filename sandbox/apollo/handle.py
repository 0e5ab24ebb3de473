"""The Apollo emulator's test handle: its keys, its API URL and Apollo's own hooks."""

from __future__ import annotations

from typing import Any

from sales_tasks.sandbox.apollo.config import SandboxConfig
from sales_tasks.sandbox.core.handle import SandboxHandle


class Sandbox(SandboxHandle):
    """A running Apollo sandbox: where it is, its keys, and thin wrappers over the test hooks."""

    def __init__(self, base_url: str, config: SandboxConfig) -> None:
        self.master_key = config.master_keys[0]
        self.api_key = self.master_key  # the key every emulator handle offers
        self.plain_key = config.plain_keys[0] if config.plain_keys else ""
        super().__init__(base_url, config)
        self.initial_config: SandboxConfig = config

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/v1"

    def created(self) -> list[dict[str, Any]]:
        """Tasks created via the API, in creation order."""
        return self._hook("GET", "created")

    def task(self, task_id: str) -> dict[str, Any]:
        return self._hook("GET", f"tasks/{task_id}")

    def delete_task(self, task_id: str) -> None:
        self._hook("DELETE", f"tasks/{task_id}")

    def patch_task(self, task_id: str, **fields: Any) -> dict[str, Any]:
        return self._hook("PATCH", f"tasks/{task_id}", json=fields)

    def set_status(self, task_id: Any, shared: str) -> dict[str, Any]:
        """Apollo's task statuses: `scheduled` (open), `completed`, `skipped`."""
        return self.patch_task(task_id, status={"open": "scheduled"}.get(shared, shared))

    def users(self) -> list[dict[str, Any]]:
        return self._hook("GET", "users")

    def contacts(self, limit: int = 100) -> list[dict[str, Any]]:
        return self._hook("GET", "contacts", params={"limit": limit})

    def set_phone_numbers(self, contact_id: str, count: int) -> dict[str, Any]:
        """The contact keeps its first `count` phone numbers (0 to 2), as if edited in Apollo."""
        return self._hook("PATCH", f"contacts/{contact_id}", json={"phone_numbers": count})
