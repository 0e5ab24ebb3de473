"""`apollo-tasks push`: SIGKILL at each point of a call (a real process each), then rerun; exit
codes; the filter Apollo may ignore; and the key never showing (in process, `cli_push`). On DuckDB
and PostgreSQL: Apollo's kill drill is the one that runs every crash point on PostgreSQL
(`tests.matrix`)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sales_tasks.pipelines.cli import EXIT_ERROR, EXIT_NEEDS_REVIEW, EXIT_OK
from tests.sink.conftest import created_by_request, ledger, task_rows, write_input
from tests.sink.crash_drill import crashes_then_rerun

BULK = "/api/v1/tasks/bulk_create"
# More rows than three killed runs can mark `sending` (see `crash_drill`).
ROWS = 240


def test_sigkill_at_each_point_then_rerun_makes_exactly_one_task_each(
    make_sandbox: Any, warehouse_url: str, cli_push: Any
) -> None:
    """One input, four processes: each killed at the next crash point, the last one finishes."""
    sb = make_sandbox(tasks=4 * ROWS)  # ROWS distinct contacts
    rows = task_rows(sb, ROWS)
    assert len(rows) == ROWS
    write_input(warehouse_url, rows)
    rerun = crashes_then_rerun(
        lambda crash: cli_push(sb, "--max-contacts-per-call", "10", crash=crash),
        lambda: Counter(e["state"] for e in ledger(warehouse_url).values()),
        lambda: created_by_request(sb, rows),
        rows=ROWS,
        per_call=10,
    )
    assert rerun.returncode == EXIT_OK, rerun.stdout + rerun.stderr
    assert f"{ROWS} row(s) in = " in rerun.stdout
    assert set(created_by_request(sb, rows).values()) == {1}
    assert len(sb.created()) == ROWS
    assert {e["state"] for e in ledger(warehouse_url).values()} == {"delivered"}


def test_unsearchable_list_needs_review_then_resend_unknown(
    make_sandbox: Any, warehouse_url: str, cli_push: Any, push: Any
) -> None:
    """Apollo ignores the contact filter and its display cap hides most of the list: whether
    the lost call created its tasks cannot be known, so a person decides."""
    sb = make_sandbox(filters="ignore", max_records=60)
    rows = task_rows(sb, 6)
    write_input(warehouse_url, rows)
    sb.script_faults([{"path": BULK, "fault": "drop_after_create", "count": 1}])
    first = cli_push(sb)
    assert first.returncode == EXIT_NEEDS_REVIEW, first.stdout + first.stderr
    assert "6 need review" in first.stdout
    assert {e["state"] for e in ledger(warehouse_url).values()} == {"needs_review"}
    still = push(sb)  # without the flag nothing is resent
    assert still.needs_review == 6 and still.calls == 0 and still.has_needs_review
    assert len(sb.created()) == 6
    resent = push(sb, resend_unknown=True)
    assert resent.created == 6 and not resent.has_needs_review
    # The user asked to resend: the dropped call had created them, so each now has two.
    assert len(sb.created()) == 12
    assert {e["state"] for e in ledger(warehouse_url).values()} == {"delivered"}


def test_forbidden_key_one_line_and_no_key_anywhere(
    sandbox: Any, warehouse_url: str, cli_push: Any, push: Any
) -> None:
    sb = sandbox
    write_input(warehouse_url, task_rows(sb, 3))
    result = cli_push(sb, key=sb.plain_key)
    assert result.returncode == EXIT_ERROR
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "403" in lines[0] and "master API key" in lines[0]
    assert "Traceback" not in result.stderr
    assert sb.plain_key not in result.stdout + result.stderr
    ok = push(sb)
    assert ok.created == 3
    text = repr(ledger(warehouse_url))
    assert sb.master_key not in text and sb.plain_key not in text
    assert sb.master_key not in ok.format()
