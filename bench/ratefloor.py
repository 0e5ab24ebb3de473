"""The least wall a vendor's rate limits allow, and those limits as each sandbox and push take them.

The sandboxes count fixed windows aligned to the epoch (`sales_tasks.sandbox.core.ratelimit`). A
run that starts at a window boundary may send `limit` calls in each window, so the earliest its
last call can go out is in window ceil(calls / limit), (ceil(calls / limit) - 1) windows after the
start; with several windows at once (Reply: a minute's and an hour's) the slowest binds. That is
the floor a perfect client reaches, which a benchmark's wall is set against (`floor_seconds`).

`LIMITS` holds each vendor's documented limits (with the line they come from) and turns them into
sandbox settings and push settings, with windows shortened by a factor (`scale`): the run takes
seconds instead of minutes and the ratios stay the vendor's.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# (calls allowed, window length in seconds)
Limit = tuple[int, float]
UNLIMITED = 1_000_000_000


def floor_seconds(calls: int, limits: Sequence[Limit]) -> float:
    """Earliest the last of `calls` can go out under fixed windows, from a window boundary."""
    return max([0.0, *((math.ceil(calls / per) - 1) * window for per, window in limits)])


def at_window_start(window: float) -> None:
    """Sleep until the sandbox's next fixed window begins (its windows are epoch-aligned)."""
    time.sleep(window - time.time() % window + 0.01)


@dataclass(frozen=True)
class VendorLimits:
    """One vendor's rate limits, what they are counted per and where they come from.

    Attributes:
        limits: at the vendor's real window lengths.
        per: what a window counts (`endpoint`: each endpoint has its own; `user`, `account`:
            every call of the key shares one).
        source: the line of VENDOR-SPECS.md / NOTES.md the numbers come from, or the assumption.
        scalable: False when the window length itself is an assumption (not shortened).
    """

    vendor: str
    limits: tuple[Limit, ...]
    per: str
    source: str
    scalable: bool = True

    def scaled(self, scale: float) -> tuple[Limit, ...]:
        """The limits with windows multiplied by `scale` (unchanged when not `scalable`)."""
        factor = scale if self.scalable else 1.0
        return tuple((per, window * factor) for per, window in self.limits)

    def describe(self, scale: float) -> str:
        shown = ", ".join(f"{per:,} per {window:g} s" for per, window in self.scaled(scale))
        factor = f"windows x{scale:g}" if self.scalable else "window as assumed"
        return f"{shown} per {self.per} ({factor})"

    def sandbox(self, scale: float, *, limited: bool = True) -> dict[str, Any]:
        """The sandbox settings (`running_sandbox`, `configure`) that count these limits, or
        none (`limited=False`: everything allowed, for a benchmark's setup)."""
        if self.vendor == "apollo":
            (per, window), *_ = self.limits
            minute = per if limited else UNLIMITED
            return {
                "rate_limits": {"minute": minute, "hour": UNLIMITED, "day": UNLIMITED},
                "rate_window_seconds": {"minute": window * scale, "hour": 3600.0, "day": 86400.0},
            }
        if self.vendor == "reply":
            minute, hour = (per if limited else UNLIMITED for per, _ in self.limits)
            return {"rate_limits": {"minute": minute, "hour": hour}, "window_scale": scale}
        if self.vendor == "saleshandy":
            ((per, window),) = self.scaled(scale)
            return {"rate_limit": per if limited else UNLIMITED, "rate_window_seconds": window}
        raise LookupError(f"no rate limits known for {self.vendor!r}")

    def push_settings(self, scale: float) -> dict[str, Any]:
        """Push settings that tell the client the (scaled) limits: only a vendor that sends no
        budget headers needs them (Reply paces by its documented limits, `rate_limits`)."""
        if self.vendor == "reply":
            return {"rate_limits": ",".join(f"{p}/{w:g}" for p, w in self.scaled(scale))}
        return {}


LIMITS: dict[str, VendorLimits] = {
    "apollo": VendorLimits(
        "apollo",
        ((200, 60.0),),
        "endpoint",
        "NOTES.md 1, Rate limits: fixed windows per team and per endpoint, paid plans about"
        " 200/min (their 400-600/hour is not modelled, as in bench.push_bench)",
    ),
    "reply": VendorLimits(
        "reply",
        ((100, 60.0), (3_000, 3_600.0)),
        "user",
        "VENDOR-SPECS.md 1.1: 100 req/min and 3,000 req/hour per user",
    ),
    "saleshandy": VendorLimits(
        "saleshandy",
        ((20, 5.0),),
        "account",
        "assumed: no numbers published (VENDOR-SPECS.md 2.1); NOTES.md 2 saw about 20 calls per"
        " window on prospects; a 5 s window, as bench.saleshandy_push_bench",
        scalable=False,
    ),
}
