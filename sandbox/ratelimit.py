"""Apollo.io rate limits: fixed windows per endpoint, per minute, hour and day at once.

Facts relied on (NOTES.md section 1, the spec's 429 examples):
- Windows are fixed (not sliding), counted per team and per endpoint.
- Successful responses carry `x-rate-limit-minute`, `x-rate-limit-hourly`, `x-rate-limit-24-hour`,
  `x-minute-usage`, `x-hourly-usage`, `x-24-hour-usage`, `x-minute-requests-left`,
  `x-hourly-requests-left`, `x-24-hour-requests-left`; older docs name the day ones
  `x-rate-limit-daily`, `x-daily-usage`, `x-daily-requests-left` (`header_scheme = "legacy"`).
- Over a limit: 429 `The maximum number of api calls allowed for <endpoint> is N times per
  <window>. Please upgrade your plan ...` (plain text as recorded; the docs wrap it in
  `{"message": ...}`: `rate_limit_body` switch) with `retry-after` in seconds (may be absent in
  reality: `retry_after_header` switch). The rate headers come on 429s too (recorded).
- Rejected calls (429, 401, 403) do not consume quota.

Window lengths are configurable so tests can use a 1-second "minute".
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass

from sandbox.config import WINDOWS, SandboxConfig

# Endpoint name (as in messages) -> usage-stats key parts (controller, action).
ENDPOINTS: dict[str, tuple[str, str]] = {
    "api/v1/tasks/search": ("api/v1/tasks", "search"),
    "api/v1/tasks": ("api/v1/tasks", "create"),
    "api/v1/tasks/bulk_create": ("api/v1/tasks", "bulk_create"),
    "api/v1/users/search": ("api/v1/users", "search"),
    "api/v1/contacts/search": ("api/v1/contacts", "search"),
    "api/v1/usage_stats/api_usage_stats": ("api/v1/usage_stats", "api_usage_stats"),
}
_HEADER_NAMES = {
    "current": {
        "minute": ("x-rate-limit-minute", "x-minute-usage", "x-minute-requests-left"),
        "hour": ("x-rate-limit-hourly", "x-hourly-usage", "x-hourly-requests-left"),
        "day": ("x-rate-limit-24-hour", "x-24-hour-usage", "x-24-hour-requests-left"),
    },
    "legacy": {
        "minute": ("x-rate-limit-minute", "x-minute-usage", "x-minute-requests-left"),
        "hour": ("x-rate-limit-hourly", "x-hourly-usage", "x-hourly-requests-left"),
        "day": ("x-rate-limit-daily", "x-daily-usage", "x-daily-requests-left"),
    },
}


@dataclass
class Verdict:
    allowed: bool
    headers: list[tuple[str, str]]
    message: str = ""
    retry_after: int = 0


class RateLimiter:
    """Fixed-window counters per (endpoint, window)."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str], tuple[int, int]] = {}

    def reset(self) -> None:
        self._counts.clear()

    def _current(self, endpoint: str, window: str, length: float, now: float) -> tuple[int, int]:
        slot = int(now // length)
        held_slot, count = self._counts.get((endpoint, window), (slot, 0))
        return slot, count if held_slot == slot else 0

    def usage(self, cfg: SandboxConfig, endpoint: str, window: str) -> tuple[int, int]:
        """(limit, consumed) of `endpoint` in the current `window`."""
        length = float(cfg.rate_window_seconds[window])
        _, count = self._current(endpoint, window, length, time.time())
        return cfg.limit_for(endpoint, window), count

    def hit(self, cfg: SandboxConfig, endpoint: str) -> Verdict:
        """Consume one call of `endpoint` if every window allows it."""
        now = time.time()
        state = {}
        for window in WINDOWS:
            length = float(cfg.rate_window_seconds[window])
            slot, count = self._current(endpoint, window, length, now)
            state[window] = (slot, count, length)
        names = _HEADER_NAMES[cfg.header_scheme]
        for window in WINDOWS:
            slot, count, length = state[window]
            limit = cfg.limit_for(endpoint, window)
            if count >= limit:
                wait = max(1, math.ceil((slot + 1) * length - now))
                message = (
                    f"The maximum number of api calls allowed for {endpoint} is {limit} times per "
                    f"{window}. Please upgrade your plan from "
                    "https://app.apollo.io/#/settings/plans/upgrade."
                )
                retry = [("retry-after", str(wait))] if cfg.retry_after_header else []
                used = {w: state[w][1] for w in WINDOWS}
                return Verdict(False, retry + _headers(cfg, endpoint, names, used), message, wait)
        for window in WINDOWS:
            slot, count, _ = state[window]
            self._counts[(endpoint, window)] = (slot, count + 1)
        used = {w: state[w][1] + 1 for w in WINDOWS}
        return Verdict(True, _headers(cfg, endpoint, names, used))

    def usage_stats(self, cfg: SandboxConfig) -> dict[str, dict[str, dict[str, int]]]:
        """The `api_usage_stats` body: every endpoint, every window."""
        out: dict[str, dict[str, dict[str, int]]] = {}
        for endpoint, parts in ENDPOINTS.items():
            key = json.dumps(list(parts))
            out[key] = {}
            for window in ("day", "hour", "minute"):
                limit, consumed = self.usage(cfg, endpoint, window)
                out[key][window] = {
                    "limit": limit,
                    "consumed": consumed,
                    "left_over": max(0, limit - consumed),
                }
        return out


def _headers(
    cfg: SandboxConfig,
    endpoint: str,
    names: dict[str, tuple[str, str, str]],
    used: dict[str, int],
) -> list[tuple[str, str]]:
    """Limit, usage and requests-left headers of every window."""
    headers = []
    for window in WINDOWS:
        limit = cfg.limit_for(endpoint, window)
        limit_h, usage_h, left_h = names[window]
        headers += [
            (limit_h, str(limit)),
            (usage_h, str(used[window])),
            (left_h, str(max(0, limit - used[window]))),
        ]
    return headers
