"""Benchmark: a push under faults against the same push without (issue #9 item 8). Run by hand:

    .venv/bin/python -m bench.push_fault_bench --rows 3000 --warehouse postgres

Each repeat pushes `--rows` rows into a fresh ledger against a reset sandbox, once with no faults
and once with `--error-rate` of the API calls answered 5xx (before any work) and
`--drop-rate` dropped after the work was done (tasks created, answer lost), over every
`/api/v1/` endpoint: creates, reconciliation searches, lookups. It prints both medians, their
ratio (target: at most 3x), the tasks created more than once (must be 0) and the rows left for
review. The sandbox's search index has no lag here, so every unknown outcome can be decided in
the run; `--index-lag` plays Apollo's lag (rows then wait for proof, and may be left `sending`).
PostgreSQL is a throwaway local server (`tests/postgres_server.py`); DuckDB a temporary file.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.push_bench import make_rows, write_rows
from sales_tasks.pipelines.push import run_push
from sales_tasks.sandbox import running_sandbox


def _key(task: dict[str, Any]) -> tuple[str, ...]:
    due = str(task.get("due_at") or "")[:19]
    return (str(task["user_id"]), str(task["contact_id"]), str(task["type"]), due)


def duplicates(sb: Any, rows: list[dict[str, Any]]) -> int:
    """Tasks beyond what the rows asked for, per (user, contact, type, due)."""
    wanted = Counter((r["user_id"], r["contact_id"], r["type"], r["due_at"][:19]) for r in rows)
    made = Counter(_key(t) for t in sb.created())
    return sum(max(0, n - wanted[k]) for k, n in made.items())


def one_push(sb: Any, url: str, work: Path, *, wait: float) -> tuple[float, Any]:
    started = time.monotonic()
    summary = run_push(
        table="bench_input",
        warehouse=url,
        api_key=sb.master_key,
        base_url=sb.base_url,
        pipelines_dir=str(work / f"p-{uuid.uuid4().hex[:6]}"),
        reconcile_wait_seconds=wait,
    )
    return time.monotonic() - started, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--users", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--warehouse", choices=("postgres", "duckdb"), default="postgres")
    parser.add_argument("--error-rate", type=float, default=0.1)
    parser.add_argument("--drop-rate", type=float, default=0.1)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--index-lag", type=float, default=0.0)
    parser.add_argument("--reconcile-wait", type=float, default=30.0)
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # one line per retried 5xx would bury the figures

    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="push-fault-")))
        server = None
        if args.warehouse == "postgres":
            from tests.postgres_server import PostgresServer

            server = PostgresServer().start()
            stack.callback(server.stop)
        sb = stack.enter_context(
            running_sandbox(
                subprocess=True,
                tasks=max(2_000, args.rows),
                index_lag_seconds=args.index_lag,
                faults={"latency_ms": args.latency_ms},
            )
        )
        rows = make_rows(sb, args.rows, args.users)
        faults = {"error_rate": args.error_rate, "drop_after_create_rate": args.drop_rate}
        times: dict[str, list[float]] = {"fault-free": [], "faulted": []}
        dups: list[int] = []
        review: list[int] = []
        for repeat in range(args.repeat):
            for name in ("fault-free", "faulted"):
                sb.reset()
                sb.configure(
                    faults={
                        "latency_ms": args.latency_ms,
                        "error_rate": 0.0,
                        "drop_after_create_rate": 0.0,
                        **(faults if name == "faulted" else {}),
                        "fault_seed": repeat,
                    }
                )
                if server is not None:
                    url = server.create_database(f"bench_{uuid.uuid4().hex[:8]}")
                else:
                    url = f"duckdb:///{work / f'{uuid.uuid4().hex[:8]}.duckdb'}"
                write_rows(url, rows)
                seconds, summary = one_push(sb, url, work, wait=args.reconcile_wait)
                times[name].append(seconds)
                if name == "faulted":
                    dups.append(duplicates(sb, rows))
                    review.append(summary.needs_review)
                print(
                    f"repeat {repeat + 1} {name:10s} {seconds:7.2f} s  created {summary.created}"
                    f"  needs review {summary.needs_review}  calls {summary.calls}"
                    f"  reconciled {summary.reconciled}",
                    flush=True,
                )
        free, faulted = statistics.median(times["fault-free"]), statistics.median(times["faulted"])
        print(
            f"\n{args.rows} rows, {args.warehouse}, latency {args.latency_ms:g} ms,"
            f" {args.error_rate:.0%} 5xx + {args.drop_rate:.0%} dropped answers,"
            f" {args.repeat} repeats (medians)"
        )
        print(f"  fault-free push  {free:7.2f} s")
        print(f"  faulted push     {faulted:7.2f} s   ratio {faulted / free:.2f}x (target <= 3x)")
        print(f"  duplicates       {max(dups)} (max over repeats)")
        print(f"  needs review     {max(review)} (max over repeats)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
