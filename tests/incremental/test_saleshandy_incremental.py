"""Saleshandy incremental runs, proved against the full scan: real HTTP to the sandbox, DuckDB.

An incremental run reads the open tabs whole and the done tabs (`status=completed` by
`completedAt`, `status=skipped` by `skippedAt`, newest first) down to the last run's watermark
(VENDOR-SPECS 2.2, GET /v1/tasks, SN @~393,500). It must leave exactly the rows a full scan
leaves, deleted tasks aside (an incremental run never deletes); the scheduled full scan removes
those. On a long-lived account (most tasks done) it costs at most a fifth of a full scan's calls.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import dlt
import duckdb
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from sales_tasks.sources.saleshandy import saleshandy_source
from sales_tasks.sources.saleshandy.schema import TASK_COLUMNS
from tests.profiles import examples
from tests.saleshandy.sh_extract_support import extract, served_tasks

COLUMNS = ", ".join(name for name, *_ in TASK_COLUMNS)
# A long-lived account: two years of work, old work mostly done (`history_days`, `old_slips`).
REALISTIC = {"history_days": 720, "old_slips": 0.1}
_runs = itertools.count()


def tasks_of(path: Path) -> set[tuple[Any, ...]]:
    with duckdb.connect(str(path / "sh.duckdb"), read_only=True) as con:
        return set(con.sql(f"SELECT {COLUMNS} FROM saleshandy.tasks").fetchall())


def fresh(tmp: Path) -> Path:
    path = tmp / f"run{next(_runs)}"
    path.mkdir()
    return path


def calls(sb: Any) -> int:
    return len([r for r in sb.requests() if r["path"].startswith("/v1/")])


def open_and_done(sb: Any) -> tuple[list[str], list[str]]:
    tasks = served_tasks(sb)
    opened = sorted(t["id"] for t in tasks if t["status"] in ("upcoming", "dueToday", "overdue"))
    done = sorted(t["id"] for t in tasks if t["status"] in ("completed", "skipped"))
    return opened, done


# One change made in Saleshandy's app between two runs: (what, which task by index, detail).
CHANGE = st.one_of(
    st.tuples(st.just("state"), st.integers(0, 10_000), st.sampled_from(["completed", "skipped"])),
    st.tuples(st.just("reopen"), st.integers(0, 10_000), st.just("open")),
    st.tuples(st.just("due"), st.integers(0, 10_000), st.integers(-40, 40)),
    st.tuples(st.just("new"), st.integers(0, 10_000), st.sampled_from(["open", "completed", "skipped"])),
    st.tuples(st.just("delete"), st.integers(0, 10_000), st.booleans()),
)  # fmt: skip


def apply(sb: Any, changes: list[tuple[str, int, Any]]) -> set[str]:
    """Make `changes` through the sandbox's hooks; the ids deleted."""
    opened, done = open_and_done(sb)
    prospects = [p["id"] for p in sb.prospects(limit=50)]
    deleted: set[str] = set()
    for what, index, detail in changes:
        # A task deleted by an earlier change is gone: the vendor would answer 404 to its edit.
        alive = [i for i in opened if i not in deleted]
        alive_done = [i for i in done if i not in deleted]
        if what == "state" and alive:
            sb.patch_task(alive[index % len(alive)], state=detail)
        elif what == "reopen" and alive_done:
            sb.patch_task(alive_done[index % len(alive_done)], state="open")
        elif what == "due" and alive:
            day = f"2026-{1 + abs(detail) % 12:02d}-{1 + index % 28:02d}"
            sb.patch_task(alive[index % len(alive)], dueDate=day)
        elif what == "new":
            sb.add_task(prospects[index % len(prospects)], taskType="11", state=detail)
        elif what == "delete":
            pool = alive if detail else alive_done
            if pool:
                victim = pool[index % len(pool)]
                sb.delete_task(victim)
                deleted.add(victim)
    return deleted


# Every kind of change at once, in every profile; then 2 generated mixes (`make test`, the same
# two every run) or 30 random ones (`make test-deep`).
EVERY_KIND = [
    ("state", 1, "completed"), ("state", 2, "skipped"), ("reopen", 3, "open"), ("due", 4, -5),
    ("new", 5, "open"), ("new", 6, "completed"), ("delete", 7, True), ("delete", 8, False),
]  # fmt: skip


@settings(
    max_examples=examples(quick=2, deep=30),
    deadline=None,
    # Each example is three extracts over HTTP: no shrinking (it would take minutes); a failure
    # shows its changes as drawn.
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=st.lists(CHANGE, min_size=1, max_size=12))
@example(changes=EVERY_KIND)
def test_incremental_leaves_the_full_scans_rows(
    saleshandy_sandbox: Any, tmp_path: Path, changes: list[tuple[str, int, Any]]
) -> None:
    sb = saleshandy_sandbox
    sb.reset()
    mirror = fresh(tmp_path)
    first = extract(sb, mirror, incremental=True, page_size=25)
    assert first.full_scan and first.complete  # the first run sets the watermarks

    deleted = apply(sb, changes)
    second = extract(sb, mirror, incremental=True, page_size=25)
    assert not second.full_scan and second.complete
    assert second.removed is None  # an incremental run never deletes

    truth = fresh(tmp_path)
    full = extract(sb, truth, page_size=25)
    assert full.full_scan and full.complete
    expected = tasks_of(truth)
    mirrored = tasks_of(mirror)
    assert {row for row in mirrored if row[0] not in deleted} == expected
    assert {row[0] for row in mirrored} - {row[0] for row in expected} == deleted

    # The scheduled full scan (here after one incremental run) removes the deleted tasks.
    third = extract(sb, mirror, incremental=True, full_every="1", page_size=25)
    assert third.full_scan and third.complete
    assert third.removed == len(deleted)
    assert tasks_of(mirror) == expected


