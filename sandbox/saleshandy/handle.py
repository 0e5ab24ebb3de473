"""The Saleshandy emulator's test handle: its key, its API URL and Saleshandy's own hooks."""

from __future__ import annotations

from typing import Any

from sales_tasks.sandbox.core.handle import SandboxHandle
from sales_tasks.sandbox.saleshandy.config import SaleshandyConfig


class SaleshandySandbox(SandboxHandle):
    """A running Saleshandy sandbox: where it is, its key, and wrappers over the test hooks."""

    def __init__(self, base_url: str, config: SaleshandyConfig) -> None:
        self.api_key = config.api_keys[0]
        super().__init__(base_url, config)
        self.initial_config: SaleshandyConfig = config

    @property
    def api_url(self) -> str:
        """The base URL a client is configured with (paths below it start with `/v1/`)."""
        return self.base_url

    def created(self) -> list[dict[str, Any]]:
        """Tasks created through the API, in creation order (lag ignored, deleted left out)."""
        return self._hook("GET", "created")

    def add_task(self, prospect_id: str, **fields: Any) -> dict[str, Any]:
        """Add a task as if made in Saleshandy's app (`taskType`, `priority`, `dueDate`,
        `taskNote`, `state`, `assigneeId`); it shows in the list at once."""
        return self._hook("POST", "tasks", json={"prospectId": prospect_id, **fields})

    def task(self, task_id: str) -> dict[str, Any]:
        return self._hook("GET", f"tasks/{task_id}")

    def patch_task(self, task_id: str, **fields: Any) -> dict[str, Any]:
        return self._hook("PATCH", f"tasks/{task_id}", json=fields)

    def set_status(self, task_id: Any, shared: str) -> dict[str, Any]:
        """Saleshandy's task states are the shared names: `open`, `completed`, `skipped`."""
        return self.patch_task(task_id, state=shared)

    def delete_task(self, task_id: str) -> None:
        self._hook("DELETE", f"tasks/{task_id}")

    def prospects(self, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        return self._hook("GET", "prospects", params={"limit": limit, "offset": offset})

    def add_prospect(self, email: str, first_name: str = "", last_name: str = "") -> dict[str, Any]:
        return self._hook(
            "POST",
            "prospects",
            json={"email": email, "firstName": first_name, "lastName": last_name},
        )

    def assignees(self) -> list[dict[str, Any]]:
        return self._hook("GET", "assignees")

    def sequences(self) -> list[dict[str, Any]]:
        return self._hook("GET", "sequences")

    def change_before_page(
        self,
        page: int,
        *,
        delete: list[str] | None = None,
        add: list[dict[str, Any]] | None = None,
    ) -> None:
        """Delete and add tasks "in the app" just before `GET /v1/tasks?page=<page>` is answered
        (`add` entries as `add_task`'s fields, with `prospectId`)."""
        self._hook(
            "POST",
            "list-changes",
            json={"before_page": page, "delete": delete or [], "add": add or []},
        )

    def list_changes(self) -> list[dict[str, Any]]:
        """The changes still waiting for their page."""
        return self._hook("GET", "list-changes")

    def set_index_lag(self, seconds: float) -> None:
        """Seconds before a created task shows in the list and the counts."""
        self.configure(index_lag_seconds=seconds)
