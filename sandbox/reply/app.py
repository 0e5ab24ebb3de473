"""The Reply.io emulator application: routing and auth on top of its state.

Facts relied on (VENDOR-SPECS.md §1.1-1.2; RS = Reply's OpenAPI 3.1 bundle):
- Paths under `/v3`. The key goes in `Authorization: Bearer <key>` (RS `bearerAuth`); older
  pages say `X-API-Key` (seed 004): `auth_scheme` says which are accepted (`bearer`, the
  default, `x-api-key`, `both`). A missing or unknown key answers 401 with an empty body and
  `WWW-Authenticate: Bearer` (RS @13,500).
- A master key may act for a user with `X-User-Id` or `X-User-Email` (RD authentication page).
- A key without the scope an endpoint needs answers 403 (`tasks:read` to list, `tasks:write`
  to create, update, delete and reassign, `tasks:operate` to complete; RS `x-required-scope`,
  VENDOR-SPECS §1.1); `/v3/whoami*` need no scope.
- Limits count per user (`sales_tasks.sandbox.reply.ratelimit`); a 429 is a bare Problem Details with
  `Retry-After` seconds.

Guesses: a user key acts as its own user (`api_keys[i]` is user i) and ignores `X-User-*`; an
organization key without them acts as the owner (user 0) and with an unknown user answers 403
`user.notInOrganization`; a read-only key's create answers 403 `scope.missing`;
`GET /v3/tasks` answers 405 when only filter exists and `POST /v3/tasks/filter` 404 when only
GET does (`list_mode`).

The order of a request, the faults and the request log are the generic app's
(`sales_tasks.sandbox.core.app`); the log never holds a key (only which auth header came).
"""

from __future__ import annotations

import re
from typing import Any

from sales_tasks.sandbox.core.app import Route
from sales_tasks.sandbox.core.http import Request, Response
from sales_tasks.sandbox.core.params import BadInput, parse_body, parse_query
from sales_tasks.sandbox.core.ratelimit import Verdict
from sales_tasks.sandbox.reply import endpoints, endpoints_changes, hooks, ratelimit
from sales_tasks.sandbox.reply.problems import Problem, field_error, unauthorized
from sales_tasks.sandbox.reply.state import ReplyState

SECRETS = ("apiKey", "api_key", "accessToken")
_TASK = re.compile(r"^/v3/tasks/(\d+)$")
_CONTACT = re.compile(r"^/v3/contacts/([^/]+)$")


class ReplyRoute(Route):
    """One request's endpoint, its path argument, and (after auth) who is calling."""

    def __init__(self, name: str, create: bool = False, arg: str = "", scope: str = "") -> None:
        super().__init__(name, create)
        self.arg = arg
        self.scope = scope  # a lifecycle call's scope (`endpoints_changes`); "" otherwise
        self.user_id = 0
        self.bucket = ""


