"""The life of a task (issue "Beyond create", item 5): each extract keeps every task's status
versions in `task_status_history` (dlt's scd2), so reopen counts and time in status can be
queried. Three extracts over real HTTP into DuckDB per vendor, statuses changed in the sandbox
in between as a person would in the vendor's app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sales_tasks.pipelines.extract import run_extract
from sales_tasks.pipelines.history_demo import run_history_demo
from sales_tasks.sources.core.history import (
    STATUS_HISTORY_TABLE,
    reopen_counts_sql,
    time_in_status_sql,
)

FAST = {"rate_limits": {"minute": 10**6, "hour": 10**7}}


@dataclass(frozen=True)
class Vendor:
    name: str
    sandbox: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)


VENDORS = [
    Vendor("apollo"),
    Vendor("saleshandy"),
    Vendor("reply", FAST, {"rate_limits": "100000/1"}),
]


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
        summary = run_extract(
            vendor.name,
            api_key=sb.api_key,
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

    sb.set_status(opened, "completed")  # completed in the vendor's app
    sb.set_status(done, "open")  # reopened
    extract()
    sb.set_status(opened, "open")  # and reopened in turn
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


@pytest.mark.parametrize("vendor", ["apollo", "saleshandy", "reply"])
def test_the_history_demo_makes_one_closed_version_per_change_it_reports(
    vendor: str, tmp_path: Path
) -> None:
    """`sales_tasks.pipelines.history_demo` (the notebook's chart data) works for every vendor: each status
    change it reports between extracts is one ended version, and every task has one current."""
    path = tmp_path / "history.duckdb"
    changes = run_history_demo(str(path), vendor=vendor, tasks=120, rounds=3)
    assert changes["completed"] > 0 and changes["reopened"] > 0
    ended, current, tasks = _rows(
        path,
        "SELECT count(*) FILTER (WHERE _dlt_valid_to IS NOT NULL),"
        " count(*) FILTER (WHERE _dlt_valid_to IS NULL), count(DISTINCT id)"
        f" FROM {vendor}.{STATUS_HISTORY_TABLE}",
    )[0]
    assert ended == sum(changes.values())
    assert current == tasks == 120
