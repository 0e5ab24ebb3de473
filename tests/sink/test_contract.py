"""Unit tests of the input contract: validation reasons, due_at handling, hostile values,
duplicates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from sales_tasks.destinations.apollo.vendor import APOLLO_RULES
from sales_tasks.destinations.core.contract import (
    INPUT_REJECTION,
    ROW_NUMBER,
    mark_duplicates,
    normalize_due_at,
    row_hash,
    validate_row,
    value_problem,
)

GOOD: dict[str, Any] = {
    "request_id": "r1",
    "user_id": "u1",
    "contact_id": "c1",
    "type": "call",
    "due_at": "2025-02-15T08:10:30Z",
}
TYPES = ", ".join(sorted(APOLLO_RULES.task_types))
SHARED = ", or a shared name"


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
        ({"type": "visit"}, f"unknown type 'visit': use one of {TYPES}{SHARED}"),
        (
            {"type": "meeting"},
            "type 'meeting': Apollo has no meeting task type (it has call, manual email, four"
            " LinkedIn steps and action item)",
        ),
        ({"user_id": None}, "missing user: give user_id or user_email"),
        ({"contact_id": None}, "missing contact: give contact_id or contact_email"),
        (
            {"status": "done"},
            f"unknown status 'done': use one of completed, scheduled, skipped{SHARED}",
        ),
        (
            {"priority": "urgent"},
            "priority 'urgent': Apollo has no urgent priority (high, medium, low)",
        ),
        ({"priority": "p1"}, f"unknown priority 'p1': use one of high, low, medium{SHARED}"),
        (
            {"task_type": "call", "type": "action_item"},
            "type 'action_item' and task_type 'call' disagree: give one of them",
        ),
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
    assert normalize_due_at(value, form=APOLLO_RULES.format_due_at) == (expected, assumed)


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


NOT_TEXT = ": cast the column to text in the query if that value is meant"
NOT_A_DUE = ": give an ISO 8601 date-time, a DATE or a TIMESTAMP"
WINDOW = " is outside 1970-01-01..2099-12-31 (UTC): give a due date in that window"
NOT_ISO = ": not an ISO 8601 date-time (e.g. 2025-02-15T08:10:30Z or 2025-02-15T10:10:30+02:00)"
UUID_1 = UUID("8ecb490e-d4ab-40f1-a24d-0973c6267e72")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        # Python cannot hold this instant in UTC (year 10000): an OverflowError stopped the push.
        ({"due_at": "9999-12-31T23:59:59-14:00"}, f"due_at '9999-12-31T23:59:59-14:00'{WINDOW}"),
        ({"due_at": "0001-01-01T00:00:00Z"}, f"due_at '0001-01-01T00:00:00Z'{WINDOW}"),
        ({"due_at": "1969-12-31T23:59:59Z"}, f"due_at '1969-12-31T23:59:59Z'{WINDOW}"),
        ({"due_at": "1970-01-01T00:30:00+01:00"}, f"due_at '1970-01-01T00:30:00+01:00'{WINDOW}"),
        ({"due_at": "2100-01-01T00:00:00Z"}, f"due_at '2100-01-01T00:00:00Z'{WINDOW}"),
        # DuckDB reads DATE 'infinity' as 9999-12-31 and TIMESTAMP '-infinity' as year 1.
        ({"due_at": date(9999, 12, 31)}, f"due_at '9999-12-31T00:00:00'{WINDOW}"),
        ({"due_at": datetime(1, 1, 1)}, f"due_at '0001-01-01T00:00:00'{WINDOW}"),
        # What drivers hand over as text for dates Python cannot hold.
        ({"due_at": "10000-01-01 13:59:59+00"}, f"due_at '10000-01-01 13:59:59+00'{WINDOW}"),
        ({"due_at": "0044-03-15 BC"}, f"due_at '0044-03-15 BC'{WINDOW}"),
        (
            {"due_at": "infinity"},
            "bad due_at 'infinity': not a finite date-time; give one such as 2025-02-15T08:10:30Z",
        ),
        ({"due_at": "NaN"}, f"bad due_at 'NaN'{NOT_ISO}"),
        ({"due_at": float("nan")}, f"due_at holds a number (nan){NOT_A_DUE}"),
        ({"due_at": float("-inf")}, f"due_at holds a number (-inf){NOT_A_DUE}"),
        ({"due_at": 1735725600}, f"due_at holds a number (1735725600){NOT_A_DUE}"),
        ({"due_at": True}, f"due_at holds a boolean (True){NOT_A_DUE}"),
        ({"due_at": time(10, 0)}, f"due_at holds a date/time (10:00:00){NOT_A_DUE}"),
        # A boolean title became the title "False" and moved the row to the single-create call.
        ({"title": False}, f"title holds a boolean (False), not text{NOT_TEXT}"),
        ({"title": 12}, f"title holds a number (12), not text{NOT_TEXT}"),
        ({"note": float("inf")}, f"note holds a number (inf), not text{NOT_TEXT}"),
        ({"note": Decimal("NaN")}, f"note holds a number (NaN), not text{NOT_TEXT}"),
        ({"note": b"\x00ab"}, f"note holds binary data (b'\\x00ab'), not text{NOT_TEXT}"),
        ({"note": [1, 2]}, f"note holds a list ([1, 2]), not text{NOT_TEXT}"),
        ({"note": {"a": 1}}, f"note holds a struct ({{'a': 1}}), not text{NOT_TEXT}"),
        (
            {"status": timedelta(days=3)},
            f"status holds an interval (3 days, 0:00:00), not text{NOT_TEXT}",
        ),
        (
            {"type": datetime(2025, 1, 1)},
            f"type holds a date/time (2025-01-01 00:00:00), not text{NOT_TEXT}",
        ),
        (
            {"contact_id": 1.0},
            f"contact_id holds a number (1.0), not text or a whole number{NOT_TEXT}",
        ),
        (
            {"contact_id": Decimal("7.5")},
            f"contact_id holds a number (7.5), not text or a whole number{NOT_TEXT}",
        ),
        (
            {"user_id": Decimal("Infinity")},
            f"user_id holds a number (Infinity), not text or a whole number{NOT_TEXT}",
        ),
        (
            {"note": "a\x00b"},
            "note 'a\\x00b' contains a NUL character or an invalid surrogate: remove it",
        ),
        (
            {"type": "call\ud800"},
            "type 'call\\ud800' contains a NUL character or an invalid surrogate: remove it",
        ),
        (
            {"note": "é" * 65_536},
            f"note is 65,536 characters long ('{'é' * 40}...'): at most 65,535 are accepted",
        ),
        (
            {"title": "t" * 1_001},
            f"title is 1,001 characters long ('{'t' * 40}...'): at most 1,000 are accepted",
        ),
        ({"type": "x" * 10_000}, f"unknown type '{'x' * 40}...': use one of {TYPES}{SHARED}"),
        (
            {"priority": "\n" + "p" * 50},
            f"unknown priority '{'p' * 40}...': use one of high, low, medium{SHARED}",
        ),
    ],
)
def test_hostile_values_are_rejected_naming_column_and_value(
    change: dict[str, Any], reason: str
) -> None:
    result = validate_row({**GOOD, **change}, APOLLO_RULES, row=1)
    assert result.task is None
    assert result.reason == reason
    assert result.request_id == "r1"
    assert "\n" not in reason and len(reason) < 250


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (True, f"request_id holds a boolean (True), not text or a whole number{NOT_TEXT}"),
        (float("nan"), f"request_id holds a number (nan), not text or a whole number{NOT_TEXT}"),
        (
            "r" * 256,
            f"request_id is 256 characters long ('{'r' * 40}...'): at most 255 are accepted",
        ),
        (
            "r\x00",
            "request_id 'r\\x00' contains a NUL character or an invalid surrogate: remove it",
        ),
    ],
)
def test_a_bad_request_id_is_not_kept_as_an_id(value: Any, reason: str) -> None:
    # Neither shown whole nor written to the ledger, which could not index or store it.
    result = validate_row({**GOOD, "request_id": value}, APOLLO_RULES, row=4)
    assert (result.task, result.request_id, result.reason, result.row) == (None, None, reason, 4)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"request_id": 42}, {"request_id": "42"}),
        ({"contact_id": Decimal("7")}, {"contact_id": "7"}),
        ({"user_id": UUID_1}, {"user_id": str(UUID_1)}),
        ({"due_at": "1970-01-01T00:00:00Z"}, {"due_at": "1970-01-01T00:00:00.000+00:00"}),
        ({"due_at": "2099-12-31T23:59:59.999Z"}, {"due_at": "2099-12-31T23:59:59.999+00:00"}),
        ({"due_at": date(2099, 12, 31)}, {"due_at": "2099-12-31T00:00:00.000+00:00"}),
        (
            {"due_at": datetime(2025, 1, 1, 10, tzinfo=UTC)},
            {"due_at": "2025-01-01T10:00:00.000+00:00"},
        ),
        ({"title": "ü" * 1_000}, {"title": "ü" * 1_000}),
        ({"note": "  "}, {"note": None}),
        ({"title": None, "note": None, "status": None}, {"title": None, "status": "scheduled"}),
        ({"note": "🙂 \u200b 日本語"}, {"note": "🙂 \u200b 日本語"}),
    ],
)
def test_edge_values_that_are_fine(change: dict[str, Any], expected: dict[str, Any]) -> None:
    result = validate_row({**GOOD, **change}, APOLLO_RULES)
    assert result.reason is None and result.task is not None
    assert {k: result.task[k] for k in expected} == expected  # type: ignore[literal-required]


def test_value_problem_accepts_what_a_column_means() -> None:
    assert value_problem("request_id", 10**30) is None
    assert value_problem("request_id", 10**300) is not None  # 301 digits: too long for an id
    assert value_problem("note", None) is None
    assert value_problem("due_at", date(2025, 1, 1)) is None
    assert value_problem("user_email", 5) is not None


def test_duplicate_keeps_the_reason_the_reader_found_first() -> None:
    rows = [
        {**GOOD, ROW_NUMBER: 1, INPUT_REJECTION: "title holds a boolean (False)"},
        {**GOOD, "note": "other", ROW_NUMBER: 2},
    ]
    assert mark_duplicates(rows) == 2
    assert rows[0][INPUT_REJECTION] == "title holds a boolean (False)"
    assert rows[1][INPUT_REJECTION].startswith("duplicate request_id 'r1' in rows 1, 2")


def test_many_duplicates_list_a_few_row_numbers() -> None:
    rows = [{**GOOD, "note": str(i), ROW_NUMBER: i} for i in range(1, 31)]
    assert mark_duplicates(rows) == 30
    assert (
        "in rows 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 20 more with different values"
        in (rows[0][INPUT_REJECTION])
    )


@pytest.mark.parametrize(
    ("given", "field", "sent"),
    [
        ({"type": "todo"}, "type", "action_item"),
        ({"type": "custom"}, "type", "action_item"),
        ({"task_type": "email"}, "type", "outreach_manual_email"),
        ({"type": "LinkedIn_Connect"}, "type", "linkedin_step_connect"),
        ({"status": "open"}, "status", "scheduled"),
        ({"priority": "High"}, "priority", "high"),
    ],
)
def test_shared_vocabulary_names_become_apollo_codes(
    given: dict[str, Any], field: str, sent: str
) -> None:
    row = {**GOOD, "type": None, **given} if "task_type" in given else {**GOOD, **given}
    task = validate_row(row, APOLLO_RULES, row=1).task
    assert task is not None
    assert task[field] == sent  # type: ignore[literal-required]
