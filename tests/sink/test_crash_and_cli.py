"""`apollo-tasks push` as a real process: SIGKILL at each point of a call, then rerun; exit codes;
the filter Apollo may ignore; and the key never showing."""

from __future__ import annotations

import signal
from collections import Counter
from typing import Any

import pytest

from pipelines.cli import EXIT_ERROR, EXIT_NEEDS_REVIEW, EXIT_OK
from tests.sink.conftest import ledger, task_rows, write_input

BULK = "/api/v1/tasks/bulk_create"


def one_task_per_request(sb: Any, rows: list[dict[str, Any]]) -> None:
    by_contact = Counter(t["contact_id"] for t in sb.created())
    assert {r["request_id"]: by_contact[r["contact_id"]] for r in rows} == {
        r["request_id"]: 1 for r in rows
    }


@pytest.mark.parametrize("point", ["before_call", "after_call", "after_ledger"])
def test_sigkill_then_rerun_makes_exactly_one_task_each(
    sandbox: Any, warehouse_url: str, cli_push: Any, point: str
) -> None:
    sb = sandbox
    rows = task_rows(sb, 40)
    write_input(warehouse_url, rows)
    crashed = cli_push(
        sb,
        "--max-contacts-per-call",
        "10",
        env={"APOLLO_TASKS_CRASH_AT": point, "APOLLO_TASKS_CRASH_COUNT": "2"},
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    states = Counter(e["state"] for e in ledger(warehouse_url).values())
    assert states["sending"] == (0 if point == "after_ledger" else 10)
    rerun = cli_push(sb, "--max-contacts-per-call", "10")
    assert rerun.returncode == EXIT_OK, rerun.stdout + rerun.stderr
    assert "40 row(s) in = " in rerun.stdout
    one_task_per_request(sb, rows)
    assert {e["state"] for e in ledger(warehouse_url).values()} == {"delivered"}


def test_ignored_filter_needs_review_then_resend_unknown(
    make_sandbox: Any, warehouse_url: str, cli_push: Any, push: Any
) -> None:
    sb = make_sandbox(filters="ignore")
    rows = task_rows(sb, 6)
    write_input(warehouse_url, rows)
    sb.script_faults([{"path": BULK, "fault": "drop_after_create", "count": 1}])
    first = cli_push(sb)
    assert first.returncode == EXIT_NEEDS_REVIEW, first.stdout + first.stderr
    assert "6 need review" in first.stdout
    assert {e["state"] for e in ledger(warehouse_url).values()} == {"needs_review"}
    still = push(sb)  # without the flag nothing is resent
    assert still.needs_review == 6 and still.calls == 0
    assert len(sb.created()) == 6
    resent = cli_push(sb, "--resend-unknown")
    assert resent.returncode == EXIT_OK, resent.stdout + resent.stderr
    assert "6 created" in resent.stdout
    # The user asked to resend: the dropped call had created them, so each now has two.
    assert len(sb.created()) == 12
    assert {e["state"] for e in ledger(warehouse_url).values()} == {"delivered"}


def test_forbidden_key_one_line_and_no_key_anywhere(
    sandbox: Any, warehouse_url: str, cli_push: Any
) -> None:
    sb = sandbox
    write_input(warehouse_url, task_rows(sb, 3))
    result = cli_push(sb, key=sb.plain_key)
    assert result.returncode == EXIT_ERROR
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "403" in lines[0] and "master API key" in lines[0]
    assert "Traceback" not in result.stderr
    assert sb.plain_key not in result.stdout + result.stderr
    ok = cli_push(sb)
    assert ok.returncode == EXIT_OK
    text = repr(ledger(warehouse_url))
    assert sb.master_key not in text and sb.plain_key not in text
    assert sb.master_key not in ok.stdout + ok.stderr
