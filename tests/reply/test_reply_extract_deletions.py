"""Completeness that survives concurrent changes (issue 20, Reply): a run is complete only when
it proves the mirror equals Reply, and only a complete run removes tasks.

Changes are injected at exact points of a scan through the scan's `on_page` hook, which calls
the sandbox's data hooks (delete / add a task as if done in Reply's app): no threads, no sleeps.
Invariants checked after every run: no task Reply still lists is missing from the mirror; after
a complete run the mirror equals Reply."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from sales_tasks.clients.core import ApiClient
from sales_tasks.clients.reply.profile import REPLY_PROFILE, reply_auth
from sales_tasks.sandbox.reply import ReplySandbox
from sales_tasks.sources.reply.report import ReplyScanReport
from sales_tasks.sources.reply.scan import TaskScan
from sales_tasks.sources.reply.spec import ReplyExtractSummary
from tests.reply.test_reply_extract_e2e import (
    WAREHOUSES,
    duckdb_url,
    extract,
    rows,
    served,
    warehouse_for,
)

FAST = {"rate_limits": {"minute": 10**6, "hour": 10**7}}
NO_PACING = "1000000/60"
CONTACT = 3_100_010


@pytest.fixture(params=WAREHOUSES)
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    return warehouse_for(request, tmp_path)


def _ids(url: str) -> set[int]:
    return {i for (i,) in rows(url, "SELECT id FROM reply.tasks")}


def _live(sb: ReplySandbox) -> set[int]:
    return {t["id"] for t in served(sb)}


def _run(sb: ReplySandbox, tmp_path: Path, **kwargs: Any) -> ReplyExtractSummary:
    return extract(sb, tmp_path, top=100, rate_limits=NO_PACING, **kwargs)


def _at(which: str, page: int, act: Callable[[], None]) -> Callable[[str, int], None]:
    """An `on_page` hook doing `act` once, right after page `page` of pass `which`."""
    done: list[bool] = []

    def hook(pass_: str, number: int) -> None:
        if (pass_, number) == (which, page) and not done:
            done.append(True)
            act()

    return hook


def _add(sb: ReplySandbox) -> int:
    task = sb.add_task(
        taskType="call",
        startAt="2026-03-02T09:00:00Z",
        dueTo="2026-03-03T09:00:00Z",
        template={"body": "made in Reply while the extract ran"},
        contactId=CONTACT,
    )
    return int(task["id"])


@pytest.mark.parametrize("deleted_by_id", ["status", "404"])
def test_a_task_deleted_in_reply_is_removed_by_the_next_complete_run(
    make_reply_sandbox: Callable[..., ReplySandbox],
    warehouse: dict[str, Any],
    tmp_path: Path,
    deleted_by_id: str,
) -> None:
    # Whether Reply answers a deleted task by id with its cancelled/archived detail or with 404
    # is not documented: both prove it gone.
    sb = make_reply_sandbox(deleted_by_id=deleted_by_id, **FAST)
    url = warehouse["url"]
    assert _run(sb, tmp_path, **warehouse["options"]).removed == 0
    gone = [t["id"] for t in served(sb)[10:13]]
    for task_id in gone:
        sb.delete_task(task_id)
    sb.clear_requests()
    summary = _run(sb, tmp_path, **warehouse["options"])
    assert summary.complete and summary.removed == 3
    assert _ids(url) == _live(sb) and not set(gone) & _ids(url)
    # Each was read one by one before it was removed.
    checks = [r for r in sb.requests() if r["endpoint"] == "tasks.get"]
    assert sorted(int(r["path"].rsplit("/", 1)[1]) for r in checks) == sorted(gone)
    assert {r["status"] for r in checks} == {200 if deleted_by_id == "status" else 404}
    assert rows(
        url,
        "SELECT removed, unseen_known, verified_gone, list_stable FROM reply.extract_runs"
        " ORDER BY started_at",
    ) == [(0, 0, 0, True), (3, 3, 3, True)]


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


def test_deletions_before_and_while_paging_never_remove_a_live_task(
    make_reply_sandbox: Callable[..., ReplySandbox], tmp_path: Path
) -> None:
    # Issue 20's report: 120 tasks deleted between runs, then 150 deleted behind the read
    # position while the extract paged. The rows after them shift back a page boundary, so the
    # list skips 150 live tasks: the run must not call itself complete nor remove them.
    sb = make_reply_sandbox(tasks=700, **FAST)
    url = duckdb_url(tmp_path)
    assert _run(sb, tmp_path).complete
    order = [t["id"] for t in served(sb)]
    for task_id in order[500:620]:
        sb.delete_task(task_id)

    def delete_behind() -> None:
        for task_id in order[:150]:
            sb.delete_task(task_id)

    summary = _run(sb, tmp_path, on_page=_at("list", 3, delete_behind))
    assert not summary.complete and summary.removed is None
    assert _live(sb) <= _ids(url)  # every task Reply still holds is in the mirror
    assert any("changed while it was read" in w for w in summary.warnings)
    clean = _run(sb, tmp_path)
    assert clean.complete and clean.removed == 270 and _ids(url) == _live(sb)


@pytest.mark.parametrize(
    ("which", "page", "victim", "complete"),
    [
        ("list", 2, 50, False),  # behind the read position: a later row is skipped
        ("list", 2, 250, True),  # ahead of it: the list simply no longer has it
        ("recheck", 1, 250, False),  # during the proof's second pass
    ],
    ids=["behind", "ahead", "during-recheck"],
)
def test_a_task_deleted_mid_scan(
    make_reply_sandbox: Callable[..., ReplySandbox],
    tmp_path: Path,
    which: str,
    page: int,
    victim: int,
    complete: bool,
) -> None:
    sb = make_reply_sandbox(**FAST)
    url = duckdb_url(tmp_path)
    assert _run(sb, tmp_path).complete
    task_id = [t["id"] for t in served(sb)][victim]
    summary = _run(sb, tmp_path, on_page=_at(which, page, lambda: sb.delete_task(task_id)))
    assert summary.complete is complete, summary.warnings
    assert _live(sb) <= _ids(url)
    if complete:
        assert summary.removed == 1 and _ids(url) == _live(sb)
    else:
        assert summary.removed is None and task_id in _ids(url)
        again = _run(sb, tmp_path)
        assert again.complete and again.removed == 1 and _ids(url) == _live(sb)


@pytest.mark.parametrize(
    ("order", "which", "page", "complete"),
    [
        ("newest", "list", 1, False),  # new tasks come first: rows shift forward, one read twice
        ("id", "list", 1, True),  # new tasks come last: the scan reaches it
        ("id", "list", 3, False),  # after the last page was read: the second pass finds it
    ],
    ids=["behind-newest-first", "ahead-by-id", "after-the-last-page"],
)
def test_a_task_created_mid_scan(
    make_reply_sandbox: Callable[..., ReplySandbox],
    tmp_path: Path,
    order: str,
    which: str,
    page: int,
    complete: bool,
) -> None:
    sb = make_reply_sandbox(list_order=order, **FAST)
    url = duckdb_url(tmp_path)
    assert _run(sb, tmp_path).complete
    made: list[int] = []
    summary = _run(sb, tmp_path, on_page=_at(which, page, lambda: made.append(_add(sb))))
    assert summary.complete is complete, summary.warnings
    assert summary.removed == (0 if complete else None)
    assert len(_ids(url)) >= 300  # nothing removed either way
    if complete:
        assert _ids(url) == _live(sb) and made[0] in _ids(url)
    again = _run(sb, tmp_path)
    assert again.complete and _ids(url) == _live(sb) and made[0] in _ids(url)


def test_more_unseen_tasks_than_can_be_verified_make_the_run_incomplete(
    make_reply_sandbox: Callable[..., ReplySandbox], tmp_path: Path
) -> None:
    sb = make_reply_sandbox(**FAST)
    url = duckdb_url(tmp_path)
    _run(sb, tmp_path)
    for task in served(sb)[:5]:
        sb.delete_task(task["id"])
    sb.clear_requests()
    summary = _run(sb, tmp_path, verify_deletions=4)
    assert not summary.complete and summary.removed is None and len(_ids(url)) == 300
    assert any("more than verify_deletions" in w for w in summary.warnings)
    assert not [r for r in sb.requests() if r["endpoint"] == "tasks.get"]  # none on the list's word
    enough = _run(sb, tmp_path, verify_deletions=5)
    assert enough.complete and enough.removed == 5 and _ids(url) == _live(sb)


def _scan_of(body: dict[str, Any]) -> ReplyScanReport:
    """One scan against a mock Reply answering `body` to the list (and [] to team-users)."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("team-users"):
            return httpx.Response(200, json=[])
        return httpx.Response(200, json=body)

    report = ReplyScanReport()
    with ApiClient(
        "https://reply.invalid",
        auth=reply_auth("k"),
        profile=REPLY_PROFILE,
        transport=httpx.MockTransport(handler),
    ) as client:
        items = list(TaskScan(client, report, top=100, max_pages=5))
    assert items[-1] is report
    return report


def test_an_item_without_an_integer_id_is_counted_and_makes_the_run_incomplete() -> None:
    good = {"id": 1, "taskType": "call", "status": "new", "contact": {"id": 2, "fullName": None}}
    report = _scan_of({"items": [good, {"taskType": "call"}, {"id": "x1"}, 7], "hasMore": False})
    assert report.unreadable == 3 and not report.complete and report.tasks_seen == 1
    assert any("without an integer id" in w for w in report.warnings)
    assert report.as_row()["unreadable"] == 3
    fine = _scan_of({"items": [good], "hasMore": False})
    assert fine.unreadable == 0 and fine.complete
