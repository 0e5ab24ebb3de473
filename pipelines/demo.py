"""`sales-tasks demo` (`apollo-tasks demo`): the whole product in one command, on a laptop.

Steps (each a function, so later steps, e.g. pushing follow-up tasks, slot in after `extract`):
1. `target`: the local Apollo sandbox (20,000 tasks, seed 42, in a child process), always: a demo
   never reads or writes a real account, whatever `APOLLO_API_KEY` holds (the README's sandbox
   recipe exports one); reading a real account is `extract`'s job.
2. `extract`: `run_extract` into a local DuckDB file (`apollo_demo.duckdb`).
3. `push_followups`: a SQL-defined set of follow-up call tasks pushed back through bulk create,
   then read back from the tasks search to show them arriving. A second demo run creates nothing
   (the delivery ledger in the DuckDB file remembers what was delivered).
4. the same for Saleshandy and Reply.io (`pipelines.demo_vendors`): each vendor's sandbox
   extracted into the same file, its follow-ups pushed once and read back.
5. `summarise`: what an analyst asks first, answered by SQL on that file, then one query over
   the unified views: open and overdue work per owner across the three vendors.
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
from datetime import UTC, datetime
from typing import Any, TextIO

import duckdb

from destinations.core.summary import PushSummary
from pipelines.demo_vendors import (
    forget_sandbox_port,
    run_vendor,
    summarise_across,
    table,
    today_anchor,
    vendor_demos,
)
from pipelines.extract import ExtractSummary, run_extract
from pipelines.push import demo_followups_sql, run_push

DEFAULT_DEMO_FILE = "apollo_demo.duckdb"
DEMO_TASKS = 20_000
DEMO_SEED = 42
DEMO_FOLLOWUPS = 10


@dataclass(frozen=True)
class DemoTarget:
    """Where the demo reads from; `api_key` is never printed."""

    base_url: str
    api_key: str
    description: str
    sandbox: tuple[int, int, str] | None = None  # (tasks, seed, anchor day) of a local sandbox

    @property
    def account(self) -> str | None:
        """The ledger's name for this sandbox account: the same tasks, seed and day are the same
        account on whatever port it is served (each demo starts it on a new one), so a second
        demo finds its follow-ups delivered instead of sending them again."""
        if self.sandbox is None:
            return None
        tasks, seed, anchor = self.sandbox
        return f"sandbox-{tasks}-seed{seed}-{anchor[:10]}"


@contextmanager
def target(
    tasks: int = DEMO_TASKS, seed: int = DEMO_SEED, anchor_date: str | None = None
) -> Iterator[DemoTarget]:
    """Step 1: a local sandbox, never the real API (`APOLLO_*` variables are not read).

    The sandbox's data is a function of (tasks, seed, anchor day); the demo records them in the
    DuckDB file so `sandbox_for_demo_file` can bring the same account back later (the notebook's
    dry-run push validates its rows against it).
    """
    from sandbox import running_sandbox

    anchor = anchor_date or datetime.now(UTC).strftime("%Y-%m-%dT00:00:00Z")
    with running_sandbox(tasks=tasks, seed=seed, anchor_date=anchor, subprocess=True) as sb:
        yield DemoTarget(
            sb.base_url,
            sb.master_key,
            f"a local Apollo sandbox at {sb.base_url} ({tasks:,} tasks, seed {seed})",
            sandbox=(tasks, seed, anchor),
        )


def _record_sandbox(duckdb_path: str, where: DemoTarget) -> None:
    if where.sandbox is None:
        return
    tasks, seed, anchor = where.sandbox
    with duckdb.connect(duckdb_path) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS demo_meta")
        con.execute(
            "CREATE OR REPLACE TABLE demo_meta.sandbox AS"
            " SELECT ?::INTEGER AS tasks, ?::INTEGER AS seed, ?::VARCHAR AS anchor_date",
            [tasks, seed, anchor],
        )


@contextmanager
def sandbox_for_demo_file(duckdb_path: str) -> Iterator[DemoTarget]:
    """The sandbox account a demo file came from (same tasks, seed and day), started afresh."""
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


def extract(where: DemoTarget, duckdb_path: str, pipelines_dir: str | None) -> ExtractSummary:
    """Step 2: mirror the target's tasks into the DuckDB file."""
    forget_sandbox_port(duckdb_path, "apollo")
    return run_extract(
        duckdb_path=duckdb_path,
        api_key=where.api_key,
        base_url=where.base_url,
        pipelines_dir=pipelines_dir,
        progress=sys.stderr.isatty(),
    )


