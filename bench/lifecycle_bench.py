"""Calls per change of `push --mode mirror`, against the fewest the vendor's `ChangeVendor` allows.

Per vendor with a `ChangeVendor`: its sandbox (the standard kit's settings), `--rows` valid rows
(`tests/<vendor>/kit.py`) created by a first mirror run; then a quarter of the rows get a new
note, a quarter are completed, a quarter leave the model, and one mirror run (timed) makes the
changes. Write calls are the non-GET requests the sandbox received, reads the GETs (the
read-back before planning, and a vendor's status polls). The minimum is one call per
`max_per_call` changes of one kind (reads not counted). Repeated `--repeat` times; medians.

    .venv/bin/python -m bench.lifecycle_bench --rows 40 --repeat 3
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.kit.vendor import kit_of  # noqa: E402

INPUT = "bench_followups"


def write_input(path: str, rows: list[dict[str, Any]]) -> None:
    """`rows` as the DuckDB table `INPUT` at `path` (text columns, replaced)."""
    import duckdb

    columns = list(dict.fromkeys(c for row in rows for c in row))
    with duckdb.connect(path) as con:
        con.execute(f"DROP TABLE IF EXISTS {INPUT}")
        con.execute(f"CREATE TABLE {INPUT} ({', '.join(f'{c} TEXT' for c in columns)})")
        con.executemany(
            f"INSERT INTO {INPUT} VALUES ({', '.join('?' for _ in columns)})",
            [[None if r.get(c) is None else str(r[c]) for c in columns] for r in rows],
        )


def changed_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The model changed between runs: of every 4 rows, one gets a new note, one is completed,
    one leaves the input, one stays."""
    out = []
    for i, row in enumerate(rows):
        row = dict(row)
        if i % 4 == 0:
            note = next((c for c in ("note", "task_note", "body") if c in row), "note")
            row[note] = f"moved {i}"
        elif i % 4 == 1:
            row["status"] = "completed"
        elif i % 4 == 2:
            continue
        out.append(row)
    return out


@dataclass
class MirrorRun:
    """One timed mirror run of changes (`timed_mirror`): its summaries, wall and requests."""

    first: Any  # the summary of the run that created the rows
    summary: Any  # the summary of the timed run
    wall: float
    requests: list[dict[str, Any]]  # what the sandbox received during the timed run
    per_call: int  # the vendor's `ChangeVendor.max_per_call`


def timed_mirror(
    sb: Any,
    vendor: str,
    rows_n: int,
    settings: dict[str, Any] | None = None,
    before: Callable[[], None] | None = None,
) -> MirrorRun:
    """`rows_n` kit rows created by a mirror run, the model changed (`changed_rows`), and one
    mirror run timed; `settings` go to both runs (vendor settings), `before` runs just before
    the timed one (after the sandbox's request log was cleared)."""
    from sales_tasks.destinations.registry import sink
    from sales_tasks.pipelines.push_lifecycle import change_vendor_for, run_lifecycle_push

    kit = kit_of(vendor)
    with tempfile.TemporaryDirectory(prefix="lifecycle-bench-", ignore_cleanup_errors=True) as tmp:
        folder = Path(tmp)
        path = str(folder / "w.duckdb")
        options = {
            "sink": sink(vendor),
            "table": INPUT,
            "warehouse": path,
            "api_key": kit.key(sb),
            "base_url": sb.base_url,
            "mode": "mirror",
            "allow_mass_close": True,
            "pipelines_dir": str(folder / "dlt"),
            **(settings or {}),
        }
        rows = kit.push_rows(sb, rows_n)
        for row in rows:
            row.pop("status", None)
        write_input(path, rows)
        first = run_lifecycle_push(**options)
        write_input(path, changed_rows(rows))
        sb.clear_requests()
        if before is not None:
            before()
        started = time.monotonic()
        summary = run_lifecycle_push(**options)
        wall = time.monotonic() - started
        requests = sb.requests()
        vendor_settings = sink(vendor).settings(api_key=kit.key(sb), base_url=sb.base_url)
        client, _ = sink(vendor).open_vendor(vendor_settings)
        per_call = max(
            1, int(change_vendor_for(sink(vendor), client, vendor_settings).max_per_call)
        )
        client.close()
        return MirrorRun(first, summary, wall, requests, per_call)


def medians(runs: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over `runs` (every run reports the same keys)."""
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def one_run(vendor: str, rows_n: int) -> dict[str, float]:
    from sales_tasks.sandbox import running_sandbox

    with running_sandbox(vendor=vendor, **kit_of(vendor).sandbox) as sb:
        run = timed_mirror(sb, vendor, rows_n)
    summary, requests = run.summary, run.requests
    kinds = Counter(line.kind for line in summary.lines)
    # A bound from below: one call per `max_per_call` changes of a kind (a vendor whose batch
    # serves only some kinds needs more: its documented minimum is in docs/lifecycle.md).
    minimum = sum(math.ceil(n / run.per_call) for n in kinds.values())
    writes = sum(1 for r in requests if r["method"] != "GET")
    changes = len(summary.lines)
    return {
        "created": run.first.push.created if run.first.push is not None else 0,
        "changes": changes,
        "writes": writes,
        "minimum": minimum,
        "reads": sum(1 for r in requests if r["method"] == "GET"),
        "per_change": writes / changes if changes else 0.0,
        "wall": run.wall,
    }


def main(argv: list[str] | None = None) -> int:
    from sales_tasks.destinations.registry import sinks
    from sales_tasks.pipelines.push_lifecycle import change_factory

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--vendor", action="append", default=None)
    args = parser.parse_args(argv)
    vendors = args.vendor or sorted(v for v, s in sinks().items() if change_factory(s))
    print(
        "| vendor | rows created | changes | write calls | bound (max_per_call) | calls/change"
        " | reads | wall s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for vendor in vendors:
        m = medians([one_run(vendor, args.rows) for _ in range(args.repeat)])
        print(
            f"| {vendor} | {m['created']:.0f} | {m['changes']:.0f} | {m['writes']:.0f} |"
            f" {m['minimum']:.0f} | {m['per_change']:.2f} | {m['reads']:.0f} |"
            f" {m['wall']:.2f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
