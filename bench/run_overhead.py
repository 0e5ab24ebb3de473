"""The fixed cost of one small run: a 300-task extract and a 50-row push (Apollo).

Run by hand:

    .venv/bin/python -m bench.run_overhead --vendor apollo --runs 5

Almost every end-to-end test, and every run of a small account, pays what one run costs before
its rows matter: imports, dlt's configuration, opening the warehouse, vendor discovery. This
measures it: the median wall and CPU seconds (user + system) of `--runs` runs of

- `extract in-process`: `run_extract(vendor)` of a `--tasks`-task sandbox into a fresh DuckDB
  file (imports and dlt warmed up by one untimed run first);
- `push in-process`: `run_push(sink)` of `--rows` new warehouse rows into the same sandbox;
- `extract CLI` / `push CLI`: the same as a `sales-tasks` subprocess (what a user or a test
  running the command pays, imports included); CPU is the child's `RUSAGE_CHILDREN`.

The sandbox runs in its own process (its CPU is not counted). Each run gets a fresh working
folder; pushes use new request ids each time, so every run creates `--rows` tasks. The table is
markdown with the command that made it; compare figures of one invocation, the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from sales_tasks.destinations.core.contract import CONTRACT_COLUMNS

BIN = Path(sys.executable).parent
# Vendors whose sandbox handle lists users and contacts (what the push rows need).
VENDORS = ("apollo",)


def _key(vendor: str, sb: Any) -> str:
    return str(sb.master_key if vendor == "apollo" else sb.api_key)


def _push_rows(vendor: str, sb: Any, n: int, tag: str) -> list[dict[str, Any]]:
    """`n` contract rows for the sandbox's users and contacts, request ids unique to `tag`."""
    users = [u["id"] for u in sb.users()[:5]]
    contacts = [c["id"] for c in sb.contacts(min(n, 100))]
    return [
        {
            "request_id": f"overhead-{tag}-{i}",
            "user_id": users[i % len(users)],
            "contact_id": contacts[i % len(contacts)],
            "type": "call",
            "due_at": f"2025-07-{1 + i % 28:02d}T09:00:00Z",
            "note": "check-in",
        }
        for i in range(n)
    ]


def _write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    with duckdb.connect(str(path)) as conn:
        cols = ", ".join(f'"{c}" VARCHAR' for c in CONTRACT_COLUMNS)
        conn.execute(f"CREATE TABLE bench_input ({cols})")
        marks = ", ".join("?" for _ in CONTRACT_COLUMNS)
        conn.executemany(
            f"INSERT INTO bench_input VALUES ({marks})",
            [[None if r.get(c) is None else str(r[c]) for c in CONTRACT_COLUMNS] for r in rows],
        )


def _timed(fn: Callable[[], None], child: bool) -> dict[str, float]:
    def cpu() -> float:
        if child:
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            return usage.ru_utime + usage.ru_stime
        return time.process_time()

    cpu0, wall0 = cpu(), time.perf_counter()
    fn()
    return {"wall": time.perf_counter() - wall0, "cpu": cpu() - cpu0}


def _cli(words: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(
        [str(BIN / "sales-tasks"), *words], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"sales-tasks {' '.join(words)} exited {done.returncode}: {done.stderr}")


def measure(vendor: str, tasks: int, rows: int, runs: int) -> dict[str, list[dict[str, float]]]:
    """Interleaved runs of the four variants against one sandbox."""
    from sales_tasks.destinations.registry import sink as sink_of
    from sales_tasks.pipelines.extract import run_extract
    from sales_tasks.pipelines.push import run_push
    from sales_tasks.sandbox import running_sandbox

    results: dict[str, list[dict[str, float]]] = {
        "extract in-process": [],
        "push in-process": [],
        "extract CLI": [],
        "push CLI": [],
    }
    env_key = f"{vendor.upper()}_API_KEY"
    with (
        running_sandbox(vendor=vendor, tasks=tasks, seed=7, subprocess=True) as sb,
        tempfile.TemporaryDirectory() as tmp,
    ):
        key = _key(vendor, sb)
        env = dict(os.environ, **{env_key: key})
        sink = sink_of(vendor)

        def extract(folder: Path) -> None:
            run_extract(
                vendor,
                duckdb_path=str(folder / "x.duckdb"),
                pipelines_dir=str(folder / "p"),
                api_key=key,
                base_url=sb.base_url,
            )

        def push(folder: Path, tag: str) -> None:
            _write_rows(folder / "w.duckdb", _push_rows(vendor, sb, rows, tag))
            run_push(
                sink=sink,
                table="bench_input",
                warehouse=str(folder / "w.duckdb"),
                api_key=key,
                base_url=sb.base_url,
                pipelines_dir=str(folder / "p"),
            )

        warm = Path(tmp) / "warm"
        warm.mkdir()
        extract(warm)
        push(warm, "warm")
        for rep in range(runs):
            folder = Path(tmp) / f"run{rep}"
            for name in ("extract in-process", "push in-process", "extract CLI", "push CLI"):
                sub = folder / name.replace(" ", "_")
                sub.mkdir(parents=True)
                tag = f"r{rep}-{name.replace(' ', '')}"
                if name == "extract in-process":
                    result = _timed(lambda: extract(sub), child=False)
                elif name == "push in-process":
                    result = _timed(lambda: push(sub, tag), child=False)
                elif name == "extract CLI":
                    words = ["extract", vendor, "--base-url", sb.base_url]
                    words += ["--duckdb", str(sub / "x.duckdb"), "--pipelines-dir", str(sub / "p")]
                    result = _timed(lambda: _cli(words, env), child=True)
                else:
                    _write_rows(sub / "w.duckdb", _push_rows(vendor, sb, rows, tag))
                    words = ["push", vendor, "--table", "bench_input", "--base-url", sb.base_url]
                    words += ["--warehouse", str(sub / "w.duckdb")]
                    words += ["--pipelines-dir", str(sub / "p")]
                    result = _timed(lambda: _cli(words, env), child=True)
                results[name].append(result)
                print(f"{vendor} run {rep + 1} {name}: {result}", file=sys.stderr)
    return results


def table(vendor: str, results: dict[str, list[dict[str, float]]]) -> list[str]:
    lines = []
    for name, runs in results.items():
        wall = statistics.median(r["wall"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        lines.append(f"| {vendor} | {name} | {wall:.2f} | {cpu:.2f} | {len(runs)} |")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendor", action="append", choices=VENDORS)
    parser.add_argument("--tasks", type=int, default=300)
    parser.add_argument("--rows", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    vendors = args.vendor or ["apollo"]
    print("| vendor | run | wall s (median) | CPU s (median) | runs |")
    print("|---|---|---:|---:|---:|")
    for vendor in vendors:
        for line in table(vendor, measure(vendor, args.tasks, args.rows, args.runs)):
            print(line, flush=True)
    print(f"\n`.venv/bin/python -m bench.run_overhead {' '.join(sys.argv[1:])}`")


if __name__ == "__main__":
    main()