class App(ReplyState):
    """One Reply.io emulator: answers its API and its hooks."""

    secret_params = SECRETS

    def route(self, req: Request) -> Route | Response:
        method, path = req.method, req.path.rstrip("/")
        mode = self.cfg.list_mode
        if path == "/v3/tasks":
            if method == "POST":
                return ReplyRoute("tasks.create", create=True)
            if method == "GET" and mode != "filter":
                return ReplyRoute("tasks.list")
            return _not_allowed(method, req.path)
        if path == "/v3/tasks/filter" and mode != "get":
            return ReplyRoute("tasks.filter") if method == "POST" else _not_allowed(method, path)
        change = endpoints_changes.route(method, path)
        if change is not None:
            return ReplyRoute(change[0], arg=change[1], scope=change[2])
        found = _TASK.match(path)
        if found:
            return (
                ReplyRoute("tasks.get", arg=found.group(1))
                if method == "GET"
                else _not_allowed(method, path)
            )
        if path in ("/v3/whoami", "/v3/whoami/team-users"):
            name = "whoami" if path == "/v3/whoami" else "whoami.team_users"
            return ReplyRoute(name) if method == "GET" else _not_allowed(method, path)
        if path == "/v3/contacts":
            return ReplyRoute("contacts.find") if method == "GET" else _not_allowed(method, path)
        found = _CONTACT.match(path)
        if found:
            return (
                ReplyRoute("contacts.get", arg=found.group(1))
                if method == "GET"
                else _not_allowed(method, path)
            )
        return Problem(404, None, f"No endpoint {method} {req.path}.").response()

    def authorize(self, req: Request, route: Route) -> Response | None:
        assert isinstance(route, ReplyRoute)
        key = self._key(req.headers)
        cfg = self.cfg
        user: dict[str, Any] | None
        if key in cfg.api_keys:
            index = cfg.api_keys.index(key)
            user = self.ds.users[index % len(self.ds.users)]
            route.bucket = f"key{index}"
        elif key in cfg.read_only_keys:
            if route.create or route.scope:
                scope = route.scope or "tasks:write"
                return Problem(
                    403, "scope.missing", f"This API key lacks the {scope} scope."
                ).response()
            user = self.ds.users[0]
            route.bucket = f"read{cfg.read_only_keys.index(key)}"
        elif key in cfg.org_keys:
            user = self._acting_user(req.headers)
            if user is None:
                return Problem(
                    403,
                    "user.notInOrganization",
                    "The user named by X-User-Id / X-User-Email is not in this organization.",
                ).response()
            route.bucket = f"org{cfg.org_keys.index(key)}:{user['id']}"
        else:
            return unauthorized()
        route.user_id = user["id"]
        return None

    def _key(self, headers: dict[str, str]) -> str | None:
        scheme = self.cfg.auth_scheme
        if scheme != "x-api-key":
            kind, _, token = headers.get("authorization", "").partition(" ")
            if kind.lower() == "bearer" and token.strip():
                return token.strip()
        if scheme != "bearer":
            return headers.get("x-api-key") or None
        return None

    def _acting_user(self, headers: dict[str, str]) -> dict[str, Any] | None:
        if "x-user-id" in headers:
            raw = headers["x-user-id"].strip()
            return self.user_by_id.get(int(raw)) if raw.isdigit() else None
        if "x-user-email" in headers:
            return self.user_by_email.get(headers["x-user-email"].strip().lower())
        return self.ds.users[0]

    def rate_limit(self, route: Route) -> Verdict:
        assert isinstance(route, ReplyRoute)
        return ratelimit.hit(self.limiter, self.cfg, route.bucket)

    def too_many(self, message: str, headers: list[tuple[str, str]]) -> Response:
        return Problem(429, None, message, headers=headers).response()

    def call(self, route: Route, req: Request) -> Response:
        assert isinstance(route, ReplyRoute)
        query = parse_query(req.query)
        try:
            name = route.name
            if name == "tasks.create":
                return endpoints.create(self, self._body(req), route.user_id)
            if name == "tasks.list":
                return endpoints.list_tasks(self, query, None)
            if name == "tasks.filter":
                return endpoints.list_tasks(self, query, self._body(req))
            if name == "tasks.get":
                return endpoints.get_task(self, route.arg, query)
            if route.scope:
                body = None if req.method == "DELETE" or not req.body else self._body(req)
                return endpoints_changes.call(self, name, route.arg, body)
            if name == "whoami":
                return endpoints.whoami(self, route.user_id)
            if name == "whoami.team_users":
                return endpoints.team_users(self)
            if name == "contacts.find":
                return endpoints.find_contacts(self, query)
            return endpoints.get_contact(self, route.arg)
        except Problem as problem:
            return problem.response()

    @staticmethod
    def _body(req: Request) -> dict[str, Any]:
        try:
            return parse_body(req.body, "application/json")
        except BadInput as exc:
            raise Problem(400, None, f"{exc}.", [field_error("", f"{exc}.")]) from None

    def log_fields(self, req: Request) -> dict[str, Any]:
        headers = req.headers
        return {
            "auth_header": "authorization"
            if "authorization" in headers
            else ("x-api-key" if "x-api-key" in headers else None),
            "acting_user": headers.get("x-user-id") or headers.get("x-user-email"),
        }

    def vendor_hook(self, req: Request, path: str, query: dict[str, Any]) -> Response | None:
        return hooks.handle(self, req, path, query)

    def describe(self, base_url: str) -> str:
        cfg = self.cfg
        org = cfg.org_keys[0] if cfg.org_keys else None
        return (
            f"Reply.io sandbox listening on {base_url}\n"
            f"  base URL (REPLY_BASE_URL): {base_url}  (API under {base_url}/v3)\n"
            f"  API key ({_scheme_hint(cfg.auth_scheme)}): {cfg.api_keys[0]}\n"
            f"  organization key (with X-User-Id / X-User-Email): {org}\n"
            f"  test hooks: {base_url}/_sandbox/stats"
        )


def _scheme_hint(scheme: str) -> str:
    return {
        "bearer": "send as Authorization: Bearer",
        "x-api-key": "send as X-API-Key",
        "both": "Authorization: Bearer or X-API-Key",
    }[scheme]


def _not_allowed(method: str, path: str) -> Response:
    return Problem(405, None, f"{method} is not allowed on {path}.").response()
