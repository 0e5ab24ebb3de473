"""Which Apollo task is the one a lost create made: decided by what the caller sent, never by
`created_from` (untyped; seen `api`, `zp_ui`, null: VENDOR-SPECS 3.3, fact 10)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sales_tasks.destinations.apollo.vendor import ApolloTaskVendor
from sales_tasks.destinations.core.vendor import SentTask

SENT_AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PAYLOAD = {
    "user_id": "u1",
    "contact_id": "c1",
    "type": "call",
    "status": "scheduled",
    "priority": "medium",
    "due_at": "2026-03-05T09:00:00.000+00:00",
    "note": "follow up",
    "title": None,
}
TASK = {
    "id": "t1",
    "user_id": "u1",
    "contact_id": "c1",
    "type": "call",
    "status": "scheduled",
    "due_at": "2026-03-05T09:00:00.000+00:00",
    "note": "follow up",
    "title": "Call Ann",  # Apollo may title a bulk-made task itself: no title was sent
    "created_at": "2026-03-01T12:00:01.436Z",
}


def matches(task: dict[str, Any], **payload: Any) -> bool:
    vendor = ApolloTaskVendor.__new__(ApolloTaskVendor)
    sent = SentTask("r1", {**PAYLOAD, **payload}, SENT_AT)
    return vendor.matches(sent, task, skew_seconds=300)


@pytest.mark.parametrize("created_from", ["api", "zp_ui", None, "anything_else"])
def test_created_from_never_decides(created_from: Any) -> None:
    assert matches({**TASK, "created_from": created_from})


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"user_id": "u2"}, "another owner"),
        ({"contact_id": "c2"}, "another contact"),
        ({"type": "action_item"}, "another type"),
        ({"due_at": "2026-03-05T09:00:01.000+00:00"}, "another due second"),
        ({"note": "other"}, "another note"),
        ({"created_at": "2026-03-01T11:54:59.000Z"}, "made before the call minus the skew"),
        ({"created_at": None}, "no creation time"),
    ],
)
def test_a_task_that_differs_from_what_was_sent_is_not_ours(
    change: dict[str, Any], why: str
) -> None:
    assert not matches({**TASK, **change}), why


def test_a_title_counts_only_when_one_was_sent() -> None:
    assert matches(TASK, title="Call Ann")
    assert not matches(TASK, title="Call Bob")
    assert matches({**TASK, "created_at": "2026-03-01T11:56:00Z"})  # within the skew


@given(
    task_contact=st.one_of(st.none(), st.sampled_from(["c1", "c2", 1, 2, ""])),
    sent_contact=st.sampled_from(["c1", "c2", 1, 2]),
)
def test_a_task_that_matches_is_filed_under_the_requests_contact(
    task_contact: Any, sent_contact: Any
) -> None:
    """The reconciler compares a request only with the tasks `task_contact` files under its
    `contact_of`: that must never hide a task `matches` would accept."""
    vendor = ApolloTaskVendor.__new__(ApolloTaskVendor)
    task = {**TASK, "contact_id": task_contact}
    payload = {**PAYLOAD, "contact_id": sent_contact}
    if vendor.matches(SentTask("r1", payload, SENT_AT), task, skew_seconds=300):
        assert vendor.task_contact(task) == vendor.contact_of(payload)
    assert matches(TASK)  # the unchanged task is found under its contact
    assert ApolloTaskVendor.task_contact(vendor, TASK) == "c1"