def push_followups(
    where: DemoTarget, duckdb_path: str, out: TextIO, pipelines_dir: str | None = None
) -> PushSummary:
    """Step 3: follow-up calls for contacts whose last task was done 14+ days ago, pushed once."""
    summary = run_push(
        query=demo_followups_sql(limit=DEMO_FOLLOWUPS),
        warehouse=duckdb_path,
        api_key=where.api_key,
        base_url=where.base_url,
        account=where.account,
        pipelines_dir=pipelines_dir,
        progress=sys.stderr.isatty(),
    )
    out.write(summary.format() + "\n")
    if summary.created:
        _show_arrivals(where, duckdb_path, out)
    elif summary.already_delivered:
        out.write(
            f"Nothing new to create: the ledger (apollo_push.delivery_ledger) shows these"
            f" {summary.already_delivered} follow-ups were delivered by an earlier run.\n"
        )
    return summary


def _show_arrivals(where: DemoTarget, duckdb_path: str, out: TextIO) -> None:
    """Read the pushed follow-ups back through Apollo's own tasks search."""
    from clients.apollo.endpoints import TASKS_SEARCH
    from clients.apollo.enums import TASK_TYPES_FACET
    from clients.apollo.profile import APOLLO_PROFILE
    from clients.core import ApiClient

    with duckdb.connect(duckdb_path, read_only=True) as con:
        rows = con.sql(
            "SELECT task_id, json_extract_string(payload, '$.contact_id')"
            " FROM apollo_push.delivery_ledger"
            " WHERE state = 'delivered' AND request_id LIKE 'followup-%'"
            " AND vendor = 'apollo' AND account = ?",
            params=[where.account],
        ).fetchall()
    wanted = {r[0] for r in rows}
    contact_ids = sorted({r[1] for r in rows if r[1]})
    if not wanted:
        return
    with ApiClient(where.base_url, where.api_key, profile=APOLLO_PROFILE) as client:
        page = client.request_json(
            "POST",
            TASKS_SEARCH,
            params=[("open_factor_names[]", TASK_TYPES_FACET), ("per_page", 100)],
            json={"contact_ids": contact_ids, "page": 1},
        )
    # Keep only our tasks: other tasks of these contacts, or an ignored filter, add rows.
    found = [t for t in page.get("tasks", []) if t.get("id") in wanted]
    out.write(f"\nFollow-up tasks now in Apollo's tasks search ({len(found)} of {len(wanted)}):\n")
    rows_out = [
        (t["id"], (t.get("contact") or {}).get("email"), t["type"], t["due_at"], t["created_from"])
        for t in found[:DEMO_FOLLOWUPS]
    ]
    table(out, ["task id", "contact", "type", "due at", "created from"], rows_out)


STATUS_BY_TYPE = """
SELECT type, status, count(*) AS tasks
FROM apollo.tasks GROUP BY ALL ORDER BY type, status
"""
OVERDUE_BY_OWNER = """
SELECT coalesce(u.email, t.user_id) AS owner,
       coalesce(nullif(u.name, ''), trim(coalesce(u.first_name, '') || ' ' ||
                coalesce(u.last_name, ''))) AS name,
       count(*) AS overdue,
       min(t.due_at) AS oldest_due
FROM apollo.tasks t LEFT JOIN apollo.users u ON u.id = t.user_id
WHERE t.status = 'scheduled' AND t.due_at < now()
GROUP BY ALL ORDER BY overdue DESC, owner LIMIT 10
"""


