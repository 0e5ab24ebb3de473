"""`sales-tasks push reply` as a real process: SIGKILL at each point of a call, then rerun (one
task per request); exit codes and summaries; the key never showing. Exit codes on DuckDB and
PostgreSQL; the kills on DuckDB only: what PostgreSQL adds to a killed push is where the ledger
lives, the same for every vendor, and Apollo's kill drill runs every crash point on it
(`tests/sink/test_crash_and_cli.py`)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from sales_tasks.pipelines.exit_codes import EXIT_ERROR, EXIT_OK, EXIT_REJECTED
from tests.reply.reply_push_support import (
    reply_cli,
    reply_ledger,
    reply_rows,
    tasks_per_request,
    warehouse_url,
    write_reply_input,
)
from tests.sink.crash_drill import crashes_then_rerun

__all__ = ["reply_cli", "warehouse_url"]  # fixtures used by name

# (crash point, at its n-th pass); two calls of one row each are in flight.
CRASHES = [("before_call", 3), ("after_call", 3), ("after_ledger", 4)]
ROWS = 40


@pytest.mark.parametrize("warehouse_url", ["duckdb"], indirect=True)  # the docstring says why
def test_sigkill_at_each_point_then_rerun_makes_exactly_one_task_each(
    reply_sandbox: Any, warehouse_url: str, reply_cli: Any
) -> None:
    sb = reply_sandbox
    rows = reply_rows(sb, ROWS)
    write_reply_input(warehouse_url, rows)
    rerun = crashes_then_rerun(
        lambda crash: reply_cli(sb, crash=crash),
        lambda: Counter(e["state"] for e in reply_ledger(warehouse_url).values()),
        lambda: tasks_per_request(sb, rows),
        rows=ROWS,
        per_call=1,
        crashes=CRASHES,
    )
    assert rerun.returncode == EXIT_OK, rerun.stdout + rerun.stderr
    assert f"{ROWS} row(s) in = " in rerun.stdout
    assert set(tasks_per_request(sb, rows).values()) == {1}
    assert len(sb.created()) == ROWS
    assert {e["state"] for e in reply_ledger(warehouse_url).values()} == {"delivered"}
    again = reply_cli(sb)
    assert again.returncode == EXIT_OK and "create calls: 0" in again.stdout, again.stdout


def test_exit_codes_summary_and_no_key_anywhere(
    reply_sandbox: Any, warehouse_url: str, reply_cli: Any
) -> None:
    sb = reply_sandbox
    rows = reply_rows(sb, 3)
    rows[2]["start_at"] = "2014-06-01T09:00:00Z"
    write_reply_input(warehouse_url, rows)
    rejected = reply_cli(sb)
    assert rejected.returncode == EXIT_REJECTED, rejected.stdout + rejected.stderr
    assert "3 row(s) in = 2 created + 1 rejected" in rejected.stdout
    assert "before 2015-01-01" in rejected.stdout
    write_reply_input(warehouse_url, reply_rows(sb, 2, offset=10))
    refused = reply_cli(sb, "--auth-scheme", "x-api-key")  # this sandbox takes Bearer only
    assert refused.returncode == EXIT_ERROR
    errors = [line for line in refused.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "401" in errors[0] and "Bearer" in errors[0], refused.stderr
    assert "Traceback" not in refused.stderr
    for result in (rejected, refused):
        assert sb.api_key not in result.stdout + result.stderr
    assert sb.api_key not in repr(reply_ledger(warehouse_url))
