"""Benchmark of `apollo-tasks extract` against the alternatives, on one sandbox dataset.

Run by hand: `.venv/bin/python -m bench.extract_bench --tasks 100000` (add `--rss-scale` for the
50,000 vs 500,000 peak-RSS check). Every variant runs in its own subprocess (peak RSS is that
process's own `ru_maxrss`), after a small warm-up run in the same process so one-off imports are
not timed. Variants, all reading the same sandbox (a child process) into DuckDB:

- `ours`: `run_extract` (concurrent pages, Arrow tables, merge on id).
- `rest_api`: dlt's generic `rest_api` source configured as its documentation shows (POST, JSON
  body, `x-api-key` header, `page_number` paginator with `total_path`, `data_selector: tasks`).
  It reads only the first `--rest-api-max-rows` rows (default 20,000) of the same data: it
  normalises nested rows one by one and needs ~4 GB RSS and ~160 s for 20,000 tasks.
- `floor`: bare httpx, one connection, sequential pages, orjson decode, nothing stored.

The throughput comparison lifts the sandbox's display cap so every variant can read all N rows
(the generic source cannot split a search). The rate-limited scenario adds latency and a short
fixed window, and compares our wall time with the floor the limits allow.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SEARCH = "/api/v1/tasks/search"


# -- variants (run inside a child process) -----------------------------------------------------


def _ours(base_url: str, key: str, workdir: Path, max_records: int) -> dict[str, Any]:
    from pipelines.extract import run_extract

    summary = run_extract(
        duckdb_path=str(workdir / "ours.duckdb"),
        pipelines_dir=str(workdir / "pipelines"),
        api_key=key,
        base_url=base_url,
        max_records=max_records,
    )
    return {
        "rows": summary.rows.get("tasks", 0),
        "requests": summary.requests,
        "rate_limited": summary.rate_limited,
        "complete": summary.complete,
    }


def _rest_api(base_url: str, key: str, workdir: Path, max_records: int) -> dict[str, Any]:
    import dlt
    from dlt.sources.rest_api import rest_api_source

    source = rest_api_source(
        {
            "client": {"base_url": f"{base_url}/api/v1/", "headers": {"x-api-key": key}},
            "resources": [
                {
                    "name": "tasks",
                    "primary_key": "id",
                    "write_disposition": "merge",
                    "endpoint": {
                        "path": "tasks/search",
                        "method": "POST",
                        "json": {"per_page": 100, "open_factor_names": ["task_types"]},
                        "data_selector": "tasks",
                        "paginator": {
                            "type": "page_number",
                            "base_page": 1,
                            "page_param": "page",
                            "total_path": "pagination.total_pages",
                            # rest_api holds and normalises rows one by one (GBs of RSS at
                            # 20,000 nested tasks): it reads the first pages of the same data.
                            "maximum_page": math.ceil(max_records / 100),
                        },
                    },
                }
            ],
        }
    )
    pipeline = dlt.pipeline(
        "bench_rest_api",
        destination=dlt.destinations.duckdb(str(workdir / "rest_api.duckdb")),
        dataset_name="apollo_rest",
        pipelines_dir=str(workdir / "pipelines"),
    )
    pipeline.run(source)
    with pipeline.sql_client() as client:
        rows = client.execute_sql("SELECT count(*) FROM tasks")[0][0]
    return {"rows": int(rows)}


def _floor(base_url: str, key: str, workdir: Path, max_records: int) -> dict[str, Any]:
    import httpx
    import orjson

    rows = 0
    with httpx.Client(
        base_url=base_url,
        headers={"x-api-key": key},
        limits=httpx.Limits(max_connections=1),
        timeout=60,
    ) as http:
        page = 1
        while True:
            resp = http.post(
                SEARCH,
                params=[("open_factor_names[]", "task_types"), ("page", page), ("per_page", 100)],
            )
            tasks = orjson.loads(resp.content)["tasks"]
            rows += len(tasks)
            if len(tasks) < 100:
                return {"rows": rows}
            page += 1


VARIANTS = {"ours": _ours, "rest_api": _rest_api, "floor": _floor}


def _child(args: argparse.Namespace) -> None:
    fn = VARIANTS[args.variant]
    with tempfile.TemporaryDirectory() as tmp:
        if args.warmup_url:  # same code path on a tiny dataset: imports, dlt init
            fn(args.warmup_url, args.key, Path(tmp) / "warm", 50_000)
        started = time.perf_counter()
        result = fn(args.base_url, args.key, Path(tmp), args.max_records)
        result["seconds"] = time.perf_counter() - started
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sys.stdout.write("RESULT " + json.dumps(result) + "\n")


# -- orchestration (parent process) ------------------------------------------------------------


def _run_variant(
    variant: str, base_url: str, key: str, warmup_url: str, max_records: int
) -> dict[str, Any]:
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": root}
    cmd = [
        sys.executable, "-m", "bench.extract_bench", "--child", "--variant", variant,
        "--base-url", base_url, "--key", key, "--warmup-url", warmup_url,
        "--max-records", str(max_records),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return dict(json.loads(line[len("RESULT ") :]))
    raise RuntimeError(f"{variant} failed:\n{proc.stderr[-3000:]}")


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(r[key] for r in runs))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rest-api-runs", type=int, default=1)
    parser.add_argument(
        "--rest-api-max-rows", type=int, default=20_000, help="rows rest_api reads (its pages 1..)"
    )
    parser.add_argument("--rss-scale", action="store_true", help="peak RSS at 50k vs 500k tasks")
    parser.add_argument("--skip-rate-limited", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--variant", choices=sorted(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--warmup-url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--key", help=argparse.SUPPRESS)
    parser.add_argument("--max-records", type=int, default=50_000, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args)
        return 0

    from sandbox import running_sandbox

    n = args.tasks
    uncapped = {"max_records": n + 1_000, "max_pages": n // 100 + 10}
    lines = [f"# Extract benchmark: {n:,} sandbox tasks, DuckDB destination", ""]
    with (
        running_sandbox(tasks=200, seed=1, subprocess=True) as warm,
        running_sandbox(tasks=n, seed=42, subprocess=True, **uncapped) as sb,
    ):
        results: dict[str, list[dict[str, Any]]] = {}
        for variant in ("floor", "ours", "rest_api"):
            count = args.rest_api_runs if variant == "rest_api" else args.runs
            limit = min(n, args.rest_api_max_rows) if variant == "rest_api" else n + 1_000
            results[variant] = [
                _run_variant(variant, sb.base_url, sb.master_key, warm.base_url, limit)
                for _ in range(count)
            ]
            print(f"{variant}: {results[variant]}", file=sys.stderr)
        floor_s = _median(results["floor"], "seconds")
        ours_s = _median(results["ours"], "seconds")
        lines += [
            "| variant | runs | rows | median s | rows/s | vs ours | peak RSS MB |",
            "|---|---|---|---|---|---|---|",
        ]
        ours_rate = _median(results["ours"], "rows") / ours_s
        for variant, runs in results.items():
            secs = _median(runs, "seconds")
            rows = _median(runs, "rows")
            lines.append(
                f"| {variant} | {len(runs)} | {rows:,.0f} | {secs:.2f} | {rows / secs:,.0f} |"
                f" {ours_rate / (rows / secs):.2f}x | {_median(runs, 'peak_rss_mb'):.0f} |"
            )
        rest_rate = _median(results["rest_api"], "rows") / _median(results["rest_api"], "seconds")
        lines += [
            "",
            f"- ours vs rest_api rows/s: **{ours_rate / rest_rate:.1f}x** (target >= 10x)",
            f"- ours time / floor time: **{ours_s / floor_s:.2f}x** (target <= 2x)",
        ]

        if not args.skip_rate_limited:
            lines += _rate_limited(sb, warm.base_url, n, args.runs)
    if args.rss_scale:
        lines += _rss_scale()
    print("\n".join(lines))
    return 0


def _rate_limited(sb: Any, warmup_url: str, n: int, runs: int) -> list[str]:
    """Latency + a short fixed window: our wall time over the floor the limits allow."""
    pages = math.ceil(n / 100)
    window = 5.0
    limit = max(20, math.ceil((pages + 3) / 4))  # about four windows' worth of requests
    sb.configure(
        faults={"latency_ms": 50, "jitter_ms": 20},
        rate_limits={"minute": limit},
        rate_window_seconds={"minute": window},
    )
    try:
        measured = [
            _run_variant("ours", sb.base_url, sb.master_key, warmup_url, n + 1_000)
            for _ in range(runs)
        ]
    finally:
        sb.configure(
            faults={"latency_ms": 0, "jitter_ms": 0},
            rate_limits={"minute": 100_000},
            rate_window_seconds={"minute": 60.0},
        )
    requests = int(_median(measured, "requests"))
    floor = (math.ceil(requests / limit) - 1) * window
    wall = _median(measured, "seconds")
    return [
        "",
        f"## Rate-limited: 50 ms + 20 ms jitter latency, {limit} requests per {window:.0f} s window",
        "",
        f"- requests {requests}, 429s {_median(measured, 'rate_limited'):.0f},"
        f" rate-limit floor {floor:.1f} s, wall {wall:.1f} s:"
        f" **{wall / floor if floor else float('nan'):.2f}x** the floor (target <= 1.15x)",
    ]


def _rss_scale() -> list[str]:
    from sandbox import running_sandbox

    out = ["", "## Peak RSS of `ours` by dataset size", ""]
    rss = {}
    with running_sandbox(tasks=200, seed=1, subprocess=True) as warm:
        for n in (50_000, 500_000):
            with running_sandbox(
                tasks=n, seed=42, subprocess=True, max_records=n + 1_000, max_pages=n // 100 + 10
            ) as sb:
                result = _run_variant("ours", sb.base_url, sb.master_key, warm.base_url, n + 1_000)
            rss[n] = result["peak_rss_mb"]
            out.append(
                f"- {n:,} tasks: {result['peak_rss_mb']:.0f} MB in {result['seconds']:.1f} s"
            )
    out.append(f"- ratio: **{rss[500_000] / rss[50_000]:.2f}x** (target <= 1.3x)")
    return out


if __name__ == "__main__":
    sys.exit(main())
