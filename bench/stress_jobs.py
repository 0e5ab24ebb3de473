"""Stress drill: two jobs at once on one machine, N rounds; prints duplicates, losses, crashes.

    .venv/bin/python -m bench.stress_jobs --rounds 20

Each round, as real `apollo-tasks` processes sharing one dlt data dir (like two cron entries):
1. two accounts (two sandboxes with different data) extracted at once into two DuckDB files,
   after deleting a few tasks in each: each file must hold exactly its own account's tasks;
2. two pushes at once, two accounts into two warehouses, the same request ids in both inputs:
   each account must get exactly its own rows, once;
3. the same push job started twice at once: one runs, the other waits or is refused (75), and
   no task is created twice.
A *duplicate* is a task created more than once for one request (or a task in the wrong file or
account), a *loss* a task missing, a *crash* any exit code other than 0 or 75 (busy). All three
must be 0. Data dir, files and sandboxes live in a temporary folder, removed at the end.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import duckdb
import httpx
import sqlalchemy as sa

from sales_tasks.sandbox import Sandbox, running_sandbox

ROOT = Path(__file__).resolve().parents[1]
BUSY = 75
SEARCH = "/api/v1/tasks/search"


def _env(sb: Sandbox, data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APOLLO_", "SOURCES__"))}
    return {
        **env,
        "APOLLO_API_KEY": sb.master_key,
        "APOLLO_BASE_URL": sb.base_url,
        "DLT_DATA_DIR": data_dir,
        "DESTINATION__APOLLO_TASKS__RECONCILE_WAIT_SECONDS": "1",
    }


def _start(sb: Sandbox, data_dir: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sales_tasks.pipelines.cli", *args],
        cwd=ROOT,
        env=_env(sb, data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _served_ids(sb: Sandbox) -> set[str]:
    ids: set[str] = set()
    with httpx.Client(base_url=sb.base_url, headers={"x-api-key": sb.master_key}) as http:
        page = 1
        while True:
            batch = http.post(SEARCH, params={"page": page, "per_page": 100}).json()["tasks"]
            ids.update(t["id"] for t in batch)
            if len(batch) < 100:
                return ids
            page += 1


def _file_ids(path: Path) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {r[0] for r in con.sql("SELECT id FROM apollo.tasks").fetchall()}


def _write_input(url: str, sb: Sandbox, n: int) -> list[dict[str, Any]]:
    user = sb.users()[0]["id"]
    rows = [
        {"request_id": f"req-{i}", "user_id": user, "contact_id": c["id"], "type": "call",
         "due_at": "2026-07-01T09:00:00Z", "note": "stress"}
        for i, c in enumerate(sb.contacts(n))
    ]  # fmt: skip
    engine = sa.create_engine(url)
    cols = list(rows[0])
    table = sa.Table("push_input", sa.MetaData(), *(sa.Column(c, sa.Text) for c in cols))
    with engine.begin() as conn:
        table.drop(conn, checkfirst=True)
        table.create(conn)
        conn.execute(table.insert(), rows)
    engine.dispose()
    return rows


class Tally:
    def __init__(self) -> None:
        self.duplicates = 0
        self.losses = 0
        self.crashes = 0
        self.busy = 0
        self.notes: list[str] = []

    def finish(self, proc: subprocess.Popen[str], what: str) -> int:
        out, err = proc.communicate(timeout=600)
        if proc.returncode == BUSY:
            self.busy += 1
        elif proc.returncode != 0:
            self.crashes += 1
            self.notes.append(f"{what}: exit {proc.returncode}: {(out + err).strip()[-300:]}")
        return proc.returncode

    def compare(self, what: str, got: Counter[str], want: Counter[str]) -> None:
        extra = sum((got - want).values())
        missing = sum((want - got).values())
        self.duplicates += extra
        self.losses += missing
        if extra or missing:
            self.notes.append(f"{what}: {extra} extra, {missing} missing")


def one_round(n: int, work: Path, a: Sandbox, b: Sandbox, tally: Tally) -> None:
    data_dir = str(work / "dlt")
    files = {a: work / f"a{n}.duckdb", b: work / f"b{n}.duckdb"}
    for sb in (a, b):  # deletions since the last round: each run may remove only its own
        for task_id in sorted(_served_ids(sb))[:3]:
            sb.delete_task(task_id)
    for _ in range(2):  # the second extract of each file exercises deletion
        runs = [
            (sb, _start(sb, data_dir, "extract", "--duckdb-path", str(files[sb]))) for sb in (a, b)
        ]
        for _, proc in runs:
            tally.finish(proc, f"round {n} extract")
        for sb in (a, b):
            tally.compare(
                f"round {n} extract file", Counter(_file_ids(files[sb])), Counter(_served_ids(sb))
            )
    for sb in (a, b):
        sb.reset()
    urls = {sb: f"duckdb:///{work / f'w{n}-{i}.duckdb'}" for i, sb in enumerate((a, b))}
    inputs = {sb: _write_input(urls[sb], sb, 60) for sb in (a, b)}
    pushes = [
        _start(sb, data_dir, "push", "--table", "push_input", "--warehouse", urls[sb],
               "--max-contacts-per-call", "10")
        for sb in (a, b)
    ]  # fmt: skip
    # ... and the same job as b's, started again at once
    pushes.append(
        _start(b, data_dir, "push", "--table", "push_input", "--warehouse", urls[b],
               "--max-contacts-per-call", "10", "--wait", "300")
    )  # fmt: skip
    for proc in pushes:
        tally.finish(proc, f"round {n} push")
    for sb in (a, b):
        tally.compare(
            f"round {n} push",
            Counter(t["contact_id"] for t in sb.created()),
            Counter(r["contact_id"] for r in inputs[sb]),
        )


@contextmanager
def _sandboxes() -> Iterator[tuple[Sandbox, Sandbox]]:
    with ExitStack() as stack:
        a = stack.enter_context(running_sandbox(tasks=400, seed=7, subprocess=True))
        b = stack.enter_context(running_sandbox(tasks=500, seed=8, subprocess=True))
        yield a, b


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    tally = Tally()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="stress_jobs_") as tmp, _sandboxes() as (a, b):
        for n in range(1, args.rounds + 1):
            one_round(n, Path(tmp), a, b, tally)
            print(
                f"round {n}/{args.rounds}: duplicates {tally.duplicates}, losses {tally.losses},"
                f" crashes {tally.crashes}, busy refusals {tally.busy}",
                flush=True,
            )
    print(
        f"\n{args.rounds} rounds in {time.monotonic() - started:.0f}s:"
        f" duplicates {tally.duplicates}, losses {tally.losses}, crashes {tally.crashes}"
    )
    for note in tally.notes[:20]:
        print(f"  {note}")
    return 0 if not (tally.duplicates or tally.losses or tally.crashes) else 1


if __name__ == "__main__":
    sys.exit(main())
