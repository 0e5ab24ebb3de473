"""`apollo-tasks`, killed at a chosen checkpoint of a create call (the crash tests' process).

    python -m tests.sink.crash_runner POINT COUNT push --table ... (the usual arguments)
    python -m tests.sink.crash_runner POINT COUNT sales-tasks push saleshandy --table ...
    python -m tests.sink.crash_runner POINT COUNT --sales push reply ... (the same)

Installs the engine's `on_checkpoint` callback from the test side: at the COUNT-th time any call
passes POINT (one of `sales_tasks.destinations.core.engine.CHECKPOINTS`), the process SIGKILLs itself, so no
`finally`, no atexit, no flush runs: like a real OOM kill or node loss.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Any

import sales_tasks.destinations.core.destination as destination
from sales_tasks.destinations.core.engine import CHECKPOINTS
from sales_tasks.pipelines.cli import main, sales_main

# The command line to run: `apollo-tasks` (the default) or `sales-tasks VERB VENDOR`.
ENTRY_POINTS = {"apollo-tasks": main, "sales-tasks": sales_main, "--sales": sales_main}


def kill_at(point: str, count: int) -> None:
    """Make every push run of this process SIGKILL it at the `count`-th pass of `point`."""
    if point not in CHECKPOINTS:
        raise SystemExit(f"unknown checkpoint {point!r}; use one of {', '.join(CHECKPOINTS)}")
    seen = 0
    lock = threading.Lock()  # `before_call` is passed on the calls' worker threads

    def on_checkpoint(name: str) -> None:
        nonlocal seen
        if name != point:
            return
        with lock:
            seen += 1
            reached = seen >= count
        if reached:
            os.kill(os.getpid(), signal.SIGKILL)

    original = destination.open_run

    def open_run(*args: Any, **kwargs: Any) -> destination.DeliveryRun:
        return original(*args, **kwargs, on_checkpoint=on_checkpoint)

    destination.open_run = open_run  # type: ignore[assignment]


if __name__ == "__main__":
    kill_at(sys.argv[1], int(sys.argv[2]))
    args = sys.argv[3:]
    entry = ENTRY_POINTS.get(args[0]) if args else None
    sys.exit(entry(args[1:]) if entry is not None else main(args))
