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

The counting is `sales_tasks.sandbox.core.ratelimit`'s; this module says what Apollo calls things.
"""

from __future__ import annotations

import json

from sales_tasks.sandbox.apollo.config import SandboxConfig
from sales_tasks.sandbox.core.ratelimit import WINDOWS, RateLimiter, THeaderNames, Verdict

# Endpoint name (as in messages) -> usage-stats key parts (controller, action).
ENDPOINTS: dict[str, tuple[str, str]] = {
    "api/v1/tasks/search": ("api/v1/tasks", "search"),
    "api/v1/tasks": ("api/v1/tasks", "create"),
    "api/v1/tasks/bulk_create": ("api/v1/tasks", "bulk_create"),
    "api/v1/users/search": ("api/v1/users", "search"),
    "api/v1/contacts/search": ("api/v1/contacts", "search"),
    "api/v1/usage_stats/api_usage_stats": ("api/v1/usage_stats", "api_usage_stats"),
}
HEADER_NAMES: dict[str, THeaderNames] = {
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


def hit(limiter: RateLimiter, cfg: SandboxConfig, endpoint: str) -> Verdict:
    """Consume one call of `endpoint` if every window allows it; a refusal says why as Apollo
    does."""
    verdict = limiter.hit(
        endpoint,
        {window: cfg.limit_for(endpoint, window) for window in WINDOWS},
        cfg.rate_window_seconds,
        HEADER_NAMES[cfg.header_scheme],
        cfg.retry_after_header,
    )
    if not verdict.allowed:
        verdict.message = (
            f"The maximum number of api calls allowed for {endpoint} is {verdict.limit} times "
            f"per {verdict.window}. Please upgrade your plan from "
            "https://app.apollo.io/#/settings/plans/upgrade."
        )
    return verdict


def usage_stats(limiter: RateLimiter, cfg: SandboxConfig) -> dict[str, dict[str, dict[str, int]]]:
    """The `api_usage_stats` body: every endpoint, every window."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for endpoint, parts in ENDPOINTS.items():
        key = json.dumps(list(parts))
        out[key] = {}
        for window in ("day", "hour", "minute"):
            limit = cfg.limit_for(endpoint, window)
            consumed = limiter.consumed(endpoint, window, float(cfg.rate_window_seconds[window]))
            out[key][window] = {
                "limit": limit,
                "consumed": consumed,
                "left_over": max(0, limit - consumed),
            }
    return out
