"""Fixed-window rate limiting per endpoint, over several windows at once (e.g. minute, hour, day).

Generic: the emulator says what the limits and window lengths are, what the limit, usage and
requests-left headers are called, and whether a refusal carries `retry-after`; it writes the
refusal's message itself. A refused call does not consume quota. Window lengths are
configurable so tests can use a 1-second "minute"; the windows follow the emulator's `Clock`
(`sales_tasks.sandbox.core.clock`), which tests freeze and advance instead of sleeping.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import orjson

from sales_tasks.sandbox.core.http import Response

WINDOWS = ("minute", "hour", "day")
# window -> (limit header, usage header, requests-left header)
THeaderNames = Mapping[str, tuple[str, str, str]]


@dataclass
class Verdict:
    """The answer to one call: allowed or not, the rate headers to send, and when refused,
    the window that refused it, its limit and the seconds until that window turns over."""

    allowed: bool
    headers: list[tuple[str, str]]
    message: str = ""
    retry_after: int = 0
    window: str = ""
    limit: int = 0


class RateLimiter:
    """Fixed-window counters per (endpoint, window)."""

    def __init__(
        self, windows: tuple[str, ...] = WINDOWS, clock: Callable[[], float] = time.time
    ) -> None:
        self.windows = windows
        self.clock = clock
        self._counts: dict[tuple[str, str], tuple[int, int]] = {}

    def reset(self) -> None:
        self._counts.clear()

    def _current(self, endpoint: str, window: str, length: float, now: float) -> tuple[int, int]:
        slot = int(now // length)
        held_slot, count = self._counts.get((endpoint, window), (slot, 0))
        return slot, count if held_slot == slot else 0

    def consumed(self, endpoint: str, window: str, length: float) -> int:
        """Calls of `endpoint` counted in the current `window` of `length` seconds."""
        return self._current(endpoint, window, length, self.clock())[1]

    def hit(
        self,
        endpoint: str,
        limits: Mapping[str, int],
        lengths: Mapping[str, float],
        header_names: THeaderNames,
        retry_after_header: bool = True,
    ) -> Verdict:
        """Consume one call of `endpoint` if every window allows it.

        Args:
            endpoint: what the counters are kept per.
            limits: calls allowed per window.
            lengths: window lengths in seconds.
            header_names: the names of each window's limit, usage and requests-left headers.
            retry_after_header: whether a refusal carries `retry-after` (seconds).
        """
        now = self.clock()
        state = {}
        for window in self.windows:
            length = float(lengths[window])
            slot, count = self._current(endpoint, window, length, now)
            state[window] = (slot, count, length)
        for window in self.windows:
            slot, count, length = state[window]
            limit = limits[window]
            if count >= limit:
                wait = max(1, math.ceil((slot + 1) * length - now))
                retry = [("retry-after", str(wait))] if retry_after_header else []
                used = {w: state[w][1] for w in self.windows}
                headers = retry + self._headers(limits, header_names, used)
                return Verdict(False, headers, retry_after=wait, window=window, limit=limit)
        for window in self.windows:
            slot, count, _ = state[window]
            self._counts[(endpoint, window)] = (slot, count + 1)
        used = {w: state[w][1] + 1 for w in self.windows}
        return Verdict(True, self._headers(limits, header_names, used))

    def _headers(
        self, limits: Mapping[str, int], names: THeaderNames, used: dict[str, int]
    ) -> list[tuple[str, str]]:
        """Limit, usage and requests-left headers of every window."""
        headers = []
        for window in self.windows:
            limit = limits[window]
            limit_h, usage_h, left_h = names[window]
            headers += [
                (limit_h, str(limit)),
                (usage_h, str(used[window])),
                (left_h, str(max(0, limit - used[window]))),
            ]
        return headers


def too_many(message: str, headers: list[tuple[str, str]], as_json: bool = False) -> Response:
    """A 429 carrying `message` as plain text, or as `{"message": ...}` when `as_json`."""
    if as_json:
        return Response(429, orjson.dumps({"message": message}), headers=headers)
    return Response(429, message.encode(), content_type="text/plain", headers=headers)
