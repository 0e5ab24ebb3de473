"""Apollo.io's `ChangeVendor` (`sales_tasks.destinations.core.changes`): change delivered tasks.

Calls (`sales_tasks.clients.apollo.changes`, which cites what is documented and what is a guess;
VENDOR-SPECS.md §3.2): one call per change, Apollo documenting no bulk complete or skip.
- complete / skip → `PUT /api/v1/tasks/{id}` with `{"status": "completed"|"skipped"}` (what
  real clients send), or the `complete`/`skip` calls (`resolve_via="action"`). A 422 ("already
  completed or skipped") is read back: the asked state is `already`, the other one `rejected`
  (a skipped task cannot be completed). `deleted: true` is `gone`.
- cancel: Apollo has no cancel or delete of tasks in the sources read, so a cancel is sent as a
  skip (the `ChangeVendor` contract allows it); it reads back `skipped`.
- update → one `PUT /api/v1/tasks/{id}` with the changed fields: `due_at` (ISO 8601, UTC),
  `priority` (`high|medium|low`), `user_id` (the owner, an Apollo user id), `note`. What may
  change depends on the status (AD tasks overview): a refusal (422) is `rejected` with Apollo's
  words.
- A lost answer or a 5xx is `unknown`; 401/403 raise (they stop the run).

`read` is `GET /api/v1/tasks/{id}` per task (AD get-a-task; the path is a guess): 404 is None;
`scheduled` (or no status) reads `open`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sales_tasks.clients.apollo import changes as calls
from sales_tasks.clients.core.client import ApiClient
from sales_tasks.clients.core.errors import BadRequestError, FatalApiError, VendorApiError
from sales_tasks.clients.core.values import parse_utc
from sales_tasks.destinations.core.changes import ChangeResult, TaskChange, TaskSnapshot

PRIORITIES = ("high", "medium", "low")
UPDATABLE = frozenset({"due_at", "note", "priority", "owner"})
STATUS_OF = {"complete": "completed", "skip": "skipped", "cancel": "skipped"}


def _instant(value: Any) -> str | None:
    moment = value if isinstance(value, datetime) else parse_utc(value)
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


class ApolloChanges:
    """Apollo's half of `--mode upsert|mirror`: one PUT (or action) per change."""

    max_per_call = 1

    def __init__(self, client: ApiClient, *, resolve_via: str = "put") -> None:
        if resolve_via not in calls.RESOLVE_VIA:
            raise ValueError(f"resolve_via must be one of {', '.join(calls.RESOLVE_VIA)}")
        self.client = client
        self.resolve_via = resolve_via

    def unsupported(self, change: TaskChange) -> str | None:
        if change.kind != "update":
            return None
        fields = change.fields
        unknown = sorted(set(fields) - UPDATABLE)
        if unknown:
            return f"Apollo cannot change {', '.join(unknown)} of a task"
        if "priority" in fields and fields["priority"] not in PRIORITIES:
            return f"Apollo has no {fields['priority']!r} priority (high, medium, low)"
        if "due_at" in fields and _instant(fields["due_at"]) is None:
            return f"due_at {fields['due_at']!r} is not a date-time"
        if "owner" in fields and not str(fields["owner"] or "").strip():
            return "owner must be an Apollo user id"
        return None

    def apply(self, changes: Sequence[TaskChange]) -> list[ChangeResult]:
        return [self._one(change) for change in changes]

    def _one(self, change: TaskChange) -> ChangeResult:
        rid = change.request_id
        reason = self.unsupported(change)
        if reason is not None:  # refused here too, never sent
            return ChangeResult(rid, "rejected", reason)
        try:
            if change.kind == "update":
                answer = calls.update_task(self.client, change.task_id, self._body(change))
            else:
                answer = calls.resolve_task(
                    self.client, change.task_id, STATUS_OF[change.kind], via=self.resolve_via
                )
        except BadRequestError as exc:
            if exc.status == 404:
                return ChangeResult(rid, "gone", "Apollo: task not found")
            if exc.status == 422 and change.kind != "update":
                return self._resolved_before(change, exc)
            return ChangeResult(rid, "rejected", f"Apollo refused the change: {exc.vendor_message}")
        except FatalApiError:
            raise
        except VendorApiError as exc:
            return ChangeResult(rid, "unknown", str(exc))
        if calls.was_deleted(answer):
            return ChangeResult(rid, "gone", "Apollo: the task was deleted")
        return ChangeResult(rid, "applied")

    def _body(self, change: TaskChange) -> dict[str, Any]:
        fields = change.fields
        body: dict[str, Any] = {}
        if "due_at" in fields:
            body["due_at"] = _instant(fields["due_at"])
        if "priority" in fields:
            body["priority"] = fields["priority"]
        if "owner" in fields:
            body["user_id"] = str(fields["owner"]).strip()
        if "note" in fields:
            body["note"] = fields["note"]
        return body

    def _resolved_before(self, change: TaskChange, exc: BadRequestError) -> ChangeResult:
        """A 422 on complete/skip: the task was resolved before; which way, read back."""
        wanted = STATUS_OF[change.kind]
        try:
            task = calls.get_task(self.client, change.task_id)
        except FatalApiError:
            raise
        except VendorApiError as err:
            return ChangeResult(change.request_id, "unknown", str(err))
        if task is None:
            return ChangeResult(change.request_id, "gone", "Apollo: task not found")
        if task.get("status") == wanted:
            return ChangeResult(change.request_id, "already")
        return ChangeResult(
            change.request_id,
            "rejected",
            f"Apollo refused to mark the task {wanted}: it is {task.get('status')}"
            f" ({exc.vendor_message})",
        )

    def read(self, task_ids: Sequence[str]) -> dict[str, TaskSnapshot | None]:
        found: dict[str, TaskSnapshot | None] = {}
        for task_id in task_ids:
            task = calls.get_task(self.client, task_id)
            found[task_id] = None if task is None else snapshot(task)
        return found


def snapshot(task: dict[str, Any]) -> TaskSnapshot:
    """An Apollo task in the shared vocabulary."""
    status = task.get("status")
    return TaskSnapshot(
        task_id=str(task.get("id")),
        status=status if status in calls.RESOLVED else "open",
        due_at=task.get("due_at"),  # as Apollo wrote it (ISO 8601), as a row gives it
        note=task.get("note"),
        priority=task.get("priority"),
        owner=task.get("user_id"),
    )


def open_changes(client: ApiClient, settings: Any) -> ApolloChanges:
    """Apollo's `ChangeVendor` over the client and settings the sink's `open_vendor` built."""
    return ApolloChanges(client, resolve_via=getattr(settings, "resolve_via", None) or "put")
