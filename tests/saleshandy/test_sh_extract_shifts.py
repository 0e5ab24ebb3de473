"""Tasks created and deleted while the extract pages: the sandbox changes the list just before
a chosen page is answered (`change_before_page`, no timing), both ways round (behind and ahead
of the read position), on every switch that changes what a task looks like.

What a user relies on: a live task already in the mirror is never removed; a run that says
`complete` holds exactly the tasks Saleshandy held when it began; the next quiet run equals
Saleshandy.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.saleshandy.sh_extract_support import extract, query, served_tasks


def _ids(folder: Path) -> set[str]:
    return {r[0] for r in query(folder, "SELECT id FROM saleshandy.tasks")}


def _live(sb: Any) -> set[str]:
    return {t["id"] for t in served_tasks(sb)}


def _added(prospect: str, due: str, state: str, n: int) -> list[dict[str, Any]]:
    return [
        {"prospectId": prospect, "taskType": "9", "dueDate": due, "state": state,
         "taskNote": f"made mid-scan {n}-{i}"}
        for i in range(n)
    ]  # fmt: skip


@pytest.mark.parametrize("created_at", [True, False], ids=["createdAt", "no-createdAt"])
@pytest.mark.parametrize("task_key", ["taskId", "id"])
def test_deleted_behind_and_created_ahead_removes_no_live_task(
    make_saleshandy_sandbox: Any, tmp_path: Path, created_at: bool, task_key: str
) -> None:
    """The case that once said `complete` and removed 5 live tasks: 5 deleted behind the read
    position and 5 created ahead, with the same status, so every count stays equal."""
    sb = make_saleshandy_sandbox(task_created_at=created_at, task_key=task_key)
    assert extract(sb, tmp_path, concurrency=1).complete
    before = _ids(tmp_path)
    served = served_tasks(sb)  # in the scan's order (dueDate ascending)
    gone = [t["id"] for t in served[:100] if t["status"] == "completed"][:5]
    assert len(gone) == 5
    prospect = served[0]["prospect"]["id"]
    sb.change_before_page(3, delete=gone, add=_added(prospect, "2099-01-01", "completed", 5))
    summary = extract(sb, tmp_path, concurrency=1)
    live = _live(sb)
    assert not summary.complete and summary.removed is None
    assert before & live <= _ids(tmp_path)  # no live task lost
    assert summary.rows["tasks"] == 300  # the counts, the distinct ids: all equal
    said = "created while the list was read" if created_at else "the list moved while it was read"
    assert any(said in w for w in summary.warnings), summary.warnings
    again = extract(sb, tmp_path, concurrency=1)
    assert again.complete and again.removed == 5 and _ids(tmp_path) == live
    (gone_checked,) = query(
        tmp_path,
        "SELECT verified_gone FROM saleshandy.extract_runs ORDER BY started_at DESC LIMIT 1",
    )[0]
    assert gone_checked == 5  # each removal answered 404 by id first


@pytest.mark.parametrize("created_at", [True, False], ids=["createdAt", "no-createdAt"])
def test_the_same_change_on_a_first_load_is_incomplete_too(
    make_saleshandy_sandbox: Any, tmp_path: Path, created_at: bool
) -> None:
    """Nothing loaded before to verify by id: the tasks' creation times tell, or without them
    the places where pages ended."""
    sb = make_saleshandy_sandbox(task_created_at=created_at)
    served = served_tasks(sb)
    gone = [t["id"] for t in served[:100] if t["status"] == "completed"][:5]
    prospect = served[0]["prospect"]["id"]
    sb.change_before_page(3, delete=gone, add=_added(prospect, "2099-01-01", "completed", 5))
    summary = extract(sb, tmp_path, concurrency=1)
    assert not summary.complete
    assert extract(sb, tmp_path, concurrency=1).complete and _ids(tmp_path) == _live(sb)


def test_created_behind_and_deleted_ahead_shows_in_the_distinct_ids(
    make_saleshandy_sandbox: Any, tmp_path: Path
) -> None:
    sb = make_saleshandy_sandbox()
    assert extract(sb, tmp_path, concurrency=1).complete
    served = served_tasks(sb)
    late = [t["id"] for t in served[250:] if t["status"] == "upcoming"][:3]
    prospect = served[0]["prospect"]["id"]
    sb.change_before_page(2, delete=late, add=_added(prospect, "2000-01-01", "open", 3))
    summary = extract(sb, tmp_path, concurrency=1)
    assert not summary.complete and summary.removed is None
    assert set(late) <= _ids(tmp_path)  # not removed on this run's word
    assert any("distinct tasks but the counts say" in w or "counts changed" in w
               for w in summary.warnings), summary.warnings  # fmt: skip


def test_changes_behind_the_read_position_only_leave_the_scan_true_to_its_start(
    make_saleshandy_sandbox: Any, tmp_path: Path
) -> None:
    """A task deleted and one created, both on pages already read: the run read Saleshandy as
    it was when it began (complete), and the next run catches up."""
    sb = make_saleshandy_sandbox()
    assert extract(sb, tmp_path, concurrency=1).complete
    served = served_tasks(sb)
    at_start = {t["id"] for t in served}
    early = [t for t in served[:100] if t["status"] == "completed"]
    add = _added(early[0]["prospect"]["id"], served[0]["dueDate"], "completed", 1)
    sb.change_before_page(3, delete=[early[1]["id"]], add=add)
    summary = extract(sb, tmp_path, concurrency=1)
    assert summary.complete and summary.removed == 0 and _ids(tmp_path) == at_start
    again = extract(sb, tmp_path, concurrency=1)
    assert again.complete and again.removed == 1 and _ids(tmp_path) == _live(sb)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    concurrency=st.sampled_from([1, 4]),
    created_at=st.booleans(),
    task_key=st.sampled_from(["taskId", "id"]),
    before_page=st.integers(1, 3),
    between=st.lists(st.integers(0, 249), max_size=3, unique=True),
    deleted=st.lists(st.integers(0, 249), max_size=6, unique=True),
    added=st.lists(
        st.tuples(
            st.sampled_from(["2000-01-01", "2026-06-15", "2099-01-01"]),
            st.sampled_from(["open", "completed", "skipped"]),
        ),
        max_size=6,
    ),  # fmt: skip
)
def test_drill_random_changes_at_random_pages_never_lose_a_live_task(
    make_saleshandy_sandbox: Any,
    tmp_path: Path,
    concurrency: int,
    created_at: bool,
    task_key: str,
    before_page: int,
    between: list[int],
    deleted: list[int],
    added: list[tuple[str, str]],
) -> None:
    sb = _drill_sandbox(make_saleshandy_sandbox)
    sb.reset()
    sb.configure(task_created_at=created_at, task_key=task_key)
    folder = tmp_path / uuid.uuid4().hex
    folder.mkdir()
    assert extract(sb, folder, concurrency=concurrency).complete
    served = served_tasks(sb)
    for i in between:  # deleted between the runs: the next complete run removes them
        sb.delete_task(served[i]["id"])
    served = served_tasks(sb)
    at_start = {t["id"] for t in served}
    before = _ids(folder)
    prospect = served[0]["prospect"]["id"]
    sb.change_before_page(
        before_page,
        delete=[served[i]["id"] for i in deleted if i < len(served)],
        add=[{**_added(prospect, due, state, 1)[0], "taskNote": f"drill {n}"}
             for n, (due, state) in enumerate(added)],
    )  # fmt: skip
    summary = extract(sb, folder, concurrency=concurrency)
    assert sb.list_changes() == []  # the change was made during the scan
    live = _live(sb)
    assert before & live <= _ids(folder), "a live task was removed"
    if summary.complete:
        assert _ids(folder) == at_start, "complete, but not what Saleshandy held at the start"
    assert extract(sb, folder, concurrency=concurrency).complete
    assert _ids(folder) == live


_DRILL: dict[str, Any] = {}


def _drill_sandbox(make: Any) -> Any:
    """One sandbox for the whole drill (reset per example), since hypothesis reuses fixtures."""
    key = id(make)
    if key not in _DRILL:
        _DRILL.clear()
        _DRILL[key] = make(tasks=250)
    return _DRILL[key]
