"""Reply.io API v3 endpoints: tasks (create, list, filter, get), contacts (find, get), users.

Facts relied on (VENDOR-SPECS.md §1.3-1.6; RS = Reply's OpenAPI 3.1 bundle):
- `POST /v3/tasks` creates one task and answers 201 with its detail (`create_status` 200 is a
  switch). It is created `new` by the acting user (`creationSource` user, `assignedUserId` that
  user); there is no assignee on create and no idempotency key: the same request twice is two
  tasks.
- `GET /v3/tasks?top=&skip=` (no filters, no window) and `POST /v3/tasks/filter?top=&skip=`
  (filters in the body, the `startAt` window defaulting to [2000-01-01, now + 1 year]) answer
  `{items, hasMore}` of list items (summaries); `top` defaults to 25, at most 1000. A bad `top`
  or `skip` is a business 400 `task.invalidPagination` on GET and a validation 400 (pointer
  `top`) on filter. A deleted task is in neither.
- `GET /v3/tasks/{id}` answers the detail; 404 `task.notFound` when there is no such task.
- `GET /v3/contacts?email=` is an exact-match lookup answering `{items, hasMore}`;
  `GET /v3/contacts/{id}` one contact, 404 `contact.notFound`.
- `GET /v3/whoami` `{userId, username, teamId}`; `GET /v3/whoami/team-users` a flat array of
  `{teamId, teamName, userId, userName, userEmail}`.

Guesses (switches): list order (`list_order`, by id); `top` over the cap refused or clamped
(`over_cap`); which of GET and filter exist (`list_mode`); whether the email lookup ignores case
(`contact_email_match`); what GET by id answers for a deleted task (`deleted_by_id`: its
cancelled/archived detail, or 404); a create for a contact that does not exist answering 404
`contact.notFound`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from sales_tasks.sandbox.core.http import Response
from sales_tasks.sandbox.reply import enums as E
from sales_tasks.sandbox.reply import params as P
from sales_tasks.sandbox.reply import render
from sales_tasks.sandbox.reply.data import new_task
from sales_tasks.sandbox.reply.problems import Problem, field_error, validation
from sales_tasks.sandbox.reply.store import TaskFilter, TTask
from sales_tasks.sandbox.reply.times import DAY_MS, now_ms, parse_ms

# The filter's window when `from` / `to` are not sent (RS @1,710,000).
FILTER_FROM_MS = parse_ms("2000-01-01T00:00:00Z")
YEAR_MS = 365 * DAY_MS
TEAMS = ((7001, "Sales"), (7002, "Leadership"))

if TYPE_CHECKING:
    from sales_tasks.sandbox.reply.state import ReplyState


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
        contact=None if fields["contact_id"] is None else _contact(app, fields["contact_id"]),
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
    if task is None or (task["_deleted"] and app.cfg.deleted_by_id == "404"):
        raise Problem(
            404, "task.notFound", f"Task with ID {task_id} not found or insufficient permissions."
        )
    contact = app.ds.contact_by_id.get(task["contactId"]) if _content(query) else None
    return ok(render.task(task, app.as_strings(), contact))


def list_tasks(app: ReplyState, query: dict[str, Any], body: dict[str, Any] | None) -> Response:
    """`GET /v3/tasks` (body None) or `POST /v3/tasks/filter` (filters in `body`)."""
    cfg = app.cfg
    top, skip, errors = P.paging(query, cfg.page_cap, cfg.default_top, cfg.over_cap == "clamp")
    if body is None and errors:
        raise Problem(400, "task.invalidPagination", errors[0]["detail"])
    flt = _filter(body, cfg.enum_requests, errors) if body is not None else None
    if errors:
        raise validation(errors)
    rows = app.store.listed(flt.matches if flt else _any, cfg.list_order == "newest")
    page = rows[skip : skip + top]
    has_more = skip + len(page) < len(rows) or (cfg.stale_has_more and bool(page))
    strings, contacts = app.as_strings(), app.ds.contact_by_id
    return ok(
        {"items": [render.list_item(t, strings, contacts) for t in page], "hasMore": has_more}
    )


def _any(task: TTask) -> bool:
    return True


def _filter(body: dict[str, Any], accept: str, errors: P.TErrors) -> TaskFilter:
    start_from = P.instant(body, "from", errors, required=False)
    start_to = P.instant(body, "to", errors, required=False)
    if start_from is None and body.get("from") is None:
        start_from = FILTER_FROM_MS
    if start_to is None and body.get("to") is None:
        start_to = now_ms() + YEAR_MS
    if start_from is not None and start_to is not None and start_to < start_from:
        errors.append(field_error("/to", "'to' must be greater than or equal to 'from'."))
    return TaskFilter(
        start_from=start_from,
        start_to=start_to,
        task_type=P.enum(body, "taskType", E.TASK_TYPES, accept, errors, required=False),
        status=P.enum(body, "status", E.STATUSES, accept, errors, required=False),
        contact_id=P.integer(body, "contactId", errors, required=False),
        user_id=P.integer(body, "assignedUserId", errors, required=False),
        sequence_ids=P.int_list(body, "sequenceIds", errors),
    )


def _content(query: dict[str, Any]) -> bool:
    return str(query.get("includeContent", "")).lower() == "true"


def find_contacts(app: ReplyState, query: dict[str, Any]) -> Response:
    cfg = app.cfg
    top, skip, errors = P.paging(query, cfg.page_cap, cfg.default_top, cfg.over_cap == "clamp")
    if errors:
        raise Problem(400, "contact.invalidPagination", errors[0]["detail"])
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


def whoami(app: ReplyState, user_id: int) -> Response:
    return ok(
        {"userId": user_id, "username": app.user_by_id[user_id]["email"], "teamId": TEAMS[0][0]}
    )


def team_users(app: ReplyState) -> Response:
    """Every user of the sales team; the first two are also in a second team (a user in two
    teams is two entries)."""
    users = app.ds.users
    entries = [render.team_user(u, TEAMS[0]) for u in users]
    entries += [render.team_user(u, TEAMS[1]) for u in users[:2]]
    return ok(entries)
