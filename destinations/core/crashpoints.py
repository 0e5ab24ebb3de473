"""Test-only crash hook: kill the pushing process at a chosen point of a create call.

`APOLLO_TASKS_CRASH_AT=before_call|after_call|after_ledger` (and `APOLLO_TASKS_CRASH_COUNT=N`,
default 1: crash at the N-th time the point is reached). The points are the three moments whose
crash exactly-once delivery must survive: after `sending` is committed but before the call goes
out; after the vendor answered but before the answer is recorded; after it is recorded. The kill
is SIGKILL, so no `finally`, no atexit, no flush runs: like a real OOM kill or node loss.
Unset (the normal case), `crashpoint` only reads one environment variable.
"""

from __future__ import annotations

import os
import signal
import threading

POINTS = ("before_call", "after_call", "after_ledger")
_seen: dict[str, int] = {}
_lock = threading.Lock()  # `before_call` is reached on the sender's worker threads


def crashpoint(point: str) -> None:
    """SIGKILL this process if the environment asks to crash at `point` now."""
    wanted = os.environ.get("APOLLO_TASKS_CRASH_AT")
    if wanted != point:
        return
    with _lock:
        _seen[point] = _seen.get(point, 0) + 1
        reached = _seen[point] >= int(os.environ.get("APOLLO_TASKS_CRASH_COUNT", "1"))
    if reached:
        os.kill(os.getpid(), signal.SIGKILL)
