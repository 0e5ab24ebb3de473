"""Timestamps as Reply.io's API 3.0 answers and reads them.

Guesses (no recorded Reply task is public): answers render UTC with milliseconds and a `Z`
(`2026-01-04T15:48:10.467Z`, ASP.NET's usual shape); requests take ISO 8601 with or without an
offset, a value without one being UTC.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

DAY_MS = 86_400_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EARLIEST_MS = 1_420_070_400_000  # 2015-01-01T00:00:00Z: Reply refuses a startAt before it


def parse_ms(value: str) -> int:
    """Epoch milliseconds of an ISO 8601 date-time; no offset means UTC.

    Raises:
        ValueError: `value` is not one.
    """
    parsed = datetime.fromisoformat(value.strip())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return (parsed - EPOCH) // timedelta(milliseconds=1)


def iso(ms: int) -> str:
    """`2026-01-04T15:48:10.467Z`."""
    t = time.gmtime(ms // 1000)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:"
        f"{t.tm_sec:02d}.{ms % 1000:03d}Z"
    )


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def anchor_ms(anchor_date: str | None) -> int:
    """The instant seed data is spread around: `anchor_date`, or today 00:00 UTC."""
    if anchor_date is not None:
        return parse_ms(anchor_date)
    today = now_ms()
    return today - today % DAY_MS
