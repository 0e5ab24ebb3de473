"""Saleshandy reconciliation keeps the list pages it read at one instant and reuses them on the
next look while the list provably stood still (`sales_tasks.destinations.saleshandy.search`):
a kept page never hides a task that was listed when a read began, whatever creates land
between reads or during them, anywhere in the list (tasks of equal due dates in any order),
and a list that stood still costs a look one request per kept segment, all at once.

Over a spec-shaped list served in process (`tests.saleshandy.sh_spec_vendor`), and whole pushes
under faults over the sandbox with either order of equal due dates (its switch `list_ties`:
Saleshandy does not publish it), into DuckDB and PostgreSQL.
"""

from __future__ import annotations

import bisect
import random
from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_tasks.destinations.saleshandy.search import TaskListReader
from tests.saleshandy.sh_push_helpers import (
    CREATE,
    prospect_ids,
    rows_for,
    sh_ledger,
    sh_push,
    sh_warehouse,
    write_input,
)
from tests.saleshandy.sh_spec_vendor import SpecVendor, spec_task

FIXTURES = (sh_push, sh_warehouse)  # found by pytest in this module's namespace

TASKS = "/v1/tasks"
DAYS = [f"2026-{m:02d}-{d:02d}" for m in (6, 5, 4, 3) for d in (28, 21, 14, 7, 1)]


def _reader(spec: SpecVendor, pages_at_once: int = 16) -> TaskListReader:
    return TaskListReader(spec.client(), pages_at_once=pages_at_once)


def _task(n: int, due: str, prospect: int) -> dict[str, Any]:
    task = spec_task(n)
    task["dueDate"] = due
    task["prospect"] = {"id": f"P{prospect:09d}", "email": f"p{prospect}@example.com"}
    return task


class GrowingList:
    """A list newest due date first that tasks only enter: each lands among the tasks of its
    due date at a place drawn at random (first, last or between: the order of equal due dates
    is not published), so it may shift any page after it."""

    def __init__(self, spec: SpecVendor, rng: random.Random) -> None:
        self.spec, self.rng = spec, rng
        self.made = 10**6

    def create(self, due: str, prospect: int) -> dict[str, Any]:
        keys = [-int(t["dueDate"].replace("-", "")) for t in self.spec.items]
        day = -int(due.replace("-", ""))
        low, high = bisect.bisect_left(keys, day), bisect.bisect_right(keys, day)
        self.made += 1
        task = _task(self.made, due, prospect)
        self.spec.items.insert(self.rng.randint(low, high), task)
        return task


def _expected(spec: SpecVendor, wanted: set[str], window: tuple[str, str]) -> set[str]:
    return {
        t["taskId"]
        for t in spec.items
        if t["prospect"]["id"] in wanted and window[0] <= t["dueDate"] <= window[1]
    }


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(min_value=50, max_value=2200),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    looks=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=len(DAYS) - 1),  # window top
            st.integers(min_value=0, max_value=6),  # window length in due dates
            st.integers(min_value=0, max_value=40),  # creates before the look
            st.integers(min_value=0, max_value=40),  # creates during the look
            st.integers(min_value=0, max_value=30),  # from the look's nth request on
        ),
        min_size=2,
        max_size=6,
    ),
    pages_at_once=st.sampled_from([1, 4, 16]),
)
def test_kept_pages_never_hide_a_task_listed_before_the_read_began(
    n: int, seed: int, looks: list[tuple[int, int, int, int, int]], pages_at_once: int
) -> None:
    """Look after look over one list, with creates between the looks and during them, anywhere
    in the list: every task of the wanted prospects due inside the window that was listed when
    a look began is in that look's result, so a kept page can never make a created task look
    "not created"."""
    rng = random.Random(seed)
    spec = SpecVendor(sorted((_task(i, rng.choice(DAYS), i % 9) for i in range(n)),
                             key=lambda t: t["dueDate"], reverse=True))  # fmt: skip
    growing = GrowingList(spec, rng)
    reader = _reader(spec, pages_at_once)
    answer = spec.answer
    during: dict[int, int] = {}

    def creating(method: str, path: str, query: dict[str, str]) -> tuple[int, Any]:
        for _ in range(during.pop(len(spec.calls), 0)):
            growing.create(rng.choice(DAYS), rng.randrange(9))
        return answer(method, path, query)

    spec.answer = creating  # type: ignore[method-assign]
    wanted = {f"P{p:09d}" for p in range(0, 9, 2)}
    for top, length, before, creates, after in looks:
        for _ in range(before):
            growing.create(rng.choice(DAYS), rng.randrange(9))
        window = (DAYS[min(len(DAYS) - 1, top + length)], DAYS[top])
        expected = _expected(spec, wanted, window)
        during.clear()
        during[len(spec.calls) + after] = creates
        result = reader.read(wanted, window)
        assert result.tasks is not None, result.reason
        assert expected <= {t["id"] for t in result.tasks}


def _list(n: int) -> SpecVendor:
    """n tasks: 1,000 due later than the window, then the window's due date, then 500 earlier."""
    items = [_task(i, "2026-09-01", i % 9) for i in range(1000)]
    items += [_task(i, "2026-05-01", i % 9) for i in range(1000, 1000 + n)]
    items += [_task(i, "2026-01-01", i % 9) for i in range(1000 + n, 1500 + n)]
    return SpecVendor(items)


