"""Test hooks under `/_sandbox/`: no auth, never faulted, not rate limited, not logged.

They let tests see what the "vendor" received and simulate changes made in Apollo, without
using the product's own code:

- `GET /_sandbox/requests[?path=]`, `DELETE /_sandbox/requests`: the request log (method, path,
  query, JSON body with `api_key` values redacted, status, timestamp, key_header_present, fault).
- `GET /_sandbox/created`: tasks created via the API, in creation order (search lag ignored).
- `POST /_sandbox/reset`: back to the seed state (created tasks, deletions, patches, rate-limit
  counters, request log, fault script).
- `GET|PATCH /_sandbox/config`: read / change the config live (dataset fields excepted).
- `GET|POST|DELETE /_sandbox/faults/script`: the deterministic fault script.
- `GET|PATCH|DELETE /_sandbox/tasks/{id}`: read / change / delete a task as if done in Apollo.
- `GET /_sandbox/stats`, `GET /_sandbox/users`, `GET /_sandbox/contacts?limit=&offset=`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from sandbox import params as P
from sandbox.http import Request, Response
from sandbox.util import now_ms

if TYPE_CHECKING:
    from sandbox.app import App

PATCHABLE = ("status", "priority", "note", "title", "due_at", "type", "user_id")


def _json(data: Any, status: int = 200) -> Response:
    return Response(status, orjson.dumps(data))


def _error(message: str, status: int = 422) -> Response:
    return _json({"error": message}, status)


def handle(app: App, req: Request) -> Response:
    try:
        return _dispatch(app, req)
    except (ValueError, P.BadInput) as exc:
        return _error(str(exc))


def _dispatch(app: App, req: Request) -> Response:
    path, method = req.path.rstrip("/"), req.method
    query = P.parse_query(req.query)
    if path == "/_sandbox/health":
        return _json({"ok": True})
    if path == "/_sandbox/requests":
        if method == "DELETE":
            app.log.clear()
            return _json({"cleared": True})
        wanted = query.get("path")
        return _json([e for e in app.log if wanted is None or e["path"] == wanted])
    if path == "/_sandbox/created":
        return Response(200, b"[" + b",".join(c.body for c in app.store.created) + b"]")
    if path == "/_sandbox/reset" and method == "POST":
        app.reset()
        return _json({"reset": True})
    if path == "/_sandbox/config":
        if method == "PATCH":
            app.configure(_body(req))
        return _json(app.cfg.to_dict())
    if path == "/_sandbox/faults/script":
        if method == "POST":
            app.faults.add_script(orjson.loads(req.body or b"[]"))
        elif method == "DELETE":
            app.faults.script.clear()
        return _json([vars(e) for e in app.faults.script])
    if path.startswith("/_sandbox/tasks/"):
        return _task(app, method, path.rsplit("/", 1)[1], req)
    if path == "/_sandbox/stats":
        return _json(_stats(app))
    if path == "/_sandbox/users":
        return _json([app.renderer.user(u) for u in range(app.ds.n_users)])
    if path == "/_sandbox/contacts":
        limit = P.int_param(query, "limit", 100)
        offset = int(query.get("offset") or 0)
        stop = min(app.ds.n_contacts, offset + limit)
        return _json(app.renderer.contacts(list(range(max(0, offset), stop))))
    return _error(f"no sandbox hook {method} {req.path}", 404)


def _body(req: Request) -> dict[str, Any]:
    data = orjson.loads(req.body or b"{}")
    if not isinstance(data, dict):
        raise ValueError("send a JSON object")
    return data


def _task(app: App, method: str, oid: str, req: Request) -> Response:
    gi = app.store.find(oid)
    if gi is None:
        return _error(f"task {oid} not found", 404)
    if method == "DELETE":
        app.store.delete(gi)
        return _json({"deleted": oid})
    if method == "PATCH":
        app.store.patch(gi, _patch_fields(app, _body(req)))
    return Response(200, app.store.render(gi))


def _patch_fields(app: App, data: dict[str, Any]) -> dict[str, object]:
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


def _stats(app: App) -> dict[str, Any]:
    per_endpoint: dict[str, int] = {}
    for entry in app.log:
        key = f"{entry['method']} {entry['path']}"
        per_endpoint[key] = per_endpoint.get(key, 0) + 1
    return {
        "tasks": app.store.count(),
        "seed_tasks": app.ds.n_tasks,
        "created_tasks": len(app.store.created),
        "users": app.ds.n_users,
        "contacts": app.ds.n_contacts,
        "accounts": app.ds.n_accounts,
        "requests": per_endpoint,
        "requests_served": dict(app.calls),
        "request_log_entries": len(app.log),
    }
