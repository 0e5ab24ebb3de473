"""Rate-limit governor driven by the vendor's budget-left and reset response headers.

Vendors count fixed windows (often per endpoint, per minute, hour and day at once) and report
what is left of each on successful responses; the header names are the vendor's and come in a
`RateLimitHeaders` value (`clients.core.headers`). When the budget reaches zero:
- if the vendor said when the window resets (seconds, epoch or HTTP date), the endpoint is held
  until then, and `blocked_for` tells the client how long, so it can give up at once on a wait
  longer than it allows;
- if it did not (some vendors never do), one request goes through as a probe: either the window has
  reset (fresh headers) or the vendor answers 429 with `retry-after`, and everybody waits exactly
  that long. That costs one 429 per exhausted window, never a failure.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

from clients.core.headers import RateLimitHeaders, requests_left, reset_at


class RateLimitGovernor:
    """Admits requests per endpoint so that concurrent workers never overrun the budget left.

    Thread-safe: `acquire` before sending, `release` with the response headers (or the 429's
    retry-after) afterwards.

    Args:
        headers: the vendor's header names (default: the common `x-ratelimit-*` ones).
        clock: wall-clock time in epoch seconds (reset headers are wall-clock instants).
    """

    def __init__(
        self,
        headers: RateLimitHeaders | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.headers = headers or RateLimitHeaders()
        self._clock = clock
        self._cond = threading.Condition()
        self._left: dict[str, int] = {}
        self._in_flight: dict[str, int] = {}
        self._blocked_until: dict[str, float] = {}
        self._resets_at: dict[str, float] = {}
        self.waited_seconds = 0.0

    def acquire(self, endpoint: str) -> None:
        """Block until a request to `endpoint` may be sent."""
        started = time.monotonic()
        with self._cond:
            while True:
                now = time.monotonic()
                blocked = self._blocked_until.get(endpoint, 0.0)
                in_flight = self._in_flight.get(endpoint, 0)
                left = self._left.get(endpoint)
                if blocked > now:
                    self._cond.wait(blocked - now)
                    continue
                # Unknown budget, budget to spare, or nobody in flight (send one probe).
                if left is None or left > in_flight or in_flight == 0:
                    self._in_flight[endpoint] = in_flight + 1
                    break
                self._cond.wait(0.25)
        self.waited_seconds += time.monotonic() - started

    def blocked_for(self, endpoint: str) -> float:
        """Seconds before `endpoint` admits a request again (0 when it is open)."""
        with self._cond:
            return max(0.0, self._blocked_until.get(endpoint, 0.0) - time.monotonic())

    def resets_at(self, endpoint: str) -> float | None:
        """The wall-clock instant (epoch seconds) the vendor said `endpoint`'s window resets."""
        with self._cond:
            return self._resets_at.get(endpoint)

    def release(
        self,
        endpoint: str,
        headers: Mapping[str, str] | None = None,
        *,
        retry_after: float | None = None,
    ) -> None:
        """Record the outcome of one request: the budget it reported or the wait it imposed."""
        with self._cond:
            self._in_flight[endpoint] = max(0, self._in_flight.get(endpoint, 0) - 1)
            if headers is not None:
                left = requests_left(headers, self.headers)
                if left is not None:
                    self._left[endpoint] = left
                wall = self._clock()
                reset = reset_at(headers, self.headers, wall)
                if reset is not None:
                    self._resets_at[endpoint] = reset
                    if left == 0 and reset > wall:
                        self._block(endpoint, reset - wall)
            if retry_after is not None:
                self._block(endpoint, retry_after)
                # The window is spent: after the wait, probe again one request at a time.
                self._left[endpoint] = 0
            self._cond.notify_all()

    def _block(self, endpoint: str, seconds: float) -> None:
        until = time.monotonic() + seconds
        self._blocked_until[endpoint] = max(self._blocked_until.get(endpoint, 0.0), until)
        self._resets_at[endpoint] = max(self._resets_at.get(endpoint, 0.0), self._clock() + seconds)
