"""Test hooks every emulator has, under `/_sandbox/`: no auth, never faulted, not rate limited,
not logged.

- `GET /_sandbox/health`: `{"ok": true}`.
- `GET /_sandbox/requests[?path=]`, `DELETE /_sandbox/requests`: the request log.
- `POST /_sandbox/reset`: back to the start state.
- `GET|PATCH /_sandbox/config`: read / change the config live (dataset fields excepted).
- `GET|POST|DELETE /_sandbox/faults/script`: the deterministic fault script.
- `GET /_sandbox/stats`: what the emulator counts.
- `GET|PATCH /_sandbox/clock`: the clock rate windows follow (`sandbox.core.clock`): PATCH
  `{"freeze": true|false, "at": epoch, "advance": seconds}`.

Anything else under `/_sandbox/` goes to the emulator's own hooks (`vendor_hook`); unknown ones
answer 404, bad input 422, both as `{"error": "..."}`.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Protocol

import orjson

from sandbox.core.clock import Clock
from sandbox.core.config import EmulatorConfig
from sandbox.core.faults import FaultEngine
from sandbox.core.http import Request, Response
from sandbox.core.params import BadInput, parse_query

PREFIX = "/_sandbox"


class Hooked(Protocol):
    """What the hooks reach of an emulator app (`sandbox.core.app.EmulatorApp`)."""

    @property
    def cfg(self) -> EmulatorConfig: ...

    @property
    def clock(self) -> Clock: ...

    log: deque[dict[str, Any]]
    faults: FaultEngine

    def reset(self) -> None: ...

    def configure(self, changes: dict[str, Any]) -> None: ...

    def stats(self) -> dict[str, Any]: ...

    def vendor_hook(self, req: Request, path: str, query: dict[str, Any]) -> Response | None: ...


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
