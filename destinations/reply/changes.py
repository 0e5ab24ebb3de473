"""Reply.io's `ChangeVendor` (`sales_tasks.destinations.core.changes`): change delivered tasks.

Calls (the client functions are `sales_tasks.clients.reply.changes`; VENDOR-SPECS.md §1.3-1.4):
- complete → `POST /v3/tasks/batch/complete`, up to 100 ids a call (RS @1,745,200); the failure
  map's `notFound` is `gone`; `cannotComplete` is read back (`GET /v3/tasks/{id}`): a finished
  (or archived) task is `already`, a cancelled one `rejected`.
- cancel → `POST /v3/tasks/bulk-delete`, up to 100 ids a call (RS @1,738,500): an open task
  becomes `cancelled`, a finished one `archived`, both leave the lists (RS @1,723,200). A
  `notFound` is read back: already cancelled/archived is `already`, a 404 is `gone`.
- skip: Reply v3 has no skip at all (RS @1,690,000-1,748,000). By default (`skip_as="reject"`)
  a skip is refused per row, saying to cancel instead: a deleted task reads back `cancelled`,
  never `skipped`, so a skip sent as a delete could never be shown done by a read-back and would
  be planned again. `skip_as="cancel"` sends it as a cancel anyway (bulk-delete).
- update: `due_at` and `note` (the template body) go by `PUT /v3/tasks/{id}`, a **full
  replacement** (RS @1,718,500), so the task is read first (`GET /v3/tasks/{id}`) and its other
  fields sent back unchanged: 2 calls, or 1 when `read` has just fetched it (the planner reads
  the tasks it changes before it sends; each detail read serves one PUT). Only status `new` is editable (400 `task.unknown`,
  RS @1,721,000): a task read as not new is `rejected` without the PUT, one read as already
  holding the values is `already`. `owner` (an `assignedUserId`, or an email looked up once in
  `GET /v3/whoami/team-users`) goes by `POST /v3/tasks/batch/assign`, one call per user and up
  to 100 ids (RS @1,741,500); a user off the caller's team is 403 `task.forbidden`: `rejected`.
  `priority` cannot change: Reply tasks have none (RS @1,700,500, "No priority ... fields").
- A call whose answer was lost (dropped connection, 5xx, unreadable body) makes its changes
  `unknown`; 401 and other 403s raise (they stop the run).

`read` is `GET /v3/tasks/{id}` per task (values in the form a row gives them: `dueTo` as ISO 8601
text, the body as `note`, `assignedUserId` as text): 404 is None (and so is a deleted task when the account
answers deleted tasks 404); status `new` reads `open`, `finished` `completed`, `cancelled`,
`archived` and `sequenceDetached` `cancelled`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sales_tasks.clients.core.client import ApiClient
from sales_tasks.clients.core.errors import (
    BadRequestError,
    FatalApiError,
    PermissionDeniedError,
    VendorApiError,
)
from sales_tasks.clients.core.values import lenient_int, parse_utc
from sales_tasks.clients.reply import changes as calls
from sales_tasks.clients.reply.enums import LINKEDIN_TASK_TYPES, TASK_STATUSES, TASK_TYPES, code_of
from sales_tasks.clients.reply.problems import problem_of
from sales_tasks.clients.reply.users import team_users
from sales_tasks.destinations.core.changes import (
    ChangeResult,
    TaskChange,
    TaskSnapshot,
    refuse_unsupported,
)
from sales_tasks.destinations.reply.settings import NAMES

UPDATABLE = frozenset({"due_at", "note", "priority", "owner"})
SKIP_AS = ("cancel", "reject")
SHARED_STATUS = {0: "open", 1: "completed", 3: "cancelled", 4: "cancelled", 5: "cancelled"}
NO_PRIORITY = "Reply.io tasks have no priority (the v3 Task has no such field): leave it empty"
NO_SKIP = (
    "Reply.io has no skip (v3 tasks have no skipped status): cancel the task instead (delete:"
    " an open task becomes cancelled)"
)


def _chunks(items: Sequence[TaskChange], size: int) -> list[Sequence[TaskChange]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _reason(exc: BadRequestError) -> str:
    problem = problem_of(exc)
    fields = "; ".join(f"{e.get('pointer')}: {e.get('detail')}" for e in problem.errors)
    code = f" {problem.code}" if problem.code else ""
    detail = problem.detail or exc.vendor_message or "no detail given"
    return f"Reply refused the change ({exc.status}{code}): {detail}" + (
        f" ({fields})" if fields else ""
    )


def _instant(value: Any) -> str | None:
    moment = value if isinstance(value, datetime) else parse_utc(value)
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ReplyChanges:
    """Reply's half of `--mode upsert|mirror`: batched complete/cancel, read-then-PUT updates."""

    max_per_call = calls.BATCH_MAX

    def __init__(
        self, client: ApiClient, *, enum_form: str = NAMES, skip_as: str = "reject"
    ) -> None:
        if skip_as not in SKIP_AS:
            raise ValueError(f"skip_as must be one of {', '.join(SKIP_AS)}")
        self.client = client
        self.enum_names = enum_form == NAMES
        self.skip_as = skip_as
        self._users: dict[str, int] | None = None  # lower email -> user id
        # Details `read` just fetched, each used once by the PUT of an edit (the planner reads
        # the tasks it changes first: the edit then needs no read of its own).
        self._read: dict[str, dict[str, Any]] = {}

    # --- what Reply cannot do ----------------------------------------------------------------

    def unsupported(self, change: TaskChange) -> str | None:
        if change.kind == "skip" and self.skip_as == "reject":
            return NO_SKIP
        if change.kind != "update":
            return None
        unknown = sorted(set(change.fields) - UPDATABLE)
        if unknown:
            return f"Reply.io cannot change {', '.join(unknown)} of a task"
        if change.fields.get("priority") not in (None, "", "none"):
            return NO_PRIORITY
        if "owner" in change.fields and self._owner(change.fields["owner"]) is None:
            return (
                f"owner {change.fields['owner']!r} is not a Reply user id or the email of a"
                " user on your team (GET /v3/whoami/team-users)"
            )
        if "due_at" in change.fields and _instant(change.fields["due_at"]) is None:
            return f"due_at {change.fields['due_at']!r} is not a date-time"
        if "note" in change.fields and not str(change.fields["note"] or "").strip():
            return "Reply.io needs a task body (template.body): the note cannot be empty"
        return None

    def _owner(self, owner: Any) -> int | None:
        if isinstance(owner, int) and not isinstance(owner, bool):
            return owner
        text = str(owner or "").strip()
        if text.isdigit():
            return int(text)
        if "@" not in text:
            return None
        if self._users is None:
            users, _ = team_users(self.client)
            self._users = {u["email"].lower(): u["id"] for u in users if u["email"]}
        return self._users.get(text.lower())

    # --- calls -------------------------------------------------------------------------------

    def apply(self, changes: Sequence[TaskChange]) -> list[ChangeResult]:
        sendable, results = refuse_unsupported(self, changes)
        closes = [c for c in sendable if c.kind in ("cancel", "skip")]
        for chunk in _chunks([c for c in sendable if c.kind == "complete"], self.max_per_call):
            results.update(self._batch(chunk, calls.batch_complete, self._after_complete))
        for chunk in _chunks(closes, self.max_per_call):
            results.update(self._batch(chunk, calls.bulk_delete, self._after_delete))
        assign: list[TaskChange] = []
        edited: dict[int, ChangeResult | None] = {}
        for change in (c for c in sendable if c.kind == "update"):
            edit = {k: v for k, v in change.fields.items() if k in ("due_at", "note")}
            result = self._edit(change, edit) if edit else None
            if result is not None and result.state not in ("applied", "already"):
                results[id(change)] = result
            elif "owner" in change.fields:
                assign.append(change)
                edited[id(change)] = result
            else:
                results[id(change)] = result or ChangeResult(change.request_id, "already")
        for key, moved in self._assign(assign).items():
            before = edited[key]
            if moved.state == "applied" and before is not None and before.state == "applied":
                moved = before
            results[key] = moved
        return [results[id(c)] for c in changes]

    def _batch(
        self,
        chunk: Sequence[TaskChange],
        send: Callable[[ApiClient, Sequence[int]], dict[str, calls.TNotProcessed]],
        failed: Callable[[TaskChange, calls.TNotProcessed], ChangeResult],
    ) -> dict[int, ChangeResult]:
        try:
            failures = send(self.client, [int(c.task_id) for c in chunk])
        except BadRequestError as exc:
            reason = _reason(exc)
            return {id(c): ChangeResult(c.request_id, "rejected", reason) for c in chunk}
        except FatalApiError:
            raise
        except VendorApiError as exc:
            return {id(c): ChangeResult(c.request_id, "unknown", str(exc)) for c in chunk}
        return {
            id(c): (
                failed(c, failures[c.task_id])
                if c.task_id in failures
                else ChangeResult(c.request_id, "applied")
            )
            for c in chunk
        }

    def _status(self, change: TaskChange) -> tuple[int | None, bool]:
        """(status code, found) of a task read back by id."""
        detail = calls.get_task(self.client, change.task_id)
        if detail is None:
            return None, False
        return code_of(TASK_STATUSES, detail.get("status")), True

    def _after_complete(self, change: TaskChange, item: calls.TNotProcessed) -> ChangeResult:
        if item["error"] == "notFound":
            return ChangeResult(change.request_id, "gone", "Reply: task notFound")
        status, found = self._status(change)
        if not found:
            return ChangeResult(change.request_id, "gone", "Reply: task not found")
        if status in (1, 4):
            return ChangeResult(change.request_id, "already")
        named = TASK_STATUSES.get(status or -1, "unknown")
        return ChangeResult(
            change.request_id,
            "rejected" if status in (3, 5) else "unknown",
            f"Reply could not complete the task ({item['error']}): it is {named}",
        )

    def _after_delete(self, change: TaskChange, item: calls.TNotProcessed) -> ChangeResult:
        status, found = self._status(change)
        if not found:
            return ChangeResult(change.request_id, "gone", f"Reply: task {item['error']}")
        if status in (3, 4):
            return ChangeResult(change.request_id, "already")
        named = TASK_STATUSES.get(status or -1, "unknown")
        return ChangeResult(
            change.request_id,
            "unknown",
            f"Reply did not delete the task ({item['error']}) and it is still {named}",
        )

    def _edit(self, change: TaskChange, edit: dict[str, Any]) -> ChangeResult:
        """`due_at`/`note`: read the task, then PUT it back whole with the new values."""
        rid = change.request_id
        try:
            detail = self._read.pop(change.task_id, None) or calls.get_task(
                self.client, change.task_id
            )
            if detail is None:
                return ChangeResult(rid, "gone", "Reply: task not found")
            body = self._put_body(detail, edit)
            if body == self._put_body(detail, {}):
                return ChangeResult(rid, "already")
            status = code_of(TASK_STATUSES, detail.get("status"))
            if status != 0:
                named = TASK_STATUSES.get(status or -1, str(detail.get("status")))
                return ChangeResult(
                    rid,
                    "rejected",
                    f"Reply edits only tasks with status new (canOnlyEditNewTasks); this one is"
                    f" {named}",
                )
            calls.update_task(self.client, change.task_id, body)
        except BadRequestError as exc:
            if exc.status == 404:
                return ChangeResult(rid, "gone", "Reply: task not found")
            return ChangeResult(rid, "rejected", _reason(exc))
        except FatalApiError:
            raise
        except VendorApiError as exc:
            return ChangeResult(rid, "unknown", str(exc))
        return ChangeResult(rid, "applied")

    def _put_body(self, detail: dict[str, Any], edit: dict[str, Any]) -> dict[str, Any]:
        """The full TaskUpdateRequest: the task as read, with `edit` applied."""
        task_type = code_of(TASK_TYPES, detail.get("taskType"))
        subtype = code_of(LINKEDIN_TASK_TYPES, detail.get("linkedInTaskType"))
        found = detail.get("template")
        template: dict[str, Any] = found if isinstance(found, dict) else {}
        body: dict[str, Any] = {
            "taskType": TASK_TYPES[task_type]
            if self.enum_names and task_type is not None
            else task_type,
            "contactId": lenient_int(detail.get("contactId")),
            "startAt": _instant(detail.get("startAt")),
            "dueTo": _instant(edit.get("due_at", detail.get("dueTo"))),
            "template": {
                "body": str(edit.get("note", template.get("body") or "")),
                "subject": template.get("subject"),
            },
        }
        if subtype is not None:
            body["linkedInTaskType"] = LINKEDIN_TASK_TYPES[subtype] if self.enum_names else subtype
        return body

    def _assign(self, changes: Sequence[TaskChange]) -> dict[int, ChangeResult]:
        """`owner`: one `batch/assign` per user and up to 100 tasks."""
        by_user: dict[int, list[TaskChange]] = {}
        for change in changes:
            user = self._owner(change.fields["owner"])
            if user is None:
                raise ValueError(f"owner {change.fields['owner']!r}: {self.unsupported(change)}")
            by_user.setdefault(user, []).append(change)
        out: dict[int, ChangeResult] = {}
        for user, group in by_user.items():
            for chunk in _chunks(group, self.max_per_call):
                try:
                    out.update(self._batch(chunk, _assign_to(user), _not_assigned))
                except PermissionDeniedError as exc:
                    problem = problem_of(exc)
                    if problem.code != "task.forbidden":
                        raise
                    reason = (
                        f"Reply refused the reassignment (403 task.forbidden): {problem.detail}"
                    )
                    out.update(
                        {id(c): ChangeResult(c.request_id, "rejected", reason) for c in chunk}
                    )
        return out

    # --- read back ---------------------------------------------------------------------------

    def read(self, task_ids: Sequence[str]) -> dict[str, TaskSnapshot | None]:
        found: dict[str, TaskSnapshot | None] = {}
        self._read.clear()
        for task_id in task_ids:
            detail = calls.get_task(self.client, task_id)
            found[task_id] = None if detail is None else snapshot(detail)
            if detail is not None:
                self._read[task_id] = detail
        return found


