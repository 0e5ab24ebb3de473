"""`sales-tasks demo`: the whole product in one command, on a laptop.

Every vendor whose source spec declares a demo part (`SourceSpec.demo`, `sales_tasks.pipelines.demo_vendors`)
plays it in turn, the alias command's vendor (`SourceSpec.alias`) first and at the size asked
(`--tasks`, default 20,000):
1. `target`: the vendor's local sandbox (seed 42, in a child process), always: a demo never reads
   or writes a real account, whatever the vendor's API key variables hold; reading a real account
   is `extract`'s job.
2. extract it into one local DuckDB file (`<alias vendor>_demo.duckdb`).
3. push a SQL-defined set of follow-up tasks back, then read them back from the vendor to show
   them arriving. A second demo run creates nothing (the delivery ledger in the DuckDB file
   remembers what was delivered; the ledger's account is the sandbox's vendor, tasks, seed and
   day, whatever port it is served on).
4. `summarise`: each vendor's first analyst questions (`DemoPart.summarise`), then one query over
   the unified views: open and overdue work per owner across the vendors.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO

import duckdb

from sales_tasks.destinations.core.summary import PushSummary
from sales_tasks.pipelines.demo_vendors import (
    run_vendor,
    sandbox_account,
    summarise_across,
    table,
    today_anchor,
    vendor_demos,
    vendor_sandbox,
)
from sales_tasks.pipelines.vendors import alias_spec

DEMO_TASKS = 20_000
DEMO_SEED = 42


def default_demo_file() -> str:
    """`<alias vendor>_demo.duckdb`: where `make demo` writes (the notebook opens it)."""
    return f"{alias_spec().name}_demo.duckdb"


@dataclass(frozen=True)
class DemoTarget:
    """Where the demo reads from; `api_key` is never printed."""

    base_url: str
    api_key: str
    description: str
    account: str  # the ledger's name for this sandbox account (`sandbox_account`)


@contextmanager
def target(
    tasks: int = DEMO_TASKS, seed: int = DEMO_SEED, anchor_date: str | None = None
) -> Iterator[DemoTarget]:
    """The alias vendor's local sandbox, never the real API (its key variables are not read).

    The sandbox's data is a function of (tasks, seed, anchor day); the demo records them in the
    DuckDB file so `sandbox_for_demo_file` can bring the same account back later (the notebook's
    dry-run push validates its rows against it).
    """
    spec = alias_spec()
    anchor = anchor_date or today_anchor()
    with vendor_sandbox(spec, seed, anchor, tasks=tasks) as sb:
        yield DemoTarget(
            sb.base_url,
            spec.demo.sandbox_key(sb),
            f"a local {spec.short} sandbox at {sb.base_url} ({tasks:,} tasks, seed {seed})",
            sandbox_account(spec.name, tasks, seed, anchor),
        )


def _record_sandbox(duckdb_path: str, tasks: int, seed: int, anchor: str) -> None:
    with duckdb.connect(duckdb_path) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS demo_meta")
        con.execute(
            "CREATE OR REPLACE TABLE demo_meta.sandbox AS"
            " SELECT ?::INTEGER AS tasks, ?::INTEGER AS seed, ?::VARCHAR AS anchor_date",
            [tasks, seed, anchor],
        )


@contextmanager
def sandbox_for_demo_file(duckdb_path: str) -> Iterator[DemoTarget]:
    """The alias vendor's sandbox account a demo file came from (same tasks, seed and day),
    started afresh."""
    params: tuple[int, int, str | None] = (DEMO_TASKS, DEMO_SEED, None)
    with duckdb.connect(duckdb_path, read_only=True) as con:
        found = con.sql(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_schema = 'demo_meta' AND table_name = 'sandbox'"
        ).fetchall()[0][0]
        if found:
            rows = con.sql("SELECT tasks, seed, anchor_date FROM demo_meta.sandbox").fetchall()
            if rows:
                tasks, seed, anchor = rows[0]
                params = (int(tasks), int(seed), str(anchor))
    with target(*params) as where:
        yield where


def summarise(duckdb_path: str, out: TextIO) -> None:
    """Each vendor's first analyst questions (`DemoPart.summarise`), answered by SQL on the file."""
    with duckdb.connect(duckdb_path, read_only=True) as con:
        for spec in vendor_demos():
            if spec.demo.summarise is None:
                continue
            for heading, header, rows in spec.demo.summarise(con, spec.default_dataset):
                out.write(f"\n{spec.short}: {heading}:\n")
                table(out, list(header), rows)


