"""Reply.io rate limits: per user, 100 calls a minute and 3,000 an hour at once.

Facts relied on (VENDOR-SPECS.md §1.1-1.2; RD rate-limits page, RS @16,500): the limits are per
user across the API (not per endpoint); over a limit Reply answers 429 with `Retry-After` in
integer seconds (at least 1) and a bare problem+json body.

Guesses: fixed windows; the header names (`x-ratelimit-limit-minute`, `x-ratelimit-used-minute`,
`x-ratelimit-remaining-minute` and the `-hour` ones) on every answer, 429s included (Reply
documents none); refused calls (401, 403, 429) consume nothing.
Window lengths scale (`window_scale`) so tests and benchmarks keep the ratios and run fast.

The counting is `sales_tasks.sandbox.core.ratelimit`'s; this module says what Reply calls things.
"""

from __future__ import annotations

from sales_tasks.sandbox.core.ratelimit import RateLimiter, THeaderNames, Verdict
from sales_tasks.sandbox.reply.config import ReplyConfig

HEADER_NAMES: THeaderNames = {
    window: (
        f"x-ratelimit-limit-{window}",
        f"x-ratelimit-used-{window}",
        f"x-ratelimit-remaining-{window}",
    )
    for window in ("minute", "hour")
}


def hit(limiter: RateLimiter, cfg: ReplyConfig, bucket: str) -> Verdict:
    """Count one call of the user `bucket` names; a refusal says why as a person reads it."""
    verdict = limiter.hit(bucket, cfg.rate_limits, cfg.window_lengths(), HEADER_NAMES)
    if not verdict.allowed:
        verdict.message = (
            f"Rate limit of {verdict.limit} requests per {verdict.window} exceeded; "
            f"retry after {verdict.retry_after} seconds."
        )
    return verdict
