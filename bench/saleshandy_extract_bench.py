"""Benchmark of `sales-tasks extract saleshandy` against the bare-download floor, in one run.

Run by hand: `.venv/bin/python -m bench.saleshandy_extract_bench --tasks 20000 --runs 3`. It
prints a markdown table and the command that made it.

- `ours`: `run_extract("saleshandy")` (counts before and after, the assignee list, every page of
  `GET /v1/tasks`, 4 at once, Arrow tables, merge on id, removal of deleted tasks) into DuckDB.
- `ours_sequential`: the same with `concurrency=1` (one page after the other, like the floor).
- `floor`: bare httpx on one connection: `GET /v1/tasks` for the same pages ours reads
  (`pageSize=100`, up to the first short page), the bodies read and nothing else: no JSON
  parsing, nothing stored. The time the sandbox takes to serve the pages is in both.

Fairness: the sandbox runs in a child process and gets one untimed full pass first. Every variant
runs in its own subprocess, after a warm-up on a tiny sandbox in that process (imports, dlt init),
and reports its own wall time; variants are interleaved (floor, ours, floor, ours, ...) and
medians are quoted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TASKS = "/v1/tasks"
PAGE_SIZE = 100


def _ours(base_url: str, key: str, workdir: Path, concurrency: int | None = None) -> dict[str, Any]:
    from sales_tasks.pipelines.extract import run_extract

    workdir.mkdir(parents=True, exist_ok=True)
    summary = run_extract(
        "saleshandy",
        duckdb_path=str(workdir / "ours.duckdb"),
        pipelines_dir=str(workdir / "pipelines"),
        api_key=key,
        base_url=base_url,
        concurrency=concurrency,
    )
    if not summary.complete:
        raise RuntimeError(f"the benchmark's extract was incomplete: {summary.warnings}")
    return {"rows": summary.rows.get("tasks", 0), "requests": summary.requests}


def _floor(base_url: str, key: str, workdir: Path) -> dict[str, Any]:
    import httpx

    with httpx.Client(
        base_url=base_url,
        headers={"x-api-key": key},
        limits=httpx.Limits(max_connections=1),
        timeout=60,
    ) as http:
        total = sum(http.get(f"{TASKS}/counts").json()["payload"].values())
        pages = total // PAGE_SIZE + 1  # to the first short (or empty) page, as ours reads
        size = 0
        for page in range(1, pages + 1):
            resp = http.get(TASKS, params={"page": page, "pageSize": PAGE_SIZE})
            resp.raise_for_status()
            size += len(resp.content)
    return {"rows": total, "requests": pages + 1, "megabytes": size / 1e6}


def _ours_sequential(base_url: str, key: str, workdir: Path) -> dict[str, Any]:
    return _ours(base_url, key, workdir, concurrency=1)


VARIANTS = {"ours": _ours, "ours_sequential": _ours_sequential, "floor": _floor}
ORDER = ("floor", "ours", "ours_sequential")


def _child(args: argparse.Namespace) -> None:
    fn = VARIANTS[args.variant]
    with tempfile.TemporaryDirectory() as tmp:
        if args.warmup_url:
            fn(args.warmup_url, args.key, Path(tmp) / "warm")
        started = time.perf_counter()
        result = fn(args.base_url, args.key, Path(tmp) / "run")
        result["seconds"] = time.perf_counter() - started
    sys.stdout.write("RESULT " + json.dumps(result) + "\n")


def _run_variant(variant: str, base_url: str, key: str, warmup_url: str) -> dict[str, Any]:
    root = str(Path(__file__).resolve().parents[1])
    cmd = [
        sys.executable, "-m", "bench.saleshandy_extract_bench", "--child", "--variant", variant,
        "--base-url", base_url, "--key", key, "--warmup-url", warmup_url,
    ]  # fmt: skip
    proc = subprocess.run(
        cmd, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": root}, check=False
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return dict(json.loads(line[len("RESULT ") :]))
    raise RuntimeError(f"{variant} failed:\n{proc.stderr[-3000:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--variant", choices=sorted(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--warmup-url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--key", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args)
        return 0

    from sales_tasks.sandbox import running_sandbox

    n = args.tasks
    command = ".venv/bin/python -m bench.saleshandy_extract_bench " + " ".join(sys.argv[1:])
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in VARIANTS}
    with (
        running_sandbox(vendor="saleshandy", tasks=200, seed=1, subprocess=True) as warm,
        running_sandbox(vendor="saleshandy", tasks=n, seed=42, subprocess=True) as sb,
    ):
        key = getattr(sb, "api_key")  # noqa: B009 - a SaleshandySandbox handle
        _floor(sb.base_url, key, Path("."))  # untimed pass: the sandbox's first-touch costs
        for repeat in range(args.runs):
            for name in ORDER:
                result = _run_variant(name, sb.base_url, key, warm.base_url)
                runs[name].append(result)
                print(f"run {repeat + 1} {name}: {result['seconds']:.2f}s", file=sys.stderr)

    def median(name: str, field: str) -> float:
        return float(statistics.median(r[field] for r in runs[name]))

    floor_s = median("floor", "seconds")
    lines = [
        f"# Saleshandy extract benchmark: {n:,} sandbox tasks, DuckDB destination",
        "",
        f"Command: `{command}` (machine: {os.cpu_count()} cores, shared; medians of"
        f" {args.runs} runs).",
        "",
        "| variant | rows | requests | wall s | rows/s | vs floor |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in ORDER:
        rows, seconds = int(median(name, "rows")), median(name, "seconds")
        lines.append(
            f"| {name} | {rows:,} | {int(median(name, 'requests'))} | {seconds:.2f} |"
            f" {rows / seconds:,.0f} | {seconds / floor_s:.2f}x |"
        )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
