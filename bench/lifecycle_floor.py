"""Wall of `push --mode mirror` against the floor each vendor's documented rate limits impose.

Per vendor: its sandbox in a subprocess, `--rows` valid kit rows (`tests/<vendor>/kit.py`)
created by a first mirror run with no rate limit; then the model changes as in
`bench.lifecycle_bench` (a quarter of the rows get a new note, a quarter are completed, a quarter
leave the model), the sandbox starts counting the vendor's documented limits
(`bench.ratefloor.LIMITS`, windows shortened by `--scale`: the ratios stay the vendor's), and one
mirror run, started at a window boundary, makes the changes (timed).

The minimum is the fewest write calls the vendor's documented calls allow for those changes: one
call per change, except the kinds its batch calls take (`max_per_call` ids a call): Reply's
complete (`batch/complete`) and cancel (`bulk-delete`), Saleshandy's skip and cancel
(`bulk-skip`) (VENDOR-SPECS.md 1.3, 2.2; docs/lifecycle.md). The floor is the least wall a
perfect client needs to send that minimum under the limits (`bench.ratefloor.floor_seconds`; the
minimum's calls all count in one window: Reply's and Saleshandy's count every call of the user or
account, and Apollo's go to one endpoint, `PUT /api/v1/tasks/{id}`). "Floor, calls sent" is the
same for every request the run sent, reads included, in the busiest window (Apollo counts per
endpoint; the sandbox counts `GET` and `PUT` of `/api/v1/tasks/{id}` as one, a guess): the wall
over it is the client's pacing, the floor over the minimum's is what the extra calls cost.
Write calls and reads are the requests the sandbox served (not `GET`, `GET`); 429s, which use no
quota, apart (the client's probe when a window is spent and the vendor says no reset time).

    .venv/bin/python -m bench.lifecycle_floor --repeat 3
    .venv/bin/python -m bench.lifecycle_floor --vendor reply --rows 400 --repeat 1
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.lifecycle_bench import medians, timed_mirror  # noqa: E402
from bench.ratefloor import LIMITS, at_window_start, floor_seconds  # noqa: E402
from tests.kit.vendor import kit_of  # noqa: E402

# Enough rows that the limits bind (several windows), a run well under a minute.
ROWS = {"apollo": 1_200, "reply": 400, "saleshandy": 80}
# Kinds of change a vendor's batch call takes (`max_per_call` ids a call); the rest one a call.
BATCHED = {"apollo": (), "reply": ("complete", "cancel"), "saleshandy": ("skip", "cancel")}
TASK_PATH = re.compile(r"^(/api)?/v1/tasks/[^/]+")


def sandbox_size(vendor: str, rows: int) -> dict[str, Any]:
    """Sandbox dataset settings with a distinct contact (prospect) for each of `rows`."""
    if vendor == "apollo":
        return {"tasks": max(120, 4 * rows)}  # a contact per 4 tasks (sandbox/apollo/data.py)
    if vendor == "reply":
        return {"tasks": 120, "contacts": max(100, rows)}
    return {"tasks": 3 * rows + 3}  # a prospect per 3 tasks


def minimum_calls(vendor: str, kinds: Counter[str], per_call: int) -> int:
    """The fewest write calls the vendor's documented calls allow for these changes."""
    return sum(
        math.ceil(n / per_call) if kind in BATCHED[vendor] else n for kind, n in kinds.items()
    )


def bucket(vendor: str, request: dict[str, Any]) -> str:
    """The rate window a request counts in: per endpoint (Apollo), else one per user/account."""
    if LIMITS[vendor].per != "endpoint":
        return "all"
    path = str(request["path"])
    match = TASK_PATH.match(path)
    if match is None or path.rstrip("/").endswith(("/search", "/bulk_create")):
        return f"{request['method']} {path}"
    action = path[match.end() :].strip("/")
    return f"tasks/{{id}}/{action}" if action else "tasks/{id}"


def one_run(sb: Any, vendor: str, rows_n: int, scale: float) -> dict[str, float]:
    limits = LIMITS[vendor]
    windows = limits.scaled(scale)
    sb.reset()
    sb.configure(**limits.sandbox(scale, limited=False))

    def limited_from_a_window_start() -> None:
        sb.configure(**limits.sandbox(scale))
        at_window_start(min(window for _, window in windows))

    run = timed_mirror(sb, vendor, rows_n, limits.push_settings(scale), limited_from_a_window_start)
    summary = run.summary
    assert not summary.rejected and not summary.needs_review, summary.format()
    served = [r for r in run.requests if r["status"] != 429]  # a 429: the client's probe
    minimum = minimum_calls(vendor, Counter(line.kind for line in summary.lines), run.per_call)
    busiest = max(Counter(bucket(vendor, r) for r in served).values(), default=0)
    floor = floor_seconds(minimum, windows)
    sent_floor = floor_seconds(busiest, windows)
    return {
        "created": run.first.push.created if run.first.push is not None else 0,
        "changes": len(summary.lines),
        "writes": sum(1 for r in served if r["method"] != "GET"),
        "minimum": minimum,
        "reads": sum(1 for r in served if r["method"] == "GET"),
        "refused": len(run.requests) - len(served),
        "floor": floor,
        "sent_floor": sent_floor,
        "wall": run.wall,
        "ratio": run.wall / floor if floor else float("nan"),
        "sent_ratio": run.wall / sent_floor if sent_floor else float("nan"),
    }


def ratio_cell(ratio: float) -> str:
    """A ratio for the table; none when every call fits in the first window (a floor of 0 s)."""
    return "n/a (fits one window)" if math.isnan(ratio) else f"{ratio:.2f}x"


def main(argv: list[str] | None = None) -> int:
    from sales_tasks.sandbox import running_sandbox

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--vendor", action="append", choices=sorted(LIMITS))
    parser.add_argument("--rows", type=int, help="rows per vendor (default: ROWS)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", type=float, default=0.05, help="window length multiplier")
    args = parser.parse_args(argv)
    command = " ".join(["python -m bench.lifecycle_floor", *(argv or sys.argv[1:])])
    print(f"`{command}`: DuckDB ledger, sandbox in a subprocess, medians of {args.repeat}")
    print()
    print(
        "| vendor | limits | rows | changes | write calls | minimum | reads | 429s | floor s"
        " (minimum) | floor s (calls sent) | wall s | wall/floor | wall/floor (calls sent) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for vendor in args.vendor or sorted(LIMITS):
        rows_n = args.rows or ROWS[vendor]
        kit, limits = kit_of(vendor), LIMITS[vendor]
        with running_sandbox(
            vendor=vendor,
            subprocess=True,
            request_log_cap=1_000_000,
            **{**kit.sandbox, **sandbox_size(vendor, rows_n)},
            **limits.sandbox(args.scale, limited=False),
        ) as sb:
            runs = [one_run(sb, vendor, rows_n, args.scale) for _ in range(args.repeat)]
        m = medians(runs)
        print(
            f"| {vendor} | {limits.describe(args.scale)} | {m['created']:.0f} |"
            f" {m['changes']:.0f} | {m['writes']:.0f} | {m['minimum']:.0f} |"
            f" {m['reads']:.0f} | {m['refused']:.0f} | {m['floor']:.1f} |"
            f" {m['sent_floor']:.1f} | {m['wall']:.1f} | {ratio_cell(m['ratio'])} |"
            f" {ratio_cell(m['sent_ratio'])} |",
            flush=True,
        )
        walls = ", ".join(f"{r['wall']:.1f}" for r in runs)
        print(f"<!-- {vendor} walls s: {walls} -->", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