def _assign_to(user: int) -> Callable[[ApiClient, Sequence[int]], dict[str, calls.TNotProcessed]]:
    def send(client: ApiClient, ids: Sequence[int]) -> dict[str, calls.TNotProcessed]:
        return calls.batch_assign(client, ids, user)

    return send


def _not_assigned(change: TaskChange, item: calls.TNotProcessed) -> ChangeResult:
    return ChangeResult(change.request_id, "gone", f"Reply: task {item['error']}")


def snapshot(detail: dict[str, Any]) -> TaskSnapshot:
    """A Reply task detail in the shared vocabulary."""
    status = code_of(TASK_STATUSES, detail.get("status"))
    found = detail.get("template")
    template: dict[str, Any] = found if isinstance(found, dict) else {}
    user = lenient_int(detail.get("assignedUserId"))
    return TaskSnapshot(
        task_id=str(detail.get("id")),
        status=SHARED_STATUS.get(status if status is not None else -1, "open"),
        due_at=detail.get("dueTo"),  # as Reply wrote it (ISO 8601), as a row gives it
        note=template.get("body"),
        priority=None,
        owner=None if user is None else str(user),
    )


def open_changes(client: ApiClient, settings: Any) -> ReplyChanges:
    """Reply's `ChangeVendor` over the client and settings the sink's `open_vendor` built."""
    return ReplyChanges(client, enum_form=getattr(settings, "enum_form", NAMES))
