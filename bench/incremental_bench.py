"""Calls per 1,000 tasks: a full scan against an incremental run, on a long-lived account.

Run by hand: `.venv/bin/python -m bench.incremental_bench --tasks 20000`. It prints a markdown
table and the command that made it (`docs/quota-and-incremental.md` quotes it).

For each vendor with incremental runs (Saleshandy, Reply) a sandbox is started in this process
with a long history (`history_days=720`; Saleshandy's old work mostly done, `old_slips=0.1`), so
most tasks are done, as on an account that has used the vendor for two years. Then:
1. `full`: `run_extract(vendor, incremental=True)`: the first run is a full scan (counts, lists,
   Reply's second pass); its requests are what every full scan costs;
2. a day of work is made through the sandbox's hooks: `--done` open tasks completed (Saleshandy)
   or finished (Reply), and `--new` tasks made;
3. `incremental`: the same command again: the open tasks whole, the done ones down to the
   watermark.
`minimum` is the pages a single pass over every task takes at the same page size (the least any
full read can cost). Calls are the requests the vendor received (`extract_runs.requests`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

PAGE = {"saleshandy": 100, "reply": 1000}


def _run(vendor: str, sb: Any, workdir: Path, options: dict[str, Any]) -> Any:
    from sales_tasks.pipelines.extract import run_extract

    summary = run_extract(
        vendor,
        duckdb_path=str(workdir / f"{vendor}_bench.duckdb"),
        pipelines_dir=str(workdir / "pipelines"),
        api_key=sb.api_key,
        base_url=sb.base_url,
        incremental=True,
        **options,
    )
    if not summary.complete:
        raise RuntimeError(f"the benchmark's {vendor} extract was incomplete: {summary.warnings}")
    return summary


def _saleshandy_day(sb: Any, done: int, new: int) -> int:
    """Complete `done` open tasks, make `new` ones; the open tasks before."""
    with httpx.Client(base_url=sb.base_url, headers={"x-api-key": sb.api_key}) as http:
        opened: list[str] = []
        for status in ("upcoming", "dueToday", "overdue"):
            page = 1
            while True:
                got = http.get(
                    "/v1/tasks", params={"status": status, "page": page, "pageSize": 100}
                )
                items = got.json()["payload"]
                items = items if isinstance(items, list) else items["tasks"]
                opened += [t["taskId"] for t in items]
                if len(items) < 100:
                    break
                page += 1
    for task_id in opened[:done]:
        sb.patch_task(task_id, state="completed")
    prospect = sb.prospects(limit=1)[0]["id"]
    for _ in range(new):
        sb.add_task(prospect, taskType="11")
    return len(opened)


def _reply_day(sb: Any, done: int, new: int) -> int:
    tasks = [t for t in sb.tasks() if t["status"] == 0]  # codes in the hook's answer: 0 = new
    for task in tasks[:done]:
        sb.patch_task(task["id"], status="finished")
    contact = sb.contacts(limit=1)[0]["id"]
    start = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    for _ in range(new):
        sb.add_task(
            taskType="call",
            contactId=contact,
            startAt=start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            dueTo=(start + dt.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            template={"body": "Call"},
        )
    return len(tasks)


def measure(vendor: str, tasks: int, done: int, new: int) -> dict[str, Any]:
    from sales_tasks.sandbox import running_sandbox

    settings: dict[str, Any] = {"tasks": tasks, "history_days": 720}
    options: dict[str, Any] = {}
    if vendor == "saleshandy":
        settings["old_slips"] = 0.1
    else:  # Reply's documented 100 a minute would pace the run: raised on both sides
        settings["rate_limits"] = {"minute": 10**6, "hour": 10**7}
        options["rate_limits"] = "1000000/60"
    with tempfile.TemporaryDirectory() as tmp, running_sandbox(vendor=vendor, **settings) as sb:
        full = _run(vendor, sb, Path(tmp), options)
        day = _saleshandy_day if vendor == "saleshandy" else _reply_day
        opened = day(sb, done, new)
        incremental = _run(vendor, sb, Path(tmp), options)
    per_k = 1000 / tasks
    return {
        "vendor": vendor,
        "tasks": tasks,
        "open": opened,
        "minimum": math.ceil(tasks / PAGE[vendor]) * per_k,
        "full": full.requests * per_k,
        "incremental": incremental.requests * per_k,
        "ratio": incremental.requests / full.requests,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20_000)
    parser.add_argument("--done", type=int, default=50, help="open tasks done between the runs")
    parser.add_argument("--new", type=int, default=50, help="tasks made between the runs")
    parser.add_argument("--vendors", default="saleshandy,reply")
    args = parser.parse_args(argv)
    rows = [measure(v, args.tasks, args.done, args.new) for v in args.vendors.split(",")]
    print(
        f"`{' '.join([Path(sys.executable).name, '-m', 'bench.incremental_bench', *sys.argv[1:]])}`"
    )
    print()
    print(
        "| vendor | tasks | open | minimum / 1k | full scan / 1k | incremental / 1k | incr/full |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['vendor']} | {r['tasks']:,} | {r['open']:,} | {r['minimum']:.1f} |"
            f" {r['full']:.1f} | {r['incremental']:.1f} | {r['ratio']:.2f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
