"""Two jobs at once on one machine, as real processes sharing dlt's default folders.

Every run here is `python -m sales_tasks.pipelines.cli ...` without `--pipelines-dir`: all of them use the
same dlt data dir (this test session's), exactly as two cron entries or two terminals would. A
run that starts after another process's, or is refused while one holds the lock, runs in this
process (`tests/cli_runner.py`): the lock is still held by another process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sales_tasks.pipelines.cli import EXIT_BUSY, EXIT_OK
from sales_tasks.pipelines.jobs import locks_dir
from tests.cli_runner import run_cli
from tests.sink.conftest import ledger, subprocess_env, task_rows, write_input
from tests.source.helpers import served_tasks

ROOT = Path(__file__).resolve().parents[2]


def _start(sb: Any, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sales_tasks.pipelines.cli", *args],
        cwd=ROOT,
        env=_env(sb, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _env(sb: Any, **env: str) -> dict[str, str]:
    return subprocess_env(
        APOLLO_API_KEY=sb.master_key,
        APOLLO_BASE_URL=sb.base_url,
        DESTINATION__APOLLO_TASKS__RECONCILE_WAIT_SECONDS="1",
        **env,
    )


def _here(sb: Any, *args: str) -> tuple[int, str]:
    """The same command as `_start`'s, run to its end in this process (`tests/cli_runner.py`):
    for a run that starts after, or while, another process's; (exit code, stdout + stderr)."""
    done = run_cli(list(args), program="apollo-tasks", env=_env(sb), cwd=ROOT)
    return done.returncode, done.stdout + done.stderr


