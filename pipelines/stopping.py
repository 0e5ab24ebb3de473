"""Stopping a run on SIGINT/SIGTERM within seconds, its records left consistent.

dlt's `pipeline.run` intercepts SIGINT and SIGTERM (`dlt/common/runtime/signals.py`): the first
one only sets a flag, which dlt itself checks between extracted items and between load jobs; a
second one of the same kind falls through to the default handler (force stop). A sink that spends
minutes inside one load job never sees that flag unless it looks, and without a look the run goes
on to the end (and exits 0). So:

- `stop_on_signals(what)` wraps a whole run in that same interception: dlt's own, nested inside,
  becomes a no-op, so the flag holds from reading the input to the summary; whatever the run
  raises after a signal becomes `RunStopped` (one line, exit code 128 + signal number: 130 for
  SIGINT, 143 for SIGTERM);
- the push engine polls `stop_requested()` between calls (`destinations/core/destination.py`), the
  extract stops at dlt's check after the page in progress.

Off the main thread (Airflow, Dagster, tests calling `run_push` from a worker) Python delivers no
signals there and this is a no-op: the orchestrator's own cancellation applies.
"""

from __future__ import annotations

import functools
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

__all__ = ["RunStopped", "stop_checked", "stop_on_signals", "stop_requested", "stops_on_signals"]

P = ParamSpec("P")
R = TypeVar("R")


class RunStopped(Exception):
    """A run ended early because a signal asked it to; `exit_code` is 128 + the signal number."""

    def __init__(self, what: str, signum: int, detail: str) -> None:
        self.signum = signum
        self.exit_code = 128 + signum
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = f"signal {signum}"
        super().__init__(f"{what} stopped by {name}: {detail}")


def stop_requested() -> bool:
    """Whether SIGINT or SIGTERM arrived during the current `stop_on_signals` block."""
    from dlt.common.runtime import signals

    return signals.was_signal_received()


def _received() -> int:
    from dlt.common.exceptions import SignalReceivedException
    from dlt.common.runtime import signals

    exc = signals.exception_for_signal()
    return exc.signal_code if isinstance(exc, SignalReceivedException) else signal.SIGTERM


@contextmanager
def stop_on_signals(what: str, *, detail: str = "run it again to finish") -> Iterator[None]:
    """Intercept SIGINT/SIGTERM for the block; raise `RunStopped` if one ended it early.

    Args:
        what: the run, as the message names it (`push`, `extract`).
        detail: what the person should know or do, unless the exception that ended the run
            says it better (the push engine's `DeliveryStopped` does).
    """
    # dlt is imported here, not at module import, so `--help` stays fast.
    from dlt.common.runtime import signals

    with signals.intercepted_signals():
        try:
            yield
        except RunStopped:
            raise
        except BaseException as exc:
            if not signals.was_signal_received():
                raise
            raise RunStopped(what, _received(), _account(exc) or detail) from exc


def _account(exc: BaseException) -> str | None:
    """The push engine's own account of what it left behind, if it is in the chain."""
    from sales_tasks.destinations.core.sending import DeliveryStopped

    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, DeliveryStopped):
            return str(cause)
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None


def stops_on_signals(
    what: str, *, detail: str = "run it again to finish"
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator form of `stop_on_signals`, for a run's entry point (`run_push`, `run_extract`)."""

    def wrap(run: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(run)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            with stop_on_signals(what, detail=detail):
                return run(*args, **kwargs)

        return wrapper

    return wrap


def stop_checked(callback: Callable[..., None] | None) -> Callable[..., None]:
    """A progress callback that first raises dlt's `SignalReceivedException` once a stop was
    asked for: called after every page a scan reads, it ends the scan at the next page instead
    of at dlt's next check (after a whole batch of rows)."""
    from dlt.common.runtime import signals

    def progress(*args: object, **kwargs: object) -> None:
        signals.raise_if_signalled()
        if callback is not None:
            callback(*args, **kwargs)

    return progress
