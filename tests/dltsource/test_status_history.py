"""The life of a task (issue "Beyond create", item 5): each extract keeps every task's status
versions in `task_status_history` (dlt's scd2), so reopen counts and time in status can be
queried. Three extracts over real HTTP into DuckDB per vendor, statuses changed in the sandbox
in between as a person would in the vendor's app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines.extract import extract_function, run_extract
from sources.core.history import STATUS_HISTORY_TABLE, reopen_counts_sql, time_in_status_sql

FAST = {"rate_limits": {"minute": 10**6, "hour": 10**7}}

run_reply_extract = extract_function("reply")
run_saleshandy_extract = extract_function("saleshandy")


@dataclass(frozen=True)
class Vendor:
    name: str
    extract: Callable[..., Any]
    key: Callable[[Any], str]
    sandbox: dict[str, Any]
    options: dict[str, Any]
    field: str  # the sandbox hook's status field
    close: Any  # the value that completes a task
    reopen: Any  # the value that opens it again


VENDORS = [
    Vendor("apollo", run_extract, lambda sb: sb.master_key, {}, {}, "status", "completed",
           "scheduled"),
    Vendor("saleshandy", run_saleshandy_extract, lambda sb: sb.api_key, {}, {}, "state",
           "completed", "open"),
    Vendor("reply", run_reply_extract, lambda sb: sb.api_key, FAST,
           {"rate_limits": "100000/1"}, "status", 1, 0),
]  # fmt: skip


def _rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql(sql).fetchall()


@pytest.mark.parametrize("vendor", VENDORS, ids=[v.name for v in VENDORS])
def test_status_changes_between_extracts_become_versions_with_reopens_and_durations(
    vendor: Vendor, sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    sb = sandbox_factory(vendor.name, tasks=120, **vendor.sandbox)
    warehouse = tmp_path / "w.duckdb"
    ds = vendor.name

    def extract() -> None:
        summary = vendor.extract(
            api_key=vendor.key(sb),
            base_url=sb.base_url,
            duckdb_path=str(warehouse),
            pipelines_dir=str(tmp_path / "pipelines"),
            **vendor.options,
        )
        assert summary.complete

    extract()
    current = dict(_rows(warehouse, f"SELECT id, shared_status FROM {ds}.{STATUS_HISTORY_TABLE}"))
    assert len(current) == 120  # one version per task after the first extract
    opened = next(i for i, s in current.items() if s == "open")
    done = next(i for i, s in current.items() if s == "completed")

    sb.patch_task(opened, **{vendor.field: vendor.close})  # completed in the vendor's app
    sb.patch_task(done, **{vendor.field: vendor.reopen})  # reopened
    extract()
    sb.patch_task(opened, **{vendor.field: vendor.reopen})  # and reopened in turn
    extract()
    extract()  # nothing changed: nothing written

    history = _rows(
        warehouse,
        f"SELECT id, shared_status, _dlt_valid_from, _dlt_valid_to FROM {ds}.{STATUS_HISTORY_TABLE}"
        " ORDER BY id, _dlt_valid_from",
    )
    by_task: dict[Any, list[tuple[Any, ...]]] = {}
    for row in history:
        by_task.setdefault(row[0], []).append(row[1:])
    assert [v[0] for v in by_task[opened]] == ["open", "completed", "open"]
    assert [v[0] for v in by_task[done]] == ["completed", "open"]
    # every other task: the one version it had, still current
    assert all(
        len(v) == 1 and v[0][2] is None for i, v in by_task.items() if i not in (opened, done)
    )
    # each version ends when the next begins; the last is current
    for versions in (by_task[opened], by_task[done]):
        for before, after in zip(versions, versions[1:], strict=False):
            assert before[2] == after[1] and before[1] < after[1]
        assert versions[-1][2] is None

    reopens = dict(_rows(warehouse, reopen_counts_sql(ds)))
    assert reopens[opened] == 1 and reopens[done] == 1
    assert sum(reopens.values()) == 2 and len(reopens) == 120

    spans = {r[0]: r for r in _rows(warehouse, time_in_status_sql(ds))}
    # ended versions: `opened`'s open and completed, `done`'s completed
    assert spans["open"][1] == 1 and spans["completed"][1] == 2
    assert spans["completed"][2] > 0  # hours, from the run that saw it to the one that did not
    assert sum(r[3] for r in spans.values()) == 120  # one current version per task
