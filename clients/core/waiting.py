"""How vendor clients let time pass: on the wall clock, unless a test puts them on another.

A client waits when a vendor asks it to (a 429's `retry-after`, a window's reset), when it backs
off after a failure, and when it paces itself to a documented limit. `ApiClient` reads the waits
in force when it is built (`current()`); `waiting_on(waits)` swaps them for the clients built
inside the `with`, every thread included, so a test can tie them to an emulator's clock
(`sales_tasks.sandbox.core.clock`, `GET|PATCH /_sandbox/clock`): a `retry-after: 30` then moves that clock 30 s
on and costs no wall-clock time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Waits:
    """A clock and a way to let time pass on it.

    Attributes:
        monotonic: seconds on this clock (only differences count).
        sleep: let that many seconds pass on it.
    """

    monotonic: Callable[[], float]
    sleep: Callable[[float], None]


WALL = Waits(monotonic=time.monotonic, sleep=time.sleep)
_current: Waits = WALL


def current() -> Waits:
    """The waits clients built now use (`WALL` unless inside `waiting_on`)."""
    return _current


@contextmanager
def waiting_on(waits: Waits) -> Iterator[Waits]:
    """Clients built inside the `with` wait with `waits` (process-wide; not nested across
    threads: tests only)."""
    global _current
    before, _current = _current, waits
    try:
        yield waits
    finally:
        _current = before
