"""Benchmark of `sales-tasks push reply`: wall time over the rate-limit floor, and create calls
per row, at Reply's limits with shortened windows. Run by hand:

    .venv/bin/python -m bench.reply_push_bench --rows 3000

Reply allows 100 requests a minute and 3,000 an hour per user, and creates one task per call.
The sandbox runs in a subprocess with those limits and its windows multiplied by `--scale`
(0.05: a 3 s "minute" and a 180 s "hour"; the ratios stay Reply's), and the push paces by the
same scaled limits (`rate_limits` setting). The sandbox's windows are fixed and aligned to the
epoch, so the push starts at a minute-window boundary: the floor, the earliest a perfect client
could send its last call, is then (ceil(calls / 100) - 1) minute windows (and the hour's when it
binds). Wall time includes reading the input, dlt, the ledger and the answers of the last calls.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.ratefloor import at_window_start, floor_seconds
from sales_tasks.destinations.reply import REPLY_SINK
from sales_tasks.pipelines.push import run_push
from sales_tasks.sandbox import running_sandbox

PER_MINUTE, PER_HOUR = 100, 3_000
COLUMNS = ("request_id", "contact_id", "task_type", "start_at", "due_to", "body")
TYPES = ("call", "toDo", "manualEmail", "meeting")


def make_rows(contacts: list[int], n: int) -> list[dict[str, Any]]:
    """n rows over the sandbox's contacts, a few types and days."""
    return [
        {
            "request_id": f"bench-{i}",
            "contact_id": str(contacts[(i * 7919) % len(contacts)]),
            "task_type": TYPES[i % len(TYPES)],
            "start_at": f"2026-07-{1 + i % 28:02d}T09:00:00Z",
            "due_to": f"2026-07-{1 + i % 28:02d}T17:00:00Z",
            "body": "Hi {{firstName}}, following up on our call",
        }
        for i in range(n)
    ]


def write_rows(url: str, rows: list[dict[str, Any]]) -> None:
    engine = sa.create_engine(url)
    t = sa.Table("bench_input", sa.MetaData(), *(sa.Column(c, sa.Text) for c in COLUMNS))
    with engine.begin() as conn:
        t.drop(conn, checkfirst=True)
        t.create(conn)
        conn.execute(t.insert(), rows)
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=3_000)
    parser.add_argument("--scale", type=float, default=0.05, help="window length multiplier")
    parser.add_argument("--calls-in-flight", type=int, default=2)
    args = parser.parse_args(argv)
    minute, hour = 60.0 * args.scale, 3_600.0 * args.scale
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_sandbox(
            vendor="reply",
            subprocess=True,
            tasks=300,
            contacts=1_000,
            window_scale=args.scale,
            request_log_cap=1_000_000,
        ) as sb,
    ):
        contacts = [c["id"] for c in sb.contacts(1_000)]
        rows = make_rows(contacts, args.rows)
        url = f"duckdb:///{Path(tmp) / 'bench.duckdb'}"
        write_rows(url, rows)
        at_window_start(minute)
        started = time.monotonic()
        summary = run_push(
            sink=REPLY_SINK,
            table="bench_input",
            warehouse=url,
            api_key=sb.api_key,
            base_url=sb.base_url,
            pipelines_dir=str(Path(tmp) / "pipelines"),
            calls_in_flight=args.calls_in_flight,
            rate_limits=f"{PER_MINUTE}/{minute:g},{PER_HOUR}/{hour:g}",
        )
        wall = time.monotonic() - started
        assert summary.created == args.rows, summary.format()
        received = [e for e in sb.requests("/v3/tasks") if e["method"] == "POST"]
        refused = sum(1 for e in received if e["status"] == 429)
        made = len(sb.created())
    floor = floor_seconds(summary.calls, [(PER_MINUTE, minute), (PER_HOUR, hour)])
    command = " ".join(["python -m bench.reply_push_bench", *(argv or sys.argv[1:])])
    lines = [
        f"`{command}`: {args.rows} rows, {args.calls_in_flight} calls in flight, DuckDB ledger,"
        " sandbox in a subprocess",
        "",
        f"| Reply's limits, windows x{args.scale:g} ({PER_MINUTE} per {minute:g} s,"
        f" {PER_HOUR:,} per {hour:g} s; push starts at a window boundary) | value |",
        "|---|---|",
        f"| create calls / rows | {summary.calls} / {args.rows} ="
        f" {summary.calls / args.rows:.2f} |",
        f"| create requests Reply received / refused with 429 | {len(received)} / {refused} |",
        f"| tasks Reply holds afterwards | {made} |",
        f"| wall time (incl. reading input, dlt, ledger) | {wall:.1f} s |",
        f"| rate-limit floor for {summary.calls} calls | {floor:.1f} s |",
        f"| wall / floor | {wall / floor:.3f}x |" if floor else "| wall / floor | n/a |",
        f"| the same at Reply's real windows (floor x 1/{args.scale:g}) |"
        f" {floor / args.scale / 60:.0f} min floor |",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
