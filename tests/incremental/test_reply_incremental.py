"""Reply incremental runs, proved against the full scan: real HTTP to the sandbox, DuckDB.

An incremental run reads `POST /v3/tasks/filter` with `status` `new` and `sequenceDetached`
whole, then `finished` from a floor on `startAt` (`from`, RS @1,710,000; VENDOR-SPECS 1.4 and
fact 4): the lowest `startAt` of the tasks open at the last run that are open no more, or the last
run's start. It must leave exactly the rows a full scan leaves, deleted tasks aside; the
scheduled full scan removes those, and repairs what no window can see (a task made and finished
between two runs with a `startAt` before the first). On a long-lived account (most tasks finished
or cleared) it costs at most a fifth of a full scan's calls.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import duckdb
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from sales_tasks.sources.reply.schema import TASK_COLUMNS
from tests.profiles import examples
from tests.reply.test_reply_extract_e2e import extract, served

COLUMNS = ", ".join(name for name, *_ in TASK_COLUMNS)
# The sandbox's limits raised, and the client's pacing (a setting of the source) with them.
FAST_SANDBOX = {"rate_limits": {"minute": 10**6, "hour": 10**7}}
FAST = {"rate_limits": "1000000/60", "top": 50}
OPEN = ("new", "sequenceDetached")
_runs = itertools.count()


def tasks_of(path: Path) -> set[tuple[Any, ...]]:
    with duckdb.connect(str(path / "tasks.duckdb"), read_only=True) as con:
        return set(con.sql(f"SELECT {COLUMNS} FROM reply.tasks").fetchall())


def fresh(tmp: Path) -> Path:
    path = tmp / f"run{next(_runs)}"
    path.mkdir()
    return path


def calls(sb: Any) -> int:
    return len([r for r in sb.requests() if r["path"].startswith("/v3/")])


def iso(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def new_task(sb: Any, start: dt.datetime, status: str = "new") -> int:
    contact = sb.contacts(limit=1)[0]["id"]
    made = sb.add_task(
        taskType="call",
        contactId=contact,
        startAt=iso(start),
        dueTo=iso(start + dt.timedelta(hours=4)),
        template={"body": "Call about the renewal"},
        status=status,
    )
    return int(made["id"])


# One change made in Reply's app between two runs: (what, which task by index, detail).
CHANGE = st.one_of(
    st.tuples(st.just("finish"), st.integers(0, 10_000), st.none()),
    st.tuples(st.just("detach"), st.integers(0, 10_000), st.none()),
    st.tuples(st.just("reschedule"), st.integers(0, 10_000), st.integers(-72, 72)),
    st.tuples(st.just("new"), st.integers(0, 48), st.sampled_from(["new", "finished"])),
    st.tuples(st.just("delete"), st.integers(0, 10_000), st.booleans()),
)


def apply(sb: Any, changes: list[tuple[str, int, Any]]) -> set[int]:
    """Make `changes` through the sandbox's hooks; the ids deleted (cancelled or archived)."""
    listed = served(sb)
    opened = sorted(t["id"] for t in listed if t["status"] == "new")
    done = sorted(t["id"] for t in listed if t["status"] == "finished")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    deleted: set[int] = set()
    for what, index, detail in changes:
        alive = [i for i in opened if i not in deleted]
        if what == "finish" and alive:
            sb.patch_task(alive[index % len(alive)], status="finished")
        elif what == "detach" and alive:
            sb.patch_task(alive[index % len(alive)], status="sequenceDetached")
        elif what == "reschedule" and alive:
            sb.patch_task(alive[index % len(alive)], startAt=iso(now + dt.timedelta(hours=detail)))
        elif what == "new":  # made now, starting now or later (as a sequence schedules it)
            new_task(sb, now + dt.timedelta(hours=index), detail)
        elif what == "delete":
            pool = [i for i in (opened if detail else done) if i not in deleted]
            if pool:
                victim = pool[index % len(pool)]
                sb.delete_task(victim)
                deleted.add(victim)
    return deleted


# Every kind of change at once, in every profile; then 2 generated mixes (`make test`, the same
# two every run) or 30 random ones (`make test-deep`).
EVERY_KIND = [
    ("finish", 1, None), ("detach", 2, None), ("reschedule", 3, -5), ("reschedule", 4, 30),
    ("new", 5, "new"), ("new", 6, "finished"), ("delete", 7, True), ("delete", 8, False),
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
    reply_sandbox: Any, tmp_path: Path, changes: list[tuple[str, int, Any]]
) -> None:
    sb = reply_sandbox
    sb.reset()
    sb.configure(**FAST_SANDBOX)
    mirror = fresh(tmp_path)
    first = extract(sb, mirror, incremental=True, **FAST)
    assert first.full_scan and first.complete

    deleted = apply(sb, changes)
    second = extract(sb, mirror, incremental=True, **FAST)
    assert not second.full_scan and second.complete
    assert second.removed is None  # an incremental run never deletes

    truth = fresh(tmp_path)
    full = extract(sb, truth, **FAST)
    assert full.full_scan and full.complete
    expected, mirrored = tasks_of(truth), tasks_of(mirror)
    assert {row for row in mirrored if row[0] not in deleted} == expected
    assert {row[0] for row in mirrored} - {row[0] for row in expected} == deleted

    third = extract(sb, mirror, incremental=True, full_every="1", **FAST)
    assert third.full_scan and third.complete and third.removed == len(deleted)
    assert tasks_of(mirror) == expected


def test_incremental_costs_at_most_a_fifth_of_a_full_scan(
    make_reply_sandbox: Any, tmp_path: Path
) -> None:
    sb = make_reply_sandbox(tasks=4_000, history_days=720, **FAST_SANDBOX)
    mirror = fresh(tmp_path)
    options = {**FAST, "top": 100}
    sb.clear_requests()
    full = extract(sb, mirror, incremental=True, **options)
    full_calls = calls(sb)
    assert full.full_scan and full_calls == full.requests

    apply(sb, [("finish", i * 3, None) for i in range(20)] + [("new", i, "new") for i in range(5)])
    sb.clear_requests()
    incremental = extract(sb, mirror, incremental=True, **options)
    incremental_calls = calls(sb)
    assert not incremental.full_scan and incremental.complete
    assert incremental_calls * 5 <= full_calls, (incremental_calls, full_calls)
    assert [r["method"] for r in sb.requests() if r["path"] == "/v3/tasks"] == []
    truth = fresh(tmp_path)
    extract(sb, truth, **options)
    assert tasks_of(mirror) == tasks_of(truth)


def test_what_no_window_sees_waits_for_the_scheduled_full_scan(
    make_reply_sandbox: Any, tmp_path: Path
) -> None:
    """A task made and finished between two runs, starting long before the first: no `startAt`
    window of an incremental run can hold it (Reply has no `updatedAt`, fact 2); the next
    scheduled full scan loads it."""
    sb = make_reply_sandbox(**FAST_SANDBOX)
    first = extract(sb, tmp_path, incremental=True, full_every="2", **FAST)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    hidden = new_task(sb, old, status="finished")
    second = extract(sb, tmp_path, incremental=True, full_every="2", **FAST)
    ids = {row[0] for row in tasks_of(tmp_path)}
    assert not second.full_scan and hidden not in ids
    extract(sb, tmp_path, incremental=True, full_every="2", **FAST)  # the 2nd incremental run
    third = extract(sb, tmp_path, incremental=True, full_every="2", **FAST)
    assert first.full_scan and third.full_scan
    assert hidden in {row[0] for row in tasks_of(tmp_path)}
