"""The emulator's clock: the wall clock, unless a test moved it.

Rate windows (`ratelimit.RateLimiter`) read `Clock.now`, so a test can hold time still (`freeze`,
e.g. at the start of a window, so no window edge falls between its calls) and move it on
(`advance`, e.g. past a `retry-after`) instead of sleeping. Hooks: `GET|PATCH /_sandbox/clock`
(`sales_tasks.sandbox.core.hooks`); handle methods `freeze_clock`, `advance_clock`, `clock`
(`sales_tasks.sandbox.core.handle`). Time never runs backwards: `advance` takes no negative step and
`unfreeze` carries on from where the frozen clock stood.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


class Clock:
    """Seconds since the epoch: `wall() + offset`, or a fixed instant while frozen."""

    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self._wall = wall
        self._offset = 0.0
        self._frozen: float | None = None
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._frozen if self._frozen is not None else self._wall() + self._offset

    def freeze(self, at: float | None = None) -> None:
        """Stop the clock at `at` (default: now); `at` may not lie before now."""
        with self._lock:
            current = self._frozen if self._frozen is not None else self._wall() + self._offset
            if at is not None and at < current:
                raise ValueError(f"the clock cannot go back (now {current}, asked {at})")
            self._frozen = current if at is None else float(at)

    def unfreeze(self) -> None:
        """Let the clock run again from where it stands."""
        with self._lock:
            if self._frozen is not None:
                self._offset = self._frozen - self._wall()
                self._frozen = None

    def advance(self, seconds: float) -> None:
        """Move the clock `seconds` (>= 0) on, frozen or not."""
        if seconds < 0:
            raise ValueError("advance takes seconds >= 0: the clock cannot go back")
        with self._lock:
            if self._frozen is not None:
                self._frozen += seconds
            else:
                self._offset += seconds

    def state(self) -> dict[str, Any]:
        """What `GET /_sandbox/clock` answers: `now`, `frozen`, `offset` (seconds)."""
        frozen = self._frozen is not None
        now = self.now()
        return {"now": now, "frozen": frozen, "offset": now - self._wall()}

    def change(self, body: dict[str, Any]) -> None:
        """Apply `PATCH /_sandbox/clock`: `{"freeze": true|false, "at": epoch, "advance": s}`
        (in that order; each optional)."""
        unknown = set(body) - {"freeze", "at", "advance"}
        if unknown:
            raise ValueError(f"unknown clock field(s) {sorted(unknown)}: use freeze, at, advance")
        if body.get("freeze") is True or "at" in body:
            self.freeze(None if body.get("at") is None else float(body["at"]))
        elif body.get("freeze") is False:
            self.unfreeze()
        if "advance" in body:
            self.advance(float(body["advance"]))
