"""The lifecycle planner's pure parts: what a row wants, the change that gets it there, what a
person changed, what a read-back proves, the guard's default and a plan's staleness."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sales_tasks.destinations.core.changes import TaskSnapshot
from sales_tasks.destinations.core.contract import InputRules
from sales_tasks.destinations.core.lifecycle import (
    PlannedChange,
    default_max_close,
    diff,
    manual_fields,
    wanted_values,
)
from sales_tasks.destinations.core.lifecycle_apply import shows
from sales_tasks.destinations.core.plan_table import stale_ids

RULES = InputRules(
    task_types=frozenset({"call"}),
    statuses=frozenset({"open", "done"}),
    priorities=frozenset({"high", "low"}),
    default_status="open",
    needs_user=False,
)
OPEN = {"due_at": "2030-01-01T09:00:00+00:00", "note": "n", "priority": None, "owner": "u1"}


def row(**values: Any) -> dict[str, Any]:
    base = {"request_id": "r1", "contact_id": "c1", "type": "call", "due_at": "2030-01-01T09:00Z"}
    return {**base, **values}


def test_a_close_status_is_a_close_whatever_the_vendor_creates() -> None:
    want, _ = wanted_values(row(status="Completed", user_id="u1"), RULES)
    assert want is not None and want["status"] == "completed" and want["owner"] == "u1"
    assert wanted_values(row(status="done"), RULES)[0]["status"] == "open"  # type: ignore[index]
    assert wanted_values(row(due_at="soon"), RULES)[0] is None


def test_the_change_is_the_difference_and_a_close_carries_no_fields() -> None:
    have = {**OPEN, "status": "open"}
    moved = {**have, "due_at": "2030-01-01T10:00:00+01:00", "note": "m"}  # same instant
    assert diff(moved, have) == ("update", {"note": "m"})
    assert diff({**moved, "owner": None}, have) == ("update", {"note": "m"})  # empty: unmanaged
    assert diff({**have, "status": "skipped", "note": "x"}, have) == ("skip", {})
    assert diff({**have, "status": "skipped"}, {**have, "status": "skipped"}) == ("", {})
    assert "reopening" in str(diff(have, {**have, "status": "completed"}))
    assert "already completed" in str(
        diff({**have, "status": "cancelled"}, {**have, "status": "completed"})
    )


def test_a_persons_change_is_one_that_is_neither_ours_nor_wanted() -> None:
    written = {**OPEN, "status": "open"}
    want = {**written, "due_at": "2030-02-01T09:00:00Z"}
    assert manual_fields(want, written, {**written}) == []
    assert manual_fields(want, written, {**written, "due_at": "2030-02-01T09:00:00Z"}) == []
    assert manual_fields(want, written, {**written, "due_at": "2030-03-01T09:00:00Z"}) == ["due_at"]
    assert manual_fields(want, written, {**written, "status": "completed"}) == ["status"]
    assert manual_fields(want, {}, {**written, "note": "theirs"}) == []  # nothing recorded


def test_a_read_back_proves_a_change_only_when_it_shows_it() -> None:
    task = TaskSnapshot("t1", "open", due_at="2030-02-01T09:00:00+00:00", note="n")
    update = PlannedChange("r1", "update", {"due_at": "2030-02-01T10:00:00+01:00"}, task_id="t1")
    assert shows(update, task)
    assert not shows(PlannedChange("r1", "update", {"note": "m"}, task_id="t1"), task)
    assert shows(PlannedChange("r1", "cancel", task_id="t1"), None)  # gone counts as cancelled
    assert not shows(PlannedChange("r1", "complete", task_id="t1"), None)
    assert shows(PlannedChange("r1", "cancel"), TaskSnapshot("t1", "skipped"))  # cancel as skip
    assert not shows(PlannedChange("r1", "complete"), TaskSnapshot("t1", "skipped"))


@given(st.integers(min_value=0, max_value=10**6))
def test_the_guard_allows_a_tenth_and_never_fewer_than_ten(open_tasks: int) -> None:
    limit = default_max_close(open_tasks)
    assert limit >= 10 and (limit == 10 or limit == open_tasks // 10)


@pytest.mark.parametrize(
    ("changed", "stale"),
    [
        ({}, []),
        ({"row_hash": "h2"}, ["r1"]),
        ({"version": 1}, ["r1"]),
        ({"fields": {"note": "other"}}, ["r1"]),
    ],
)
def test_a_plan_is_stale_when_any_line_differs(changed: dict[str, Any], stale: list[str]) -> None:
    line = PlannedChange("r1", "update", {"note": "n"}, "h1", 0, "t1")
    other = PlannedChange("r2", "cancel", {}, "", 3, "t2")
    now = PlannedChange(**{**line.__dict__, **changed})
    assert stale_ids([line, other], [now, other]) == stale
    assert stale_ids([line], [line, other]) == ["r2"]
