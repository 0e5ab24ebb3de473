"""The demo's vendor parts, and its cross-vendor summary (`sales_tasks.pipelines.demo`).

Every vendor whose source spec declares a demo part (`SourceSpec.demo`: its sandbox's size, the
SQL that picks its follow-ups, how to read them back) gets one. Each vendor part starts that vendor's local sandbox (never the real API), extracts it into the
demo's DuckDB file, pushes a SQL-defined set of follow-ups back once, reads them back from the
vendor, and shows that a second demo creates nothing (the ledger's account name is the sandbox's
tasks, seed and day, whatever port it is served on). The summary is one query over the unified
views (`sales_tasks.pipelines.unified`): open and overdue work per owner across every vendor.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

import duckdb

from sales_tasks.destinations.core.summary import PushSummary

DEMO_FOLLOWUPS = 10


def vendor_demos() -> list[Any]:
    """The source specs of the vendors that declare a demo part (`SourceSpec.demo`), in order."""
    from sales_tasks.pipelines.vendors import source_specs

    return [spec for spec in source_specs().values() if spec.demo is not None]


@contextmanager
def vendor_sandbox(
    spec: Any, seed: int, anchor: str, *, subprocess: bool = True, tasks: int | None = None
) -> Iterator[Any]:
    """The vendor's local sandbox in a child process: the demo never reads a real account.
    `tasks` (default the spec's demo size) sizes it."""
    from sales_tasks.sandbox import running_sandbox

    with running_sandbox(
        vendor=spec.name,
        tasks=tasks or spec.demo.tasks,
        seed=seed,
        anchor_date=anchor,
        subprocess=subprocess,
    ) as sb:
        yield sb


def run_vendor(
    spec: Any,
    path: str,
    out: TextIO,
    *,
    seed: int,
    anchor: str,
    pipelines_dir: str,
    subprocess: bool = True,
    tasks: int | None = None,
) -> PushSummary:
    """Extract one vendor's sandbox into `path`, push its follow-ups once, read them back.

    `spec` is the vendor's `SourceSpec`, its `demo` the part it plays; `subprocess=False` serves
    the sandbox in a thread (a vendor found only in this process's package path); `tasks`
    sizes the sandbox (default the demo part's size)."""
    from sales_tasks.destinations.registry import sink
    from sales_tasks.pipelines.extract import run_extract
    from sales_tasks.pipelines.push import run_push

    demo = spec.demo
    size = tasks or demo.tasks
    with vendor_sandbox(spec, seed, anchor, subprocess=subprocess, tasks=size) as sb:
        out.write(
            f"\nReading {spec.title} tasks from a local sandbox at {sb.base_url}"
            f" ({size:,} tasks, seed {seed})\n"
        )
        forget_sandbox_port(path, spec.default_dataset)
        summary = run_extract(
            spec.name,
            duckdb_path=path,
            api_key=demo.sandbox_key(sb),
            base_url=sb.base_url,
            pipelines_dir=pipelines_dir,
            progress=sys.stderr.isatty(),
        )
        out.write(summary.format() + "\n")
        due_day = (datetime.fromisoformat(anchor.replace("Z", "+00:00")) + timedelta(days=1)).date()
        account = sandbox_account(spec.name, size, seed, anchor)
        pushed = run_push(
            sink=sink(spec.name),
            query=demo.followups_sql(due_day.isoformat(), spec.default_dataset),
            warehouse=path,
            api_key=demo.sandbox_key(sb),
            base_url=sb.base_url,
            account=account,
            pipelines_dir=pipelines_dir,
            progress=sys.stderr.isatty(),
        )
        out.write(pushed.format() + "\n")
        ledger = f"{spec.name}_push.delivery_ledger"
        if pushed.created:
            with duckdb.connect(path, read_only=True) as con:
                ids = [
                    str(r[0])
                    for r in con.execute(
                        f"SELECT task_id FROM {ledger} WHERE state = 'delivered'"
                        " AND vendor = ? AND account = ? ORDER BY task_id",
                        [spec.name, account],
                    ).fetchall()
                ]
            shown = demo.read_back(sb, ids[:DEMO_FOLLOWUPS])
            out.write(f"\nFollow-up tasks now in {spec.title} ({len(shown)} of {len(ids)}):\n")
            table(out, list(demo.read_back_header), shown)
        elif pushed.already_delivered:
            out.write(
                f"Nothing new to create: the ledger ({ledger}) shows these"
                f" {pushed.already_delivered} follow-ups were delivered by an earlier run.\n"
            )
        return pushed


ACROSS_VENDORS = """
SELECT vendor, owner, open_tasks, overdue_tasks, overdue_share
FROM sales_tasks.open_by_owner
ORDER BY overdue_tasks DESC, open_tasks DESC
LIMIT 12
"""


def summarise_across(path: str, out: TextIO) -> None:
    """One query over the unified views: open and overdue work per owner, every vendor."""
    with duckdb.connect(path, read_only=True) as con:
        per_vendor = con.sql(
            "SELECT vendor, count(*) FILTER (WHERE is_open), count(*) FILTER (WHERE is_overdue)"
            " FROM sales_tasks.all_tasks GROUP BY vendor ORDER BY vendor"
        ).fetchall()
        owners = con.sql(ACROSS_VENDORS).fetchall()
    out.write("\nOpen and overdue tasks across vendors (sales_tasks.all_tasks):\n")
    table(out, ["vendor", "open", "overdue"], per_vendor)
    out.write("\nMost overdue owners, wherever their tasks live (sales_tasks.open_by_owner):\n")
    table(out, ["vendor", "owner", "open", "overdue", "overdue share"], owners)


def table(out: TextIO, header: list[str], rows: list[tuple[Any, ...]]) -> None:
    cells = [header] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    for n, row in enumerate(cells):
        out.write("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + "\n")
        if n == 0:
            out.write("  " + "  ".join("-" * w for w in widths) + "\n")


def forget_sandbox_port(path: str, dataset: str) -> None:
    """Each demo serves the same sandbox account on a new port, so the account row an earlier
    demo wrote into its dataset (named by host and port) is dropped before extracting again;
    otherwise the extract rightly warns that two accounts share the dataset."""
    import os

    if not os.path.exists(path):
        return
    with duckdb.connect(path) as con:
        found = con.execute(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_schema = ? AND table_name = '_sales_tasks_account'",
            [dataset],
        ).fetchall()[0][0]
        if found:
            con.execute(
                f"DELETE FROM \"{dataset}\"._sales_tasks_account WHERE account LIKE '127.0.0.1:%'"
            )


def sandbox_account(vendor: str, tasks: int, seed: int, anchor: str) -> str:
    """The ledger's name for a demo sandbox account: the same vendor, tasks, seed and day are
    the same account on whatever port it is served (each demo starts it on a new one), so a
    second demo finds its follow-ups delivered instead of sending them again."""
    return f"sandbox-{vendor}-{tasks}-seed{seed}-{anchor[:10]}"


def today_anchor() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT00:00:00Z")