def run_demo(
    *,
    duckdb_path: str | None = None,
    tasks: int = DEMO_TASKS,
    seed: int = DEMO_SEED,
    pipelines_dir: str | None = None,
    out: TextIO | None = None,
) -> dict[str, PushSummary]:
    """Play every vendor's demo part, then the summaries, reporting to `out` (stdout by
    default); returns each vendor's push summary. `tasks` sizes the alias vendor's sandbox."""
    out = out or sys.stdout
    lead = alias_spec()
    path = os.path.abspath(duckdb_path or default_demo_file())
    anchor = today_anchor()
    pushed: dict[str, PushSummary] = {}
    # Every sandbox is a new account on a new port: its dlt state would only pile up, and the
    # ledger in the DuckDB file is what a rerun needs. A fresh folder per demo, unless given.
    with contextlib.ExitStack() as stack:
        if pipelines_dir is None:
            pipelines_dir = stack.enter_context(
                tempfile.TemporaryDirectory(prefix="sales_tasks_demo_")
            )
        for spec in sorted(vendor_demos(), key=lambda s: s.name != lead.name):
            size = tasks if spec.name == lead.name else spec.demo.tasks
            pushed[spec.name] = run_vendor(
                spec, path, out, seed=seed, anchor=anchor, pipelines_dir=pipelines_dir, tasks=size
            )
            if spec.name == lead.name:
                _record_sandbox(path, size, seed, anchor)
    summarise(path, out)
    summarise_across(path, out)
    datasets = ", ".join(f"`{spec.default_dataset}`" for spec in vendor_demos())
    out.write(
        f"\nThe data is in {path} (datasets {datasets}: each vendor's tasks, the people and"
        " owners they are for, an extract_runs report and its analyst views; across vendors,"
        " views sales_tasks.all_tasks and sales_tasks.open_by_owner). Explore it with:\n"
    )
    out.write(
        f"  .venv/bin/python -c \"import duckdb; duckdb.connect('{path}', read_only=True)"
        ".sql('SELECT * FROM sales_tasks.open_by_owner LIMIT 5').show()\"\n"
        "  or open notebooks/task_analytics.ipynb\n"
    )
    return pushed


def register(sub: Any, name: str = "demo") -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help="extract local sandboxes of every vendor into DuckDB, push follow-ups back, summarise",
        description=(
            "Start a local sandbox of each vendor (never a real API, whatever the API key"
            " variables hold), extract every task into one DuckDB file, push a few follow-up"
            " tasks back to each exactly once and print an analyst summary."
        ),
    )
    parser.add_argument(
        "--duckdb-path", default=None, help=f"DuckDB file (default ./{default_demo_file()})"
    )
    parser.add_argument(
        "--tasks", type=int, default=DEMO_TASKS, help="tasks in the first vendor's sandbox (20000)"
    )
    parser.add_argument("--seed", type=int, default=DEMO_SEED, help="sandbox seed (42)")
    parser.add_argument("--pipelines-dir", default=None, help=argparse.SUPPRESS)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    run_demo(
        duckdb_path=args.duckdb_path,
        tasks=args.tasks,
        seed=args.seed,
        pipelines_dir=args.pipelines_dir,
    )
    return 0
