"""The Apollo.io emulator application: routing and auth on top of its state.

Facts relied on (NOTES.md section 1, the OpenAPI subset):
- The key goes in the `x-api-key` header only. Missing or unknown key, or any
  `Authorization: Bearer ...` header -> 401 `text/plain` `Invalid access credentials.`. Keys in
  the query string or body are not accepted.
- Task endpoints and users search need a master key; a plain key gets 403
  `{"error": "<endpoint> is not accessible with this api_key", "error_code": "API_INACCESSIBLE"}`.
  Contacts search works with any key; usage stats need a master key (VENDOR-SPECS 3.5; the
  `usage_stats_keys` switch serves any key).
- 401, 403 and 429 answers do not consume rate-limit quota.
- Recorded real traffic: every endpoint answers under `/api/v1/` and `/v1/` alike; tasks search
  answers GET and POST (a GET without `per_page` gets `get_default_per_page`, 10 as recorded);
  paging in a JSON body counts only with `body_paging=honour` (documented: query string only);
  429 bodies are plain text (`rate_limit_body`) and carry the rate headers too.

The order of a request, the faults and the request log are the generic app's
(`sales_tasks.sandbox.core.app`); the request log never holds a key (`api_key` values are redacted, and only
whether an `x-api-key` header came is kept).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from sales_tasks.sandbox.apollo import (
    endpoints_changes,
    endpoints_misc,
    endpoints_tasks,
    hooks,
    ratelimit,
)
from sales_tasks.sandbox.apollo import params as P
from sales_tasks.sandbox.apollo.state import ApolloState
from sales_tasks.sandbox.core.app import Route
from sales_tasks.sandbox.core.http import Request, Response
from sales_tasks.sandbox.core.params import parse_body, parse_query
from sales_tasks.sandbox.core.ratelimit import Verdict, too_many

Endpoint = Callable[[ApolloState, dict[str, Any]], Response]
BODY_PAGING_KEYS = ("page", "per_page")
UNAUTHORIZED = Response(401, b"Invalid access credentials.", content_type="text/plain")


class ApolloRoute(Route):
    """An Apollo endpoint: its handler and whether it needs a master key."""

    def __init__(
        self,
        name: str,
        handler: Endpoint,
        master: bool | Callable[[Any], bool],
        create: bool = False,
    ) -> None:
        super().__init__(name, create)
        self.handler, self._master = handler, master

    def needs_master(self, cfg: Any) -> bool:
        """Whether a plain key is refused here (a switch of the config for some endpoints)."""
        return self._master(cfg) if callable(self._master) else self._master


# Keyed by the `/api/v1/` path; `/v1/...` is the same endpoint (see `_route`).
ROUTES: dict[tuple[str, str], ApolloRoute] = {
    ("POST", "/api/v1/tasks/search"): ApolloRoute(
        "api/v1/tasks/search", lambda a, p: endpoints_tasks.search(a, p, "current"), True
    ),
    ("GET", "/api/v1/tasks/search"): ApolloRoute(
        "api/v1/tasks/search", lambda a, p: endpoints_tasks.search(a, p, "get"), True
    ),
    ("POST", "/api/v1/tasks"): ApolloRoute(
        "api/v1/tasks", lambda a, p: endpoints_tasks.create(a, p, bulk=False), True, True
    ),
    ("POST", "/api/v1/tasks/bulk_create"): ApolloRoute(
        "api/v1/tasks/bulk_create",
        lambda a, p: endpoints_tasks.create(a, p, bulk=True),
        True,
        True,
    ),
    ("GET", "/api/v1/users/search"): ApolloRoute(
        "api/v1/users/search", endpoints_misc.users_search, True
    ),
    ("POST", "/api/v1/users/search"): ApolloRoute(
        "api/v1/users/search", endpoints_misc.users_search, True
    ),
    ("POST", "/api/v1/contacts/search"): ApolloRoute(
        "api/v1/contacts/search", endpoints_misc.contacts_search, False
    ),
    ("POST", "/api/v1/usage_stats/api_usage_stats"): ApolloRoute(
        "api/v1/usage_stats/api_usage_stats",
        endpoints_misc.usage_stats,
        lambda cfg: cfg.usage_stats_keys == "master",
    ),
}
KNOWN_PATHS = {path for _, path in ROUTES}
# Seed 002's legacy contract (open_factor_names required, per_page up to 200) is the GET under /v1/.
LEGACY_SEARCH = ApolloRoute(
    "api/v1/tasks/search", lambda a, p: endpoints_tasks.search(a, p, "legacy"), True
)


def _route(method: str, path: str) -> tuple[ApolloRoute | None, str]:
    """The route of a request and its `/api/v1/` path; `/v1/x` is `/api/v1/x`."""
    api_path = "/api" + path if path.startswith("/v1/") else path
    if method == "GET" and path == "/v1/tasks/search":
        return LEGACY_SEARCH, api_path
    return ROUTES.get((method, api_path)), api_path


class App(ApolloState):
    """One Apollo.io emulator: answers its API and its hooks."""

    secret_params = P.SECRETS

    def route(self, req: Request) -> Route | Response:
        route, api_path = _route(req.method, req.path)
        change = endpoints_changes.route(req.method, api_path) if route is None else None
        if change is not None:  # get, update, complete, skip one task (master key)
            return ApolloRoute(change[0], change[1], True)
        if route is None:
            status = 405 if api_path in KNOWN_PATHS else 404
            return endpoints_tasks.error(f"no route for {req.method} {req.path}", status)
        return route

    def authorize(self, req: Request, route: Route) -> Response | None:
        assert isinstance(route, ApolloRoute)
        key = req.headers.get("x-api-key")
        cfg = self.cfg
        if (
            "authorization" in req.headers
            or not key
            or key not in (*cfg.master_keys, *cfg.plain_keys)
        ):
            return UNAUTHORIZED
        if route.needs_master(cfg) and key not in cfg.master_keys:
            return Response(
                403,
                orjson.dumps(
                    {
                        "error": f"{route.name} is not accessible with this api_key",
                        "error_code": "API_INACCESSIBLE",
                    }
                ),
            )
        return None

    def rate_limit(self, route: Route) -> Verdict:
        return ratelimit.hit(self.limiter, self.cfg, route.name)

    def too_many(self, message: str, headers: list[tuple[str, str]]) -> Response:
        """A 429 as recorded (plain text) or as the docs' example (`{"message": ...}`)."""
        return too_many(message, headers, as_json=self.cfg.rate_limit_body == "json")

    def call(self, route: Route, req: Request) -> Response:
        assert isinstance(route, ApolloRoute)
        try:
            body = parse_body(req.body, req.headers.get("content-type", ""))
            if (
                route.name == "api/v1/tasks/search"
                and route is not LEGACY_SEARCH
                and self.cfg.body_paging == "ignore"
            ):
                # Documented in the query string only (VENDOR-SPECS 3.4).
                body = {k: v for k, v in body.items() if k not in BODY_PAGING_KEYS}
            params = {**parse_query(req.query), **body}
            return route.handler(self, params)
        except P.BadInput as exc:
            return endpoints_tasks.error(str(exc))

    def log_fields(self, req: Request) -> dict[str, Any]:
        return {"key_header_present": "x-api-key" in req.headers}

    def vendor_hook(self, req: Request, path: str, query: dict[str, Any]) -> Response | None:
        return hooks.handle(self, req, path, query)

    def describe(self, base_url: str) -> str:
        cfg = self.cfg
        plain = cfg.plain_keys[0] if cfg.plain_keys else None
        return (
            f"Apollo sandbox listening on {base_url}\n"
            f"  base URL (APOLLO_BASE_URL): {base_url}\n"
            f"  master key (send as x-api-key): {cfg.master_keys[0]}\n"
            f"  plain key (403 on task endpoints): {plain}\n"
            f"  test hooks: {base_url}/_sandbox/stats"
        )
