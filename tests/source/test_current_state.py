"""End to end: `tasks` follows Apollo: changes merged, deletions removed, never on partial scans."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dlt
import pytest

from sales_tasks.clients.core import VendorApiError
from sales_tasks.pipelines.messages import one_line_error
from sales_tasks.sandbox import Sandbox
from sales_tasks.sources.apollo import ScanReport, make_source
from tests.source.helpers import extract, query, served_tasks


def test_deleted_tasks_are_removed_only_after_complete_scans(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    first = extract(sandbox, tmp_path)
    assert first.removed == 0
    gone = [t["id"] for t in served_tasks(sandbox)[:2]]
    for task_id in gone:
        sandbox.delete_task(task_id)

    second = extract(sandbox, tmp_path)
    assert second.complete and second.removed == 2
    ids = {r[0] for r in query(tmp_path, "SELECT id FROM apollo.tasks")}
    assert len(ids) == 298 and not ids & set(gone)
    assert ids == {t["id"] for t in served_tasks(sandbox)}
    assert query(tmp_path, "SELECT removed FROM apollo.extract_runs ORDER BY started_at") == [
        (0,),
        (2,),
    ]

    # An incomplete scan (cap reached, filters ignored) must not delete anything.
    another = served_tasks(sandbox)[0]["id"]
    sandbox.delete_task(another)
    sandbox.configure(max_records=60, filters="ignore")
    third = extract(sandbox, tmp_path, max_records=60)
    assert not third.complete and third.removed is None
    assert another in {r[0] for r in query(tmp_path, "SELECT id FROM apollo.tasks")}
    assert query(tmp_path, "SELECT count(*) FROM apollo.tasks") == [(298,)]


def test_changed_tasks_are_updated_in_place(sandbox: Sandbox, tmp_path: Path) -> None:
    extract(sandbox, tmp_path)
    target = next(t for t in served_tasks(sandbox) if t["status"] == "scheduled")
    sandbox.patch_task(target["id"], status="completed", note="called back", priority="high")
    extract(sandbox, tmp_path)
    row = query(
        tmp_path,
        f"SELECT status, note, priority, completed_at IS NOT NULL FROM apollo.tasks WHERE id = '{target['id']}'",
    )
    assert row == [("completed", "called back", "high", True)]
    assert query(tmp_path, "SELECT count(*), count(DISTINCT id) FROM apollo.tasks") == [(300, 300)]


def test_a_failing_run_loads_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    """The key is revoked after two pages: the run fails with the vendor's error, nothing loaded."""

    def revoke_after_two_pages(report: ScanReport) -> None:
        if report.pages == 2:
            sandbox.configure(master_keys=["rotated-key"])

    source = make_source(
        api_key=sandbox.master_key,
        base_url=sandbox.base_url,
        per_page=100,
        concurrency=1,
        report=ScanReport(progress=revoke_after_two_pages),
    )
    pipeline = dlt.pipeline(
        "apollo_tasks",
        destination=dlt.destinations.duckdb(str(tmp_path / "tasks.duckdb")),
        dataset_name="apollo",
        pipelines_dir=str(tmp_path / "pipelines"),
    )
    with pytest.raises(Exception) as caught:
        pipeline.run(source)
    assert "401" in one_line_error(caught.value)
    assert _has_vendor_error(caught.value)
    assert not (tmp_path / "tasks.duckdb").exists() or not query(
        tmp_path,
        "SELECT * FROM information_schema.tables WHERE table_schema = 'apollo'"
        " AND table_name = 'tasks'",
    )


def _has_vendor_error(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, VendorApiError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


@pytest.fixture(autouse=True)
def _no_env_key(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("APOLLO_API_KEY", raising=False)


def test_an_account_left_with_no_task_empties_the_mirror(sandbox: Sandbox, tmp_path: Path) -> None:
    """A complete scan that reads no task loads no seen ids: the earlier run's ids must not keep
    the mirror full of tasks the vendor no longer has."""
    assert extract(sandbox, tmp_path).removed == 0
    for task in served_tasks(sandbox):
        sandbox.delete_task(task["id"])
    assert served_tasks(sandbox) == []
    emptied = extract(sandbox, tmp_path)
    assert emptied.complete and emptied.removed == 300
    assert query(tmp_path, "SELECT count(*) FROM apollo.tasks") == [(0,)]
