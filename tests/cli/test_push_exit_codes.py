"""`apollo-tasks push` exit codes a scheduler can act on, and a summary that names the reasons."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sales_tasks.pipelines.cli import EXIT_OK, EXIT_REJECTED, main
from tests.sink.conftest import INPUT_TABLE, task_rows, write_input


def _push(sb: Any, warehouse_url: str, tmp_path: Path) -> int:
    return main(
        ["push", "--table", INPUT_TABLE, "--warehouse", warehouse_url, "--base-url", sb.base_url,
         "--pipelines-dir", str(tmp_path / "p"), "--reconcile-wait", "1", "--quiet"]
    )  # fmt: skip


def test_push_that_rejects_rows_exits_5_and_counts_the_reasons(
    sandbox: Any,
    warehouse_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """6 of 7 rows rejected used to exit 0; now 5, every rerun too, until the data is fixed."""
    monkeypatch.setenv("APOLLO_API_KEY", sandbox.master_key)
    good = task_rows(sandbox, 4)
    rows = [
        good[0],
        {**good[1], "request_id": "r-type-1", "type": "nap"},
        {**good[1], "request_id": "r-type-2", "type": "lunch"},
        {**good[1], "request_id": "r-type-3", "type": "visit"},
        {**good[2], "request_id": "r-date-1", "due_at": "31/12/2025"},
        {**good[2], "request_id": "r-date-2", "due_at": "tomorrow"},
        {**good[3], "request_id": "r-contact", "contact_id": None, "contact_email": "x@no.io"},
    ]
    write_input(warehouse_url, rows)
    for attempt in (1, 2):
        assert _push(sandbox, warehouse_url, tmp_path) == EXIT_REJECTED, attempt
        out = capsys.readouterr()
        lines = out.out.splitlines()
        created = 1 if attempt == 1 else 0
        assert lines[0] == (
            f"push: 7 row(s) in = {created} created + 6 rejected"
            f" + {1 - created} already delivered + 0 need review"
        )
        by_reason = lines.index("rejected rows by reason (6):")
        types = "action_item, call, linkedin_step_connect, linkedin_step_interact_post"
        assert lines[by_reason + 1].startswith(f"  3 x unknown type …: use one of {types}")
        assert lines[by_reason + 2] == (
            "  2 x bad due_at …: not an ISO 8601 date-time"
            " (e.g. 2025-02-15T08:10:30Z or 2025-02-15T10:10:30+02:00)"
        )
        assert lines[by_reason + 3] == (
            "  1 x unknown contact_email …: no Apollo contact has exactly this email"
        )
        assert out.err.splitlines() == [
            "error: 6 of 7 row(s) rejected and not sent (most: 3 x unknown type …: use one of"
            f" {types}, linkedin_step_message, linkedin_step_view_profile, outreach_manual_email,"
            " or a shared name);"
            " fix them in the input and run the push again"
        ]
    assert len(sandbox.created()) == 1  # the good row, once

    write_input(warehouse_url, [good[0]])  # the bad rows fixed by dropping them
    assert _push(sandbox, warehouse_url, tmp_path) == EXIT_OK
    assert len(sandbox.created()) == 1
