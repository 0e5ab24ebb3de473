"""Where the test suite's CPU goes: a pytest plugin logging each test's CPU, and a summary per file.

`make test` is CPU-bound on 2 cores, so wall time per test (pytest's `--durations`) says little:
a test waiting on a sandbox costs wall, not CPU. This plugin records, per test, the CPU of the
pytest worker (the test and the sandboxes it runs in-process) and of the child processes it
waited for (CLI runs, doc blocks), from `resource.getrusage`:

    PYTHONPATH=. SUITE_CPU_DIR=/tmp/suite-cpu .venv/bin/pytest -n 4 -p bench.suite_cpu [TESTS]
    .venv/bin/python -m bench.suite_cpu /tmp/suite-cpu [--tests 30]

Each worker appends one JSON line per test to `SUITE_CPU_DIR/cpu-<pid>.jsonl` (the folder is
made; remove it when done). The PostgreSQL and MariaDB servers' CPU is not in it (they are not
children of a test).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def _cpu() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    folder = Path(os.environ.get("SUITE_CPU_DIR", "suite-cpu"))
    before, started = _cpu(), time.monotonic()
    yield
    after = _cpu()
    line = {
        "id": item.nodeid,
        "self": after[0] - before[0],
        "children": after[1] - before[1],
        "wall": time.monotonic() - started,
    }
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"cpu-{os.getpid()}.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


def summary(folder: Path, tests: int = 0) -> list[str]:
    """CPU per test file (and the `tests` costliest tests), costliest first."""
    rows: list[dict[str, Any]] = [
        json.loads(line) for path in sorted(folder.glob("cpu-*.jsonl")) for line in path.open()
    ]
    files: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0, 0.0, 0])
    for row in rows:
        acc = files[row["id"].split("::")[0]]
        acc[0] += row["self"]
        acc[1] += row["children"]
        acc[2] += row["wall"]
        acc[3] += 1
    own = sum(r["self"] for r in rows)
    kids = sum(r["children"] for r in rows)
    out = [
        f"{len(rows)} tests: {own + kids:.0f} s CPU ({own:.0f} s workers, {kids:.0f} s children)"
    ]
    out.append(f"{'CPU s':>8} {'worker':>7} {'child':>7} {'wall':>7} {'n':>4}  file")
    for name, (me, ch, wall, n) in sorted(files.items(), key=lambda kv: -(kv[1][0] + kv[1][1])):
        out.append(f"{me + ch:8.1f} {me:7.1f} {ch:7.1f} {wall:7.1f} {n:4d}  {name}")
    if tests:
        out.append("")
        for row in sorted(rows, key=lambda r: -(r["self"] + r["children"]))[:tests]:
            out.append(f"{row['self'] + row['children']:8.1f}  {row['id']}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the SUITE_CPU_DIR of a run")
    parser.add_argument("--tests", type=int, default=0, help="also list the N costliest tests")
    args = parser.parse_args(argv)
    print("\n".join(summary(args.folder, args.tests)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
