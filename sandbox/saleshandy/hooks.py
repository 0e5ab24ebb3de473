"""Saleshandy's own test hooks under `/_sandbox/` (the generic ones are `sales_tasks.sandbox.core.hooks`).

They let tests see what the "vendor" received and simulate work done in Saleshandy's app,
without the product's code:

- `GET /_sandbox/created`: tasks created through the API, in creation order (index lag ignored;
  deleted ones left out).
- `POST /_sandbox/tasks`: add a task as if made in the app (shown at once, no lag); body
  `{"prospectId", "taskType", "priority", "dueDate", "taskNote", "state", "assigneeId"}`.
- `GET|PATCH|DELETE /_sandbox/tasks/{id}`: read / change / delete a task (`PATCHABLE` fields;
  `state` is open | completed | skipped and stamps `completedAt` / `skippedAt`).
- `GET /_sandbox/prospects?limit=&offset=`, `POST /_sandbox/prospects` `{"email", "firstName",
  "lastName"}`; `GET /_sandbox/assignees`, `GET /_sandbox/sequences`.
- `POST /_sandbox/list-changes` `{"before_page": N, "delete": [ids], "add": [{task as for
  POST /_sandbox/tasks}]}` (or a list of them), `GET` (pending), `DELETE` (clear): changes made
  "in the app" just before the first `GET /v1/tasks` asking for `page=N` is answered, so tests
  shift rows under a scan deterministically, without timing.
- The index lag is the config field `index_lag_seconds` (`PATCH /_sandbox/config`).

The generic `POST /_sandbox/reset` also drops created tasks and prospects, patches, deletions.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import orjson

from sales_tasks.sandbox.core.hooks import PREFIX, error, json_object, json_response
from sales_tasks.sandbox.core.http import Request, Response
from sales_tasks.sandbox.saleshandy import endpoints, render
from sales_tasks.sandbox.saleshandy import params as P
from sales_tasks.sandbox.saleshandy.data import PRIORITIES, TYPES_BY_CODE, Task
from sales_tasks.sandbox.saleshandy.store import set_state

if TYPE_CHECKING:
    from sales_tasks.sandbox.saleshandy.state import SaleshandyState

PATCHABLE = (
    "state",
    "priority",
    "dueDate",
    "taskNote",
    "taskType",
    "assigneeId",
    "prospectOutcome",
    "callOutcome",
)


def handle(app: SaleshandyState, req: Request, path: str, query: dict[str, Any]) -> Response | None:
    """Answer one of Saleshandy's hooks at `path` (trailing `/` stripped), or None."""
    method, today = req.method, app.today()
    if path == f"{PREFIX}/list-changes":
        if method == "POST":
            data = orjson.loads(req.body or b"[]")
            entries = data if isinstance(data, list) else [data]
            for entry in entries:
                if not isinstance(entry, dict) or not isinstance(entry.get("before_page"), int):
                    raise ValueError("each change needs an integer before_page")
            app.list_changes.extend(entries)
        elif method == "DELETE":
            app.list_changes.clear()
        return json_response(app.list_changes)
    if path == f"{PREFIX}/created":
        alive = [app.store.get(i) for i in app.store.created]
        return json_response([render.task(app.ds, t, today) for t in alive if t is not None])
    if path == f"{PREFIX}/tasks" and method == "POST":
        return json_response(render.task(app.ds, _add(app, json_object(req)), today))
    if path.startswith(f"{PREFIX}/tasks/"):
        return _task(app, method, path.rsplit("/", 1)[1], req)
    if path == f"{PREFIX}/prospects":
        if method == "POST":
            data = json_object(req)
            email = P.text(data, "email")
            if email is None:
                raise ValueError("a prospect needs an email")
            made = app.store.add_prospect(
                email, P.text(data, "firstName") or "", P.text(data, "lastName") or ""
            )
            return json_response(render.prospect(made))
        limit = P.int_param(query, "limit", 100)
        offset = int(query.get("offset") or 0)
        chosen = app.ds.prospects[max(0, offset) : max(0, offset) + limit]
        return json_response([render.prospect(p) for p in chosen])
    if path == f"{PREFIX}/assignees":
        return json_response([render.assignee(a) for a in app.ds.assignees])
    if path == f"{PREFIX}/sequences":
        return json_response([{"id": s.id, "name": s.name} for s in app.ds.sequences])
    return None