def summarise(duckdb_path: str, out: TextIO) -> None:
    """Step 3: the analyst's first questions, answered by SQL on the DuckDB file."""
    with duckdb.connect(duckdb_path, read_only=True) as con:
        out.write("\nTasks by type and status:\n")
        table(out, ["type", "status", "tasks"], con.sql(STATUS_BY_TYPE).fetchall())
        users = con.sql(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_schema = 'apollo' AND table_name = 'users'"
        ).fetchall()[0][0]
        sql = (
            OVERDUE_BY_OWNER
            if users
            else OVERDUE_BY_OWNER.replace(
                "LEFT JOIN apollo.users u ON u.id = t.user_id",
                "LEFT JOIN (SELECT NULL::VARCHAR AS id, NULL::VARCHAR AS email, NULL::VARCHAR AS name,"
                " NULL::VARCHAR AS first_name, NULL::VARCHAR AS last_name) u ON u.id = t.user_id",
            )
        )
        owners = con.sql(sql).fetchall()
        # "top 10" of a team of 8 read as if rows were missing: say how many owners there are.
        shown = "top 10" if len(owners) == 10 else f"all {len(owners)} owners with overdue tasks"
        out.write(f"\nOverdue scheduled tasks by owner ({shown}):\n")
        table(out, ["owner", "name", "overdue", "oldest due"], owners)


def run_demo(
    *,
    duckdb_path: str | None = None,
    tasks: int = DEMO_TASKS,
    seed: int = DEMO_SEED,
    pipelines_dir: str | None = None,
    out: TextIO | None = None,
) -> ExtractSummary:
    """Run the demo's steps in order and report to `out` (stdout by default)."""
    out = out or sys.stdout
    path = os.path.abspath(duckdb_path or DEFAULT_DEMO_FILE)
    # Every sandbox is a new account on a new port: its dlt state would only pile up, and the
    # ledger in the DuckDB file is what a rerun needs. A fresh folder per demo, unless given.
    with contextlib.ExitStack() as stack:
        if pipelines_dir is None:
            pipelines_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="apollo_demo_"))
        where = stack.enter_context(target(tasks, seed))
        out.write(f"Reading tasks from {where.description}\n")
        summary = extract(where, path, pipelines_dir)
        _record_sandbox(path, where)
        out.write(summary.format() + "\n")
        push_followups(where, path, out, pipelines_dir)
        anchor = where.sandbox[2] if where.sandbox else today_anchor()
        for spec in vendor_demos():
            run_vendor(spec, path, out, seed=seed, anchor=anchor, pipelines_dir=pipelines_dir)
    summarise(path, out)
    summarise_across(path, out)
    out.write(
        f"\nThe data is in {path} (dataset `apollo`: tables tasks, contacts, accounts,"
        " contact_phone_numbers, users, task_type_counts, extract_runs; views open_tasks,"
        " overdue_tasks, task_outcomes, tasks_enriched; datasets `saleshandy` and `reply`;"
        " across vendors, views sales_tasks.all_tasks and sales_tasks.open_by_owner)."
        " Explore it with:\n"
    )
    out.write(
        f"  .venv/bin/python -c \"import duckdb; duckdb.connect('{path}', read_only=True)"
        ".sql('SELECT * FROM apollo.overdue_tasks LIMIT 5').show()\"\n"
        "  or open notebooks/task_analytics.ipynb\n"
    )
    return summary


def register(sub: Any, name: str = "demo") -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help="extract a local Apollo sandbox into DuckDB, push follow-ups back, summarise",
        description=(
            "Start a local Apollo sandbox (never the real API, whatever APOLLO_API_KEY holds),"
            " extract every task into a DuckDB file, push a few follow-up tasks back exactly"
            " once and print an analyst summary."
        ),
    )
    parser.add_argument(
        "--duckdb-path", default=None, help=f"DuckDB file (default ./{DEFAULT_DEMO_FILE})"
    )
    parser.add_argument("--tasks", type=int, default=DEMO_TASKS, help="sandbox tasks (20000)")
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
