"""The demo's Saleshandy and Reply.io parts, and its cross-vendor summary (`pipelines.demo`).

Each vendor part starts that vendor's local sandbox (never the real API), extracts it into the
demo's DuckDB file, pushes a SQL-defined set of follow-ups back once, reads them back from the
vendor, and shows that a second demo creates nothing (the ledger's account name is the sandbox's
tasks, seed and day, whatever port it is served on). The summary is one query over the unified
views (`pipelines.unified`): open and overdue work per owner across every vendor.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

import duckdb

from destinations.core.summary import PushSummary

DEMO_FOLLOWUPS = 10


@dataclass(frozen=True)
class VendorDemo:
    """One vendor's part of the demo: its sandbox, its extract, its follow-up query."""

    vendor: str
    title: str
    tasks: int
    extract: Callable[..., Any]
    followups_sql: Callable[[str], str]  # due day (YYYY-MM-DD) -> the push's input query
    read_back: Callable[[Any, list[str]], list[tuple[Any, ...]]]
    read_back_header: tuple[str, ...]


def _saleshandy_extract(**kwargs: Any) -> Any:
    from pipelines.extract_saleshandy import run_saleshandy_extract

    return run_saleshandy_extract(**kwargs)


def _reply_extract(**kwargs: Any) -> Any:
    from pipelines.extract_reply import run_reply_extract

    return run_reply_extract(**kwargs)


def saleshandy_followups_sql(due_day: str) -> str:
    """A LinkedIn message for each prospect whose last finished call is 14+ days old and who has
    nothing open; request_id = the prospect and that date, so a rerun asks for the same tasks."""
    return f"""
WITH done AS (
    SELECT prospect_id, MAX(CAST(COALESCE(completed_at, skipped_at) AS DATE)) AS last_done
    FROM saleshandy.tasks
    WHERE task_type IN ('11', '12', '13', '14', '15') AND status IN ('completed', 'skipped')
    GROUP BY prospect_id
)
SELECT 'sh-followup-' || d.prospect_id || '-' || CAST(d.last_done AS VARCHAR) AS request_id,
       d.prospect_id,
       'linkedin_message' AS task_type,
       'high' AS priority,
       '{due_day}' AS due_date,
       'Follow-up: last call over 14 days ago' AS task_note
FROM done AS d
WHERE d.last_done < CURRENT_DATE - INTERVAL 14 DAY
  AND NOT EXISTS (
      SELECT 1 FROM saleshandy.tasks AS o
      WHERE o.prospect_id = d.prospect_id AND o.status IN ('upcoming', 'dueToday', 'overdue')
  )
ORDER BY d.prospect_id
LIMIT {DEMO_FOLLOWUPS}
""".strip()


def reply_followups_sql(due_day: str) -> str:
    """A call for each contact whose last finished task is 14+ days old and who has nothing
    new; the template's handlebars reach Reply verbatim."""
    return f"""
WITH done AS (
    SELECT contact_id, MAX(CAST(completed_at AS DATE)) AS last_done
    FROM reply.tasks WHERE status = 1 GROUP BY contact_id
)
SELECT 'reply-followup-' || CAST(d.contact_id AS VARCHAR) || '-' || CAST(d.last_done AS VARCHAR)
           AS request_id,
       d.contact_id,
       'call' AS task_type,
       '{due_day}T09:00:00Z' AS start_at,
       '{due_day}T10:00:00Z' AS due_to,
       'Hi {{{{firstName}}}}, a quick follow-up call' AS body
FROM done AS d
WHERE d.last_done < CURRENT_DATE - INTERVAL 14 DAY
  AND NOT EXISTS (SELECT 1 FROM reply.tasks AS o WHERE o.contact_id = d.contact_id AND o.status = 0)
ORDER BY d.contact_id
LIMIT {DEMO_FOLLOWUPS}
""".strip()


def _get(base_url: str, path: str, headers: dict[str, str]) -> Any:
    import httpx

    with httpx.Client(base_url=base_url, headers=headers, timeout=30.0, trust_env=False) as http:
        resp = http.get(path)
        resp.raise_for_status()
        return resp.json()


