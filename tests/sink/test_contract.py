"""Unit tests of the input contract: validation reasons, due_at handling, duplicates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from destinations.apollo.vendor import APOLLO_RULES
from destinations.core.contract import (
    INPUT_REJECTION,
    ROW_NUMBER,
    mark_duplicates,
    normalize_due_at,
    row_hash,
    validate_row,
)

GOOD: dict[str, Any] = {
    "request_id": "r1",
    "user_id": "u1",
    "contact_id": "c1",
    "type": "call",
    "due_at": "2025-02-15T08:10:30Z",
}
TYPES = ", ".join(sorted(APOLLO_RULES.task_types))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            {"request_id": None},
            "missing request_id: every row needs a request_id, unique per intended task",
        ),
        (
            {"request_id": "  "},
            "missing request_id: every row needs a request_id, unique per intended task",
        ),
        ({"type": None}, f"missing type: use one of {TYPES}"),
        ({"type": "meeting"}, f"unknown type 'meeting': use one of {TYPES}"),
        ({"user_id": None}, "missing user: give user_id or user_email"),
        ({"contact_id": None}, "missing contact: give contact_id or contact_email"),
        ({"status": "done"}, "unknown status 'done': use one of completed, scheduled, skipped"),
        ({"priority": "urgent"}, "unknown priority 'urgent': use one of high, low, medium"),
        (
            {"due_at": None},
            "missing due_at: give an ISO 8601 date-time such as 2025-02-15T08:10:30Z",
        ),
        (
            {"due_at": "next tuesday"},
            "bad due_at 'next tuesday': not an ISO 8601 date-time"
            " (e.g. 2025-02-15T08:10:30Z or 2025-02-15T10:10:30+02:00)",
        ),
        ({INPUT_REJECTION: "duplicate!"}, "duplicate!"),
    ],
)
def test_bad_rows_are_rejected_with_a_reason(change: dict[str, Any], reason: str) -> None:
    result = validate_row({**GOOD, **change}, APOLLO_RULES, row=1)
    assert result.task is None
    assert result.reason == reason


def test_good_row_gets_defaults_and_utc() -> None:
    result = validate_row({**GOOD, "due_at": "2025-02-15T10:10:30+02:00"}, APOLLO_RULES)
    assert result.reason is None and result.task is not None
    assert result.task["status"] == "scheduled"
    assert result.task["priority"] == "medium"
    assert result.task["due_at"] == "2025-02-15T08:10:30.000+00:00"
    assert not result.utc_assumed


def test_emails_stand_in_for_ids() -> None:
    row = {
        **GOOD,
        "user_id": None,
        "user_email": "a@x.io",
        "contact_id": None,
        "contact_email": "B@y.io",
    }
    task = validate_row(row, APOLLO_RULES).task
    assert task is not None and task["user_email"] == "a@x.io" and task["contact_email"] == "B@y.io"


@pytest.mark.parametrize(
    ("value", "expected", "assumed"),
    [
        ("2025-02-15T08:10:30Z", "2025-02-15T08:10:30.000+00:00", False),
        ("2025-03-25T10:15:30+05:00", "2025-03-25T05:15:30.000+00:00", False),
        ("2025-03-25T10:15:30", "2025-03-25T10:15:30.000+00:00", True),
        ("2025-03-25", "2025-03-25T00:00:00.000+00:00", True),
    ],
)
def test_due_at_normalised_to_utc(value: str, expected: str, assumed: bool) -> None:
    assert normalize_due_at(value) == (expected, assumed)


def test_duplicates_identical_keep_first_different_reject_all() -> None:
    rows = [
        {**GOOD, ROW_NUMBER: 1},
        {**GOOD, ROW_NUMBER: 2},
        {**GOOD, "request_id": "r2", ROW_NUMBER: 3},
        {**GOOD, "request_id": "r2", "note": "other", ROW_NUMBER: 4},
    ]
    assert mark_duplicates(rows) == 3
    assert INPUT_REJECTION not in rows[0]
    assert rows[1][INPUT_REJECTION] == (
        "duplicate request_id 'r1': identical copy of row 1, which is the one sent"
    )
    expected = (
        "duplicate request_id 'r2' in rows 3, 4 with different values: make request_id unique"
        " per intended task (none of these rows was sent)"
    )
    assert rows[2][INPUT_REJECTION] == rows[3][INPUT_REJECTION] == expected


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (GOOD, "22bf209eef2a2cd627fd4462e801c1f3"),
        (
            {**GOOD, "note": "  hi  ", "due_at": datetime(2025, 2, 15, 8, 10, 30), "priority": 3},
            "7a0ad69f91c51bf9d688f6db8fe9c6d0",
        ),
    ],
)
def test_row_hash_is_stable(row: dict[str, Any], expected: str) -> None:
    # Ledgers store these hashes: a change would report every delivered row as changed.
    assert row_hash(row) == expected
    assert validate_row(row, APOLLO_RULES).row_hash == expected