def _finish(proc: subprocess.Popen[str], timeout: float = 180) -> tuple[int, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out + err


def _ids(path: Path) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {r[0] for r in con.sql("SELECT id FROM apollo.tasks").fetchall()}


def _extract(sb: Any, path: Path, *args: str) -> subprocess.Popen[str]:
    return _start(sb, "extract", "--duckdb-path", str(path), *args)


def test_two_accounts_extracted_at_once_each_file_holds_exactly_its_own_tasks(
    make_sandbox: Any, tmp_path: Path
) -> None:
    a = make_sandbox(tasks=300, seed=7)
    b = make_sandbox(tasks=450, seed=8)
    a_file, b_file = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    assert not {t["id"] for t in served_tasks(a)} & {t["id"] for t in served_tasks(b)}
    for round_ in (1, 2):
        if round_ == 2:  # deletion in both accounts: each run may remove only its own
            for sb, n in ((a, 5), (b, 7)):
                for task in served_tasks(sb)[:n]:
                    sb.delete_task(task["id"])
        runs = [_extract(a, a_file), _extract(b, b_file)]
        results = [_finish(p) for p in runs]
        for code, output in results:
            assert code == EXIT_OK, output
        assert _ids(a_file) == {t["id"] for t in served_tasks(a)}, round_
        assert _ids(b_file) == {t["id"] for t in served_tasks(b)}, round_
    assert len(_ids(a_file)) == 295 and len(_ids(b_file)) == 443


def test_two_runs_of_the_same_extract_one_is_refused_then_one_waits(
    make_sandbox: Any, tmp_path: Path
) -> None:
    sb = make_sandbox(tasks=600, faults={"latency_ms": 150})
    path = tmp_path / "same.duckdb"
    first = _extract(sb, path)
    _wait_until_locked()
    code, output = _here(sb, "extract", "--duckdb-path", str(path))  # while `first` runs
    assert code == EXIT_BUSY, output
    busy_lines = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(busy_lines) == 1 and "another run of this job is going" in busy_lines[0]
    waiting = _extract(sb, path, "--wait", "120")
    for proc in (first, waiting):
        code, output = _finish(proc)
        assert code == EXIT_OK, output
    assert _ids(path) == {t["id"] for t in served_tasks(sb)}


def _wait_until_locked(timeout: float = 60) -> None:
    """Until some run holds a job lock of this session (a lock file that cannot be taken)."""
    import fcntl

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        folder = locks_dir()
        for name in os.listdir(folder) if os.path.isdir(folder) else []:
            with open(os.path.join(folder, name), "a") as handle:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
                except BlockingIOError:
                    return
        time.sleep(0.05)
    raise AssertionError("no run took its job lock")


def _push(sb: Any, warehouse: str, *args: str) -> subprocess.Popen[str]:
    return _start(sb, "push", "--table", "push_input", "--warehouse", warehouse, *args)


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def two_warehouses(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    if request.param == "postgres":
        make = request.getfixturevalue("postgres_server").create_database
        return make(f"jobs_a_{os.getpid()}_{id(request)}"), make(
            f"jobs_b_{os.getpid()}_{id(request)}"
        )
    return f"duckdb:///{tmp_path / 'wa.duckdb'}", f"duckdb:///{tmp_path / 'wb.duckdb'}"


def test_two_pushes_at_once_each_account_gets_exactly_its_own_rows(
    make_sandbox: Any, two_warehouses: tuple[str, str]
) -> None:
    a = make_sandbox(tasks=800, seed=7, faults={"latency_ms": 20})
    b = make_sandbox(tasks=800, seed=8, faults={"latency_ms": 20})
    wa, wb = two_warehouses
    # Same request ids in both inputs: only the job (account + warehouse) tells them apart.
    rows_a, rows_b = task_rows(a, 150), task_rows(b, 120)
    write_input(wa, rows_a)
    write_input(wb, rows_b)
    for _ in range(2):  # the second round must create nothing anywhere
        runs = [
            _push(a, wa, "--max-contacts-per-call", "10"),
            _push(b, wb, "--max-contacts-per-call", "10"),
        ]
        for proc in runs:
            code, output = _finish(proc)
            assert code == EXIT_OK, output
    for sb, rows, url in ((a, rows_a, wa), (b, rows_b, wb)):
        made = Counter(t["contact_id"] for t in sb.created())
        assert made == Counter(r["contact_id"] for r in rows)  # each exactly once, nothing foreign
        entries = ledger(url)
        assert set(entries) == {r["request_id"] for r in rows}
        assert {e["state"] for e in entries.values()} == {"delivered"}
        own_tasks = {t["id"] for t in sb.created()}
        assert {e["task_id"] for e in entries.values()} == own_tasks


def test_two_runs_of_the_same_push_never_duplicate(
    make_sandbox: Any, two_warehouses: tuple[str, str]
) -> None:
    sb = make_sandbox(tasks=800, faults={"latency_ms": 100})
    url = two_warehouses[0]
    rows = task_rows(sb, 200)
    write_input(url, rows)
    runs = [
        _push(sb, url, "--max-contacts-per-call", "5", "--calls-in-flight", "1") for _ in range(2)
    ]
    codes = sorted(_finish(p)[0] for p in runs)
    assert codes[0] == EXIT_OK and codes[1] in (EXIT_OK, EXIT_BUSY), codes
    code, output = _here(sb, "push", "--table", "push_input", "--warehouse", url)  # the rerun
    assert code == EXIT_OK, output
    made = Counter(t["contact_id"] for t in sb.created())
    assert made == Counter(r["contact_id"] for r in rows)


def test_a_run_killed_while_holding_the_lock_does_not_block_the_next(
    make_sandbox: Any, tmp_path: Path
) -> None:
    sb = make_sandbox(tasks=600, faults={"latency_ms": 200})
    path = tmp_path / "killed.duckdb"
    victim = _extract(sb, path)
    _wait_until_locked()
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    sb.configure(faults={"latency_ms": 0})
    code, output = _here(sb, "extract", "--duckdb-path", str(path))
    assert code == EXIT_OK, output
    assert _ids(path) == {t["id"] for t in served_tasks(sb)}
