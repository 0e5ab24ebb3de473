"""Benchmark of `apollo-tasks push`: calls over the minimum, rows/s against one call per row, and
wall time over the rate-limit floor. Run by hand:

    .venv/bin/python -m bench.push_bench --rows 50000

The sandbox runs in a subprocess with a per-endpoint limit of `--per-window` requests per
`--window-seconds` fixed window (Apollo's paid plans allow about 200 a minute; the default window
is shortened so the run takes about a minute, which keeps the ratios the same). The sandbox's
windows are aligned to the epoch, so the push starts at a window boundary: the floor
(ceil(calls / limit) - 1) windows is then exactly the earliest a perfect client could finish.
The baseline is a plain httpx loop of `POST /api/v1/tasks`, one row per call, honouring
`retry-after`, run on a subset of rows and extrapolated (said so in the table).

Then the same push and baseline run again with no rate limit (sandbox reset, fresh ledger), which
measures the sink's own throughput: ledger writes, planning, dlt, HTTP.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from bench.ratefloor import at_window_start, floor_seconds
from sales_tasks.destinations.core.contract import CONTRACT_COLUMNS
from sales_tasks.pipelines.push import run_push
from sales_tasks.sandbox import running_sandbox

TYPES = ("call", "outreach_manual_email", "action_item")


def make_rows(sb: Any, n: int, users: int) -> list[dict[str, Any]]:
    """n rows over a few users, types and due days: realistic groups of mixed sizes."""
    user_ids = [u["id"] for u in sb.users()[:users]]
    contacts = [c["id"] for c in sb.contacts(min(n, 20_000))]
    rows = []
    for i in range(n):
        rows.append(
            {
                "request_id": f"bench-{i}",
                "user_id": user_ids[i % len(user_ids)],
                "contact_id": contacts[(i * 7919) % len(contacts)],
                "type": TYPES[(i // len(user_ids)) % len(TYPES)],
                "due_at": f"2025-07-{1 + (i // 5000) % 28:02d}T09:00:00Z",
                "note": "quarterly check-in",
            }
        )
    return rows


def write_rows(url: str, rows: list[dict[str, Any]]) -> None:
    engine = sa.create_engine(url)
    t = sa.Table("bench_input", sa.MetaData(), *(sa.Column(c, sa.Text) for c in CONTRACT_COLUMNS))
    with engine.begin() as conn:
        t.drop(conn, checkfirst=True)
        t.create(conn)
        for start in range(0, len(rows), 5_000):
            conn.execute(
                t.insert(),
                [{c: r.get(c) for c in CONTRACT_COLUMNS} for r in rows[start : start + 5_000]],
            )
    engine.dispose()


def push(sb: Any, url: str, pipelines: Path, calls_in_flight: int) -> tuple[Any, float]:
    started = time.monotonic()
    summary = run_push(
        table="bench_input",
        warehouse=url,
        api_key=sb.master_key,
        base_url=sb.base_url,
        pipelines_dir=str(pipelines),
        calls_in_flight=calls_in_flight,
    )
    return summary, time.monotonic() - started


def baseline(sb: Any, rows: list[dict[str, Any]]) -> float:
    """Seconds for one `POST /api/v1/tasks` per row (plain httpx, honours retry-after)."""
    started = time.monotonic()
    with httpx.Client(base_url=sb.base_url, headers={"x-api-key": sb.master_key}) as http:
        for row in rows:
            body = {k: row[k] for k in ("user_id", "contact_id", "type", "due_at", "note")}
            body["status"] = "scheduled"
            while True:
                response = http.post("/api/v1/tasks", json=body)
                if response.status_code != 429:
                    response.raise_for_status()
                    break
                time.sleep(float(response.headers.get("retry-after", "1")))
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--users", type=int, default=5)
    parser.add_argument("--per-window", type=int, default=200)
    parser.add_argument("--window-seconds", type=float, default=10.0)
    parser.add_argument("--baseline-rows", type=int, default=600)
    parser.add_argument("--calls-in-flight", type=int, default=4)
    args = parser.parse_args(argv)

    limits = {"minute": args.per_window, "hour": 10_000_000, "day": 100_000_000}
    windows = {"minute": args.window_seconds, "hour": 3600.0, "day": 86400.0}
    unlimited = {"minute": 1_000_000_000, "hour": 1_000_000_000, "day": 1_000_000_000}
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_sandbox(
            subprocess=True,
            tasks=1_000,
            rate_limits=limits,
            rate_window_seconds=windows,
            request_log_cap=1_000_000,
        ) as sb,
    ):
        rows = make_rows(sb, args.rows, args.users)
        url = f"duckdb:///{Path(tmp) / 'bench.duckdb'}"
        write_rows(url, rows)
        at_window_start(args.window_seconds)
        summary, wall = push(sb, url, Path(tmp) / "p1", args.calls_in_flight)
        assert summary.created == args.rows, summary.format()
        subset = rows[: args.baseline_rows]
        base_wall = baseline(sb, subset)

        sb.configure(rate_limits=unlimited)
        sb.reset()
        free_url = f"duckdb:///{Path(tmp) / 'bench-free.duckdb'}"
        write_rows(free_url, rows)
        free, free_wall = push(sb, free_url, Path(tmp) / "p2", args.calls_in_flight)
        assert free.created == args.rows, free.format()
        free_base_wall = baseline(sb, subset)
    floor = floor_seconds(summary.calls, [(args.per_window, args.window_seconds)])
    base_rate = len(subset) / base_wall
    free_base_rate = len(subset) / free_base_wall
    base_floor = floor_seconds(args.rows, [(args.per_window, args.window_seconds)])
    command = " ".join(["python -m bench.push_bench", *(argv or sys.argv[1:])])
    lines = [
        f"`{command}`: {args.rows} rows, {args.calls_in_flight} calls in flight, DuckDB ledger,"
        " sandbox in a subprocess",
        "",
        f"| limit {args.per_window} calls per {args.window_seconds:g}s fixed window per endpoint"
        " (push starts at a window boundary) | value |",
        "|---|---|",
        f"| create calls / minimum | {summary.calls} / {summary.minimum_calls} ="
        f" {summary.calls / max(1, summary.minimum_calls):.2f} |",
        f"| wall time (incl. reading input, dlt, ledger, lookups) | {wall:.1f} s |",
        f"| rate-limit floor for {summary.calls} calls | {floor:.1f} s |",
        f"| wall / floor | {wall / floor:.2f}x |"
        if floor
        else "| wall / floor | n/a (one window) |",
        f"| rows/s, push | {args.rows / wall:,.0f} |",
        f"| rows/s, one call per row (measured on {len(subset)} rows, extrapolated) |"
        f" {base_rate:,.1f} |",
        f"| one-call-per-row floor for {args.rows} rows | {base_floor:,.0f} s |",
        f"| speed-up over one call per row | {args.rows / wall / base_rate:,.0f}x |",
        "",
        "| no rate limit | value |",
        "|---|---|",
        f"| create calls | {free.calls} |",
        f"| wall time, push | {free_wall:.1f} s |",
        f"| rows/s, push | {args.rows / free_wall:,.0f} |",
        f"| rows/s, one call per row (measured on {len(subset)} rows) | {free_base_rate:,.1f} |",
        f"| speed-up over one call per row | {args.rows / free_wall / free_base_rate:,.1f}x |",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
