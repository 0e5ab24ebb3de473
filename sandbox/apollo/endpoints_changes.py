"""Apollo.io task lifecycle endpoints: get one task, update it, complete it, skip it.

Facts relied on (VENDOR-SPECS.md §3.2, fact 10 of §0; NOTES.md section 1):
- Complete and skip take the task id and an optional `note`; a task already completed or
  skipped answers **422**, a removed (deleted) task answers **200 with `deleted: true`**
  (AD complete-a-task, skip-a-task). Skip also takes a boolean to reindex synchronously
  (NOTES names it `on_task_page`, unverified): accepted and without effect here, the search
  reading the store at once.
- Update: the fields that may change depend on the task's status: owner (`user_id`),
  `priority`, due date (`due_at`), details (`note`, `title`) (AD tasks overview).
- Get a task: the full task (AD get-a-task).
- Recorded real clients send updates as `PUT /v1/tasks/{id}`, completions among them as
  `{"status": "completed"}` (NOTES "What recorded real traffic shows"; issue 23).

Guesses (no source gives the methods and paths of get, update, complete or skip, VENDOR-SPECS
§3.2 and §5): `GET /api/v1/tasks/{id}` answers `{"task": {...}}` as create does, 404
`{"error"}` for an unknown or removed task; `PUT /api/v1/tasks/{id}` updates, and a `status` of
`completed`/`skipped` in it resolves the task under the complete/skip rules above; the dedicated
calls are `POST /api/v1/tasks/{id}/complete` and `/skip`. Which of the two ways exists is
`resolve_calls` (`put`: only the PUT resolves, the POSTs are 404; `actions`: only the POSTs, a
PUT with `status` is 422; `both`, the default). A resolved task answers `{"task": {...}}`; a
removed one `{"id", "deleted": true}`. Only an open task's (scheduled, or created without a
status) `due_at`, `priority`, `user_id` may change (a resolved one: 422); `note` and `title`
may change in any status. Every path answers under `/v1/` too, as the others do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson

from sales_tasks.sandbox.apollo import params as P
from sales_tasks.sandbox.apollo.data import STATUSES
from sales_tasks.sandbox.apollo.endpoints_tasks import error
from sales_tasks.sandbox.apollo.util import now_ms
from sales_tasks.sandbox.core.http import Response

if TYPE_CHECKING:
    from sales_tasks.sandbox.apollo.state import ApolloState

Handler = Callable[["ApolloState", dict[str, Any]], Response]
RESOLVE_CALLS = ("put", "actions", "both")
COMPLETED, SKIPPED = (STATUSES.index(s) for s in ("completed", "skipped"))
RESOLVED_ERROR = "This task has already been completed or skipped."
OPEN_ONLY = ("due_at", "priority", "user_id")
PREFIX = "/api/v1/tasks/"


def route(method: str, api_path: str) -> tuple[str, Handler] | None:
    """(rate-limit name, handler) of a lifecycle call at `api_path` (`/api/v1/...`), or None."""
    if not api_path.startswith(PREFIX):
        return None
    oid, _, action = api_path[len(PREFIX) :].partition("/")
    if not oid or oid in ("search", "bulk_create") or "/" in action:
        return None
    if method == "GET" and not action:
        return "api/v1/tasks/{id}", lambda app, params: _get(app, oid)
    if method == "PUT" and not action:
        return "api/v1/tasks/{id}", lambda app, params: _update(app, oid, params)
    if method == "POST" and action in ("complete", "skip"):
        status = COMPLETED if action == "complete" else SKIPPED
        return f"api/v1/tasks/{{id}}/{action}", lambda app, params: _action(
            app, oid, params, status
        )
    return None


def _index(app: ApolloState, oid: str) -> tuple[int | None, bool]:
    """(global index, alive) of task `oid`, removed ones included; (None, False) if unknown."""
    gi = app.store.find(oid)
    if gi is not None:
        return gi, True
    seed = app.ds.task_index(oid)
    if seed is not None:
        return seed, False
    for k, created in enumerate(app.store.created):
        if created.row.id == oid:
            return app.ds.n_tasks + k, False
    return None, False


def _task(app: ApolloState, gi: int) -> Response:
    return Response(200, b'{"task":' + app.store.render(gi) + b"}")


def _get(app: ApolloState, oid: str) -> Response:
    gi = app.store.find(oid)
    if gi is None:
        return error(f"Task {oid} not found", 404)
    return _task(app, gi)


def _deleted(oid: str) -> Response:
    return Response(200, orjson.dumps({"id": oid, "deleted": True}))


def _resolve(app: ApolloState, oid: str, params: dict[str, Any], status: int) -> Response:
    """Complete or skip: 422 when already resolved, `deleted: true` when removed."""
    gi, alive = _index(app, oid)
    if gi is None:
        return error(f"Task {oid} not found", 404)
    if not alive:
        return _deleted(oid)
    if app.store.current_row(gi).status_code in (COMPLETED, SKIPPED):
        return error(RESOLVED_ERROR)
    fields: dict[str, object] = {"status_code": status, "done_ms": now_ms()}
    if "note" in params:
        fields["note"] = P.optional_text(params, "note")
    app.store.patch(gi, fields)
    return _task(app, gi)


def _action(app: ApolloState, oid: str, params: dict[str, Any], status: int) -> Response:
    if app.cfg.resolve_calls == "put":
        return error(f"no route for POST /api/v1/tasks/{oid}", 404)
    return _resolve(app, oid, params, status)


def _update(app: ApolloState, oid: str, params: dict[str, Any]) -> Response:
    params = {k: v for k, v in params.items() if k not in P.SECRETS}
    if "status" in params:
        if app.cfg.resolve_calls == "actions":
            return error("status cannot be changed by an update; use complete or skip")
        wanted = P.task_status(params)
        if wanted not in (COMPLETED, SKIPPED):
            return error("status can only become completed or skipped")
        rest = {k: v for k, v in params.items() if k in ("note",)}
        return _resolve(app, oid, rest, wanted)
    gi = app.store.find(oid)
    if gi is None:
        return error(f"Task {oid} not found", 404)
    fields: dict[str, object] = {}
    resolved = app.store.current_row(gi).status_code in (COMPLETED, SKIPPED)  # null: open
    if resolved and any(name in params for name in OPEN_ONLY):
        return error(f"A completed or skipped task's {', '.join(OPEN_ONLY)} cannot change.")
    if "due_at" in params:
        fields["due_ms"] = P.due_at(params)
    if "priority" in params:
        fields["priority_code"] = P.task_priority(params)
    if "user_id" in params:
        user = app.ds.user_index.get(str(params["user_id"]))
        if user is None:
            return error(f"user {params['user_id']} not found")
        fields["user"] = user
    for name in ("note", "title"):
        if name in params:
            fields[name] = P.optional_text(params, name)
    if fields:
        app.store.patch(gi, fields)
    return _task(app, gi)
