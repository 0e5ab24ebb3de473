"""Benchmark of `sales-tasks push saleshandy`: create calls over the minimum, and wall time over
the rate-limit floor, medians of repeats. Run by hand:

    .venv/bin/python -m bench.saleshandy_push_bench --rows 20000 --repeats 3

The Saleshandy sandbox runs in a subprocess with one fixed window of `--per-window` calls per
`--window-seconds`, counted per account (Saleshandy publishes no numbers; about 20 calls per
window were seen on prospects, so that is the default). Its windows are aligned to the epoch and
each repeat starts at a window boundary, so the floor, (ceil(calls / limit) - 1) windows, is
exactly the earliest a perfect client could send its last call. Rows are `--definitions` task
definitions (type, priority, due date, note) over distinct prospects each, by prospect id, so the
minimum is ceil(rows per definition / 100) calls per definition. Each repeat resets the sandbox
and uses a fresh DuckDB ledger; wall time includes reading the input, dlt, the ledger writes.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.ratefloor import at_window_start, floor_seconds
from sales_tasks.destinations.saleshandy import SALESHANDY_SINK
from sales_tasks.pipelines.push import run_push
from sales_tasks.sandbox import running_sandbox

COLUMNS = ("request_id", "prospect_id", "task_type", "priority", "due_date", "task_note")
TYPES = ("13", "3", "2", "16", "9")


def make_rows(prospects: list[str], n: int, definitions: int) -> list[dict[str, Any]]:
    """n rows, `definitions` task definitions of n / definitions distinct prospects each."""
    per = math.ceil(n / definitions)
    if per > len(prospects):
        raise SystemExit(f"{per} rows per definition need as many prospects; have {len(prospects)}")
    return [
        {
            "request_id": f"bench-{i}",
            "prospect_id": prospects[i % per],
            "task_type": TYPES[(i // per) % len(TYPES)],
            "priority": str(1 + (i // per) % 4),
            "due_date": f"2026-05-{1 + (i // per) % 28:02d}",
            "task_note": "quarterly check-in",
        }
        for i in range(n)
    ]


def write_rows(url: str, rows: list[dict[str, Any]]) -> None:
    engine = sa.create_engine(url)
    t = sa.Table("bench_input", sa.MetaData(), *(sa.Column(c, sa.Text) for c in COLUMNS))
    with engine.begin() as conn:
        t.drop(conn, checkfirst=True)
        t.create(conn)
        for start in range(0, len(rows), 5_000):
            conn.execute(t.insert(), rows[start : start + 5_000])
    engine.dispose()


def one_run(sb: Any, rows: list[dict[str, Any]], tmp: Path, n: int, args: Any) -> dict[str, float]:
    sb.reset()
    url = f"duckdb:///{tmp / f'bench-{n}.duckdb'}"
    write_rows(url, rows)
    at_window_start(args.window_seconds)
    started = time.monotonic()
    summary = run_push(
        sink=SALESHANDY_SINK,
        table="bench_input",
        warehouse=url,
        api_key=sb.api_key,
        base_url=sb.base_url,
        pipelines_dir=str(tmp / f"p{n}"),
        calls_in_flight=args.calls_in_flight,
        max_prospects_per_call=args.max_prospects_per_call,
    )
    wall = time.monotonic() - started
    assert summary.created == len(rows), summary.format()
    made = len(sb.created())
    assert made == len(rows), f"{made} tasks in the sandbox for {len(rows)} rows"
    floor = floor_seconds(summary.calls, [(args.per_window, args.window_seconds)])
    return {
        "calls": summary.calls,
        "minimum": summary.minimum_calls,
        "calls_ratio": summary.calls / max(1, summary.minimum_calls),
        "wall": wall,
        "floor": floor,
        "wall_ratio": wall / floor if floor else float("nan"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--definitions", type=int, default=10)
    parser.add_argument("--per-window", type=int, default=20)
    parser.add_argument("--window-seconds", type=float, default=5.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--calls-in-flight", type=int, default=4)
    parser.add_argument("--max-prospects-per-call", type=int, default=100)
    args = parser.parse_args(argv)

    per_definition = math.ceil(args.rows / args.definitions)
    runs = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_sandbox(
            vendor="saleshandy",
            subprocess=True,
            tasks=3 * per_definition + 3,  # the dataset makes a prospect per 3 tasks
            rate_limit=args.per_window,
            rate_window_seconds=args.window_seconds,
            request_log_cap=1_000_000,
        ) as sb,
    ):
        prospects = [p["id"] for p in sb.prospects(limit=per_definition)]
        rows = make_rows(prospects, args.rows, args.definitions)
        for n in range(args.repeats):
            runs.append(one_run(sb, rows, Path(tmp), n, args))

    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    command = " ".join(["python -m bench.saleshandy_push_bench", *(argv or sys.argv[1:])])
    lines = [
        f"`{command}`: {args.rows} rows in {args.definitions} task definitions, by prospect id,"
        f" {args.calls_in_flight} calls in flight, DuckDB ledger, sandbox in a subprocess;"
        f" medians of {len(runs)} runs",
        "",
        f"| limit {args.per_window} calls per {args.window_seconds:g}s fixed window per account"
        " (each run starts at a window boundary) | value |",
        "|---|---|",
        f"| create calls / minimum | {median('calls'):.0f} / {median('minimum'):.0f} ="
        f" {median('calls_ratio'):.2f} |",
        f"| wall time (incl. reading input, dlt, ledger) | {median('wall'):.1f} s |",
        f"| rate-limit floor for those calls | {median('floor'):.1f} s |",
        f"| wall / floor | {median('wall_ratio'):.2f}x |",
        f"| rows/s | {args.rows / median('wall'):,.0f} |",
        "| runs (calls, wall s, wall/floor) | "
        + "; ".join(f"{r['calls']:.0f}, {r['wall']:.1f}, {r['wall_ratio']:.2f}x" for r in runs)
        + " |",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
