"""The Apollo.io sandbox application: routing, auth, rate limits, faults, request log.

Facts relied on (NOTES.md section 1, the OpenAPI subset):
- The key goes in the `x-api-key` header only. Missing or unknown key, or any
  `Authorization: Bearer ...` header -> 401 `text/plain` `Invalid access credentials.`. Keys in
  the query string or body are not accepted.
- Task endpoints and users search need a master key; a plain key gets 403
  `{"error": "<endpoint> is not accessible with this api_key", "error_code": "API_INACCESSIBLE"}`.
  Contacts search and usage stats work with any key.
- 401, 403 and 429 answers do not consume rate-limit quota.
- Recorded real traffic: every endpoint answers under `/api/v1/` and `/v1/` alike; tasks search
  answers GET and POST (a GET without `per_page` gets `get_default_per_page`, 10 as recorded);
  429 bodies are plain text (`rate_limit_body`) and carry the rate headers too.

Order of a request: route -> auth -> faults decided before the work (drop, 5xx, burst 429) ->
rate limit -> the endpoint -> faults after the work (drop after create, truncate, invalid JSON).
The request log keeps at most `request_log_cap` entries (oldest dropped); it never holds a key.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np
import orjson

from sandbox import endpoints_misc, endpoints_tasks, faults, hooks, names
from sandbox import params as P
from sandbox.config import SandboxConfig
from sandbox.data import Dataset
from sandbox.http import Request, Response
from sandbox.ratelimit import RateLimiter
from sandbox.render import Renderer
from sandbox.store import Store

Endpoint = Callable[["App", dict[str, Any]], Response]
UNAUTHORIZED = Response(401, b"Invalid access credentials.", content_type="text/plain")


class Route:
    def __init__(self, name: str, handler: Endpoint, master: bool, create: bool = False) -> None:
        self.name, self.handler, self.master, self.create = name, handler, master, create


# Keyed by the `/api/v1/` path; `/v1/...` is the same endpoint (see `_route_path`).
ROUTES: dict[tuple[str, str], Route] = {
    ("POST", "/api/v1/tasks/search"): Route(
        "api/v1/tasks/search", lambda a, p: endpoints_tasks.search(a, p, "current"), True
    ),
    ("GET", "/api/v1/tasks/search"): Route(
        "api/v1/tasks/search", lambda a, p: endpoints_tasks.search(a, p, "get"), True
    ),
    ("POST", "/api/v1/tasks"): Route(
        "api/v1/tasks", lambda a, p: endpoints_tasks.create(a, p, bulk=False), True, True
    ),
    ("POST", "/api/v1/tasks/bulk_create"): Route(
        "api/v1/tasks/bulk_create", lambda a, p: endpoints_tasks.create(a, p, bulk=True), True, True
    ),
    ("GET", "/api/v1/users/search"): Route(
        "api/v1/users/search", endpoints_misc.users_search, True
    ),
    ("POST", "/api/v1/users/search"): Route(
        "api/v1/users/search", endpoints_misc.users_search, True
    ),
    ("POST", "/api/v1/contacts/search"): Route(
        "api/v1/contacts/search", endpoints_misc.contacts_search, False
    ),
    ("POST", "/api/v1/usage_stats/api_usage_stats"): Route(
        "api/v1/usage_stats/api_usage_stats", endpoints_misc.usage_stats, False
    ),
}
KNOWN_PATHS = {path for _, path in ROUTES}
# Seed 002's legacy contract (open_factor_names required, per_page up to 200) is the GET under /v1/.
LEGACY_SEARCH = Route(
    "api/v1/tasks/search", lambda a, p: endpoints_tasks.search(a, p, "legacy"), True
)


def _route(method: str, path: str) -> tuple[Route | None, str]:
    """The route of a request and its `/api/v1/` path; `/v1/x` is `/api/v1/x`."""
    api_path = "/api" + path if path.startswith("/v1/") else path
    if method == "GET" and path == "/v1/tasks/search":
        return LEGACY_SEARCH, api_path
    return ROUTES.get((method, api_path)), api_path


class App:
    """Holds the state of one sandbox and answers its requests."""

    def __init__(self, cfg: SandboxConfig) -> None:
        cfg.validate()
        self.cfg = cfg
        self.ds = Dataset(cfg.tasks, cfg.seed, cfg.anchor_date)
        self.renderer = Renderer(self.ds, cfg.contact_cache_size)
        self.store = Store(self.ds, self.renderer)
        self.limiter = RateLimiter()
        self.faults = faults.FaultEngine(cfg.faults)
        self.log: deque[dict[str, Any]] = deque(maxlen=cfg.request_log_cap)
        self.calls: dict[str, int] = {}
        self._haystack: list[str] | None = None

    def reset(self) -> None:
        self.store.reset()
        self.limiter.reset()
        self.faults = faults.FaultEngine(self.cfg.faults)
        self.log.clear()
        self.calls.clear()

    def configure(self, changes: dict[str, Any]) -> None:
        """Apply live config changes; dataset-shaping fields cannot change."""
        fixed = [
            k
            for k in SandboxConfig.DATASET_FIELDS
            if k in changes and changes[k] != getattr(self.cfg, k)
        ]
        if fixed:
            raise ValueError(
                f"{', '.join(fixed)} shape the dataset and cannot change live; restart"
            )
        new = self.cfg.merged(changes)
        if new.faults != self.cfg.faults:
            # Reseeding on every fault change keeps sequences reproducible from that point on.
            self.faults.reseed(new.faults)
        if new.request_log_cap != self.cfg.request_log_cap:
            self.log = deque(self.log, maxlen=new.request_log_cap)
        self.cfg = new

    def contact_matches(self, keywords: str) -> np.ndarray:
        """Indexes of contacts whose name, title, employer or email contain every keyword."""
        words = keywords.lower().split()
        if not words:
            return np.arange(self.ds.n_contacts)
        if self._haystack is None:
            ds = self.ds
            self._haystack = [
                " ".join(
                    (
                        *ds.contact_name(c),
                        names.TITLES[int(ds.c_title[c])],
                        ds.account_name(int(ds.c_account[c]))[0],
                        ds.contact_email(c),
                    )
                ).lower()
                for c in range(ds.n_contacts)
            ]
        hits = [i for i, text in enumerate(self._haystack) if all(w in text for w in words)]
        return np.array(hits, dtype=np.int64)

    # -- request handling -------------------------------------------------------------------------
    async def handle(self, req: Request) -> Response:
        if req.path.startswith("/_sandbox"):
            return hooks.handle(self, req)
        entry: dict[str, Any] = {
            "method": req.method,
            "path": req.path,
            "query": P.redact(P.parse_query(req.query)),
            "body": _logged_body(req),
            "key_header_present": "x-api-key" in req.headers,
            "timestamp": time.time(),
            "status": None,
            "fault": None,
        }
        self.log.append(entry)
        resp = await self._api(req, entry)
        if resp.action == "send":
            entry["status"] = resp.status
        return resp

    async def _api(self, req: Request, entry: dict[str, Any]) -> Response:
        route, api_path = _route(req.method, req.path)
        if route is None:
            status = 405 if api_path in KNOWN_PATHS else 404
            return endpoints_tasks.error(f"no route for {req.method} {req.path}", status)
        entry["endpoint"] = route.name
        key = req.headers.get("x-api-key")
        cfg = self.cfg
        if (
            "authorization" in req.headers
            or not key
            or key not in (*cfg.master_keys, *cfg.plain_keys)
        ):
            return UNAUTHORIZED
        if route.master and key not in cfg.master_keys:
            return Response(
                403,
                orjson.dumps(
                    {
                        "error": f"{route.name} is not accessible with this api_key",
                        "error_code": "API_INACCESSIBLE",
                    }
                ),
            )
        plan = (
            self.faults.plan(req.path, cfg.faults) if faults.applies(req.path, cfg.faults) else None
        )
        if plan is not None:
            entry["fault"] = plan.name
            if plan.delay_s > 0:
                await asyncio.sleep(plan.delay_s)
            if plan.before == "drop":
                return Response(0, action="drop")
            if plan.before == "rate_429":
                return _too_many(
                    cfg,
                    f"Too many requests to {route.name}; retry shortly.",
                    [("retry-after", "1")],
                )
            if plan.before is not None:
                body, ctype = faults.error_body(plan)
                return Response(plan.error_status, body, content_type=ctype)
        verdict = self.limiter.hit(cfg, route.name)
        if not verdict.allowed:
            return _too_many(cfg, verdict.message, verdict.headers)
        self.calls[route.name] = self.calls.get(route.name, 0) + 1
        try:
            params = {
                **P.parse_query(req.query),
                **P.parse_body(req.body, req.headers.get("content-type", "")),
            }
            resp = route.handler(self, params)
        except P.BadInput as exc:
            resp = endpoints_tasks.error(str(exc))
        resp.headers.extend(verdict.headers)
        if plan is not None and plan.after is not None:
            if plan.after == "drop_after_create":
                return Response(resp.status, action="drop")
            if plan.after == "truncate":
                resp.action = "truncate"
            elif plan.after == "invalid_json":
                resp.body = faults.mangle_json(resp.body)
        return resp


def _too_many(cfg: SandboxConfig, message: str, headers: list[tuple[str, str]]) -> Response:
    """A 429 as recorded (plain text) or as the docs' example (`{"message": ...}`)."""
    if cfg.rate_limit_body == "json":
        return Response(429, orjson.dumps({"message": message}), headers=headers)
    return Response(429, message.encode(), content_type="text/plain", headers=headers)


def _logged_body(req: Request) -> Any:
    if not req.body:
        return None
    try:
        return P.redact(P.parse_body(req.body, req.headers.get("content-type", "")))
    except P.BadInput:
        return {"unparsed_bytes": len(req.body)}