def _pages(spec: SpecVendor, since: int) -> list[int]:
    return [int(q["page"]) for q in spec.requested(TASKS)[since:]]


def test_a_look_at_a_list_that_stood_still_asks_once_per_kept_segment_all_at_once() -> None:
    """A window of 30 pages: the first look probes and reads them; the next looks read only the
    last page of what they kept (and the page after it), and their result is one instant of
    the list, as one response would be."""
    spec = _list(3000)
    reader = _reader(spec)
    wanted = {f"P{p:09d}" for p in range(9)}
    window = ("2026-05-01", "2026-05-01")
    first = reader.read(wanted, window)
    assert first.tasks is not None
    assert sum(t["due_at"] == "2026-05-01" for t in first.tasks) == 3000
    for _ in range(2):
        since = len(spec.calls)
        again = reader.read(wanted, window)
        assert again.tasks is not None
        assert sum(t["due_at"] == "2026-05-01" for t in again.tasks) == 3000
        assert again.one_read
        assert len(_pages(spec, since)) <= 4, _pages(spec, since)
    assert reader.reused >= 2 * 28


def test_a_task_created_inside_the_kept_pages_is_found_and_they_are_read_again() -> None:
    """A create between two looks lands on the window's first page: every kept page after it
    moved, the page read again says so, and the next look reads them afresh (the task is in
    its result, nothing hidden by what was kept)."""
    spec = _list(3000)
    reader = _reader(spec)
    wanted = {"P000000007"}
    window = ("2026-05-01", "2026-05-01")
    assert reader.read(wanted, window).tasks is not None
    made = _task(5 * 10**6, "2026-05-01", 7)
    spec.items.insert(1001, made)
    since = len(spec.calls)
    again = reader.read(wanted, window)
    assert again.tasks is not None and made["taskId"] in {t["id"] for t in again.tasks}
    assert len(_pages(spec, since)) > 30  # the window's 30 pages, read again


def test_creates_after_the_kept_pages_leave_them_standing() -> None:
    """Creates that land after the kept pages (the sandbox lists equal due dates in creation
    order, so a push's own creates often do) move none of them: the next look reuses them and
    reads the pages after them."""
    spec = _list(3000)
    reader = _reader(spec)
    wanted = {"P000000003"}
    window = ("2026-01-01", "2026-05-01")
    assert reader.read(wanted, window).tasks is not None
    made = [_task(6 * 10**6 + i, "2026-01-01", 3) for i in range(150)]
    spec.items.extend(made)
    since = len(spec.calls)
    again = reader.read(wanted, window)
    assert again.tasks is not None
    assert {t["taskId"] for t in made} <= {t["id"] for t in again.tasks}
    assert len(_pages(spec, since)) <= 12, _pages(spec, since)


def test_read_one_page_after_the_other_nothing_is_kept() -> None:
    spec = _list(500)
    reader = _reader(spec, pages_at_once=1)
    wanted = {"P000000001"}
    for _ in range(2):
        assert reader.read(wanted, ("2026-05-01", "2026-05-01")).tasks is not None
    assert reader.reused == 0


@pytest.mark.parametrize("ties", ["created", "newest"])
def test_a_push_under_faults_creates_every_task_once_whatever_the_order_of_equal_due_dates(
    make_saleshandy_sandbox: Any, sh_warehouse: str, sh_push: Any, ties: str
) -> None:
    """400 rows (200 prospects, two due dates each) in calls of 40, 10% of every call answered
    5xx and 10% of creates' answers dropped after the work: every row is delivered, after at
    most one rerun, each task exists once, and the ledger says delivered; with the sandbox
    listing equal due dates oldest first (the push's creates land after the kept pages) and
    newest first (they move every kept page of their due date)."""
    sb = make_saleshandy_sandbox(
        tasks=1500,
        list_ties=ties,
        faults={"error_rate": 0.1, "drop_after_create_rate": 0.1, "fault_seed": 7},
    )
    prospects = prospect_ids(sb, 200)
    rows = rows_for(prospects, "a", due_date="2026-04-22")
    rows += rows_for(prospects, "b", due_date="2026-03-10")
    write_input(sh_warehouse, rows)
    # At least one answer lost, whatever the draws.
    sb.script_faults([{"path": CREATE, "fault": "drop_after_create", "count": 1, "after": 2}])
    first = sh_push(sb, max_prospects_per_call=40, list_lag_seconds=0)
    assert first.reconciled.get("found", 0) >= 40, first.format()
    assert first.created + first.already_delivered + first.needs_review == len(rows)
    if first.needs_review:
        again = sh_push(sb, max_prospects_per_call=40, list_lag_seconds=0)
        assert again.needs_review == 0, again.format()
    made = Counter((t["prospect"]["id"], t["dueDate"]) for t in sb.created())
    assert len(made) == len(rows) and set(made.values()) == {1}
    assert {e["state"] for e in sh_ledger(sh_warehouse).values()} == {"delivered"}
