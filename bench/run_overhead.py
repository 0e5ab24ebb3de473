"""The fixed cost of one small run: a 300-task extract and a 50-row push (Apollo).

Run by hand:

    .venv/bin/python -m bench.run_overhead --runs 5
    git archive BASE | tar -x -C /tmp/base   # then, to compare two trees in one run:
    .venv/bin/python -m bench.run_overhead --runs 5 --baseline /tmp/base

Almost every end-to-end test, and every run of a small account, pays what one run costs before
its rows matter: imports, dlt's configuration, opening the warehouse, vendor discovery. This
measures it: the median wall and CPU seconds (user + system) of `--runs` runs of

- `extract in-process`: `run_extract` of a `--tasks`-task sandbox into a fresh DuckDB file,
  timed in a worker process after one untimed run there (imports and dlt warmed up);
- `push in-process`: `run_push` of `--rows` new warehouse rows into the same sandbox, likewise;
- `extract CLI` / `push CLI`: the same as a `sales-tasks` process (what a user or a test running
  the command pays, interpreter start and imports included).

CPU is the worker's or command's own (`RUSAGE_CHILDREN` around it, minus nothing: a worker's
warm-up run is excluded by timing inside it). The sandbox runs in its own process (its CPU is not
counted). Each run gets a fresh folder; pushes use new request ids, so every run creates `--rows`
tasks. With `--baseline DIR` (a checkout of another commit) every variant also runs from that tree
(`PYTHONPATH=DIR`), interleaved with this one, and the table gives the ratio this / baseline.
Compare figures of one invocation only: the machine is shared.

`--breakdown` instead says where a warm in-process extract's CPU goes, per vendor: `--runs`
extracts of `--tasks` tasks after one warm-up, with the CPU and the calls per run of dlt's steps,
dlt's destination configuration, TLS contexts and our own steps (claim, reads of loaded rows,
views), each timed where it is called (steps nest: the columns do not add up).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

from sales_tasks.destinations.core.contract import CONTRACT_COLUMNS

HERE = Path(__file__).resolve().parent.parent
VARIANTS = ("extract in-process", "push in-process", "extract CLI", "push CLI")
SALES_TASKS = "import sys; from sales_tasks.pipelines.cli import sales_main; sys.exit(sales_main())"


def _push_rows(sb: Any, n: int, tag: str) -> list[dict[str, Any]]:
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


# -- the worker: one in-process run after a warm-up, in the tree of its PYTHONPATH -------------


def _worker(kind: str, url: str, key: str, folder: Path) -> None:
    """Warm up in `folder/warm`, then time one run in `folder/run`; prints {wall, cpu}."""
    if kind == "extract":
        from sales_tasks.pipelines.extract import run_extract

        def once(sub: Path) -> None:
            run_extract(
                "apollo",
                duckdb_path=str(sub / "x.duckdb"),
                pipelines_dir=str(sub / "p"),
                api_key=key,
                base_url=url,
            )
    else:
        from sales_tasks.destinations.registry import sink
        from sales_tasks.pipelines.push import run_push

        def once(sub: Path) -> None:
            run_push(
                sink=sink("apollo"),
                table="bench_input",
                warehouse=str(sub / "w.duckdb"),
                api_key=key,
                base_url=url,
                pipelines_dir=str(sub / "p"),
            )

    for sub in (folder / "warm", folder / "run"):
        sub.mkdir(exist_ok=True)
    once(folder / "warm")
    cpu0, wall0 = time.process_time(), time.perf_counter()
    once(folder / "run")
    print(json.dumps({"wall": time.perf_counter() - wall0, "cpu": time.process_time() - cpu0}))


def _child(argv: list[str], tree: Path, env: dict[str, str]) -> dict[str, float]:
    """Run `python argv` from `tree`; its wall and CPU (or what a worker printed)."""
    env = dict(env, PYTHONPATH=str(tree))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *argv], env=env, cwd=tree, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{argv} exited {done.returncode}: {done.stderr[-2000:]}")
    if argv[0] == __file__:
        result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
        return result
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"wall": wall, "cpu": cpu}


def _one(variant: str, tree: Path, sb: Any, key: str, folder: Path, rows: int) -> dict[str, float]:
    env = dict(os.environ, APOLLO_API_KEY=key)
    folder.mkdir(parents=True)
    kind = variant.split()[0]
    if kind == "push":
        target = folder / "run" if "in-process" in variant else folder
        for sub in (folder / "warm", target) if "in-process" in variant else (target,):
            sub.mkdir(exist_ok=True)
            _write_rows(sub / "w.duckdb", _push_rows(sb, rows, f"{folder.name}-{sub.name}"))
    if "in-process" in variant:
        # This file, run by path: the baseline tree need not have it; sales_tasks is the tree's.
        worker = [__file__, "--worker", kind, "--url", sb.base_url]
        return _child([*worker, "--folder", str(folder)], tree, env)
    if kind == "extract":
        words = ["extract", "apollo", "--base-url", sb.base_url, "--duckdb-path"]
        words += [str(folder / "x.duckdb"), "--pipelines-dir", str(folder / "p")]
    else:
        words = ["push", "apollo", "--table", "bench_input", "--base-url", sb.base_url]
        words += ["--warehouse", str(folder / "w.duckdb"), "--pipelines-dir", str(folder / "p")]
    return _child(["-c", SALES_TASKS, *words], tree, env)


def measure(
    trees: dict[str, Path], tasks: int, rows: int, runs: int
) -> dict[tuple[str, str], list[dict[str, float]]]:
    """Every variant from every tree, `runs` times, interleaved, against one sandbox."""
    from sales_tasks.sandbox import running_sandbox

    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    with (
        running_sandbox(vendor="apollo", tasks=tasks, seed=7, subprocess=True) as sb,
        tempfile.TemporaryDirectory() as tmp,
    ):
        key = str(sb.master_key)
        for rep in range(runs):
            for variant in VARIANTS:
                for label, tree in trees.items():
                    folder = Path(tmp) / f"{label}-{rep}-{variant.replace(' ', '_')}"
                    result = _one(variant, tree, sb, key, folder, rows)
                    results.setdefault((variant, label), []).append(result)
                    print(f"run {rep + 1} {variant} [{label}]: {result}", file=sys.stderr)
    return results


def table(
    trees: dict[str, Path], results: dict[tuple[str, str], list[dict[str, float]]]
) -> list[str]:
    def med(variant: str, label: str, what: str) -> float:
        return statistics.median(r[what] for r in results[(variant, label)])

    labels = list(trees)
    head = " | ".join(f"{label} wall s | {label} CPU s" for label in labels)
    lines = [f"| run | {head} |" + (" CPU this/baseline |" if len(labels) > 1 else "")]
    lines.append("|---|" + "---:|---:|" * len(labels) + ("---:|" if len(labels) > 1 else ""))
    for variant in VARIANTS:
        cells = " | ".join(
            f"{med(variant, label, 'wall'):.2f} | {med(variant, label, 'cpu'):.2f}"
            for label in labels
        )
        ratio = ""
        if len(labels) > 1:
            ratio = f" {med(variant, 'this', 'cpu') / med(variant, 'baseline', 'cpu'):.2f} |"
        lines.append(f"| {variant} | {cells} |{ratio}")
    return lines


# -- where a warm extract's CPU goes (--breakdown) ----------------------------------------------

STEPS = (
    ("sales_tasks.pipelines.extract", "_claim"),
    ("sales_tasks.pipelines.extract", "finish_extract"),
    ("sales_tasks.pipelines.extract", "extract_job"),
    ("sales_tasks.sources.core.current_state", "_read_columns"),
    ("sales_tasks.pipelines.models", "create_models_for"),
    ("sales_tasks.pipelines.unified", "create_unified_views_for"),
    ("dlt.pipeline.pipeline:Pipeline", "extract"),
    ("dlt.pipeline.pipeline:Pipeline", "normalize"),
    ("dlt.pipeline.pipeline:Pipeline", "load"),
    ("dlt.pipeline.pipeline:Pipeline", "sql_client"),
    ("dlt.common.destination.reference:Destination", "configuration"),
    ("ssl:SSLContext", "load_verify_locations"),
)


def _timed(steps: dict[str, list[float]], label: str, func: Any) -> Any:
    def timed(*args: Any, **kwargs: Any) -> Any:
        cpu = time.process_time()
        try:
            return func(*args, **kwargs)
        finally:
            entry = steps.setdefault(label, [0.0, 0.0])
            entry[0] += 1
            entry[1] += time.process_time() - cpu

    return timed


def breakdown(vendor: str, tasks: int, runs: int) -> list[str]:
    """CPU per run of each step in `STEPS` over `runs` warm extracts of `vendor` (in-process)."""
    import importlib

    from sales_tasks.pipelines import extract
    from sales_tasks.sandbox import running_sandbox

    importlib.import_module("dlt.pipeline.pipeline")
    steps: dict[str, list[float]] = {}
    for where, name in STEPS:
        module, _, owner = where.partition(":")
        target: Any = sys.modules.get(module) or importlib.import_module(module)
        target = getattr(target, owner) if owner else target
        setattr(
            target,
            name,
            _timed(steps, f"{owner or module.rsplit('.', 1)[1]}.{name}", getattr(target, name)),
        )
    with (
        running_sandbox(vendor=vendor, tasks=tasks, seed=7, subprocess=True) as sb,
        tempfile.TemporaryDirectory() as tmp,
    ):
        key = str(getattr(sb, "master_key", None) or sb.api_key)

        def once(name: str) -> None:
            extract.run_extract(
                vendor,
                duckdb_path=str(Path(tmp) / f"{name}.duckdb"),
                pipelines_dir=str(Path(tmp) / name),
                api_key=key,
                base_url=sb.base_url,
            )

        once("warm")
        steps.clear()
        cpu = time.process_time()
        for rep in range(runs):
            once(str(rep))
        total = (time.process_time() - cpu) / runs
    lines = [f"{vendor}: {total:.3f} s CPU per run", "| step | calls per run | CPU s per run |"]
    lines.append("|---|---:|---:|")
    for label, (calls, spent) in sorted(steps.items(), key=lambda kv: -kv[1][1]):
        lines.append(f"| {label} | {calls / runs:.1f} | {spent / runs:.3f} |")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tasks", type=int, default=300)
    parser.add_argument("--rows", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", type=Path, default=None, help="a checkout to compare with")
    parser.add_argument("--breakdown", nargs="+", metavar="VENDOR", help="CPU per step instead")
    parser.add_argument("--worker", choices=("extract", "push"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.worker, args.url, os.environ["APOLLO_API_KEY"], args.folder)
        return
    if args.breakdown:
        for vendor in args.breakdown:
            print("\n".join(breakdown(vendor, args.tasks, args.runs)), "\n")
        return
    trees = {"this": HERE}
    if args.baseline is not None:
        trees["baseline"] = args.baseline.resolve()
    results = measure(trees, args.tasks, args.rows, args.runs)
    print("\n".join(table(trees, results)))
    print(f"\n`.venv/bin/python -m bench.run_overhead {' '.join(sys.argv[1:])}`")


if __name__ == "__main__":
    main()
