"""The Reply emulator's test handle: its keys, its API URL and Reply's own hooks."""

from __future__ import annotations

from typing import Any

from sales_tasks.sandbox.core.handle import SandboxHandle
from sales_tasks.sandbox.reply import enums as E
from sales_tasks.sandbox.reply.config import ReplyConfig


class ReplySandbox(SandboxHandle):
    """A running Reply.io sandbox: where it is, its keys, and thin wrappers over the hooks."""

    def __init__(self, base_url: str, config: ReplyConfig) -> None:
        self.api_key = config.api_keys[0]
        self.org_key = config.org_keys[0] if config.org_keys else ""
        super().__init__(base_url, config)
        self.initial_config: ReplyConfig = config

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/v3"

    def auth_headers(self, key: str | None = None, scheme: str | None = None) -> dict[str, str]:
        """Headers carrying `key` (default: the API key) as `scheme` (default: the one the
        sandbox was started with; Bearer when it accepts both)."""
        key = self.api_key if key is None else key
        scheme = scheme or self.initial_config.auth_scheme
        if scheme == "x-api-key":
            return {"X-API-Key": key}
        return {"Authorization": f"Bearer {key}"}

    def created(self) -> list[dict[str, Any]]:
        """Tasks created via the API, in creation order, as answered then."""
        return self._hook("GET", "created")

    def add_task(self, **fields: Any) -> dict[str, Any]:
        """Add a task as if made in Reply's app (create fields, optional `status`,
        `assignedUserId`, `finishedAt`); visible at once."""
        return self._hook("POST", "tasks", json=fields)

    def tasks(self) -> list[dict[str, Any]]:
        """Every task's detail, enums as codes, deleted ones included."""
        return self._hook("GET", "tasks")

    def task(self, task_id: int) -> dict[str, Any]:
        return self._hook("GET", f"tasks/{task_id}")

    def patch_task(self, task_id: int, **fields: Any) -> dict[str, Any]:
        return self._hook("PATCH", f"tasks/{task_id}", json=fields)

    def set_status(self, task_id: Any, shared: str) -> dict[str, Any]:
        """Reply's statuses: New (open), Finished (completed); it has no skip, so `skipped`
        cancels (Cancelled), as a person closing a task without doing it would."""
        codes = {"open": E.NEW, "completed": E.FINISHED, "skipped": E.CANCELLED}
        return self.patch_task(int(task_id), status=codes[shared])

    def delete_task(self, task_id: int) -> None:
        self._hook("DELETE", f"tasks/{task_id}")

    def users(self) -> list[dict[str, Any]]:
        return self._hook("GET", "users")

    def add_contact(self, email: str, first_name: str = "", last_name: str = "") -> dict[str, Any]:
        """Add a contact (as if made in Reply's app); returns it with its new id."""
        body = {"email": email, "firstName": first_name, "lastName": last_name}
        created: dict[str, Any] = self._hook("POST", "contacts", json=body)
        return created

    def contacts(self, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        return self._hook("GET", "contacts", params={"limit": limit, "offset": offset})
