"""Completeness that survives changes made while the scan reads (issue 20): the sandbox's hooks
delete and create tasks between two pages; the scan must then not call itself complete (so
nothing is deleted downstream), and a scan of a list that held still must.

Apollo pages by position, so a task deleted behind the read position moves an unread task onto
a page already read (skipped); with a task created ahead at the same time every count still
matches. These drills inject exactly that, and the simpler shifts, in both default orders the
sandbox can play (the order without `sort_by_field` is undocumented)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sales_tasks.clients.apollo.profile import APOLLO_PROFILE
from sales_tasks.clients.core import ApiClient
from sales_tasks.sandbox import Sandbox
from sales_tasks.sources.apollo.batch import Batch
from sales_tasks.sources.apollo.report import ScanReport
from sales_tasks.sources.apollo.scan import TaskScanner
from tests.source.helpers import served_tasks

CREATE = "/api/v1/tasks"


def scan(sb: Sandbox, at_page: int = 0, change: Callable[[], None] | None = None) -> ScanReport:
    """One scan, 50 a page, one page at a time; `change` runs once, after page `at_page`."""
    done = {"changed": False}

    def progress(report: ScanReport) -> None:
        if change is not None and not done["changed"] and report.pages == at_page:
            done["changed"] = True
            change()

    report = ScanReport(progress=progress)
    ids: list[str] = []
    with ApiClient(sb.base_url, sb.master_key, profile=APOLLO_PROFILE) as client:
        for item in TaskScanner(client, report, per_page=50, concurrency=1):
            if isinstance(item, Batch) and item.tasks is not None:
                ids += item.tasks.column("id").to_pylist()
    assert len(ids) == len(set(ids)) == report.tasks_seen
    report.ids = ids  # type: ignore[attr-defined]
    return report


def create_task(sb: Sandbox) -> None:
    task = {
        "user_id": sb.users()[0]["id"],
        "contact_id": sb.contacts(1)[0]["id"],
        "type": "call",
        "status": "scheduled",
        "due_at": "2030-01-01T09:00:00Z",
    }
    resp = httpx.post(f"{sb.base_url}{CREATE}", json=task, headers={"x-api-key": sb.master_key})
    resp.raise_for_status()


def delete_behind(sb: Sandbox) -> None:
    """Delete the task at position 10 (page 1 of 50 was read already)."""
    sb.delete_task(served_tasks(sb)[10]["id"])


@pytest.mark.parametrize("order", ["newest_first", "oldest_first"])
def test_a_list_that_holds_still_is_complete(make_sandbox: Any, order: str) -> None:
    sb = make_sandbox(default_order=order)
    report = scan(sb)
    assert report.complete and report.unreadable == 0
    assert sorted(report.ids) == sorted(t["id"] for t in served_tasks(sb))  # type: ignore[attr-defined]


@pytest.mark.parametrize("order", ["newest_first", "oldest_first"])
def test_deleted_behind_and_created_meanwhile_is_not_complete(
    make_sandbox: Any, order: str
) -> None:
    """With `oldest_first` the new task lands ahead of the read position: every count matches."""
    sb = make_sandbox(default_order=order)

    def change() -> None:
        delete_behind(sb)
        create_task(sb)

    report = scan(sb, at_page=2, change=change)
    assert not report.complete
    assert any("changed during the scan" in w for w in report.warnings)
    again = scan(sb)  # the list holds still now: complete, and equal to what Apollo serves
    assert again.complete
    assert sorted(again.ids) == sorted(t["id"] for t in served_tasks(sb))  # type: ignore[attr-defined]


@pytest.mark.parametrize("what", ["delete", "create"])
@pytest.mark.parametrize("at_page", [2, 8])  # during the first pass, during the second
def test_one_deletion_or_creation_during_either_pass_is_not_complete(
    make_sandbox: Any, what: str, at_page: int
) -> None:
    sb = make_sandbox()  # 300 tasks, 6 pages a pass
    report = scan(
        sb, at_page=at_page, change=lambda: (delete_behind if what == "delete" else create_task)(sb)
    )
    assert not report.complete, report.warnings


def test_a_status_change_during_the_scan_is_still_complete(make_sandbox: Any) -> None:
    """A task changed in place does not move (nothing shifts): the scan stays complete."""
    sb = make_sandbox()
    target = served_tasks(sb)[100]["id"]
    report = scan(sb, at_page=2, change=lambda: sb.patch_task(target, status="completed"))
    assert report.complete
