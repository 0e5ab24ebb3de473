"""Toy's `ChangeVendor`: one call per change (Toy has no batch), reads by up to 50 ids.

Calls (`clients/toy`): `PATCH /v1/tasks/{id}` for an update (`due_at`, `note`, `owner_id`),
`POST /v1/tasks/{id}/complete` and `/cancel` for the closes; a 422 saying `already` is the task
already in that state (done), another 422 a refusal, a 404 a task that is gone. Toy has no skip
and no priority: those changes are refused per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sales_tasks.clients.core.client import ApiClient
from sales_tasks.clients.core.errors import BadRequestError, FatalApiError, VendorApiError
from sales_tasks.clients.toy import READ_IDS_MAX, TASKS
from sales_tasks.destinations.core.changes import (
    ChangeResult,
    ChangeVendor,
    TaskChange,
    TaskSnapshot,
)

_STATUS = {"open": "open", "done": "completed", "cancelled": "cancelled"}
_FIELDS = {"due_at": "due_at", "note": "note", "owner": "owner_id"}


class ToyChangeVendor:
    max_per_call = 1

    def __init__(self, client: ApiClient) -> None:
        self.client = client

    def unsupported(self, change: TaskChange) -> str | None:
        if change.kind == "skip":
            return "Toy has no skip: complete or cancel the task instead"
        if "priority" in change.fields:
            return "Toy tasks have no priority"
        return None

    def _call(self, change: TaskChange) -> Any:
        if change.kind == "update":
            body = {_FIELDS[name]: value for name, value in change.fields.items()}
            return self.client.request_json(
                "PATCH", f"{TASKS}/{change.task_id}", json=body, idempotent=False
            )
        return self.client.request_json(
            "POST", f"{TASKS}/{change.task_id}/{change.kind}", idempotent=False
        )

    def apply(self, changes: Sequence[TaskChange]) -> list[ChangeResult]:
        results = []
        for change in changes:
            try:
                self._call(change)
                results.append(ChangeResult(change.request_id, "applied"))
            except BadRequestError as exc:
                said = exc.vendor_message
                if exc.status == 404:
                    results.append(ChangeResult(change.request_id, "gone", said))
                elif exc.status == 422 and "already" in said:
                    results.append(ChangeResult(change.request_id, "already", said))
                elif exc.status in (400, 409, 422):
                    results.append(ChangeResult(change.request_id, "rejected", f"Toy: {said}"))
                else:
                    raise
            except FatalApiError:
                raise
            except VendorApiError as exc:
                results.append(ChangeResult(change.request_id, "unknown", str(exc)))
        return results

    def read(self, task_ids: Sequence[str]) -> dict[str, TaskSnapshot | None]:
        found: dict[str, TaskSnapshot | None] = dict.fromkeys(task_ids)
        ids = list(dict.fromkeys(task_ids))
        for start in range(0, len(ids), READ_IDS_MAX):
            chunk = ids[start : start + READ_IDS_MAX]
            answer = self.client.request_json("GET", TASKS, params={"ids": ",".join(chunk)})
            for task in answer["tasks"]:
                found[str(task["id"])] = TaskSnapshot(
                    task_id=str(task["id"]),
                    status=_STATUS.get(task["status"], task["status"]),
                    due_at=task.get("due_at"),
                    note=task.get("note"),
                    owner=task.get("owner_id"),
                )
        return found


def make_change_vendor(client: ApiClient, settings: Any) -> ChangeVendor:
    """Toy's `ChangeVendor` over the push's client (`sales_tasks.pipelines.push_lifecycle`)."""
    return ToyChangeVendor(client)
