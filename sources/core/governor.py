"""Rate-limit governor driven by the vendor's `x-*-requests-left` response headers.

Apollo counts fixed windows per endpoint per minute, hour and day at once and reports what is left
of each on every successful response (`x-minute-requests-left`, `x-hourly-requests-left`,
`x-24-hour-requests-left`; older docs name the day one `x-daily-requests-left`: both are read).
The headers never say when a window resets, so when the budget reaches zero the governor lets one
request through as a probe: either the window has reset (fresh headers) or the vendor answers 429
with `retry-after`, and everybody waits exactly that long. That costs one 429 per exhausted
window, never a failure, and keeps a long run close to the floor the limits allow.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping

# Every header name, across both documented naming schemes, that says how many calls are left.
REQUESTS_LEFT_HEADERS = (
    "x-minute-requests-left",
    "x-hourly-requests-left",
    "x-24-hour-requests-left",
    "x-daily-requests-left",
    "x-ratelimit-remaining",  # Saleshandy
)


def requests_left(headers: Mapping[str, str]) -> int | None:
    """The smallest budget left over every window the response reports, or None if unreported."""
    values = []
    for name in REQUESTS_LEFT_HEADERS:
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            values.append(int(float(raw)))
        except ValueError:
            continue
    return min(values) if values else None


class RateLimitGovernor:
    """Admits requests per endpoint so that concurrent workers never overrun the budget left.

    Thread-safe: `acquire` before sending, `release` with the response headers (or the 429's
    retry-after) afterwards.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._left: dict[str, int] = {}
        self._in_flight: dict[str, int] = {}
        self._blocked_until: dict[str, float] = {}
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
                left = requests_left(headers)
                if left is not None:
                    self._left[endpoint] = left
            if retry_after is not None:
                until = time.monotonic() + retry_after
                self._blocked_until[endpoint] = max(self._blocked_until.get(endpoint, 0.0), until)
                # The window is spent: after the wait, probe again one request at a time.
                self._left[endpoint] = 0
            self._cond.notify_all()
