"""Saleshandy's `ChangeVendor` (`sales_tasks.destinations.core.changes`): change delivered tasks.

Calls (`sales_tasks.clients.saleshandy.changes`; VENDOR-SPECS.md §2.2):
- skip (and cancel, Saleshandy having no task delete: the contract lets a vendor map cancel to
  its skip): one task → `POST /v1/tasks/{taskId}/skip` (1 call); more →
  `POST /v1/tasks/bulk-skip` with up to 100 ids a call, then `GET /v1/tasks/bulk-status/{id}`
  polled every `poll_seconds` on the clients' clock (`sales_tasks.clients.core.waiting`: a test
  puts it on the emulator's) until `status` is `completed`. No failure: all `applied`; some
  failed (the status gives only counts, the failures are in a CSV): each task is read back
  (skipped: `applied`, completed: `rejected`, missing: `gone`).
- complete → `POST /v1/tasks/{taskId}/complete`, one call per task (no bulk complete is
  documented). Whether completing a completed task answers 400 (`4000`) or 200 is not published:
  a 400 is read back (`GET /v1/tasks/{taskId}`): completed → `already`, skipped → `rejected`,
  404 → `gone`; a 200 is `applied` either way (done is done).
- update: only `note` can change (`PATCH /v1/tasks/{taskId}/note`). Saleshandy documents no
  due-date update, no reassignment and no task update at all (SN task operations
  @~378,000-410,000), so `due_at`, `owner` and `priority` changes are refused per row with that
  reason (`unsupported`), never sent.
- A lost answer or a 5xx is `unknown`; a bad key (400 `1001` or 401) raises.

`read` is `GET /v1/tasks/{taskId}` per task: 404 is None; `completed` and `skipped` read as
such, any other status (`upcoming`, `dueToday`, `overdue`, `snoozed`) `open`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sales_tasks.clients.core import waiting
from sales_tasks.clients.core.client import ApiClient
from sales_tasks.clients.core.errors import BadRequestError, FatalApiError, VendorApiError
from sales_tasks.clients.saleshandy import changes as calls
from sales_tasks.clients.saleshandy.tasks import task_id_of
from sales_tasks.clients.saleshandy.vocabulary import VOCABULARY
from sales_tasks.destinations.core.changes import (
    ChangeResult,
    TaskChange,
    TaskSnapshot,
    refuse_unsupported,
)

NO_UPDATE = (
    "Saleshandy documents no way to change a task's {what} (its task API has complete, skip,"
    " snooze and note only): change it in Saleshandy"
)
WHAT = {"due_at": "due date", "owner": "assignee", "priority": "priority"}
CANCEL_AS = ("skip", "reject")
NO_CANCEL = "Saleshandy documents no task delete or cancel: skip the task instead"
POLL_SECONDS = 2.0
MAX_POLLS = 30


class SaleshandyChanges:
    """Saleshandy's half of `--mode upsert|mirror`: bulk skip with a status poll, single
    completes and notes."""

    max_per_call = calls.BULK_SKIP_MAX

    def __init__(
        self,
        client: ApiClient,
        *,
        cancel_as: str = "skip",
        poll_seconds: float = POLL_SECONDS,
        max_polls: int = MAX_POLLS,
    ) -> None:
        if cancel_as not in CANCEL_AS:
            raise ValueError(f"cancel_as must be one of {', '.join(CANCEL_AS)}")
        self.client = client
        self.cancel_as = cancel_as
        self.poll_seconds, self.max_polls = poll_seconds, max_polls
        self._sleep = waiting.current().sleep  # the clients' clock, as `ApiClient` takes it

    def unsupported(self, change: TaskChange) -> str | None:
        if change.kind == "cancel" and self.cancel_as == "reject":
            return NO_CANCEL
        if change.kind != "update":
            return None
        refused = [WHAT.get(name, name) for name in change.fields if name != "note"]
        if refused:
            return NO_UPDATE.format(what=" or ".join(refused))
        return None

    def apply(self, changes: Sequence[TaskChange]) -> list[ChangeResult]:
        sendable, results = refuse_unsupported(self, changes)
        skips = [c for c in sendable if c.kind in ("skip", "cancel")]
        if len(skips) == 1:
            results[id(skips[0])] = self._single(skips[0], "skip")
        else:
            for start in range(0, len(skips), self.max_per_call):
                results.update(self._bulk_skip(skips[start : start + self.max_per_call]))
        for change in sendable:
            if change.kind == "complete":
                results[id(change)] = self._single(change, "complete")
            elif change.kind == "update":
                note = change.fields.get("note")
                results[id(change)] = self._single(change, "note", {"note": note or ""})
        return [results[id(c)] for c in changes]

    def _single(
        self, change: TaskChange, action: str, body: dict[str, Any] | None = None
    ) -> ChangeResult:
        rid = change.request_id
        try:
            calls.act(self.client, change.task_id, action, body)
        except BadRequestError as exc:
            if exc.status == 404:
                return ChangeResult(rid, "gone", "Saleshandy: the task could not be found")
            if action == "note":
                return ChangeResult(rid, "rejected", f"Saleshandy refused: {exc.vendor_message}")
            return self._read_back(change, "completed" if action == "complete" else "skipped", exc)
        except FatalApiError:
            raise
        except VendorApiError as exc:
            return ChangeResult(rid, "unknown", str(exc))
        return ChangeResult(rid, "applied")

    def _read_back(self, change: TaskChange, wanted: str, exc: BadRequestError) -> ChangeResult:
        """A 400 on complete/skip: the task is no longer open; which way, read back."""
        rid = change.request_id
        try:
            task = calls.get_task(self.client, change.task_id)
        except FatalApiError:
            raise
        except VendorApiError as err:
            return ChangeResult(rid, "unknown", str(err))
        if task is None:
            return ChangeResult(rid, "gone", "Saleshandy: the task could not be found")
        status = task.get("status")
        if status == wanted:
            return ChangeResult(rid, "already")
        return ChangeResult(
            rid, "rejected", f"Saleshandy refused ({exc.vendor_message}): the task is {status}"
        )

    def _bulk_skip(self, chunk: Sequence[TaskChange]) -> dict[int, ChangeResult]:
        def every(state: Any, reason: str = "") -> dict[int, ChangeResult]:
            return {id(c): ChangeResult(c.request_id, state, reason) for c in chunk}

        try:
            action_id = calls.bulk_skip(self.client, [c.task_id for c in chunk])
            status = calls.bulk_status(self.client, action_id)
            polls = 1
            while status.get("status") != "completed" and polls < self.max_polls:
                self._sleep(self.poll_seconds)
                status = calls.bulk_status(self.client, action_id)
                polls += 1
        except BadRequestError as exc:
            return every("rejected", f"Saleshandy refused the bulk skip: {exc.vendor_message}")
        except FatalApiError:
            raise
        except VendorApiError as exc:
            return every("unknown", str(exc))
        if status.get("status") != "completed":
            return every(
                "unknown", f"Saleshandy bulk skip {action_id} not done after {polls} polls"
            )
        if not status.get("failed") and status.get("completed") == len(chunk):
            return every("applied")
        return {id(c): self._after_bulk(c) for c in chunk}

    def _after_bulk(self, change: TaskChange) -> ChangeResult:
        task = calls.get_task(self.client, change.task_id)
        rid = change.request_id
        if task is None:
            return ChangeResult(rid, "gone", "Saleshandy: the task could not be found")
        status = task.get("status")
        if status == "skipped":
            return ChangeResult(rid, "applied")
        if status == "completed":
            return ChangeResult(rid, "rejected", "Saleshandy could not skip it: it is completed")
        return ChangeResult(rid, "unknown", f"Saleshandy's bulk skip left the task {status}")

    def read(self, task_ids: Sequence[str]) -> dict[str, TaskSnapshot | None]:
        found: dict[str, TaskSnapshot | None] = {}
        for task_id in task_ids:
            task = calls.get_task(self.client, task_id)
            found[task_id] = None if task is None else snapshot(task, task_id)
        return found


def snapshot(task: dict[str, Any], task_id: str) -> TaskSnapshot:
    """A Saleshandy task in the shared vocabulary."""
    status = task.get("status")
    assignee = task.get("assignee")
    owner = assignee.get("id") if isinstance(assignee, dict) else task.get("taskAssignee")
    priority = task.get("priority")
    return TaskSnapshot(
        task_id=task_id_of(task) or task_id,
        status=status if status in ("completed", "skipped") else "open",
        due_at=task.get("dueDate"),  # YYYY-MM-DD, the form a row gives
        note=task.get("taskNote"),
        # in the shared vocabulary (urgent|high|medium|low), as the planner compares it
        priority=VOCABULARY.read["priority"].get(str(priority)) if priority else None,
        owner=None if owner is None else str(owner),
    )


def open_changes(client: ApiClient, settings: Any) -> SaleshandyChanges:
    """Saleshandy's `ChangeVendor` over the client and settings the sink's `open_vendor` built."""
    return SaleshandyChanges(client)
