"""Apollo's own test hooks under `/_sandbox/` (the generic ones are `sales_tasks.sandbox.core.hooks`).

They let tests see what the "vendor" received and simulate changes made in Apollo, without
using the product's own code:

- `GET /_sandbox/created`: tasks created via the API, in creation order (search lag ignored).
- `GET|PATCH|DELETE /_sandbox/tasks/{id}`: read / change / delete a task as if done in Apollo.
- `GET /_sandbox/users`, `GET /_sandbox/contacts?limit=&offset=`.
- `PATCH /_sandbox/contacts/{id}` with `{"phone_numbers": n}`: the contact now has its first `n`
  numbers (0 to 2), as if numbers were removed or added in Apollo; tasks search embeds the
  contact so (tasks created via the API keep the contact as rendered when they were made).
- `GET /_sandbox/stats` (generic) counts tasks, created tasks, users, contacts and accounts too.

The generic `POST /_sandbox/reset` also drops created tasks, deletions and patches; the request
log's JSON bodies have `api_key` values redacted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sales_tasks.sandbox.apollo import params as P
from sales_tasks.sandbox.apollo.util import now_ms
from sales_tasks.sandbox.core.hooks import PREFIX, error, json_object, json_response
from sales_tasks.sandbox.core.http import Request, Response

if TYPE_CHECKING:
    from sales_tasks.sandbox.apollo.state import ApolloState

PATCHABLE = ("status", "priority", "note", "title", "due_at", "type", "user_id")


def handle(app: ApolloState, req: Request, path: str, query: dict[str, Any]) -> Response | None:
    """Answer one of Apollo's hooks at `path` (trailing `/` stripped), or None."""
    method = req.method
    if path == f"{PREFIX}/created":
        return Response(200, b"[" + b",".join(c.body for c in app.store.created) + b"]")
    if path.startswith(f"{PREFIX}/tasks/"):
        return _task(app, method, path.rsplit("/", 1)[1], req)
    if path == f"{PREFIX}/users":
        return json_response([app.renderer.user(u) for u in range(app.ds.n_users)])
    if path.startswith(f"{PREFIX}/contacts/") and method == "PATCH":
        return _contact(app, path.rsplit("/", 1)[1], req)
    if path == f"{PREFIX}/contacts":
        limit = P.int_param(query, "limit", 100)
        offset = int(query.get("offset") or 0)
        stop = min(app.ds.n_contacts, offset + limit)
        return json_response(app.renderer.contacts(list(range(max(0, offset), stop))))
    return None


def _task(app: ApolloState, method: str, oid: str, req: Request) -> Response:
    gi = app.store.find(oid)
    if gi is None:
        return error(f"task {oid} not found", 404)
    if method == "DELETE":
        app.store.delete(gi)
        return json_response({"deleted": oid})
    if method == "PATCH":
        app.store.patch(gi, _patch_fields(app, json_object(req)))
    return Response(200, app.store.render(gi))


def _contact(app: ApolloState, oid: str, req: Request) -> Response:
    c = app.ds.contact_index(oid)
    if c is None:
        return error(f"contact {oid} not found", 404)
    data = json_object(req)
    count = data.get("phone_numbers")
    if set(data) != {"phone_numbers"} or not isinstance(count, int) or not 0 <= count <= 2:
        raise ValueError('patch a contact with {"phone_numbers": n}, n from 0 to 2')
    app.ds.c_phones[c] = count
    app.renderer.forget_contacts(c)
    app.store.changed()
    return json_response(app.renderer.contact(c))


def _patch_fields(app: ApolloState, data: dict[str, Any]) -> dict[str, object]:
    unknown = sorted(set(data) - set(PATCHABLE))
    if unknown:
        raise ValueError(f"cannot patch {', '.join(unknown)}; patchable: {', '.join(PATCHABLE)}")
    fields: dict[str, object] = {}
    if "status" in data:
        fields["status_code"] = P.task_status(data)
        fields["done_ms"] = now_ms()
    if "priority" in data:
        fields["priority_code"] = P.task_priority(data)
    if "type" in data:
        fields["type_code"] = P.task_type(data)
    if "due_at" in data:
        fields["due_ms"] = P.due_at(data)
    if "user_id" in data:
        user = app.ds.user_index.get(str(data["user_id"]))
        if user is None:
            raise ValueError(f"user {data['user_id']} not found")
        fields["user"] = user
    for name in ("note", "title"):
        if name in data:
            fields[name] = P.optional_text(data, name)
    return fields
