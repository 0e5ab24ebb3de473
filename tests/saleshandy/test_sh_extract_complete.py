"""Completeness and deletion: a complete run (counts before and after equal the ids read, each
removal answered 404 by id) removes tasks deleted in Saleshandy; an incomplete one (a page failing past retries, counts that
change or cannot be read) loads what it read, deletes nothing and says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.saleshandy.sh_extract_support import (
    COUNTS,
    TASKS,
    extract,
    list_calls,
    query,
    served_tasks,
)


def _ids(tmp_path: Path) -> set[str]:
    return {r[0] for r in query(tmp_path, "SELECT id FROM saleshandy.tasks")}


def _last_run(tmp_path: Path) -> tuple[Any, ...]:
    return query(
        tmp_path,
        "SELECT complete, removed, warnings FROM saleshandy.extract_runs"
        " ORDER BY started_at DESC LIMIT 1",
    )[0]


def test_a_task_deleted_in_saleshandy_is_removed_by_the_next_complete_run(
    saleshandy_sandbox: Any, tmp_path: Path
) -> None:
    sb = saleshandy_sandbox
    assert extract(sb, tmp_path).complete
    served = served_tasks(sb)
    gone = [served[0]["id"], served[150]["id"]]
    for task_id in gone:
        sb.delete_task(task_id)
    prospect = served[7]["prospect"]["id"]
    added = sb.add_task(prospect, taskType="9", taskNote="made in the app")
    summary = extract(sb, tmp_path)
    assert summary.complete and summary.removed == 2
    assert _ids(tmp_path) == {t["id"] for t in served_tasks(sb)}
    assert added["id"] in _ids(tmp_path) and not set(gone) & _ids(tmp_path)
    assert _last_run(tmp_path)[:2] == (True, 2)
    # Dimensions stay: other tasks or history may refer to the prospect of a deleted task.
    prospects = {r[0] for r in query(tmp_path, "SELECT id FROM saleshandy.prospects")}
    assert served[0]["prospect"]["id"] in prospects


def test_a_page_failing_past_retries_loads_what_was_read_and_deletes_nothing(
    saleshandy_sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = saleshandy_sandbox
    assert extract(sb, tmp_path).complete
    before = _ids(tmp_path)
    gone = served_tasks(sb)[-1]["id"]
    sb.delete_task(gone)
    monkeypatch.setenv("SOURCES__SALESHANDY__MAX_ATTEMPTS", "2")
    sb.script_faults([{"path": TASKS, "fault": "error_500", "count": 2, "after": 1}])
    summary = extract(sb, tmp_path, concurrency=1)  # pages in order: the script hits page 2
    assert not summary.complete and summary.removed is None
    assert summary.rows["tasks"] == 100  # page 1 was read and loaded, page 2 failed twice
    assert [c["query"]["page"] for c in list_calls(sb)][-3:] == ["1", "2", "2"]
    assert _ids(tmp_path) == before  # the deleted task is still there: nothing was removed
    assert any("page 2 of the task list failed" in w for w in summary.warnings)
    assert "INCOMPLETE" in summary.format() and "nothing was deleted" in summary.format()
    complete, removed, warnings = _last_run(tmp_path)
    assert (complete, removed) == (False, None) and "INCOMPLETE" in warnings
    # Fixed: the next run is complete and removes the task.
    summary = extract(sb, tmp_path)
    assert summary.complete and summary.removed == 1 and gone not in _ids(tmp_path)


def test_counts_that_cannot_be_read_leave_the_run_incomplete(
    saleshandy_sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = saleshandy_sandbox
    assert extract(sb, tmp_path).complete
    gone = served_tasks(sb)[3]["id"]
    sb.delete_task(gone)
    monkeypatch.setenv("SOURCES__SALESHANDY__MAX_ATTEMPTS", "1")
    sb.script_faults([{"path": COUNTS, "fault": "error_503", "count": 1, "after": 1}])
    summary = extract(sb, tmp_path)
    assert not summary.complete and summary.removed is None
    assert summary.rows["tasks"] == 299 and gone in _ids(tmp_path)
    assert any(f"GET {COUNTS} failed after the task list" in w for w in summary.warnings)


def test_a_task_created_during_the_scan_makes_the_counts_disagree(
    saleshandy_sandbox: Any, tmp_path: Path
) -> None:
    sb = saleshandy_sandbox
    assert extract(sb, tmp_path).complete
    gone = served_tasks(sb)[-1]["id"]
    sb.delete_task(gone)
    prospect = served_tasks(sb)[0]["prospect"]["id"]
    # Made in the app just before page 2 is answered (due long ago: behind the read position).
    sb.change_before_page(
        2, add=[{"prospectId": prospect, "taskType": "2", "dueDate": "2000-01-01"}]
    )
    summary = extract(sb, tmp_path)
    assert not summary.complete and summary.removed is None
    assert gone in _ids(tmp_path)  # nothing deleted
    assert any("the task counts changed while the list was read (299 -> 300" in w
               for w in summary.warnings), summary.warnings  # fmt: skip
    summary = extract(sb, tmp_path)
    assert summary.complete and summary.removed == 1
    assert _ids(tmp_path) == {t["id"] for t in served_tasks(sb)}


def test_an_empty_account_is_complete_and_removes_everything(
    make_saleshandy_sandbox: Any, tmp_path: Path
) -> None:
    sb = make_saleshandy_sandbox(tasks=5)
    assert extract(sb, tmp_path).complete
    for task in served_tasks(sb):
        sb.delete_task(task["id"])
    summary = extract(sb, tmp_path)
    assert summary.complete and summary.removed == 5
    assert _ids(tmp_path) == set()
