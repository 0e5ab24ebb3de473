"""Misbehaviour on command, for any emulator: random faults reproducible from a seed, plus a
deterministic script.

Random faults draw the same number of random values for every request, so the fault a request
gets depends only on its position in the sequence of faultable requests and on `fault_seed` —
not on timing or on which faults are switched on.

Fault kinds: `drop` (close without answering, before the work), `error_500|502|503` (JSON or HTML
body, like an app server or a load balancer), `rate_429` (burst 429 with `retry-after: 1`),
`truncate` (full Content-Length, half the body, close), `invalid_json` (200 with a body that is
not JSON), `drop_after_create` (do the work — on a route the emulator marks as a create — then
close without answering), `delay:<ms>`.

Script entries `{"path", "fault", "count" (default 1), "after" (default 0)}` match a request path
exactly, or by prefix when `path` ends with `*`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sales_tasks.sandbox.core.config import FaultConfig

BEFORE = ("drop", "error_500", "error_502", "error_503", "rate_429")
AFTER = ("truncate", "invalid_json", "drop_after_create")
NAMES = BEFORE + AFTER
HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)
HTML_503 = (
    b"<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
    b"<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n"
)
HTML_500 = b"<html><body><h1>500 Internal Server Error</h1></body></html>\r\n"
JSON_ERRORS = {
    500: b'{"error": "Internal Server Error"}',
    502: b'{"error": "Bad Gateway"}',
    503: b'{"error": "Service Unavailable"}',
}
HTML_ERRORS = {500: HTML_500, 502: HTML_502, 503: HTML_503}


@dataclass
class ScriptEntry:
    path: str
    fault: str
    count: int = 1
    after: int = 0

    @classmethod
    def from_dict(cls, data: Any) -> ScriptEntry:
        if not isinstance(data, dict) or not isinstance(data.get("path"), str):
            raise ValueError("each script entry needs a string 'path' and a 'fault'")
        fault = data.get("fault")
        if not isinstance(fault, str) or not (fault in NAMES or _delay_ms(fault) is not None):
            raise ValueError(f"unknown fault {fault!r}; use one of {', '.join(NAMES)}, delay:<ms>")
        unknown = set(data) - {"path", "fault", "count", "after"}
        if unknown:
            raise ValueError(f"unknown script entry field(s): {', '.join(sorted(unknown))}")
        count, after = int(data.get("count", 1)), int(data.get("after", 0))
        if count < 1 or after < 0:
            raise ValueError("count must be >= 1 and after >= 0")
        return cls(data["path"], fault, count, after)

    def matches(self, path: str) -> bool:
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path


@dataclass
class Plan:
    """The faults one request gets."""

    delay_s: float = 0.0
    before: str | None = None
    after: str | None = None
    html: bool = False
    error_status: int = 500

    @property
    def name(self) -> str | None:
        return self.before or self.after


class FaultEngine:
    def __init__(self, cfg: FaultConfig) -> None:
        self.script: list[ScriptEntry] = []
        self.reseed(cfg)

    def reseed(self, cfg: FaultConfig) -> None:
        self.rng = random.Random(cfg.fault_seed)
        self.seen = 0

    def add_script(self, entries: list[Any]) -> None:
        if not isinstance(entries, list):
            raise ValueError("the fault script must be a JSON list of entries")
        self.script.extend(ScriptEntry.from_dict(e) for e in entries)

    def plan(self, path: str, cfg: FaultConfig, create: bool = False) -> Plan:
        """Decide the faults of the next request to `path` (which faults may apply to);
        `create`: the route makes records, so `drop_after_create` may hit it."""
        plan = Plan()
        draws = [self.rng.random() for _ in range(8)]
        self.seen += 1
        if cfg.latency_ms or cfg.jitter_ms:
            plan.delay_s = (cfg.latency_ms + draws[0] * cfg.jitter_ms) / 1000.0
        plan.error_status = (500, 502, 503)[min(2, int(draws[3] * 3))]
        plan.html = draws[7] < 0.5
        cycle = cfg.burst_429_every + cfg.burst_429_len
        if draws[1] < cfg.drop_rate:
            plan.before = "drop"
        elif (
            cfg.burst_429_len
            and cfg.burst_429_every
            and (self.seen - 1) % cycle >= cfg.burst_429_every
        ):
            plan.before = "rate_429"
        elif draws[2] < cfg.error_rate:
            plan.before = f"error_{plan.error_status}"
        elif draws[6] < cfg.drop_after_create_rate and create:
            plan.after = "drop_after_create"
        elif draws[4] < cfg.truncate_rate:
            plan.after = "truncate"
        elif draws[5] < cfg.invalid_json_rate:
            plan.after = "invalid_json"
        scripted = self._scripted(path)
        if scripted is not None:
            delay = _delay_ms(scripted)
            if delay is not None:
                plan.delay_s += delay / 1000.0
            else:
                plan.before = scripted if scripted in BEFORE else None
                plan.after = scripted if scripted in AFTER else None
                plan.html = scripted in ("error_502", "error_503")
                if scripted.startswith("error_"):
                    plan.error_status = int(scripted[6:])
        return plan

    def _scripted(self, path: str) -> str | None:
        fired: str | None = None
        for entry in self.script:
            if not entry.matches(path):
                continue
            if entry.after > 0:
                entry.after -= 1
                continue
            if fired is None and entry.count > 0:
                entry.count -= 1
                fired = entry.fault
        self.script = [e for e in self.script if e.count > 0]
        return fired


def applies(path: str, cfg: FaultConfig) -> bool:
    if path.startswith("/_sandbox"):
        return False
    return any(path.startswith(prefix) for prefix in cfg.fault_paths)


def error_body(plan: Plan) -> tuple[bytes, str]:
    if plan.html:
        return HTML_ERRORS[plan.error_status], "text/html"
    return JSON_ERRORS[plan.error_status], "application/json; charset=utf-8"


def mangle_json(body: bytes) -> bytes:
    """A 200 body that is not JSON: the real body cut short, then an HTML fragment."""
    return (
        body[: len(body) // 2] + b"\n<html><body>upstream sent an incomplete response</body></html>"
    )


def _delay_ms(fault: str) -> float | None:
    if not fault.startswith("delay:"):
        return None
    try:
        value = float(fault[6:])
    except ValueError:
        return None
    return value if value >= 0 else None
