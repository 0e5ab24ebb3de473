"""`sales-tasks push saleshandy` as a real process: SIGKILL at each point of a call, then rerun;
exit codes; a wrong key in one line without the key. Exit codes on DuckDB and PostgreSQL; the
kills on DuckDB only: what PostgreSQL adds to a killed push is where the ledger lives, the same
for every vendor, and Apollo's kill drill runs every crash point on it
(`tests/sink/test_crash_and_cli.py`)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from sales_tasks.pipelines.exit_codes import EXIT_ERROR, EXIT_OK, EXIT_REJECTED
from tests.saleshandy.sh_push_helpers import (
    creates,
    prospect_ids,
    rows_for,
    sh_cli_push,
    sh_ledger,
    sh_warehouse,
    tasks_by_request,
    write_input,
)
from tests.sink.crash_drill import crashes_then_rerun

FIXTURES = (sh_cli_push, sh_warehouse)  # found by pytest in this module's namespace

# More rows than three killed runs can mark `sending` (at most about 17 calls of 10, see
# `crash_drill`), so the rerun has tasks of its own to create: they prove the search caught up.
ROWS = 240


@pytest.mark.parametrize("sh_warehouse", ["duckdb"], indirect=True)  # the docstring says why
def test_sigkill_at_each_point_then_rerun_makes_exactly_one_task_each(
    make_saleshandy_sandbox: Any, sh_warehouse: str, sh_cli_push: Any
) -> None:
    """One input, four processes: each killed at the next crash point, the last one finishes."""
    sb = make_saleshandy_sandbox(tasks=3 * ROWS, index_lag_seconds=0.3)
    rows = rows_for(prospect_ids(sb, ROWS))
    write_input(sh_warehouse, rows)
    rerun = crashes_then_rerun(
        lambda crash: sh_cli_push(sb, "--max-prospects-per-call", "10", crash=crash),
        lambda: Counter(e["state"] for e in sh_ledger(sh_warehouse).values()),
        lambda: tasks_by_request(sb, rows),
        rows=ROWS,
        per_call=10,
    )
    assert rerun.returncode == EXIT_OK, rerun.stdout + rerun.stderr
    assert f"{ROWS} row(s) in = " in rerun.stdout
    assert set(tasks_by_request(sb, rows).values()) == {1}
    assert len(sb.created()) == ROWS
    assert {e["state"] for e in sh_ledger(sh_warehouse).values()} == {"delivered"}
    sent = len(creates(sb))
    again = sh_cli_push(sb)
    assert again.returncode == EXIT_OK and f"{ROWS} already delivered" in again.stdout
    assert len(creates(sb)) == sent  # a rerun sends nothing


def test_exit_codes_and_a_wrong_key_in_one_line(
    saleshandy_sandbox: Any, sh_warehouse: str, sh_cli_push: Any
) -> None:
    sb = saleshandy_sandbox
    rows = rows_for(prospect_ids(sb, 3))
    write_input(sh_warehouse, rows)
    wrong = "sh-wrong-key-3141592653"
    refused = sh_cli_push(sb, key=wrong)
    assert refused.returncode == EXIT_ERROR
    lines = [line for line in refused.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "rejected the API key (400)" in lines[0], refused.stderr
    assert "Traceback" not in refused.stderr
    assert wrong not in refused.stdout + refused.stderr
    assert sb.created() == []  # refused: nothing made, the rows stay pending for the next run
    assert {e["state"] for e in sh_ledger(sh_warehouse).values()} == {"pending"}

    write_input(
        sh_warehouse, [*rows, {"request_id": "bad", "prospect_id": "x", "task_type": "sms"}]
    )
    mixed = sh_cli_push(sb, "--time-zone", "Asia/Tokyo")
    assert mixed.returncode == EXIT_REJECTED, mixed.stdout + mixed.stderr
    assert "3 created + 1 rejected" in mixed.stdout
    assert "Saleshandy has no sms task type" in mixed.stderr
    text = repr(sh_ledger(sh_warehouse))
    assert sb.api_key not in text + mixed.stdout + mixed.stderr

    bad_zone = sh_cli_push(sb, "--time-zone", "Mars/Olympus")
    assert bad_zone.returncode == EXIT_ERROR
    assert "is not an IANA time zone" in bad_zone.stderr and "Traceback" not in bad_zone.stderr
