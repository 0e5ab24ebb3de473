"""Incremental runs and the full scans scheduled between them, kept in dlt's source state.

Vendor-neutral. A vendor whose list can be read in part, soundly, runs either a full scan (every
task; the only run that may delete, `RunReport.may_delete`) or an incremental one (the open tasks
whole, the done ones down to a watermark; never deletes). Which one is decided here, from what
the source keeps in dlt's source state (`dlt.current.source_state()["incremental"]`): it is
committed with the load it belongs to, so an extract that fails leaves it as it was, and a
user's own pipeline running the source keeps it the same way the CLI does.

The state: `watermarks` (name -> ISO timestamp, the vendor's own cursors, e.g. the newest
completion read), `kept` (what else the vendor's incremental run needs from the last one),
`runs_since_full` (incremental runs since the last complete full scan),
`last_full_at` (when it began) and `last_full_requests` (what it cost, shown in the summary).

A run is a full scan when any of these holds, else incremental:
- incremental runs were not asked for (`incremental=False`, the default);
- no complete full scan has set the watermarks yet (the first run); a cursor without a
  watermark (an account with no done task yet) has its part read whole;
- the schedule says so (`FullScanEvery`): `runs` incremental runs have been made since the last
  full scan, or `seconds` have passed since it began.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

STATE_KEY = "incremental"
DEFAULT_FULL_EVERY = "24"  # incremental runs between two full scans
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class FullScanEvery:
    """When a full scan is due: after `runs` incremental runs, or `seconds` after the last."""

    runs: int | None = None
    seconds: float | None = None

    def __str__(self) -> str:
        if self.runs is not None:
            return f"{self.runs} runs"
        seconds = self.seconds or 0.0
        for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
            if seconds >= size and seconds % size == 0:
                return f"{int(seconds // size)}{unit}"
        return f"{seconds:g}s"


def parse_full_every(text: str | int | None) -> FullScanEvery:
    """`--full-every`: a number of runs (`24`) or a duration (`90m`, `12h`, `7d`).

    Raises:
        ValueError: anything else, or a value below 1 run / 1 second.
    """
    raw = DEFAULT_FULL_EVERY if text is None else str(text)
    if raw.strip().isdigit():
        runs = int(raw)
        if runs < 1:
            raise ValueError(f"full_every must be at least 1 run, got {raw!r}")
        return FullScanEvery(runs=runs)
    match = _DURATION.match(raw)
    if match is None:
        raise ValueError(
            f"full_every must be a number of runs (24) or a duration (90m, 12h, 7d), got {raw!r}"
        )
    seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds < 1:
        raise ValueError(f"full_every must be at least 1 second, got {raw!r}")
    return FullScanEvery(seconds=seconds)


@dataclass(frozen=True)
class RunPlan:
    """What this run is: full or incremental, why, and the watermarks it reads down to."""

    full_scan: bool
    reason: str
    watermarks: dict[str, str]
    runs_since_full: int = 0
    last_full_requests: int | None = None
    # What the vendor's last complete run kept besides its watermarks (e.g. the open tasks it
    # read, to tell which of them closed since).
    kept: dict[str, Any] | None = None


def plan_run(
    state: dict[str, Any], *, incremental: bool, full_every: FullScanEvery, now: dt.datetime
) -> RunPlan:
    """This run's plan from the source's incremental state (`state`, may be empty)."""
    marks = dict(state.get("watermarks") or {})
    since = int(state.get("runs_since_full") or 0)
    cost = state.get("last_full_requests")
    last_full = _parse(state.get("last_full_at"))

    kept = state.get("kept")

    def full(reason: str) -> RunPlan:
        return RunPlan(True, reason, marks, since, cost, kept)

    if not incremental:
        return full("full scan (incremental runs not asked for)")
    if last_full is None:
        return full("full scan: no complete full scan has set the watermarks yet")
    if full_every.runs is not None and since >= full_every.runs:
        return full(f"scheduled full scan: {since} incremental runs since the last one")
    if full_every.seconds is not None and (now - last_full).total_seconds() >= full_every.seconds:
        return full(f"scheduled full scan: the last one began {last_full.isoformat()}")
    left = (
        f"in {full_every.runs - since} run(s)"
        if full_every.runs is not None
        else f"from {(last_full + dt.timedelta(seconds=full_every.seconds or 0)).isoformat()}"
    )
    return RunPlan(False, f"incremental run (next full scan {left})", marks, since, cost, kept)


def record_run(
    state: dict[str, Any],
    plan: RunPlan,
    *,
    complete: bool,
    watermarks: dict[str, str],
    started_at: dt.datetime,
    requests: int,
    kept: dict[str, Any] | None = None,
) -> None:
    """Update `state` after a run: a complete run moves the watermarks on (never back); a
    complete full scan also restarts the schedule and records its cost. An incomplete run
    changes nothing, so the next run reads from where the last complete one stopped."""
    if not complete:
        return
    marks = dict(state.get("watermarks") or {}) if not plan.full_scan else {}
    for name, value in watermarks.items():
        old = marks.get(name)
        if old is None or _parse(value) > _parse(old):  # type: ignore[operator]
            marks[name] = value
    state["watermarks"] = marks
    if kept is not None:
        state["kept"] = kept
    if plan.full_scan:
        state["runs_since_full"] = 0
        state["last_full_at"] = started_at.isoformat()
        state["last_full_requests"] = requests
    else:
        state["runs_since_full"] = int(state.get("runs_since_full") or 0) + 1


def incremental_options() -> tuple[Any, ...]:
    """The extract flags of a vendor with incremental runs (`CliOption`s for its spec)."""
    from sales_tasks.sources.core.spec import CliOption

    return (
        CliOption(
            "--incremental",
            "incremental",
            "read only what changed since the last run where the API allows it (open tasks"
            " whole, done tasks down to a watermark); never deletes; full scans still run first"
            " and on the --full-every schedule (default: config, else off)",
            action="store_true",
        ),
        CliOption(
            "--full-every",
            "full_every",
            "with --incremental: a full scan (which removes deleted tasks) after this many"
            f" incremental runs, or after a duration like 12h or 7d (default {DEFAULT_FULL_EVERY})",
        ),
    )


def source_state() -> dict[str, Any]:
    """This source's incremental state, inside a running dlt pipeline (created empty)."""
    import dlt

    state: dict[str, Any] = dlt.current.source_state().setdefault(STATE_KEY, {})
    return state


def floor_of(mark: str | None, lag_seconds: float) -> dt.datetime | None:
    """The oldest timestamp an incremental run must still read: the watermark minus the lag
    (rows the vendor stamps late, clocks that differ). None: no watermark."""
    parsed = _parse(mark)
    return None if parsed is None else parsed - dt.timedelta(seconds=lag_seconds)


def _parse(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
