"""One push at a time per ledger: a second push fails fast, before it reads or sends anything."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from sales_tasks.destinations.core.runlock import LedgerBusyError, RunLock, advisory_key
from sales_tasks.destinations.core.warehouse import dispose_engine, get_engine
from tests.sink.conftest import INPUT_TABLE, ROOT, subprocess_env, task_rows, write_input

LEDGER = "apollo_push.delivery_ledger"


def hold_ledger(url: str) -> tuple[Callable[[], None], str]:
    """Hold the ledger's lock as a running push would; returns (release, expected message)."""
    if url.startswith("postgresql"):
        # Another process's push: only the advisory lock in PostgreSQL stands in the way.
        other = sa.create_engine(url)
        conn = other.connect()
        conn.execute(sa.select(sa.func.pg_advisory_lock(advisory_key(LEDGER))))
        conn.commit()

        def release() -> None:
            conn.close()
            other.dispose()

        return release, "PostgreSQL advisory lock"
    held = RunLock(get_engine(url), LEDGER).acquire()  # another thread of this process
    return held.release, "in this process"


def test_second_push_fails_fast_while_the_ledger_is_held(
    sandbox: Any, warehouse_url: str, push: Any
) -> None:
    sb = sandbox
    write_input(warehouse_url, task_rows(sb, 5))
    release, where = hold_ledger(warehouse_url)
    try:
        with pytest.raises(LedgerBusyError) as caught:
            push(sb)
        message = str(caught.value)
        assert caught.value.exit_code == 75  # EX_TEMPFAIL, as every other lock conflict
        assert "\n" not in message and where in message
        assert message.startswith(f"another push is running against the delivery ledger {LEDGER}")
        assert sb.created() == [] and sb.requests("/api/v1/tasks/bulk_create") == []
    finally:
        release()
    assert push(sb).created == 5  # the lock is gone with its holder


def test_with_wait_a_second_push_waits_for_the_ledger_then_runs(
    sandbox: Any, warehouse_url: str, push: Any
) -> None:
    sb = sandbox
    write_input(warehouse_url, task_rows(sb, 5))
    release, _ = hold_ledger(warehouse_url)
    timer = threading.Timer(0.3, release)  # the other push ends while this one waits
    timer.start()
    try:
        assert push(sb, wait_seconds=60.0).created == 5
    finally:
        timer.join()
    assert len(sb.created()) == 5


def test_duckdb_file_in_use_by_another_process_is_one_line(sandbox: Any, tmp_path: Any) -> None:
    """DuckDB's own process lock keeps a second push off a DuckDB ledger; verify it holds."""
    import subprocess

    url = f"duckdb:///{tmp_path / 'held.duckdb'}"
    write_input(url, task_rows(sandbox, 3))
    with get_engine(url).connect():  # this process has the file open read-write, as a push does
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "sales_tasks.pipelines.cli",
                "push",
                "--table",
                INPUT_TABLE,
                "--warehouse",
                url,
                "--pipelines-dir",
                str(tmp_path / "p"),
            ],
            cwd=ROOT,
            env=subprocess_env(APOLLO_API_KEY=sandbox.master_key, APOLLO_BASE_URL=sandbox.base_url),
            capture_output=True,
            text=True,
            timeout=120,
        )
    dispose_engine(url)
    assert result.returncode == 75, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "is open in another process (PID " in lines[0], result.stderr
    assert sandbox.created() == []


def test_a_lent_lock_serves_one_nested_run_and_no_other(warehouse_url: str) -> None:
    """A lifecycle push lends its held lock to its own creates (`RunLock.lent`): that nested
    run takes it at once, a second one meanwhile is refused, and when the nested run ends the
    lender still holds it (no other push gets in between the creates and the changes)."""
    engine = get_engine(warehouse_url)
    try:
        lender = RunLock(engine, LEDGER).acquire()
        with lender.lent():
            nested = RunLock(engine, LEDGER).acquire()
            with pytest.raises(LedgerBusyError):
                RunLock(engine, LEDGER).acquire()
            nested.release()
            again = RunLock(engine, LEDGER).acquire()  # lent again after the first borrower
            again.release()
        with pytest.raises(LedgerBusyError):
            RunLock(engine, LEDGER).acquire()  # outside `lent`: held by the lender
        lender.release()
        RunLock(engine, LEDGER).acquire().release()  # free once the lender lets go
    finally:
        dispose_engine(warehouse_url)
