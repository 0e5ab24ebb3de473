"""Reply.io API v3 task lifecycle endpoints: change tasks that exist (update, reassign, complete,
delete), one at a time and in batches.

Facts relied on (VENDOR-SPECS.md §1.1-1.4; RS = Reply's OpenAPI 3.1 bundle):
- `PUT /v3/tasks/{id}` (tasks:write, RS @1,718,500) takes a TaskUpdateRequest, a **full
  replacement** with the create's required set (`taskType`, `startAt`, `dueTo`, `template`),
  answers 200 with the Task. Domain refusals are 400 `task.unknown` (RS @1,721,000): only status
  `new` is editable (`canOnlyEditNewTasks`), a sequence task's type and contact cannot change
  (`cannotChangeSequenceTaskType`, `cannotChangeSequenceTaskContact`). 404 `task.notFound`.
- `DELETE /v3/tasks/{id}` (tasks:write, RS @1,723,000) answers 204 with no body; an open task
  becomes `cancelled`, a finished one `archived`, both leave the task lists (RS @1,723,200);
  a task that cannot be deleted is 400 `task.unknown`.
- `PUT /v3/tasks/{id}/assigned-user` (tasks:write, RS @1,727,000) `{userId}` required, 200 Task;
  403 `task.forbidden` when the user is not on the caller's team.
- `POST /v3/tasks/{id}/complete` (tasks:operate, RS @1,729,800) TaskCompleteRequest (`{}` ok;
  `callResolution` int|null, `finishProspectInSequence` bool), 200 Task; **409
  `task.cannotComplete`** when the task is not open.
- `POST /v3/tasks/batch/complete` (tasks:operate), `POST /v3/tasks/batch/assign` (tasks:write,
  `{ids, userId}`; user off-team → 403, nothing reassigned), `POST /v3/tasks/bulk-delete`
  (tasks:write): `ids` int[1..100]; 200 with a map id → `{error, errorDetails}` of the ids not
  processed, `{}` when all were (RS @1,738,500, @1,741,500, @1,745,200). Per-item `error`s:
  `notFound` (all three), `cannotComplete` (batch/complete) (RS @1,739,500, @1,744,000,
  @1,746,000).

Guesses (switches in `ReplyConfig`): deleting a task already deleted (`redelete`: 400
`task.unknown`, the default, or 204 again); in bulk-delete such an id is `notFound` under "400"
and processed under "204". Reassigning a deleted task is 400 `task.unknown`. A deleted task is
404 to every call here when `deleted_by_id` is "404" (as GET by id).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sales_tasks.sandbox.core.http import Response
from sales_tasks.sandbox.reply import enums as E
from sales_tasks.sandbox.reply import params as P
from sales_tasks.sandbox.reply import render
from sales_tasks.sandbox.reply.endpoints import ok
from sales_tasks.sandbox.reply.problems import Problem, field_error, validation
from sales_tasks.sandbox.reply.store import TTask
from sales_tasks.sandbox.reply.times import iso

if TYPE_CHECKING:
    from sales_tasks.sandbox.reply.state import ReplyState

BATCH_MAX = 100  # ids per batch/bulk call (RS @1,738,500, @1,741,500, @1,745,200)
OPERATE, WRITE = "tasks:operate", "tasks:write"

# (method, path tail after /v3/tasks/) -> (route name, scope); `{id}` is a task id.
BATCH_ROUTES: dict[tuple[str, str], tuple[str, str]] = {
    ("POST", "batch/complete"): ("tasks.batch_complete", OPERATE),
    ("POST", "batch/assign"): ("tasks.batch_assign", WRITE),
    ("POST", "bulk-delete"): ("tasks.bulk_delete", WRITE),
}
ONE_ROUTES: dict[tuple[str, str], tuple[str, str]] = {
    ("PUT", ""): ("tasks.update", WRITE),
    ("DELETE", ""): ("tasks.delete", WRITE),
    ("PUT", "assigned-user"): ("tasks.assign", WRITE),
    ("POST", "complete"): ("tasks.complete", OPERATE),
}


def route(method: str, path: str) -> tuple[str, str, str] | None:
    """(route name, task id or "", scope) of a lifecycle call, or None when `path` is not one."""
    if not path.startswith("/v3/tasks/"):
        return None
    tail = path[len("/v3/tasks/") :]
    found = BATCH_ROUTES.get((method, tail))
    if found:
        return found[0], "", found[1]
    task_id, _, action = tail.partition("/")
    if not task_id.isdigit():
        return None
    one = ONE_ROUTES.get((method, action))
    return (one[0], task_id, one[1]) if one else None


def call(app: ReplyState, name: str, task_id: str, body: dict[str, Any] | None) -> Response:
    """Answer lifecycle route `name` (`body` None for DELETE)."""
    if name == "tasks.batch_complete":
        return _batch_complete(app, body or {})
    if name == "tasks.batch_assign":
        return _batch_assign(app, body or {})
    if name == "tasks.bulk_delete":
        return _bulk_delete(app, body or {})
    task = _task(app, task_id)
    if name == "tasks.update":
        return _update(app, task, body or {})
    if name == "tasks.delete":
        if not _delete(app, task):
            raise Problem(400, "task.unknown", f"Task {task_id} cannot be deleted (deleted).")
        return Response(204, b"")
    if name == "tasks.assign":
        return _assign(app, task, body or {})
    return _complete(app, task, body)


def _task(app: ReplyState, task_id: str) -> TTask:
    task = app.store.get(int(task_id))
    if task is None or (task["_deleted"] and app.cfg.deleted_by_id == "404"):
        raise Problem(
            404, "task.notFound", f"Task with ID {task_id} not found or insufficient permissions."
        )
    return task


def _answer(app: ReplyState, task: TTask) -> Response:
    return ok(render.task(task, app.as_strings()))


def _update(app: ReplyState, task: TTask, body: dict[str, Any]) -> Response:
    fields, errors = P.create(body, app.cfg.enum_requests)
    if errors:
        raise validation(errors)
    if task["status"] != E.NEW:
        raise Problem(
            400, "task.unknown", "Only tasks with status new can be edited (canOnlyEditNewTasks)."
        )
    if task["sequenceId"] is not None:
        if fields["task_type"] != task["taskType"]:
            raise Problem(
                400,
                "task.unknown",
                "A sequence task's type cannot change (cannotChangeSequenceTaskType).",
            )
        if fields["contact_id"] != task["contactId"]:
            raise Problem(
                400,
                "task.unknown",
                "A sequence task's contact cannot change (cannotChangeSequenceTaskContact).",
            )
    contact_id = fields["contact_id"]
    if contact_id is not None and contact_id not in app.ds.contact_by_id:
        raise Problem(404, "contact.notFound", f"Contact {contact_id} was not found.")
    task.update(
        taskType=fields["task_type"],
        contactId=contact_id,
        linkedInTaskType=fields["linkedin_type"],
        startAt=iso(fields["start_ms"]),
        dueTo=iso(fields["due_ms"]),
        _start=fields["start_ms"],
        # A new dict: the store's tasks are shallow copies of the seed's.
        template={**task["template"], "body": fields["body"], "subject": fields["subject"]},
    )
    return _answer(app, task)


def _delete(app: ReplyState, task: TTask) -> bool:
    """Delete `task` as Reply does; False when it was deleted already and `redelete` says 400."""
    if task["_deleted"]:
        return app.cfg.redelete == "204"
    return app.store.delete(task["id"])


def _user(app: ReplyState, body: dict[str, Any]) -> int:
    errors: P.TErrors = []
    user_id = P.integer(body, "userId", errors)
    if errors or user_id is None:
        raise validation(errors)
    if user_id not in app.user_by_id:
        raise Problem(403, "task.forbidden", f"User {user_id} is not on your team.")
    return user_id


def _assign(app: ReplyState, task: TTask, body: dict[str, Any]) -> Response:
    user_id = _user(app, body)
    if task["_deleted"]:
        raise Problem(
            400, "task.unknown", f"Task {task['id']} is deleted and cannot be reassigned."
        )
    task["assignedUserId"] = user_id
    return _answer(app, task)


def _finish(app: ReplyState, task: TTask) -> bool:
    if task["status"] != E.NEW:
        return False
    task["status"] = E.FINISHED
    task["finishedAt"] = iso(int(app.clock.now() * 1000))
    return True


def _complete(app: ReplyState, task: TTask, body: dict[str, Any] | None) -> Response:
    if body is None:
        raise validation([field_error("", "A non-empty request body is required.")])
    errors: P.TErrors = []
    resolution = body.get("callResolution")
    if resolution is not None and (not P.is_int(resolution) or resolution not in (0, 1, 2)):
        errors.append(field_error("/callResolution", "'callResolution' must be 0, 1 or 2."))
    if not isinstance(body.get("finishProspectInSequence", False), bool):
        errors.append(
            field_error(
                "/finishProspectInSequence", "'finishProspectInSequence' must be a boolean."
            )
        )
    if errors:
        raise validation(errors)
    if not _finish(app, task):
        status = E.STATUSES.get(task["status"], task["status"])
        raise Problem(
            409, "task.cannotComplete", f"Task {task['id']} cannot be completed (status {status})."
        )
    return _answer(app, task)


def _ids(body: dict[str, Any]) -> list[int]:
    ids = body.get("ids")
    if not isinstance(ids, list) or not all(P.is_int(i) for i in ids):
        raise validation([field_error("/ids", "'ids' must be an array of integers.")])
    if not 1 <= len(ids) <= BATCH_MAX:
        raise validation(
            [field_error("/ids", f"'ids' must hold 1 to {BATCH_MAX} items, got {len(ids)}.")]
        )
    return list(ids)


def _failure(error: str, details: str | None = None) -> dict[str, Any]:
    return {"error": error, "errorDetails": details}


def _live(app: ReplyState, task_id: int) -> TTask | None:
    """A task a batch may touch: not deleted (a deleted task is not found by batches)."""
    task = app.store.get(task_id)
    return None if task is None or task["_deleted"] else task


def _batch_complete(app: ReplyState, body: dict[str, Any]) -> Response:
    failures: dict[str, Any] = {}
    for task_id in _ids(body):
        task = app.store.get(task_id)
        if task is None or (task["_deleted"] and app.cfg.deleted_by_id == "404"):
            failures[str(task_id)] = _failure("notFound")
        elif not _finish(app, task):
            status = E.STATUSES.get(task["status"], task["status"])
            failures[str(task_id)] = _failure("cannotComplete", f"Task status is {status}.")
    return ok(failures)


def _batch_assign(app: ReplyState, body: dict[str, Any]) -> Response:
    ids = _ids(body)
    user_id = _user(app, body)  # off-team: 403, nothing reassigned
    failures: dict[str, Any] = {}
    for task_id in ids:
        task = _live(app, task_id)
        if task is None:
            failures[str(task_id)] = _failure("notFound")
        else:
            task["assignedUserId"] = user_id
    return ok(failures)


def _bulk_delete(app: ReplyState, body: dict[str, Any]) -> Response:
    failures: dict[str, Any] = {}
    for task_id in _ids(body):
        task = app.store.get(task_id)
        if task is None or not _delete(app, task):
            failures[str(task_id)] = _failure("notFound")
    return ok(failures)
