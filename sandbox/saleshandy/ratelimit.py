"""Saleshandy rate limits: one fixed window, counted per account or per endpoint.

Facts relied on (NOTES.md section 2, third-party clients): limits are "fair usage" with no
documented numbers; clients read `x-ratelimit-remaining` and `x-ratelimit-reset` (an HTTP date,
parsed with Date.parse) and `retry-after` on a 429; about 20 calls per window were seen on
prospects. Guesses (switches): `x-ratelimit-limit` is sent too; the window is counted per account
(`rate_scope`); `x-ratelimit-reset` may be epoch seconds instead (`reset_format`); `retry-after`
is seconds and may be absent (`retry_after_header`); the 429 body is `{"message": ...}`.

The counting is `sales_tasks.sandbox.core.ratelimit`'s; this module says what Saleshandy calls things.
"""

from __future__ import annotations

import math
from email.utils import formatdate

from sales_tasks.sandbox.core.ratelimit import RateLimiter, Verdict
from sales_tasks.sandbox.saleshandy.config import SaleshandyConfig

WINDOW = "window"
HEADER_NAMES = {WINDOW: ("x-ratelimit-limit", "x-ratelimit-used", "x-ratelimit-remaining")}
SENT = ("x-ratelimit-limit", "x-ratelimit-remaining", "retry-after")
MESSAGE = "Too many requests, please try again later."


def limiter() -> RateLimiter:
    return RateLimiter((WINDOW,))


def hit(limiter: RateLimiter, cfg: SaleshandyConfig, endpoint: str) -> Verdict:
    """Consume one call if the window allows it; the headers are Saleshandy's."""
    key = endpoint if cfg.rate_scope == "endpoint" else "account"
    length = float(cfg.rate_window_seconds)
    verdict = limiter.hit(
        key, {WINDOW: cfg.rate_limit}, {WINDOW: length}, HEADER_NAMES, cfg.retry_after_header
    )
    headers = [(k, v) for k, v in verdict.headers if k in SENT]
    if not cfg.rate_headers:
        headers = [(k, v) for k, v in headers if k == "retry-after"]
    else:
        reset = (math.floor(limiter.clock() / length) + 1) * length
        shown = (
            formatdate(reset, usegmt=True)
            if cfg.reset_format == "http-date"
            else str(math.ceil(reset))
        )
        headers.append(("x-ratelimit-reset", shown))
    verdict.headers = headers
    verdict.message = MESSAGE
    return verdict
