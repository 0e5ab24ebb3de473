"""Tasks deleted in Reply leave `tasks` only after a scan proven complete: a deleted task is
removed by the next complete run (after Reply answers 404 for it); a scan cut short by the stop
guard, or a list that changed while it was read (rows shifted between pages), deletes nothing
and says so, and the next clean run catches up."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from sandbox.reply import ReplySandbox
from tests.reply.test_reply_extract_e2e import (
    WAREHOUSES,
    duckdb_url,
    extract,
    list_calls,
    rows,
    served,
    warehouse_for,
)


@pytest.fixture(params=WAREHOUSES)
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    return warehouse_for(request, tmp_path)


def _ids(url: str) -> list[int]:
    return sorted(i for (i,) in rows(url, "SELECT id FROM reply.tasks"))


def test_a_task_deleted_in_reply_is_removed_by_the_next_complete_run(
    reply_sandbox: ReplySandbox, warehouse: dict[str, Any], tmp_path: Path
) -> None:
    sb, url = reply_sandbox, warehouse["url"]
    assert extract(sb, tmp_path, **warehouse["options"]).removed == 0
    gone = [t["id"] for t in served(sb)[10:13]]
    for task_id in gone:
        sb.delete_task(task_id)
    sb.clear_requests()
    summary = extract(sb, tmp_path, **warehouse["options"])
    assert summary.complete and summary.removed == 3
    assert _ids(url) == sorted(t["id"] for t in served(sb)) and not set(gone) & set(_ids(url))
    # Each was read one by one before it was removed, and Reply said 404.
    checks = [
        r for r in sb.requests() if r["path"].startswith("/v3/tasks/") and "filter" not in r["path"]
    ]
    assert sorted(int(r["path"].rsplit("/", 1)[1]) for r in checks) == sorted(gone)
    assert {r["status"] for r in checks} == {404}
    assert rows(
        url, "SELECT removed, verified_gone FROM reply.extract_runs ORDER BY started_at"
    ) == [
        (0, 0),
        (3, 3),
    ]


def test_a_scan_cut_short_deletes_nothing_and_says_so(
    reply_sandbox: ReplySandbox, tmp_path: Path
) -> None:
    sb = reply_sandbox
    extract(sb, tmp_path)
    sb.delete_task(served(sb)[0]["id"])
    summary = extract(sb, tmp_path, top=50, max_pages=2)
    assert not summary.complete and summary.removed is None and summary.rows["tasks"] == 100
    assert any("stop guard" in w for w in summary.warnings)
    assert "INCOMPLETE" in summary.format() and "nothing was deleted" in summary.format()
    assert len(_ids(duckdb_url(tmp_path))) == 300
    run = rows(duckdb_url(tmp_path), "SELECT complete, removed, warnings FROM reply.extract_runs"
               " ORDER BY started_at")  # fmt: skip
    assert run[-1][:2] == (False, None) and "stop guard" in run[-1][2]


def _delete_when(sb: ReplySandbox, calls: int, task_id: int) -> threading.Thread:
    """Delete `task_id` in Reply as soon as the scan has sent `calls` list calls."""

    def watch() -> None:
        deadline = time.monotonic() + 60
        while len(list_calls(sb)) < calls and time.monotonic() < deadline:
            time.sleep(0.02)
        sb.delete_task(task_id)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_a_list_that_changes_while_read_deletes_nothing_and_a_clean_run_catches_up(
    reply_sandbox: ReplySandbox, tmp_path: Path
) -> None:
    sb, url = reply_sandbox, duckdb_url(tmp_path)
    extract(sb, tmp_path)
    order = [t["id"] for t in served(sb)]
    for round_, (calls, victim) in enumerate([(2, order[0]), (3, order[60])]):
        # Round 0: a task of the first page goes while page 2 is read (the re-read of the
        # first page differs). Round 1: one of page 2 goes while page 3 is read; the first
        # page is unchanged, but the row pushed back onto page 2 was skipped and Reply still
        # serves it when it is read by id.
        sb.clear_requests()
        sb.configure(faults={"latency_ms": 250})
        watcher = _delete_when(sb, calls, victim)
        summary = extract(sb, tmp_path, top=50)
        watcher.join()
        assert not summary.complete and summary.removed is None, summary.format()
        said = "first page differs" if round_ == 0 else "still in Reply"
        assert any(said in w for w in summary.warnings), summary.warnings
        assert len(_ids(url)) == 300 - round_  # nothing deleted, the skipped task still there
        sb.configure(faults={"latency_ms": 0})
        clean = extract(sb, tmp_path, top=50)
        assert clean.complete and clean.removed == 1
        assert _ids(url) == sorted(t["id"] for t in served(sb))
        order = [t["id"] for t in served(sb)]
