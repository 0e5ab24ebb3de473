"""Rate-limit governor driven by the vendor's budget-left and reset response headers.

Vendors count fixed windows (often per endpoint, per minute, hour and day at once) and report
what is left of each on successful responses; the header names are the vendor's and come in a
`RateLimitHeaders` value (`sales_tasks.clients.core.headers`). When the budget reaches zero:
- if the vendor said when the window resets (seconds, epoch or HTTP date), the endpoint is held
  until then, and `blocked_for` tells the client how long, so it can give up at once on a wait
  longer than it allows;
- if it did not (some vendors never do), one request goes through as a probe: either the window has
  reset (fresh headers) or the vendor answers 429 with `retry-after`, and everybody waits exactly
  that long. That costs one 429 per exhausted window, never a failure.

Vendors that send no budget headers at all still document their limits (e.g. 100 requests a minute
and 3,000 an hour per user): given as `limits`, they pace every request, across endpoints, so that
no window of that length (plus `PACE_MARGIN`) ever holds more sends than allowed. Headers and 429s
still apply on top; after a 429's wait, the first answer without budget headers reopens the
endpoint to every worker.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence

from sales_tasks.clients.core.headers import RateLimitHeaders, requests_left, reset_at

# A send counts against a documented window for this much longer than the window, so a request
# that reaches the vendor a little after it was let go (threads, network) still falls in the
# window it was counted in: 0.6 s of a minute, at 1% of the throughput.
PACE_MARGIN = 0.01


class HeldTooLong(Exception):
    """`acquire` gave up: the endpoint is held longer than the caller accepts to wait."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"held for {seconds:.0f}s")
        self.seconds = seconds


class RateLimitGovernor:
    """Admits requests per endpoint so that concurrent workers never overrun the budget left.

    Thread-safe: `acquire` before sending, `release` with the response headers (or the 429's
    retry-after) afterwards.

    Args:
        headers: the vendor's header names (default: the common `x-ratelimit-*` ones).
        limits: documented `(requests, window seconds)` limits over all endpoints, paced on our
            side (for vendors that send no budget headers).
        clock: wall-clock time in epoch seconds (reset headers are wall-clock instants).
        monotonic: the clock the pacing counts with (tests pass a fake one).
        wait: how to let `seconds` pass while an endpoint is held or paced (default: wait on
            the wall clock). Given, every hold and pacing wait goes through it and is measured
            with `monotonic` (a test ties both to an emulator's clock: no wall-clock wait).
    """

    def __init__(
        self,
        headers: RateLimitHeaders | None = None,
        *,
        limits: Sequence[tuple[int, float]] = (),
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        wait: Callable[[float], None] | None = None,
    ) -> None:
        self.headers = headers or RateLimitHeaders()
        self.limits = tuple((int(n), float(w)) for n, w in limits if n > 0 and w > 0)
        self._sent: deque[float] = deque()  # send times within the longest documented window
        self._monotonic = monotonic
        self._wait_fn = wait
        self._clock = clock
        self._cond = threading.Condition()
        self._left: dict[str, int] = {}
        self._in_flight: dict[str, int] = {}
        self._blocked_until: dict[str, float] = {}
        self._resets_at: dict[str, float] = {}
        self._headers: dict[str, dict[str, str]] = {}
        self.waited_seconds = 0.0
        # Wall-clock seconds during which the documented limits held every send back (overlapping
        # waits of several workers counted once), for progress displays.
        self.paced_seconds = 0.0
        self._paced_until = 0.0

    def acquire(self, endpoint: str, max_hold: float | None = None) -> None:
        """Block until a request to `endpoint` may be sent.

        Raises:
            HeldTooLong: the endpoint is held for more than `max_hold` seconds (e.g. the last
                call of a spent daily budget answered while this worker waited): the caller
                ends the call instead of sleeping until the reset.
        """
        started = self._now()
        with self._cond:
            while True:
                now = self._now()
                blocked = self._blocked_until.get(endpoint, 0.0)
                in_flight = self._in_flight.get(endpoint, 0)
                left = self._left.get(endpoint)
                if blocked > now:
                    if max_hold is not None and blocked - now > max_hold:
                        raise HeldTooLong(blocked - now)
                    self._wait(blocked - now)
                    continue
                # Unknown budget, budget to spare, or nobody in flight (send one probe).
                if left is None or left > in_flight or in_flight == 0:
                    pace = self._pace_wait()
                    if pace > 0:
                        self._count_pacing(now, pace)
                        self._wait(pace)
                        continue
                    self._in_flight[endpoint] = in_flight + 1
                    if self.limits:
                        self._sent.append(self._monotonic())
                    break
                self._cond.wait(0.25)
        self.waited_seconds += self._now() - started

    def _now(self) -> float:
        """The clock holds are measured with: `monotonic` when waits are injected."""
        return self._monotonic() if self._wait_fn is not None else time.monotonic()

    def _wait(self, seconds: float) -> None:
        """Let `seconds` pass, the lock released meanwhile (called holding it)."""
        if self._wait_fn is None:
            self._cond.wait(seconds)
            return
        self._cond.release()
        try:
            self._wait_fn(seconds)
        finally:
            self._cond.acquire()

    def _count_pacing(self, now: float, wait: float) -> None:
        start, end = max(now, self._paced_until), now + wait
        if end > start:
            self.paced_seconds += end - start
            self._paced_until = end

    def _pace_wait(self) -> float:
        """Seconds until one more send fits every documented limit (0: now)."""
        if not self.limits:
            return 0.0
        now = self._monotonic()
        longest = max(window for _, window in self.limits) * (1 + PACE_MARGIN)
        while self._sent and self._sent[0] <= now - longest:
            self._sent.popleft()
        wait = 0.0
        for allowed, documented in self.limits:
            window = documented * (1 + PACE_MARGIN)
            inside = [t for t in self._sent if t > now - window]
            if len(inside) >= allowed:
                # the oldest send that must leave the window before another may enter it
                wait = max(wait, inside[len(inside) - allowed] + window - now)
        return wait

    def blocked_for(self, endpoint: str) -> float:
        """Seconds before `endpoint` admits a request again (0 when it is open)."""
        with self._cond:
            return max(0.0, self._blocked_until.get(endpoint, 0.0) - self._now())

    def requests_left(self, endpoint: str) -> int | None:
        """The budget the vendor last reported for `endpoint` (None: it never said)."""
        with self._cond:
            return self._left.get(endpoint)

    def last_headers(self, endpoint: str) -> dict[str, str]:
        """The headers of `endpoint`'s last answer (lower-case names; empty: none yet), for a
        vendor's quota reader that tells its windows apart (`requests_left` keeps the least)."""
        with self._cond:
            return dict(self._headers.get(endpoint, {}))

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
                self._headers[endpoint] = {k.lower(): v for k, v in headers.items()}
                left = requests_left(headers, self.headers)
                if left is not None:
                    self._left[endpoint] = left
                elif self._left.get(endpoint) == 0:
                    # A probe after a 429 went through and the vendor reports no budget (it
                    # never does): the window has turned, so stop sending one at a time.
                    del self._left[endpoint]
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
        until = self._now() + seconds
        self._blocked_until[endpoint] = max(self._blocked_until.get(endpoint, 0.0), until)
        self._resets_at[endpoint] = max(self._resets_at.get(endpoint, 0.0), self._clock() + seconds)
