"""The SIGKILL drill every push's crash test runs: one input, a process killed at each point of a
create call in turn (`crash_runner.py`), the ledger and the vendor checked after each kill.

    crashes_then_rerun(push, states, tasks, rows=ROWS, per_call=10)

`push(crash=(point, n) | None)` runs the vendor's push as a process; `states()` counts the
ledger's rows by state; `tasks()` counts the vendor's tasks per request_id. Returns the rerun
that finishes, for the caller's own checks.

The rerun can settle the rows the kills left `sending` only because it still has rows of its
own to create: a task created after those calls is the proof that the vendor's search has caught
up (`sales_tasks.destinations.core.reconcile`); with nothing left to create, "not found" proves nothing and
the rows rightly stay `sending`. So the input must be larger than what the three killed runs can
mark `sending`: with `calls_in_flight` c, about c, c + 1 and 2c calls of `per_call` rows. The
drill checks that rows are left pending before the rerun, so a too small input fails here, with
that reason, instead of as an unexplained "needs review" in the rerun.
"""

from __future__ import annotations

import signal
import subprocess
from collections import Counter
from collections.abc import Callable, Sequence

# (crash point, at its n-th occurrence); each run is killed with calls of `per_call` rows.
CRASHES = [("before_call", 2), ("after_call", 2), ("after_ledger", 1)]


def crashes_then_rerun(
    push: Callable[..., subprocess.CompletedProcess[str]],
    states: Callable[[], Counter[str]],
    tasks: Callable[[], Counter[str]],
    *,
    rows: int,
    per_call: int,
    crashes: Sequence[tuple[str, int]] = CRASHES,
) -> subprocess.CompletedProcess[str]:
    """Kill a push at each crash point in turn, then run it to the end (see the module doc)."""
    delivered = 0
    now: Counter[str] = Counter()
    for point, count in crashes:
        crashed = push(crash=(point, count))
        assert crashed.returncode == -signal.SIGKILL, f"{point}: {crashed.stdout}{crashed.stderr}"
        now = states()
        assert sum(now.values()) == rows, (point, now)
        assert set(now) <= {"pending", "sending", "delivered"}, (point, now)
        if point == "after_ledger":
            assert now["delivered"] > delivered, (point, now)
        else:  # killed with at least one call's rows committed `sending`, answer unrecorded
            assert now["sending"] >= per_call, (point, now)
        delivered = now["delivered"]
        assert max(tasks().values()) <= 1, point
    assert now["pending"] > 0, (
        f"the killed runs left no row pending ({dict(now)}): the rerun would have no task of its"
        " own to prove the search caught up; give the drill more rows"
    )
    return push(crash=None)
