"""Issue #9 item 6: an operator can stop a run. SIGINT/SIGTERM to a real `apollo-tasks push`
(and `extract`) process against a sandbox with latency: it exits with one line and 128 + the
signal number having sent far fewer calls than the whole run needs (counted at the sandbox, not
timed: a loaded machine delays a stop without changing what it sent), far fewer tasks were created
than rows, the ledger holds only states a rerun can finish from, and the rerun makes exactly one
task per request_id.

The push runs with both signals on DuckDB and with SIGTERM (what a scheduler sends) on
PostgreSQL: what PostgreSQL adds is where the ledger lives when the run stops, and both signals
stop a run the same way (`sales_tasks.pipelines.stopping`), apart from the exit code."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from sales_tasks.pipelines.cli import EXIT_OK
from tests.sink.conftest import (
    INPUT_TABLE,
    ROOT,
    created_by_request,
    ledger,
    subprocess_env,
    task_rows,
    write_input,
)

BULK = "/api/v1/tasks/bulk_create"
ROWS = 400
PER_CALL = 5  # 80 calls, 4 at once, 0.4 s each: about 8 s unless stopped
SIGNALS = [pytest.param(signal.SIGINT, id="SIGINT"), pytest.param(signal.SIGTERM, id="SIGTERM")]
# Both signals on DuckDB, one on PostgreSQL (the module's docstring says why).
PUSH_STOPS = [
    pytest.param("duckdb", signal.SIGINT, id="duckdb-SIGINT"),
    pytest.param("duckdb", signal.SIGTERM, id="duckdb-SIGTERM"),
    pytest.param("postgres", signal.SIGTERM, id="postgres-SIGTERM", marks=pytest.mark.postgres),
]


def _start(sb: Any, args: list[str], tmp_path: Path) -> subprocess.Popen[str]:
    env = subprocess_env(
        APOLLO_API_KEY=sb.master_key,
        APOLLO_BASE_URL=sb.base_url,
        SOURCES__APOLLO__API_KEY=sb.master_key,
        SOURCES__APOLLO__BASE_URL=sb.base_url,
        DESTINATION__APOLLO_TASKS__RECONCILE_WAIT_SECONDS="2",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "sales_tasks.pipelines.cli", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(condition: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the run never got going"
        time.sleep(0.05)


def _stop(proc: subprocess.Popen[str], signum: int) -> tuple[str, str]:
    proc.send_signal(signum)
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"still running 30 s after {signal.Signals(signum).name}: {err[-2000:]}")
    return out, err


@pytest.mark.parametrize(("warehouse_url", "signum"), PUSH_STOPS, indirect=["warehouse_url"])
def test_push_stops_on_signal_and_rerun_finishes(
    make_sandbox: Any, warehouse_url: str, tmp_path: Path, signum: int
) -> None:
    sb = make_sandbox(tasks=4 * ROWS, faults={"latency_ms": 400})
    rows = task_rows(sb, ROWS)
    assert len(rows) == ROWS
    write_input(warehouse_url, rows)
    args = ["push", "--table", INPUT_TABLE, "--warehouse", warehouse_url]
    args += ["--max-contacts-per-call", str(PER_CALL), "--pipelines-dir", str(tmp_path / "p")]
    proc = _start(sb, args, tmp_path)
    _wait_for(lambda: len(sb.requests(BULK)) >= 4)
    out, err = _stop(proc, signum)
    assert proc.returncode == 128 + signum, out + err
    lines = [line for line in err.splitlines() if line.startswith("stopped:")]
    assert len(lines) == 1, err
    assert f"push stopped by {signal.Signals(signum).name}" in lines[0]
    assert "run the push again" in lines[0] and "Traceback" not in err
    calls = len(sb.requests(BULK))
    assert calls < 30, f"{calls} of {ROWS // PER_CALL} calls went out after the signal"
    assert len(sb.created()) <= calls * PER_CALL < ROWS // 2
    states = Counter(e["state"] for e in ledger(warehouse_url).values())
    assert set(states) <= {"pending", "sending", "delivered"}, states
    assert sum(states.values()) == ROWS and states["delivered"] >= 1
    assert max(created_by_request(sb, rows).values()) == 1

    sb.configure(faults={"latency_ms": 0})
    rerun = _start(sb, args, tmp_path)
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == EXIT_OK, out + err
    assert set(created_by_request(sb, rows).values()) == {1}
    assert len(sb.created()) == ROWS
    assert {e["state"] for e in ledger(warehouse_url).values()} == {"delivered"}


@pytest.mark.parametrize("signum", SIGNALS)
def test_extract_stops_on_signal(make_sandbox: Any, tmp_path: Path, signum: int) -> None:
    sb = make_sandbox(tasks=20_000, faults={"latency_ms": 300})  # 100 pages of 200
    args = ["extract", "--duckdb-path", str(tmp_path / "mirror.duckdb")]
    args += ["--concurrency", "2", "--pipelines-dir", str(tmp_path / "p")]
    proc = _start(sb, args, tmp_path)
    _wait_for(lambda: len(sb.requests("/api/v1/tasks/search")) >= 3)
    out, err = _stop(proc, signum)
    assert proc.returncode == 128 + signum, out + err
    lines = [line for line in err.splitlines() if line.startswith("stopped:")]
    assert len(lines) == 1 and f"extract stopped by {signal.Signals(signum).name}" in lines[0], err
    assert "Traceback" not in err
    assert len(sb.requests("/api/v1/tasks/search")) < 40
