"""Reply's own test hooks under `/_sandbox/` (the generic ones are `sales_tasks.sandbox.core.hooks`).

They let tests see what the "vendor" holds and simulate work done in Reply's app, without the
product's code:

- `GET /_sandbox/created`: tasks created via `POST /v3/tasks`, in creation order, as answered
  then (index lag ignored; deleted ones included).
- `GET /_sandbox/tasks`: every task's detail, enums as codes, deleted ones included (for tests
  of the seed data; the API's lists answer summaries).
- `POST /_sandbox/tasks`: add a task as if made in Reply's app (the create fields, plus
  optional `status`, `assignedUserId`, `finishedAt`); no auth, no rate limit; visible at once.
- `GET|PATCH|DELETE /_sandbox/tasks/{id}`: read / change (`status`, `assignedUserId`, `startAt`,
  `dueTo`, `finishedAt`, `template`) / delete a task as Reply does (an open one becomes
  cancelled, a finished one archived, and it leaves the lists).
- `GET /_sandbox/users`, `GET /_sandbox/contacts?limit=&offset=`.
- `POST /_sandbox/contacts` `{email, firstName?, lastName?}`: add a contact as if made in Reply's
  app (e.g. the people another vendor's tasks are about, for a cross-vendor push).

The generic `POST /_sandbox/reset` also drops created tasks, changes and deletions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sales_tasks.sandbox.core.hooks import PREFIX, error, json_object, json_response
from sales_tasks.sandbox.core.http import Request, Response
from sales_tasks.sandbox.reply import enums as E
from sales_tasks.sandbox.reply import params as P
from sales_tasks.sandbox.reply import render
from sales_tasks.sandbox.reply.endpoints import new_api_task
from sales_tasks.sandbox.reply.problems import Problem
from sales_tasks.sandbox.reply.times import iso, now_ms

if TYPE_CHECKING:
    from sales_tasks.sandbox.reply.state import ReplyState

PATCHABLE = ("status", "assignedUserId", "startAt", "dueTo", "finishedAt", "template")


def handle(app: ReplyState, req: Request, path: str, query: dict[str, Any]) -> Response | None:
    """Answer one of Reply's hooks at `path` (trailing `/` stripped), or None."""
    strings = app.as_strings()
    if path == f"{PREFIX}/created":
        return json_response([render.task(c.answer, strings) for c in app.store.created])
    if path == f"{PREFIX}/tasks" and req.method == "GET":
        return json_response([render.task(t, False) for t in app.store.tasks.values()])
    if path == f"{PREFIX}/tasks" and req.method == "POST":
        return json_response(render.task(_add(app, json_object(req)), strings), 201)
    if path.startswith(f"{PREFIX}/tasks/"):
        raw = path.rsplit("/", 1)[1]
        task = app.store.get(int(raw)) if raw.isdigit() else None
        if task is None:
            return error(f"task {raw} not found", 404)
        if req.method == "DELETE":
            app.store.delete(task["id"])
            return json_response({"deleted": task["id"]})
        if req.method == "PATCH":
            _patch(app, task, json_object(req))
        return json_response(render.task(task, strings))
    if path == f"{PREFIX}/users":
        return json_response(app.ds.users)
    if path == f"{PREFIX}/contacts" and req.method == "POST":
        return json_response(render.contact(_add_contact(app, json_object(req))), 201)
    if path == f"{PREFIX}/contacts":
        offset = int(query.get("offset") or 0)
        limit = int(query.get("limit") or 100)
        return json_response([render.contact(c) for c in app.ds.contacts[offset : offset + limit]])
    return None


def _add_contact(app: ReplyState, data: dict[str, Any]) -> dict[str, Any]:
    email = data.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise ValueError("a contact needs an email")
    contacts = app.ds.contacts
    contact = {
        "id": max((c["id"] for c in contacts), default=0) + 1,
        "email": email,
        "firstName": str(data.get("firstName") or ""),
        "lastName": str(data.get("lastName") or ""),
        "company": "",
        "title": "",
        "phone": "",
        "linkedInUrl": "",
        "createdAt": iso(now_ms()),
    }
    contacts.append(contact)
    app.ds.contact_by_id[contact["id"]] = contact
    return contact


def _add(app: ReplyState, data: dict[str, Any]) -> dict[str, Any]:
    fields, errors = P.create(data, "both")
    if errors:
        raise ValueError("; ".join(e["message"] for e in errors))
    try:
        task = new_api_task(app, fields, app.ds.users[0]["id"])
    except Problem as problem:
        raise ValueError(problem.detail) from None
    _patch(
        app,
        task,
        {k: v for k, v in data.items() if k in ("status", "assignedUserId", "finishedAt")},
    )
    return app.store.insert(task)


def _patch(app: ReplyState, task: dict[str, Any], data: dict[str, Any]) -> None:
    unknown = sorted(set(data) - set(PATCHABLE))
    if unknown:
        raise ValueError(f"cannot patch {', '.join(unknown)}; patchable: {', '.join(PATCHABLE)}")
    errors: P.TErrors = []
    if "status" in data:
        status = P.enum(data, "status", E.STATUSES, "both", errors)
        if status is not None:
            task["status"] = status
            if status == E.FINISHED and task["finishedAt"] is None:
                task["finishedAt"] = iso(now_ms())
            elif status != E.FINISHED:
                task["finishedAt"] = None
    if "assignedUserId" in data:
        if data["assignedUserId"] not in app.user_by_id:
            raise ValueError(f"user {data['assignedUserId']!r} not found")
        task["assignedUserId"] = data["assignedUserId"]
    for name in ("startAt", "dueTo", "finishedAt"):
        if name in data:
            ms = P.instant(data, name, errors, required=False)
            if ms is not None:
                task[name] = iso(ms)
                if name == "startAt":
                    task["_start"] = ms
    if isinstance(data.get("template"), dict):
        task["template"] = {**task["template"], **data["template"]}
    if errors:
        raise ValueError("; ".join(e["message"] for e in errors))