def _saleshandy_read_back(sb: Any, ids: list[str]) -> list[tuple[Any, ...]]:
    """The pushed tasks as Saleshandy's own `GET /v1/tasks/{id}` shows them."""
    from clients.saleshandy.endpoints import task_path

    out = []
    for task_id in ids:
        task = _get(sb.base_url, task_path(task_id), {"x-api-key": sb.api_key}).get("payload", {})
        prospect = task.get("prospect") or {}
        out.append(
            (task.get("id"), prospect.get("email"), task.get("taskType"), task.get("dueDate"))
        )
    return out


def _reply_read_back(sb: Any, ids: list[str]) -> list[tuple[Any, ...]]:
    """The pushed tasks as Reply's own `GET /v3/tasks/{id}` shows them."""
    from clients.reply.endpoints import task_path

    out = []
    for task_id in ids:
        task = _get(sb.base_url, task_path(task_id), {"Authorization": f"Bearer {sb.api_key}"})
        template = task.get("template") or {}
        out.append(
            (task.get("id"), task.get("contactId"), task.get("taskType"), template.get("body"))
        )
    return out


DEMOS = (
    VendorDemo(
        "saleshandy",
        "Saleshandy",
        4_000,
        _saleshandy_extract,
        saleshandy_followups_sql,
        _saleshandy_read_back,
        ("task id", "prospect", "type", "due date"),
    ),
    VendorDemo(
        "reply",
        "Reply.io",
        3_000,
        _reply_extract,
        reply_followups_sql,
        _reply_read_back,
        ("task id", "contact id", "type", "body"),
    ),
)


@contextmanager
def vendor_sandbox(demo: VendorDemo, seed: int, anchor: str) -> Iterator[Any]:
    """The vendor's local sandbox in a child process: the demo never reads a real account."""
    from sandbox import running_sandbox

    with running_sandbox(
        vendor=demo.vendor, tasks=demo.tasks, seed=seed, anchor_date=anchor, subprocess=True
    ) as sb:
        yield sb


def run_vendor(
    demo: VendorDemo, path: str, out: TextIO, *, seed: int, anchor: str, pipelines_dir: str
) -> PushSummary:
    """Extract one vendor's sandbox into `path`, push its follow-ups once, read them back."""
    from destinations.registry import sink
    from pipelines.push import run_push

    with vendor_sandbox(demo, seed, anchor) as sb:
        out.write(
            f"\nReading {demo.title} tasks from a local sandbox at {sb.base_url}"
            f" ({demo.tasks:,} tasks, seed {seed})\n"
        )
        forget_sandbox_port(path, demo.vendor)
        summary = demo.extract(
            duckdb_path=path,
            api_key=sb.api_key,
            base_url=sb.base_url,
            pipelines_dir=pipelines_dir,
            progress=sys.stderr.isatty(),
        )
        out.write(summary.format() + "\n")
        due_day = (datetime.fromisoformat(anchor.replace("Z", "+00:00")) + timedelta(days=1)).date()
        account = f"sandbox-{demo.vendor}-{demo.tasks}-seed{seed}-{anchor[:10]}"
        pushed = run_push(
            sink=sink(demo.vendor),
            query=demo.followups_sql(due_day.isoformat()),
            warehouse=path,
            api_key=sb.api_key,
            base_url=sb.base_url,
            account=account,
            pipelines_dir=pipelines_dir,
            progress=sys.stderr.isatty(),
        )
        out.write(pushed.format() + "\n")
        ledger = f"{demo.vendor}_push.delivery_ledger"
        if pushed.created:
            with duckdb.connect(path, read_only=True) as con:
                ids = [
                    str(r[0])
                    for r in con.execute(
                        f"SELECT task_id FROM {ledger} WHERE state = 'delivered'"
                        " AND vendor = ? AND account = ? ORDER BY task_id",
                        [demo.vendor, account],
                    ).fetchall()
                ]
            shown = demo.read_back(sb, ids[:DEMO_FOLLOWUPS])
            out.write(f"\nFollow-up tasks now in {demo.title} ({len(shown)} of {len(ids)}):\n")
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


def today_anchor() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT00:00:00Z")
