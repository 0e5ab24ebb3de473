"""The Saleshandy emulator application: routing and auth on top of its state.

Facts relied on (NOTES.md section 2, seed 003):
- Paths under `/v1`; the key goes in the `x-api-key` header. A missing or unknown key answers
  400 `{"message": "Invalid token", "code": 1001}` (the spec lists 1001 under HTTP 400;
  `invalid_key = "401"` plays a 401 `{"message": "Unauthorized"}` instead).
- A few doc examples show `Authorization: Bearer <key>`: refused (treated as no key) or accepted
  (`bearer`).
- Refusals (auth, 429) do not consume rate quota.
- Guess: an unknown path or method answers 404 `{"message": "Cannot GET /v1/x"}` (the framework
  default of a Node API).

The order of a request, the faults and the request log are the generic app's
(`sales_tasks.sandbox.core.app`); the log never holds a key (only whether an `x-api-key` header came).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sales_tasks.sandbox.core.app import Route
from sales_tasks.sandbox.core.http import Request, Response
from sales_tasks.sandbox.core.params import BadInput, parse_body, parse_query
from sales_tasks.sandbox.core.ratelimit import Verdict, too_many
from sales_tasks.sandbox.saleshandy import endpoints, endpoints_changes, hooks, ratelimit
from sales_tasks.sandbox.saleshandy import params as P
from sales_tasks.sandbox.saleshandy.config import SaleshandyConfig
from sales_tasks.sandbox.saleshandy.state import SaleshandyState

Endpoint = Callable[[SaleshandyState, dict[str, Any]], Response]


class SaleshandyRoute(Route):
    """A Saleshandy endpoint and its handler; `task_id` for `GET /v1/tasks/{taskId}`."""

    def __init__(self, name: str, handler: Endpoint, create: bool = False) -> None:
        super().__init__(name, create)
        self.handler = handler


ROUTES: dict[tuple[str, str], SaleshandyRoute] = {
    ("POST", "/v1/tasks/create"): SaleshandyRoute("v1/tasks/create", endpoints.create, True),
    ("GET", "/v1/tasks"): SaleshandyRoute("v1/tasks", endpoints.list_tasks),
    ("GET", "/v1/tasks/counts"): SaleshandyRoute("v1/tasks/counts", endpoints.counts),
    ("GET", "/v1/tasks/assignee/list"): SaleshandyRoute(
        "v1/tasks/assignee/list", endpoints.assignees
    ),
    ("GET", "/v1/prospects"): SaleshandyRoute("v1/prospects", endpoints.prospects),
}
TASK_PREFIX = "/v1/tasks/"


def _one_task(app: SaleshandyState, params: dict[str, Any]) -> Response:
    return endpoints.get_task(app, params["taskId"])


ONE_TASK = SaleshandyRoute("v1/tasks/{taskId}", _one_task)
# (method, action) -> route of the task actions under /v1/tasks/{taskId}/
ACTIONS = {
    (method, action): SaleshandyRoute(f"v1/tasks/{{taskId}}/{action}", endpoints.act)
    for method, action in (
        ("POST", "complete"),
        ("POST", "skip"),
        ("POST", "snooze"),
        ("PATCH", "note"),
    )
}


class App(SaleshandyState):
    """One Saleshandy emulator: answers its API and its hooks."""

    secret_params = P.SECRETS

    def __init__(self, cfg: SaleshandyConfig) -> None:
        super().__init__(cfg)
        self.limiter = ratelimit.limiter()

    def route(self, req: Request) -> Route | Response:
        path = req.path.rstrip("/") or "/"
        found = ROUTES.get((req.method, path))
        if found is not None:
            return found
        parts = path[len(TASK_PREFIX) :].split("/") if path.startswith(TASK_PREFIX) else []
        if req.method == "GET" and len(parts) == 1 and parts[0] and parts[0] != "bulk-status":
            return ONE_TASK
        if len(parts) == 2 and parts[0] and (req.method, parts[1]) in ACTIONS:
            return ACTIONS[(req.method, parts[1])]
        bulk = endpoints_changes.route(req.method, path)
        if bulk is not None:  # bulk-skip, bulk-snooze, bulk-status
            return SaleshandyRoute(bulk[0], bulk[1])
        return endpoints.error(f"Cannot {req.method} {req.path}", 404)

    def authorize(self, req: Request, route: Route) -> Response | None:
        cfg = self.cfg
        key = req.headers.get("x-api-key")
        bearer = req.headers.get("authorization", "")
        if not key and cfg.bearer == "accept" and bearer.lower().startswith("bearer "):
            key = bearer[7:].strip()
        if key and key in cfg.api_keys:
            return None
        if cfg.invalid_key == "401":
            return endpoints.error("Unauthorized", 401)
        return Response(400, b'{"message":"Invalid token","code":1001}')

    def rate_limit(self, route: Route) -> Verdict:
        return ratelimit.hit(self.limiter, self.cfg, route.name)

    def too_many(self, message: str, headers: list[tuple[str, str]]) -> Response:
        return too_many(ratelimit.MESSAGE, headers, as_json=True)

    def call(self, route: Route, req: Request) -> Response:
        assert isinstance(route, SaleshandyRoute)
        endpoints_changes.settle(self)  # bulk actions whose time has come, before any answer
        try:
            params = {
                **parse_query(req.query),
                **parse_body(req.body, req.headers.get("content-type", "")),
            }
            if route is ROUTES[("GET", "/v1/tasks")]:
                hooks.apply_list_changes(self, P.int_param(params, "page", 1))
            if route is ONE_TASK or route in ACTIONS.values():
                task_id, _, action = req.path.rstrip("/")[len(TASK_PREFIX) :].partition("/")
                params["taskId"], params["action"] = task_id, action
            return route.handler(self, params)
        except BadInput as exc:
            return endpoints.error(str(exc))

    def log_fields(self, req: Request) -> dict[str, Any]:
        return {
            "key_header_present": "x-api-key" in req.headers,
            "bearer_present": req.headers.get("authorization", "").lower().startswith("bearer"),
        }

    def vendor_hook(self, req: Request, path: str, query: dict[str, Any]) -> Response | None:
        return hooks.handle(self, req, path, query)

    def describe(self, base_url: str) -> str:
        return (
            f"Saleshandy sandbox listening on {base_url}\n"
            f"  base URL (SALESHANDY_BASE_URL): {base_url}\n"
            f"  API key (send as x-api-key): {self.cfg.api_keys[0]}\n"
            f"  test hooks: {base_url}/_sandbox/stats"
        )