def test_incremental_costs_at_most_a_fifth_of_a_full_scan(
    make_saleshandy_sandbox: Any, tmp_path: Path
) -> None:
    sb = make_saleshandy_sandbox(tasks=6_000, **REALISTIC)
    mirror = fresh(tmp_path)
    sb.clear_requests()
    full = extract(sb, mirror, incremental=True)
    full_calls = calls(sb)
    assert full.full_scan and full_calls == full.requests

    apply(
        sb,
        [("state", i * 7, "completed") for i in range(30)]
        + [("new", i, "open") for i in range(10)],
    )
    sb.clear_requests()
    incremental = extract(sb, mirror, incremental=True)
    incremental_calls = calls(sb)
    assert not incremental.full_scan and incremental.complete
    assert incremental_calls * 5 <= full_calls, (incremental_calls, full_calls)
    assert f"the last full scan cost {full.requests} requests" in incremental.format()
    truth = fresh(tmp_path)
    extract(sb, truth)
    assert tasks_of(mirror) == tasks_of(truth)


def test_without_incremental_every_run_is_a_full_scan(
    saleshandy_sandbox: Any, tmp_path: Path
) -> None:
    first = extract(saleshandy_sandbox, tmp_path)
    second = extract(saleshandy_sandbox, tmp_path)
    assert first.full_scan and second.full_scan and second.removed == 0
    assert "scan:" not in second.format()


def test_an_incomplete_run_keeps_the_watermarks(saleshandy_sandbox: Any, tmp_path: Path) -> None:
    """A full scan that cannot be proved complete sets no watermark: the next run is full."""
    sb = saleshandy_sandbox
    sb.change_before_page(2, add=[{"prospectId": sb.prospects(limit=1)[0]["id"], "taskType": "11"}])
    first = extract(sb, tmp_path, incremental=True, page_size=50)
    assert first.full_scan and not first.complete
    second = extract(sb, tmp_path, incremental=True, page_size=50)
    assert second.full_scan and second.complete
    third = extract(sb, tmp_path, incremental=True, page_size=50)
    assert not third.full_scan


@pytest.mark.parametrize("schedule", ["2", "1h"])
def test_full_every_counts_runs_or_time(
    saleshandy_sandbox: Any, tmp_path: Path, schedule: str
) -> None:
    runs = [extract(saleshandy_sandbox, tmp_path, incremental=True, full_every=schedule)]
    runs += [extract(saleshandy_sandbox, tmp_path, incremental=True, full_every=schedule)
             for _ in range(3)]  # fmt: skip
    kinds = [r.full_scan for r in runs]
    # By runs: full, 2 incremental, full. By 1 hour: full, then incremental within the hour.
    assert kinds == ([True, False, False, True] if schedule == "2" else [True, False, False, False])


def test_a_bad_schedule_is_refused_before_any_call(saleshandy_sandbox: Any, tmp_path: Path) -> None:
    saleshandy_sandbox.clear_requests()
    with pytest.raises(ValueError, match="full_every"):
        extract(saleshandy_sandbox, tmp_path, incremental=True, full_every="weekly")
    assert calls(saleshandy_sandbox) == 0


def test_a_users_own_pipeline_keeps_the_watermarks_in_dlt_state(
    saleshandy_sandbox: Any, tmp_path: Path
) -> None:
    sb = saleshandy_sandbox
    pipeline = dlt.pipeline(
        "own_sh_incremental",
        destination=dlt.destinations.duckdb(str(tmp_path / "own.duckdb")),
        dataset_name="mine",
        pipelines_dir=str(tmp_path / "dlt"),
    )

    def source() -> Any:
        return saleshandy_source(
            api_key=sb.api_key, base_url=sb.base_url, incremental=True, page_size=20
        )

    pipeline.run(source())
    state = pipeline.state["sources"]["saleshandy"]["incremental"]
    assert state["runs_since_full"] == 0 and "completedAt" in state["watermarks"]
    sb.clear_requests()
    pipeline.run(source())
    state = pipeline.state["sources"]["saleshandy"]["incremental"]
    assert state["runs_since_full"] == 1
    with duckdb.connect(str(tmp_path / "own.duckdb"), read_only=True) as con:
        modes = con.sql("SELECT full_scan FROM mine.extract_runs ORDER BY started_at").fetchall()
    assert modes == [(True,), (False,)]
