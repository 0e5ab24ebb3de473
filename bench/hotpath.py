"""The extract's hot path against the bare-download floor, per vendor, in one run.

Run by hand:

    .venv/bin/python -m bench.hotpath --vendor apollo --tasks 100000
    .venv/bin/python -m bench.hotpath --vendor apollo --rss 50000,200000
    .venv/bin/python -m bench.hotpath --vendor saleshandy --tasks 100000
    .venv/bin/python -m bench.hotpath --vendor reply --tasks 100000

It prints a markdown table (wall of ours and of the floor, medians of `--runs`, their ratio,
requests, peak RSS), ours' CPU by dlt step (extract, normalize, load; the thread running the
pipeline apart from the others) and the command that made it. `--profile FILE` runs ours once
more under cProfile and writes the stats (`python -m pstats FILE`); cProfile sees only the
pipeline's thread and charges its waits for the GIL to whatever runs there.

- `ours`: `run_extract(vendor)` into DuckDB: every page, the completeness proof, Arrow tables,
  merge on id, the run's report. Defaults of the CLI except Reply's pacing (the sandbox's limits
  are lifted, and so is the client's, or 100,000 tasks would take minutes of waiting).
- `floor`: bare httpx on one connection, the same list pages ours reads once (same page size),
  each body decoded with `orjson`, nothing kept. What ours adds on top is the hot path: shaping,
  Arrow, the proof's reads, dlt's normalise and load.

Fairness: the sandbox runs in a child process and gets one untimed pass over every page first
(its render caches). Each variant runs in its own subprocess after a warm-up on a tiny sandbox in
that process (imports, dlt init), and reports its own wall and peak RSS (`ru_maxrss`, the whole
process); floor and ours are interleaved (floor, ours, floor, ours, ...). The machine is shared,
so the ratio is taken between runs of the same invocation, never across invocations.
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

VENDORS = ("apollo", "saleshandy", "reply")
NO_PACING = "1000000/60"


# -- what each vendor's sandbox, extract and floor need ----------------------------------------


def sandbox_options(vendor: str, n: int) -> dict[str, Any]:
    """No display cap and a render cache for every contact (Apollo); no limits (Reply)."""
    if vendor == "apollo":
        return {
            "max_records": n + 1_000,
            "max_pages": n // 100 + 10,
            "contact_cache_size": max(131_072, n // 4 + 1_000),
        }
    if vendor == "reply":
        return {"rate_limits": {"minute": 10**9, "hour": 10**10}}
    return {}


def sandbox_key(vendor: str, sb: Any) -> str:
    return str(sb.master_key if vendor == "apollo" else sb.api_key)


def _ours(vendor: str, base_url: str, key: str, workdir: Path, n: int) -> dict[str, Any]:
    from sales_tasks.pipelines.extract import run_extract

    workdir.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {}
    if vendor == "apollo":
        options["max_records"] = n + 1_000
    if vendor == "reply":
        options["rate_limits"] = NO_PACING
    summary = run_extract(
        vendor,
        duckdb_path=str(workdir / "ours.duckdb"),
        pipelines_dir=str(workdir / "pipelines"),
        api_key=key,
        base_url=base_url,
        **options,
    )
    if not summary.complete:
        raise RuntimeError(f"the benchmark's extract was incomplete: {summary.warnings}")
    return {
        "rows": summary.rows.get("tasks", 0),
        "requests": summary.requests,
        "load_retries": _load_retries(workdir / "pipelines"),
    }


def _load_retries(pipelines: Path) -> int:
    """Load jobs dlt ran more than once (a retried job's file name carries its retry count)."""
    from dlt.common.storages.load_package import ParsedLoadJobFileName

    return sum(
        ParsedLoadJobFileName.parse(job.name).retry_count
        for job in pipelines.glob("*/load/loaded/*/completed_jobs/*")
    )


def _floor(vendor: str, base_url: str, key: str, workdir: Path, n: int) -> dict[str, Any]:
    import httpx
    import orjson

    rows = requests = 0
    headers = {"Authorization": f"Bearer {key}"} if vendor == "reply" else {"x-api-key": key}
    with httpx.Client(
        base_url=base_url, headers=headers, limits=httpx.Limits(max_connections=1), timeout=60
    ) as http:
        while True:
            requests += 1
            if vendor == "apollo":
                params: Any = [
                    ("open_factor_names[]", "task_types"),
                    ("page", requests),
                    ("per_page", 100),
                ]
                resp = http.post("/api/v1/tasks/search", params=params)
                items = orjson.loads(resp.content)["tasks"]
                done = len(items) < 100
            elif vendor == "saleshandy":
                resp = http.get("/v1/tasks", params={"page": requests, "pageSize": 100})
                items = orjson.loads(resp.content)["payload"]
                done = len(items) < 100
            else:
                resp = http.get("/v3/tasks", params={"top": 1000, "skip": rows})
                body = orjson.loads(resp.content)
                items = body["items"]
                done = not body["hasMore"] or not items
            resp.raise_for_status()
            rows += len(items)
            if done:
                return {"rows": rows, "requests": requests}


def _scan(vendor: str, base_url: str, key: str, workdir: Path, n: int, reuse: bool) -> Any:
    """Apollo's scan alone (both reads of the completeness proof, Arrow batches; no dlt)."""
    from sales_tasks.clients.apollo.profile import APOLLO_PROFILE
    from sales_tasks.clients.core import ApiClient
    from sales_tasks.sources.apollo.batch import Batch
    from sales_tasks.sources.apollo.report import ScanReport
    from sales_tasks.sources.apollo.scan import TaskScanner

    report = ScanReport()
    rows = 0
    with ApiClient(base_url, key, profile=APOLLO_PROFILE) as client:
        scanner = TaskScanner(
            client, report, per_page=100, max_records=n + 1_000, reuse_pages=reuse
        )
        for item in scanner:
            if isinstance(item, Batch) and item.tasks is not None:
                rows += len(item.tasks)
    if not report.complete:
        raise RuntimeError(f"the benchmark's scan was incomplete: {report.warnings}")
    memo = scanner.search.memo
    return {"rows": rows, "requests": report.requests, "hits": memo.hits if memo else 0}


VARIANTS = {
    "ours": _ours,
    "floor": _floor,
    "scan": lambda *a: _scan(*a, reuse=True),
    "scan_plain": lambda *a: _scan(*a, reuse=False),
}


def _cpu_seconds() -> float:
    """User + system CPU of this process (all its threads; not the sandbox's)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


PHASES = ("extract", "normalize", "load")


def _record_phases(into: dict[str, float]) -> None:
    """Wrap dlt's pipeline steps: each one's CPU (process, and of the calling thread: the
    rest is the page threads' HTTP and decode, or DuckDB's threads in `load`) goes into `into`."""
    from dlt.pipeline.pipeline import Pipeline

    for name in PHASES:
        step = getattr(Pipeline, name)

        def timed(self: Any, *a: Any, _step: Any = step, _name: str = name, **k: Any) -> Any:
            cpu, own, wall = _cpu_seconds(), time.thread_time(), time.perf_counter()
            try:
                return _step(self, *a, **k)
            finally:
                into[f"{_name}_wall"] = into.get(f"{_name}_wall", 0.0) + time.perf_counter() - wall
                into[f"{_name}_cpu"] = into.get(f"{_name}_cpu", 0.0) + _cpu_seconds() - cpu
                into[f"{_name}_main"] = into.get(f"{_name}_main", 0.0) + time.thread_time() - own

        setattr(Pipeline, name, timed)


class _RssSampler:
    """This process's RSS every 10 ms (`/proc/self/statm`), its peak per dlt step: `extract`,
    `normalize`, `load` and `after` (from the load's end to the run's end)."""

    def __init__(self) -> None:
        import threading

        self.step = "before"
        self.peaks: dict[str, float] = {}
        self._page = os.sysconf("SC_PAGE_SIZE") / 2**20
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        with open("/proc/self/statm") as statm:
            while not self._stop.wait(0.01):
                statm.seek(0)
                mb = int(statm.read().split()[1]) * self._page
                self.peaks[self.step] = max(self.peaks.get(self.step, 0.0), mb)

    def __enter__(self) -> _RssSampler:
        from dlt.pipeline.pipeline import Pipeline

        for name in PHASES:
            step = getattr(Pipeline, name)

            def marked(self_: Any, *a: Any, _step: Any = step, _name: str = name, **k: Any) -> Any:
                self.step = _name
                try:
                    return _step(self_, *a, **k)
                finally:
                    self.step = "after"

            setattr(Pipeline, name, marked)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()


def _child(args: argparse.Namespace) -> None:
    fn = VARIANTS[args.variant]
    phases: dict[str, float] = {}
    sampler: _RssSampler | None = None
    with tempfile.TemporaryDirectory() as tmp:
        if args.warmup_url:  # same code path on a tiny dataset: imports, dlt init
            fn(args.vendor, args.warmup_url, args.key, Path(tmp) / "warm", 200)
        if args.variant == "ours":
            _record_phases(phases)
            if args.sample_rss:
                sampler = _RssSampler().__enter__()
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        cpu = _cpu_seconds()
        started = time.perf_counter()
        result = fn(args.vendor, args.base_url, args.key, Path(tmp) / "run", args.n)
        result["seconds"] = time.perf_counter() - started
        result["cpu_seconds"] = _cpu_seconds() - cpu
        if args.profile:
            profiler.disable()
            profiler.dump_stats(args.profile)
        if sampler is not None:
            sampler.__exit__(None, None, None)
            result.update({f"rss_{step}_mb": mb for step, mb in sampler.peaks.items()})
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result.update(phases)
    sys.stdout.write("RESULT " + json.dumps(result) + "\n")


# -- orchestration (parent process) ------------------------------------------------------------


def run_variant(
    variant: str,
    vendor: str,
    sb: Any,
    warmup_url: str,
    n: int,
    profile: str = "",
    sample_rss: bool = False,
) -> dict[str, Any]:
    root = str(Path(__file__).resolve().parents[1])
    cmd = [
        sys.executable, "-m", "bench.hotpath", "--child", "--variant", variant,
        "--vendor", vendor, "--base-url", sb.base_url, "--key", sandbox_key(vendor, sb),
        "--warmup-url", warmup_url, "--n", str(n), "--profile", profile,
    ] + (["--sample-rss"] if sample_rss else [])  # fmt: skip
    proc = subprocess.run(
        cmd, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": root}, check=False
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return dict(json.loads(line[len("RESULT ") :]))
    raise RuntimeError(f"{variant} failed:\n{proc.stderr[-3000:]}")


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(r[key] for r in runs))


def _sandbox(vendor: str, n: int, seed: int = 42) -> Any:
    from sales_tasks.sandbox import running_sandbox

    return running_sandbox(
        vendor=vendor, tasks=n, seed=seed, subprocess=True, **sandbox_options(vendor, n)
    )


def measure(
    vendor: str, n: int, runs: int, warmup_url: str, profile: str = "", sample_rss: bool = False
) -> dict[str, Any]:
    """Interleaved floor/ours runs against one sandbox of `n` tasks."""
    results: dict[str, list[dict[str, Any]]] = {"floor": [], "ours": []}
    with _sandbox(vendor, n) as sb:
        started = time.perf_counter()
        _floor(vendor, sb.base_url, sandbox_key(vendor, sb), Path("."), n)  # untimed: caches
        print(
            f"{vendor} {n}: sandbox warm-up {time.perf_counter() - started:.1f}s", file=sys.stderr
        )
        for rep in range(runs):
            for variant in ("floor", "ours"):
                result = run_variant(variant, vendor, sb, warmup_url, n, sample_rss=sample_rss)
                results[variant].append(result)
                print(f"{vendor} {n} run {rep + 1} {variant}: {result}", file=sys.stderr)
        if profile:
            run_variant("ours", vendor, sb, warmup_url, n, profile=profile)
    return results


def table(vendor: str, n: int, results: dict[str, list[dict[str, Any]]]) -> list[str]:
    floor_s = _median(results["floor"], "seconds")
    floor_cpu = _median(results["floor"], "cpu_seconds")
    lines = [
        "",
        f"### {vendor}, {n:,} tasks",
        "",
        "| variant | rows | requests | median wall s (each run) | vs floor | median CPU s"
        " | vs floor | peak RSS MB |",
        "|---|---:|---:|---|---:|---:|---:|---:|",
    ]
    for variant, runs in results.items():
        secs = _median(runs, "seconds")
        each = ", ".join(f"{r['seconds']:.2f}" for r in runs)
        cpu = _median(runs, "cpu_seconds")
        lines.append(
            f"| {variant} | {_median(runs, 'rows'):,.0f} | {_median(runs, 'requests'):,.0f} |"
            f" {secs:.2f} ({each}) | {secs / floor_s:.2f}x | {cpu:.2f} | {cpu / floor_cpu:.2f}x |"
            f" {_median(runs, 'peak_rss_mb'):.0f} |"
        )
    ours = results["ours"]
    if all(f"{p}_cpu" in r for r in ours for p in PHASES):
        lines += [
            "",
            "ours' CPU s by dlt step (medians; `main`: the thread running the pipeline, the rest"
            " is the page threads in `extract` and DuckDB's threads in `load`):",
            "",
            "| step | CPU s | of which main thread |",
            "|---|---:|---:|",
        ]
        for p in PHASES:
            lines.append(
                f"| {p} | {_median(ours, f'{p}_cpu'):.2f} | {_median(ours, f'{p}_main'):.2f} |"
            )
    return lines


def _second_read(n: int, runs: int, warmup_url: str) -> list[str]:
    """Apollo's scan alone, interleaved: second read from the page memo, and decoding every
    page (`TaskScanner(reuse_pages=False)`); CPU of the whole process."""
    found: dict[str, list[dict[str, Any]]] = {"scan": [], "scan_plain": []}
    with _sandbox("apollo", n) as sb:
        _floor("apollo", sb.base_url, sandbox_key("apollo", sb), Path("."), n)  # caches
        for rep in range(runs):
            for variant in found:
                result = run_variant(variant, "apollo", sb, warmup_url, n)
                found[variant].append(result)
                print(f"second read {n} run {rep + 1} {variant}: {result}", file=sys.stderr)
    lines = [
        "",
        f"### Apollo's scan alone (both reads), {n:,} tasks, medians of {runs}",
        "",
        "| second read | pages answered without decoding | CPU s (each run) | wall s |",
        "|---|---:|---|---:|",
    ]
    for variant, label in (("scan_plain", "every page decoded"), ("scan", "page memo")):
        each = ", ".join(f"{r['cpu_seconds']:.2f}" for r in found[variant])
        lines.append(
            f"| {label} | {_median(found[variant], 'hits'):,.0f} |"
            f" {_median(found[variant], 'cpu_seconds'):.2f} ({each}) |"
            f" {_median(found[variant], 'seconds'):.2f} |"
        )
    saved = _median(found["scan_plain"], "cpu_seconds") - _median(found["scan"], "cpu_seconds")
    lines += ["", f"- CPU saved by the page memo: **{saved:.2f} s** per {n:,} tasks"]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendor", choices=VENDORS, default="apollo")
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--rss", default="", help="comma-separated task counts: one ours+floor run each, peak RSS"
    )
    parser.add_argument("--skip-ratio", action="store_true", help="only the --rss runs")
    parser.add_argument(
        "--second-read",
        action="store_true",
        help="Apollo's scan alone, its second read with and without the page memo (CPU)",
    )
    parser.add_argument("--profile", default="", help="cProfile ours once more into this file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--variant", choices=sorted(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--warmup-url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--key", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--sample-rss", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args)
        return 0

    vendor, n = args.vendor, args.tasks
    command = "`.venv/bin/python -m bench.hotpath " + " ".join(sys.argv[1:]) + "`"
    lines = [
        f"## Hot path: {vendor}, DuckDB destination",
        "",
        f"Command: {command} (machine: {os.cpu_count()} cores, shared with other jobs;"
        f" medians of {args.runs}, floor and ours interleaved).",
    ]
    with _sandbox(vendor, 200, seed=1) as warm:
        if args.second_read:
            lines += _second_read(n, args.runs, warm.base_url)
        if not args.skip_ratio:
            results = measure(vendor, n, args.runs, warm.base_url, args.profile)
            lines += table(vendor, n, results)
            ratio = _median(results["ours"], "seconds") / _median(results["floor"], "seconds")
            reads = _median(results["ours"], "requests") / _median(results["floor"], "requests")
            lines += [
                "",
                f"- ours / floor, wall: **{ratio:.2f}x** (target <= 1.5x)",
                f"- ours sends {reads:.2f}x the floor's requests (the completeness proof re-reads"
                f" the list); ours / ({reads:.2f} x floor), wall: {ratio / reads:.2f}x",
            ]
        sizes = [int(s) for s in args.rss.split(",") if s.strip()]
        if sizes:
            lines += [
                "",
                f"### Peak RSS by size ({vendor}, one run each)",
                "",
                "RSS sampled every 10 ms in ours' process, peak per dlt step (`before`: after"
                " the warm-up, up to the extract); load jobs dlt retried.",
                "",
                "| tasks | ours s | before MB | extract peak MB | load peak MB | after the load MB"
                " | load retries | ours peak RSS MB | floor s | floor peak RSS MB |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            ]
            peaks = []
            for size in sizes:
                found = measure(vendor, size, 1, warm.base_url, sample_rss=True)
                ours, floor = found["ours"][0], found["floor"][0]
                peaks.append(ours["peak_rss_mb"])
                steps = " | ".join(
                    f"{ours.get(f'rss_{step}_mb', 0.0):.0f}"
                    for step in ("before", "extract", "load", "after")
                )
                lines.append(
                    f"| {size:,} | {ours['seconds']:.1f} | {steps} | {ours['load_retries']} |"
                    f" {ours['peak_rss_mb']:.0f} |"
                    f" {floor['seconds']:.1f} | {floor['peak_rss_mb']:.0f} |"
                )
            if len(peaks) > 1:
                lines += [
                    "",
                    f"- ours peak RSS {sizes[-1]:,} / {sizes[0]:,} tasks:"
                    f" **{peaks[-1] / peaks[0]:.2f}x**",
                ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
