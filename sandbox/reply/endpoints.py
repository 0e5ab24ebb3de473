"""Reply.io API 3.0 endpoints: tasks (create, list, filter, get) and contacts (find, get).

Facts relied on (seed 004, NOTES.md section 3):
- `POST /v3/tasks` creates one task and answers its full detail (201, or 200: `create_status`,
  a guess). It is created `New`, by the acting user (`source` User, `assignedUserId` that user);
  there is no assignee on create and no idempotency key: the same request twice is two tasks.
- `GET /v3/tasks?top=&skip=` and `POST /v3/tasks/filter?top=&skip=` (filters in the body:
  `from`/`to` on `startAt`, `taskType`, `status`, `contactId`, `assignedUserId`) answer
  `{items, hasMore}`; `top` at most 1000 (`page_cap`); `hasMore` is authoritative.
- A create for a contact that does not exist answers 404 `contact.notFound`.

Guesses: the default `top` (100: `default_top`); ordering by id ascending (`list_order`);
`top` over the cap refused (`over_cap`); `includeContent=true` on lists too; which of GET and
filter exist (`list_mode`); the contacts lookup `GET /v3/contacts?email=` (no v3 contact
endpoint is public) answering `{items, hasMore}`, matching case-insensitively
(`contact_email_match`), and `GET /v3/contacts/{id}`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from sandbox.core.http import Response
from sandbox.reply import enums as E
from sandbox.reply import params as P
from sandbox.reply import render
from sandbox.reply.data import new_task
from sandbox.reply.problems import Problem, validation
from sandbox.reply.store import TaskFilter, TTask
from sandbox.reply.times import now_ms

if TYPE_CHECKING:
    from sandbox.reply.state import ReplyState


def ok(data: Any, status: int = 200) -> Response:
    return Response(status, orjson.dumps(data))


def _contact(app: ReplyState, contact_id: int) -> dict[str, Any]:
    found = app.ds.contact_by_id.get(contact_id)
    if found is None:
        raise Problem(404, "contact.notFound", f"Contact {contact_id} was not found.")
    return found


def create(app: ReplyState, body: dict[str, Any], user_id: int) -> Response:
    fields, errors = P.create(body, app.cfg.enum_requests)
    if errors:
        raise validation(errors)
    task = app.store.add(new_api_task(app, fields, user_id), app.cfg.index_lag_seconds, body)
    return ok(render.task(task, app.as_strings()), app.cfg.create_status)


def new_api_task(app: ReplyState, fields: dict[str, Any], user_id: int) -> TTask:
    """A `New` task made by `user_id` from the fields `params.create` read (no id yet).

    Raises:
        Problem: 404 `contact.notFound`.
    """
    return new_task(
        task_id=0,
        task_type=fields["task_type"],
        status=E.NEW,
        contact=_contact(app, fields["contact_id"]),
        user_id=user_id,
        created_ms=now_ms(),
        start_ms=fields["start_ms"],
        due_ms=fields["due_ms"],
        completed_ms=None,
        body=fields["body"],
        subject=fields["subject"],
        linkedin_type=fields["linkedin_type"],
        source=0,
    )


def get_task(app: ReplyState, task_id: str, query: dict[str, Any]) -> Response:
    task = app.store.get(int(task_id)) if task_id.isdigit() else None
    if task is None:
        raise Problem(404, "task.notFound", f"Task {task_id} was not found.")
    contact = app.ds.contact_by_id.get(task["contactId"]) if _content(query) else None
    return ok(render.task(task, app.as_strings(), contact))


def list_tasks(app: ReplyState, query: dict[str, Any], body: dict[str, Any] | None) -> Response:
    """`GET /v3/tasks` (body None) or `POST /v3/tasks/filter` (filters in `body`)."""
    cfg = app.cfg
    top, skip, errors = P.paging(query, cfg.page_cap, cfg.default_top, cfg.over_cap == "clamp")
    flt = _filter(body or {}, cfg.enum_requests, errors)
    if errors:
        raise validation(errors)
    rows = app.store.listed(flt.matches, cfg.list_order == "newest")
    page = rows[skip : skip + top]
    has_more = skip + len(page) < len(rows) or (cfg.stale_has_more and bool(page))
    contacts = app.ds.contact_by_id if _content(query) else None
    strings = app.as_strings()
    items = [
        render.task(t, strings, contacts.get(t["contactId"]) if contacts is not None else None)
        for t in page
    ]
    return ok({"items": items, "hasMore": has_more})


def _filter(body: dict[str, Any], accept: str, errors: P.TErrors) -> TaskFilter:
    return TaskFilter(
        start_from=P.instant(body, "from", errors, required=False),
        start_to=P.instant(body, "to", errors, required=False),
        task_types=P.enum_set(body, "taskType", E.TASK_TYPES, accept, errors),
        statuses=P.enum_set(body, "status", E.STATUSES, accept, errors),
        contact_ids=P.int_set(body, "contactId", errors),
        user_ids=P.int_set(body, "assignedUserId", errors),
    )


def _content(query: dict[str, Any]) -> bool:
    return str(query.get("includeContent", "")).lower() == "true"


def find_contacts(app: ReplyState, query: dict[str, Any]) -> Response:
    cfg = app.cfg
    top, skip, errors = P.paging(query, cfg.page_cap, cfg.default_top, cfg.over_cap == "clamp")
    if errors:
        raise validation(errors)
    rows = app.ds.contacts
    email = query.get("email")
    if isinstance(email, str):
        if cfg.contact_email_match == "exact":
            rows = [c for c in rows if c["email"] == email.strip()]
        else:
            wanted = email.strip().lower()
            rows = [c for c in rows if c["email"].lower() == wanted]
    page = rows[skip : skip + top]
    return ok({"items": [render.contact(c) for c in page], "hasMore": skip + len(page) < len(rows)})


def get_contact(app: ReplyState, contact_id: str) -> Response:
    if not contact_id.isdigit():
        raise Problem(404, "contact.notFound", f"Contact {contact_id} was not found.")
    return ok(render.contact(_contact(app, int(contact_id))))
