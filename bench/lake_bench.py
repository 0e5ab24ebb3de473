"""Extract into Delta and Iceberg (dlt `filesystem`, local folder) against DuckDB, in one run.

Per round and destination, in a fresh folder: a first extract of every task of an Apollo sandbox
(the load creates the tables), then, after deleting `--deleted` tasks in the sandbox, a second
extract (every task merged again, the deleted ones removed by their tombstones). Destinations run
interleaved round by round, so a busy machine slows all of them alike; the figures are medians,
and each lake format is also given as a ratio to DuckDB's median.

    .venv/bin/python -m bench.lake_bench                      # 5,000 tasks, 3 rounds
    .venv/bin/python -m bench.lake_bench --tasks 20000 --rounds 5

Each extract is checked: exit 0, and after the second one the mirror holds exactly the tasks the
sandbox serves (else the bench stops with an error instead of printing a figure).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sales_tasks.pipelines.cli import EXIT_OK, sales_main  # noqa: E402
from sales_tasks.sandbox import running_sandbox  # noqa: E402
from tests.lake.test_lake_mirror import _delta_ids, _iceberg_ids, _sql_ids  # noqa: E402
from tests.mirror.drill import _apollo_serve  # noqa: E402

FORMATS = ("duckdb", "delta", "iceberg")


def _where(fmt: str, folder: Path) -> tuple[list[str], dict[str, str], Any]:
    if fmt == "duckdb":
        path = folder / "bench.duckdb"
        argv = ["--destination", "duckdb", "--duckdb-path", str(path)]
        return argv, {}, lambda: _sql_ids(f"duckdb:///{path}", "apollo.tasks")
    env = {
        "DESTINATION__FILESYSTEM__BUCKET_URL": (folder / "lake").as_uri(),
        "DESTINATION__FILESYSTEM__TABLE_FORMAT": fmt,
    }
    read = _delta_ids if fmt == "delta" else _iceberg_ids
    return ["--destination", "filesystem"], env, lambda: read(folder / "lake", "apollo")


def _extract(argv: list[str], env: dict[str, str]) -> float:
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        started = time.perf_counter()
        code = sales_main(argv)
        took = time.perf_counter() - started
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    if code != EXIT_OK:
        raise SystemExit(f"extract exited {code}: {' '.join(argv)}")
    return took


def one_round(fmt: str, tasks: int, deleted: int, seed: int) -> tuple[float, float]:
    """(first extract s, second extract s) of one destination, in a fresh folder."""
    with (
        tempfile.TemporaryDirectory(prefix="lake-bench-") as tmp,
        running_sandbox(tasks=tasks, seed=seed) as sb,
    ):
        folder = Path(tmp)
        where, env, read_ids = _where(fmt, folder)
        os.environ["APOLLO_API_KEY"] = sb.master_key
        argv = ["extract", "apollo", "--base-url", sb.base_url]
        argv += ["--pipelines-dir", str(folder / "pipelines"), *where]
        first = _extract(argv, env)
        for task_id in sorted(_apollo_serve(sb))[:deleted]:
            sb.delete_task(task_id)
        second = _extract(argv, env)
        served = set(_apollo_serve(sb))
        if read_ids() != served:
            raise SystemExit(f"{fmt}: the mirror differs from the sandbox after the second run")
    return first, second


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--deleted", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    times: dict[str, list[tuple[float, float]]] = {fmt: [] for fmt in FORMATS}
    for n in range(args.rounds):
        for fmt in FORMATS:
            times[fmt].append(one_round(fmt, args.tasks, args.deleted, args.seed + n))
    print(
        f"Apollo sandbox, {args.tasks} tasks, {args.deleted} deleted between runs,"
        f" {args.rounds} rounds (medians)"
    )
    base = [statistics.median(t[i] for t in times["duckdb"]) for i in (0, 1)]
    print(f"{'destination':<12} {'first s':>9} {'x duckdb':>9} {'second s':>9} {'x duckdb':>9}")
    for fmt in FORMATS:
        first, second = (statistics.median(t[i] for t in times[fmt]) for i in (0, 1))
        print(
            f"{fmt:<12} {first:>9.2f} {first / base[0]:>9.2f} {second:>9.2f}"
            f" {second / base[1]:>9.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
