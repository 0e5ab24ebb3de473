"""Unit tests of grouping, the minimum number of calls, and mapping answers back to rows."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from sales_tasks.clients.core import ApiClient
from sales_tasks.destinations.apollo.vendor import ApolloTaskVendor, map_tasks_to_rows
from sales_tasks.destinations.core.contract import TTaskRow
from sales_tasks.destinations.core.planner import minimum_calls, plan_calls


def row(i: int, contact: str, **kw: Any) -> TTaskRow:
    base: dict[str, Any] = {
        "row": i,
        "request_id": f"r{i}",
        "row_hash": "h",
        "user_id": "u",
        "user_email": None,
        "contact_id": contact,
        "contact_email": None,
        "type": "call",
        "status": "scheduled",
        "priority": "medium",
        "due_at": "2025-01-01T00:00:00.000+00:00",
        "note": None,
        "title": None,
    }
    base.update(kw)
    return TTaskRow(**base)  # type: ignore[typeddict-item]


def check(rows: list[TTaskRow], max_per_call: int, expected: int) -> list[list[TTaskRow]]:
    # Apollo's real grouping rules; the client is never called (planning needs no HTTP).
    vendor = ApolloTaskVendor(
        ApiClient("http://127.0.0.1:9", "unused"), max_contacts_per_call=max_per_call
    )
    calls = plan_calls(rows, vendor)
    assert minimum_calls(rows, vendor) == expected == len(calls)
    assert sorted(r["request_id"] for c in calls for r in c) == sorted(
        r["request_id"] for r in rows
    )
    for call in calls:
        assert len(call) <= max_per_call
        assert len({r["contact_id"] for r in call}) == len(call)  # distinct contacts per call
        assert len({vendor.group_key(r) for r in call}) == 1
    return calls


def test_one_group_chunked_at_the_maximum() -> None:
    calls = check([row(i, f"c{i}") for i in range(250)], 100, 3)
    assert sorted(len(c) for c in calls) == [83, 83, 84]


def test_groups_split_by_every_shared_field() -> None:
    rows = [
        row(1, "c1"),
        row(2, "c2"),
        row(3, "c3", user_id="u2"),
        row(4, "c4", type="action_item"),
        row(5, "c5", priority="high"),
        row(6, "c6", status="completed"),
        row(7, "c7", due_at="2025-01-02T00:00:00.000+00:00"),
        row(8, "c8", note="n"),
    ]
    check(rows, 100, 7)


def test_titled_rows_go_one_per_call() -> None:
    check([row(1, "c1", title="A"), row(2, "c2", title="A"), row(3, "c3")], 100, 3)


@pytest.mark.parametrize(
    ("copies", "others", "max_per_call", "expected"),
    [
        (3, 2, 100, 3),  # same contact three times: three calls, the others spread over them
        (2, 0, 100, 2),
        (2, 300, 100, 4),  # size bound dominates: ceil(302/100) = 4
        (5, 6, 3, 5),
    ],
)
def test_same_contact_twice_goes_to_separate_calls(
    copies: int, others: int, max_per_call: int, expected: int
) -> None:
    rows = [row(i, "same") for i in range(copies)]
    rows += [row(100 + i, f"c{i}") for i in range(others)]
    calls = check(rows, max_per_call, expected)
    assert Counter(r["contact_id"] == "same" for c in calls for r in c)[True] == copies


def test_answer_mapped_by_contact_not_order() -> None:
    rows = [row(1, "c1"), row(2, "c2"), row(3, "c3")]
    tasks = [{"id": "t2", "contact_id": "c2"}, {"id": "t1", "contact_id": "c1"}, "junk"]
    assert map_tasks_to_rows(rows, tasks) == {"r1": "t1", "r2": "t2"}  # r3 → reconcile