def apply_list_changes(app: SaleshandyState, page: int) -> None:
    """Make the changes waiting for `page` of the task list (`/_sandbox/list-changes`)."""
    due = [c for c in app.list_changes if c["before_page"] == page]
    if not due:
        return
    app.list_changes[:] = [c for c in app.list_changes if c["before_page"] != page]
    for change in due:
        for task_id in change.get("delete") or []:
            app.store.delete(str(task_id))
        for spec in change.get("add") or []:
            _add(app, dict(spec))


def _add(app: SaleshandyState, data: dict[str, Any]) -> Task:
    pid = P.text(data, "prospectId")
    index = app.store.prospect_index(pid) if pid is not None else None
    if index is None:
        raise ValueError(f"prospect {pid!r} not found; give an existing prospectId")
    type_code = data.get("taskType", "9")
    if type_code not in TYPES_BY_CODE:
        raise ValueError(f"taskType must be one of {', '.join(TYPES_BY_CODE)}")
    priority = data.get("priority")
    if priority is not None and priority not in PRIORITIES:
        raise ValueError(f"priority must be one of {', '.join(PRIORITIES)}")
    task = endpoints.new_task(
        app,
        index,
        type_code,
        priority,
        P.due_date(data, app.today()),
        P.text(data, "taskNote"),
        _assignee(app, data.get("assigneeId", app.ds.assignees[0].id)),
    )
    set_state(task, data.get("state", "open"))
    return app.store.add(task, via_api=False)


def _assignee(app: SaleshandyState, assignee_id: Any) -> int:
    for i, a in enumerate(app.ds.assignees):
        if a.id == assignee_id or str(a.id) == str(assignee_id):
            return i
    raise ValueError(f"assignee {assignee_id!r} not found")


def _task(app: SaleshandyState, method: str, task_id: str, req: Request) -> Response:
    task = app.store.get(task_id)
    if task is None:
        return error(f"task {task_id} not found", 404)
    if method == "DELETE":
        app.store.delete(task_id)
        return json_response({"deleted": task_id})
    if method == "PATCH":
        _patch(app, task, json_object(req))
    return json_response(render.task(app.ds, task, app.today()))


def _patch(app: SaleshandyState, task: Task, data: dict[str, Any]) -> None:
    unknown = sorted(set(data) - set(PATCHABLE))
    if unknown:
        raise ValueError(f"cannot patch {', '.join(unknown)}; patchable: {', '.join(PATCHABLE)}")
    if "taskType" in data and data["taskType"] not in TYPES_BY_CODE:
        raise ValueError(f"taskType must be one of {', '.join(TYPES_BY_CODE)}")
    if "priority" in data and data["priority"] not in (None, *PRIORITIES):
        raise ValueError(f"priority must be null or one of {', '.join(PRIORITIES)}")
    if "state" in data:
        set_state(task, data["state"])
    if "priority" in data:
        task.priority = data["priority"]
    if "taskType" in data:
        task.type_code = data["taskType"]
    if "dueDate" in data:
        task.due_date = P.due_date(data, app.today())
    if "taskNote" in data:
        task.note = P.text(data, "taskNote")
    if "assigneeId" in data:
        task.assignee = _assignee(app, data["assigneeId"])
    for key, attr in (("prospectOutcome", "prospect_outcome"), ("callOutcome", "call_outcome")):
        if key in data:
            setattr(task, attr, P.text(data, key))
    task.updated_ms = time.time_ns() // 1_000_000
    app.store.bump()
