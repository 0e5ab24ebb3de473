"""Test hooks every emulator has, under `/_sandbox/`: no auth, never faulted, not rate limited,
not logged.

- `GET /_sandbox/health`: `{"ok": true}`.
- `GET /_sandbox/requests[?path=]`, `DELETE /_sandbox/requests`: the request log.
- `POST /_sandbox/reset`: back to the start state.
- `GET|PATCH /_sandbox/config`: read / change the config live (dataset fields excepted).
- `GET|POST|DELETE /_sandbox/faults/script`: the deterministic fault script.
- `GET /_sandbox/stats`: what the emulator counts.
- `GET|PATCH /_sandbox/clock`: the clock rate windows follow (`sales_tasks.sandbox.core.clock`): PATCH
  `{"freeze": true|false, "at": epoch, "advance": seconds}`.
- `GET|POST|DELETE /_sandbox/on_request`: calls made at a chosen point of a client's run. Each
  entry `{"path", "method"?, "after" (default 0), "do": {"method", "path", "body"?,
  "headers"?}}` waits for the request matching `path` (exact, or a prefix ending in `*`) and
  `method` that comes after `after` earlier matches; that request then waits while `do` is
  answered (any hook or API call, as if sent just before it), and the entry is spent. Scheduled
  calls never trigger entries themselves.

Anything else under `/_sandbox/` goes to the emulator's own hooks (`vendor_hook`); unknown ones
answer 404, bad input 422, both as `{"error": "..."}`. Every emulator answers one of its own the
same way: `DELETE /_sandbox/tasks/{id}`, the task deleted as if in the vendor's app
(`SandboxHandle.delete_task`; the standard test kit, `tests/kit`, relies on it).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

from sales_tasks.sandbox.core.clock import Clock
from sales_tasks.sandbox.core.config import EmulatorConfig
from sales_tasks.sandbox.core.faults import FaultEngine
from sales_tasks.sandbox.core.http import Request, Response
from sales_tasks.sandbox.core.params import BadInput, parse_query

PREFIX = "/_sandbox"


class Hooked(Protocol):
    """What the hooks reach of an emulator app (`sales_tasks.sandbox.core.app.EmulatorApp`)."""

    @property
    def cfg(self) -> EmulatorConfig: ...

    @property
    def clock(self) -> Clock: ...

    log: deque[dict[str, Any]]
    faults: FaultEngine
    scheduled: list[ScheduledCall]

    def reset(self) -> None: ...

    def configure(self, changes: dict[str, Any]) -> None: ...

    def stats(self) -> dict[str, Any]: ...

    def vendor_hook(self, req: Request, path: str, query: dict[str, Any]) -> Response | None: ...


@dataclass
class ScheduledCall:
    """A call to make when the `after`+1-th request matching `path` (and `method`) arrives."""

    path: str
    do: dict[str, Any]
    method: str | None = None
    after: int = 0
    seen: int = field(default=0)

    @classmethod
    def from_dict(cls, data: Any) -> ScheduledCall:
        if not isinstance(data, dict) or not isinstance(data.get("path"), str):
            raise ValueError("each entry needs a string 'path' and a 'do' object")
        do = data.get("do")
        if not isinstance(do, dict) or not isinstance(do.get("path"), str):
            raise ValueError("'do' needs a 'method' and a 'path'")
        after = data.get("after", 0)
        if not isinstance(after, int) or after < 0:
            raise ValueError("'after' must be an integer >= 0")
        return cls(data["path"], do, data.get("method"), after)

    def matches(self, req: Request) -> bool:
        if self.method is not None and self.method.upper() != req.method:
            return False
        if self.path.endswith("*"):
            return req.path.startswith(self.path[:-1])
        return req.path == self.path

    def request(self) -> Request:
        body = self.do.get("body")
        headers = {str(k).lower(): str(v) for k, v in (self.do.get("headers") or {}).items()}
        if body is not None:
            headers.setdefault("content-type", "application/json")
        path, _, query = str(self.do["path"]).partition("?")
        return Request(
            str(self.do.get("method", "GET")).upper(),
            path,
            query,
            headers,
            orjson.dumps(body) if body is not None else b"",
        )

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "method": self.method, "after": self.after, "do": self.do}


def due_calls(app: Hooked, req: Request) -> list[Request]:
    """The scheduled calls `req` triggers, in the order they were scheduled (they are spent)."""
    fired: list[Request] = []
    for call in list(app.scheduled):
        if not call.matches(req):
            continue
        if call.seen >= call.after:
            app.scheduled.remove(call)
            fired.append(call.request())
        else:
            call.seen += 1
    return fired


def json_response(data: Any, status: int = 200) -> Response:
    return Response(status, orjson.dumps(data))


def error(message: str, status: int = 422) -> Response:
    return json_response({"error": message}, status)


def handle(app: Hooked, req: Request) -> Response:
    try:
        return _dispatch(app, req)
    except (ValueError, BadInput) as exc:
        return error(str(exc))


def json_object(req: Request) -> dict[str, Any]:
    """The request body as a JSON object (`{}` when empty)."""
    data = orjson.loads(req.body or b"{}")
    if not isinstance(data, dict):
        raise ValueError("send a JSON object")
    return data


def _dispatch(app: Hooked, req: Request) -> Response:
    path, method = req.path.rstrip("/"), req.method
    query = parse_query(req.query)
    if path == f"{PREFIX}/health":
        return json_response({"ok": True})
    if path == f"{PREFIX}/requests":
        if method == "DELETE":
            app.log.clear()
            return json_response({"cleared": True})
        wanted = query.get("path")
        return json_response([e for e in app.log if wanted is None or e["path"] == wanted])
    if path == f"{PREFIX}/reset" and method == "POST":
        app.reset()
        return json_response({"reset": True})
    if path == f"{PREFIX}/config":
        if method == "PATCH":
            app.configure(json_object(req))
        return json_response(app.cfg.to_dict())
    if path == f"{PREFIX}/faults/script":
        if method == "POST":
            app.faults.add_script(orjson.loads(req.body or b"[]"))
        elif method == "DELETE":
            app.faults.script.clear()
        return json_response([vars(e) for e in app.faults.script])
    if path == f"{PREFIX}/on_request":
        if method == "POST":
            entries = orjson.loads(req.body or b"[]")
            if not isinstance(entries, list):
                raise ValueError("send a JSON list of entries")
            app.scheduled.extend(ScheduledCall.from_dict(e) for e in entries)
        elif method == "DELETE":
            app.scheduled.clear()
        return json_response([c.as_dict() for c in app.scheduled])
    if path == f"{PREFIX}/stats":
        return json_response(app.stats())
    if path == f"{PREFIX}/clock":
        if method == "PATCH":
            app.clock.change(json_object(req))
        return json_response(app.clock.state())
    answer = app.vendor_hook(req, path, query)
    if answer is not None:
        return answer
    return error(f"no sandbox hook {method} {req.path}", 404)
