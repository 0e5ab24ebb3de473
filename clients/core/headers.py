"""Reading rate-limit answers: `Retry-After`, budget-left and window-reset headers.

Vendors disagree on the form, so every reader accepts each one seen in the wild:
- `Retry-After` is delta-seconds or an HTTP date (RFC 9110 10.2.3).
- A reset header is delta-seconds, epoch seconds, epoch milliseconds or an HTTP date (some vendors'
  `x-ratelimit-reset` is parsed with `Date.parse` by its clients).
- Header names differ per vendor (and per docs generation of one vendor), so they are a
  `RateLimitHeaders` value the vendor module supplies; nothing here names a vendor.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime

# A bare number at least this large is a point in time, not a wait: 1e9 s is September 2001, and
# no vendor asks to wait 31 years.
_EPOCH_SECONDS = 1e9
_EPOCH_MILLIS = 1e12


@dataclass(frozen=True)
class RateLimitHeaders:
    """Names of the headers that report a rate-limit budget; every name listed is read.

    Attributes:
        remaining: headers counting the calls left in a window (the smallest one wins).
        reset: headers saying when the window resets (the latest one wins).
    """

    remaining: tuple[str, ...] = ("x-ratelimit-remaining", "ratelimit-remaining")
    reset: tuple[str, ...] = ("x-ratelimit-reset", "ratelimit-reset")


def _http_date(raw: str) -> float | None:
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:  # HTTP dates are GMT even when a sender omits the zone
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def parse_retry_after(raw: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` value (seconds or HTTP date); None if unreadable."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    moment = _http_date(text)
    if moment is None:
        return None
    return max(0.0, moment - (time.time() if now is None else now))


def parse_reset(raw: str | None, now: float | None = None) -> float | None:
    """The wall-clock instant (epoch seconds) a window resets, from any form a vendor uses."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    current = time.time() if now is None else now
    try:
        number = float(text)
    except ValueError:
        return _http_date(text)
    if number >= _EPOCH_MILLIS:
        return number / 1000.0
    if number >= _EPOCH_SECONDS:
        return number
    return current + max(0.0, number)


def requests_left(headers: Mapping[str, str], names: RateLimitHeaders | None = None) -> int | None:
    """The smallest budget left over every window the response reports, or None if unreported."""
    values = []
    for name in (names or RateLimitHeaders()).remaining:
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            values.append(int(float(raw)))
        except ValueError:
            continue
    return min(values) if values else None


def reset_at(
    headers: Mapping[str, str], names: RateLimitHeaders | None = None, now: float | None = None
) -> float | None:
    """When the reported windows reset (epoch seconds; the latest of them), or None."""
    moments = [
        moment
        for name in (names or RateLimitHeaders()).reset
        if (moment := parse_reset(headers.get(name), now)) is not None
    ]
    return max(moments) if moments else None
