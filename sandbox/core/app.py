"""The generic emulator application: request log, fault machinery, rate limits, test hooks.

An emulator subclasses `EmulatorApp` and writes only what its vendor decides: which route a
request is (`route`), who may call it (`authorize`), its rate limits (`rate_limit`), how a
refusal for too many calls reads (`too_many`), the work (`call`), its extra log fields and hooks.

Order of a request: `/_sandbox/` hooks bypass everything; otherwise it is logged, then
route -> auth -> faults decided before the work (delay, drop, 5xx, burst 429) -> rate limit ->
the endpoint -> faults after the work (drop after create, truncate, invalid JSON).
A log entry names the route (`endpoint`) and whether it creates records (`creates`), so a test
counts the create calls a vendor received without knowing its paths. The request log keeps at most `request_log_cap` entries (oldest dropped); it never holds a
secret parameter (`secret_params` are redacted from the query and body logged).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any, ClassVar, Generic, TypeVar

from sales_tasks.sandbox.core import faults, hooks
from sales_tasks.sandbox.core.clock import Clock
from sales_tasks.sandbox.core.config import EmulatorConfig
from sales_tasks.sandbox.core.http import Request, Response
from sales_tasks.sandbox.core.params import BadInput, parse_body, parse_query, redact
from sales_tasks.sandbox.core.ratelimit import RateLimiter, Verdict, too_many

C = TypeVar("C", bound=EmulatorConfig)


class Route:
    """What the generic pipeline needs of an endpoint: its name (the rate-limit and `calls`
    key) and whether it creates records (`drop_after_create` faults only hit those).
    An emulator subclasses it to carry its handler and access rules."""

    def __init__(self, name: str, create: bool = False) -> None:
        self.name, self.create = name, create


class EmulatorApp(Generic[C]):
    """Holds the state of one emulator and answers its requests."""

    # The vendor's name, for thread names and messages.
    vendor: ClassVar[str] = "emulator"
    # Parameter names whose values never reach the request log.
    secret_params: ClassVar[tuple[str, ...]] = ()

    def __init__(self, cfg: C) -> None:
        cfg.validate()
        self.cfg = cfg
        self.limiter = RateLimiter()
        self.faults = faults.FaultEngine(cfg.faults)
        self.log: deque[dict[str, Any]] = deque(maxlen=cfg.request_log_cap)
        self.calls: dict[str, int] = {}
        self.scheduled: list[hooks.ScheduledCall] = []

    @property
    def clock(self) -> Clock:
        """This emulator's clock (`sales_tasks.sandbox.core.clock`): its rate windows follow it."""
        clock: Clock | None = self.__dict__.get("_clock")
        if clock is None:
            clock = self.__dict__["_clock"] = Clock()
        return clock

    @property
    def limiter(self) -> RateLimiter:
        """The rate counters; whichever limiter an emulator sets here reads `self.clock`."""
        limiter: RateLimiter = self.__dict__["_limiter"]
        return limiter

    @limiter.setter
    def limiter(self, value: RateLimiter) -> None:
        value.clock = self.clock.now
        self.__dict__["_limiter"] = value

    # -- what an emulator writes ------------------------------------------------------------------
    def route(self, req: Request) -> Route | Response:
        """The route of `req`, or the answer when there is none (404, 405)."""
        raise NotImplementedError

    def authorize(self, req: Request, route: Route) -> Response | None:
        """None when `req` may call `route`, else the refusal (401, 403...)."""
        raise NotImplementedError

    def rate_limit(self, route: Route) -> Verdict:
        """Count one call of `route` against its limits (see `self.limiter`)."""
        raise NotImplementedError

    def too_many(self, message: str, headers: list[tuple[str, str]]) -> Response:
        """The 429 answer the vendor sends."""
        return too_many(message, headers)

    def call(self, route: Route, req: Request) -> Response:
        """Do the work of `route` for `req`."""
        raise NotImplementedError

    def log_fields(self, req: Request) -> dict[str, Any]:
        """Vendor-specific fields of a request log entry (never a secret)."""
        return {}

    def vendor_hook(self, req: Request, path: str, query: dict[str, Any]) -> Response | None:
        """Answer a `/_sandbox/` hook the generic ones do not know, or None (404)."""
        return None

    def stats(self) -> dict[str, Any]:
        """What `GET /_sandbox/stats` answers."""
        return {"requests": self.requests_per_path(), "requests_served": dict(self.calls)}

    # -- state ------------------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the start state: rate counters, fault engine, request log, call counts."""
        self.limiter.reset()
        self.faults = faults.FaultEngine(self.cfg.faults)
        self.log.clear()
        self.calls.clear()
        self.scheduled.clear()

    def configure(self, changes: dict[str, Any]) -> None:
        """Apply live config changes; dataset-shaping fields cannot change."""
        fixed = [
            k
            for k in type(self.cfg).DATASET_FIELDS
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

    def requests_per_path(self) -> dict[str, int]:
        """Logged requests counted per `METHOD /path`."""
        per_endpoint: dict[str, int] = {}
        for entry in self.log:
            key = f"{entry['method']} {entry['path']}"
            per_endpoint[key] = per_endpoint.get(key, 0) + 1
        return per_endpoint

    def describe(self, base_url: str) -> str:
        """A few lines for a person who started this emulator: where it is, how to call it."""
        return f"{self.vendor} sandbox listening on {base_url}"

    # -- request handling -------------------------------------------------------------------------
    async def handle(self, req: Request, *, scheduled: bool = False) -> Response:
        if not scheduled and self.scheduled and not req.path.startswith(hooks.PREFIX):
            for call in hooks.due_calls(self, req):
                await self.handle(call, scheduled=True)
        if req.path.startswith(hooks.PREFIX):
            return hooks.handle(self, req)
        entry: dict[str, Any] = {
            "method": req.method,
            "path": req.path,
            "query": redact(parse_query(req.query), self.secret_params),
            "body": self._logged_body(req),
            **self.log_fields(req),
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
        route = self.route(req)
        if isinstance(route, Response):
            return route
        entry["endpoint"] = route.name
        entry["creates"] = route.create
        denied = self.authorize(req, route)
        if denied is not None:
            return denied
        fault_cfg = self.cfg.faults
        plan = (
            self.faults.plan(req.path, fault_cfg, route.create)
            if faults.applies(req.path, fault_cfg)
            else None
        )
        if plan is not None:
            entry["fault"] = plan.name
            if plan.delay_s > 0:
                await asyncio.sleep(plan.delay_s)
            if plan.before == "drop":
                return Response(0, action="drop")
            if plan.before == "rate_429":
                return self.too_many(
                    f"Too many requests to {route.name}; retry shortly.",
                    [("retry-after", "1")],
                )
            if plan.before is not None:
                body, ctype = faults.error_body(plan)
                return Response(plan.error_status, body, content_type=ctype)
        verdict = self.rate_limit(route)
        if not verdict.allowed:
            return self.too_many(verdict.message, verdict.headers)
        self.calls[route.name] = self.calls.get(route.name, 0) + 1
        resp = self.call(route, req)
        resp.headers.extend(verdict.headers)
        if plan is not None and plan.after is not None:
            if plan.after == "drop_after_create":
                return Response(resp.status, action="drop")
            if plan.after == "truncate":
                resp.action = "truncate"
            elif plan.after == "invalid_json":
                resp.body = faults.mangle_json(resp.body)
        return resp

    def _logged_body(self, req: Request) -> Any:
        if not req.body:
            return None
        try:
            return redact(
                parse_body(req.body, req.headers.get("content-type", "")), self.secret_params
            )
        except BadInput:
            return {"unparsed_bytes": len(req.body)}
