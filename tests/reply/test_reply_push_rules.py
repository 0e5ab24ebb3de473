"""Reply's input rules before any call: the validation table over real HTTP into DuckDB and
PostgreSQL (no create call made for a row Reply would refuse), the accepted names and forms, and
generated rows that must each end accounted for."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sales_tasks.destinations.core.contract import ROW_NUMBER, validate_row
from sales_tasks.destinations.reply.rules import REPLY_RULES
from tests.profiles import examples
from tests.reply.reply_push_support import (
    DUE,
    REPLY_COLUMNS,
    START,
    creates,
    push,
    reply_ledger,
    reply_push,
    reply_rows,
    warehouse_url,
    write_reply_input,
)

__all__ = ["push", "reply_push", "warehouse_url"]  # fixtures used by name

# (row changes, the rejection's words): each a row Reply would refuse, or one it cannot make.
BAD_ROWS = {
    "due-before-start": (
        {"start_at": "2026-07-02T09:00:00Z", "due_to": "2026-07-01T09:00:00Z"},
        "is not after start_at",
    ),
    "due-equals-start": ({"due_to": START}, "is not after start_at"),
    "start-before-2015": (
        {"start_at": "2014-12-31T23:59:59Z", "due_to": "2015-01-02T00:00:00Z"},
        "before 2015-01-01",
    ),
    "linkedin-subtype-on-a-call": ({"linkedin_task_type": "connect"}, "only LinkedIn tasks"),
    "linkedin-without-subtype": ({"task_type": "linkedIn"}, "missing linkedin_task_type"),
    "linkedin-unknown-subtype": (
        {"task_type": "linkedIn", "linkedin_task_type": "poke"},
        "unknown linkedin_task_type",
    ),
    "shared-type-contradicts-subtype": (
        {"task_type": "linkedin_connect", "linkedin_task_type": "message"},
        "contradicts",
    ),
    "missing-body": ({"body": None}, "missing body"),
    "blank-body": ({"body": "   "}, "missing body"),
    "unknown-type": ({"task_type": "fax"}, "unknown task_type 'fax'"),
    "undocumented-type-number": ({"task_type": "3"}, "unknown task_type '3'"),
    "unsupported-shared-type": ({"task_type": "linkedin_interact"}, "Reply.io has no linkedin"),
    "non-integer-contact-id": ({"contact_id": "abc-12"}, "is not a Reply contact id"),
    "fractional-contact-id": ({"contact_id": "12.5"}, "is not a Reply contact id"),
    "missing-start": ({"start_at": None}, "missing start_at"),
    "bad-start": ({"start_at": "next monday"}, "bad start_at"),
    "missing-due": ({"due_to": None}, "missing due_to"),
}


def _rejections(summary: Any) -> dict[str, str]:
    return {request_id: reason for _, request_id, reason in summary.rejections}


def test_every_row_reply_would_refuse_is_rejected_without_a_call(
    reply_sandbox: Any, warehouse_url: str, reply_push: Any
) -> None:
    sb = reply_sandbox
    good = reply_rows(sb, len(BAD_ROWS) + 1)
    rows = [{**good[0], "request_id": "good"}]
    for (name, (changes, _)), base in zip(BAD_ROWS.items(), good[1:], strict=True):
        rows.append({**base, "request_id": name, **changes})
    write_reply_input(warehouse_url, rows)
    summary = reply_push(sb)
    assert (summary.created, summary.rejected) == (1, len(BAD_ROWS)), summary.format()
    reasons = _rejections(summary)
    for name, (_, words) in BAD_ROWS.items():
        assert words in reasons[name], (name, reasons[name])
    assert len(creates(sb)) == 1  # the good row's call only
    assert [t["contactId"] for t in sb.created()] == [int(good[0]["contact_id"])]
    states = {rid: e["state"] for rid, e in reply_ledger(warehouse_url).items()}
    assert states == {"good": "delivered", **dict.fromkeys(BAD_ROWS, "rejected")}


def _task(**changes: Any) -> Any:
    raw = {
        "request_id": "r1",
        "contact_id": "42",
        "task_type": "call",
        "start_at": START,
        "due_to": DUE,
        "body": "Hi {{firstName}}",
        ROW_NUMBER: 1,
        **changes,
    }
    return validate_row(raw, REPLY_RULES)


@pytest.mark.parametrize(
    ("given_type", "subtype", "want"),
    [
        ("call", None, ("2", None)),
        ("Call", None, ("2", None)),
        ("2", None, ("2", None)),
        ("toDo", None, ("0", None)),
        ("todo", None, ("0", None)),
        ("manual_email", None, ("7", None)),
        ("email", None, ("7", None)),
        ("whatsApp", None, ("9", None)),
        ("linkedIn", "connect", ("5", "1")),
        ("5", "1", ("5", "1")),
        ("linkedin", "viewProfile", ("5", "3")),
        ("linkedin_connect", None, ("5", "1")),
        ("linkedin_inmail", "inMail", ("5", "2")),
        ("linkedin_view_profile", None, ("5", "3")),
    ],
)
def test_reply_names_numbers_and_shared_names_become_codes(
    given_type: str, subtype: str | None, want: tuple[str, str | None]
) -> None:
    result = _task(task_type=given_type, linkedin_task_type=subtype)
    assert result.task is not None, result.reason
    assert (result.task["type"], result.task["extra"]["linkedin_task_type"]) == want


def test_numbers_and_date_times_from_typed_columns() -> None:
    result = _task(
        contact_id=42,
        task_type=5,
        linkedin_task_type=0,
        start_at=dt.datetime(2026, 7, 1, 9, 0),
        due_to=dt.datetime(2026, 7, 1, 11, 0, tzinfo=dt.UTC),
    )
    assert result.task is not None, result.reason
    task = result.task
    assert (task["contact_id"], task["type"], task["extra"]["linkedin_task_type"]) == (
        "42",
        "5",
        "0",
    )
    assert task["extra"]["start_at"] == "2026-07-01T09:00:00+00:00"  # naive: taken as UTC
    assert result.utc_assumed


def test_shared_open_status_and_no_priority_are_accepted() -> None:
    result = _task(status="open", priority="none")
    assert result.task is not None, result.reason
    assert (result.task["status"], result.task["priority"]) == ("0", None)


def test_body_keeps_handlebars_and_aliases_must_agree() -> None:
    result = _task(body="Hi {{firstName}}, {{ company }} {{#if title}}({{title}}){{/if}}")
    assert result.task is not None
    assert result.task["note"] == "Hi {{firstName}}, {{ company }} {{#if title}}({{title}}){{/if}}"
    clash = _task(note="other", body="Hi")
    assert clash.task is None and "disagree" in (clash.reason or "")
    offset = _task(start_at="2026-07-01T11:00:00+02:00", due_to="2026-07-01T10:00:00+00:00")
    assert offset.task is not None, offset.reason  # 09:00Z start, due an hour later
    assert offset.task["extra"]["start_at"] == "2026-07-01T09:00:00+00:00"
    assert not offset.utc_assumed


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"status": "completed"}, "creates tasks as New"),
        ({"priority": "high"}, "no priority"),
        ({"user_id": "7"}, "no assignee"),
        ({"contact_id": None}, "missing contact"),
    ],
)
def test_what_reply_create_cannot_hold_is_rejected(changes: dict[str, Any], words: str) -> None:
    result = _task(**changes)
    assert result.task is None and words in (result.reason or ""), result.reason


_VALUES = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.booleans(),
    st.datetimes(timezones=st.none() | st.just(dt.UTC)),
    st.dates(),
    st.sampled_from(["call", "linkedIn", "5.1", "linkedin_connect", "connect", "2015-01-01"]),
)
_COLUMNS = tuple(c for c in REPLY_COLUMNS if c not in ("request_id", "contact_email"))


@settings(
    max_examples=examples(quick=100, deep=1_000),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.fixed_dictionaries({c: _VALUES for c in _COLUMNS}))
def test_any_row_is_accepted_or_rejected_with_a_reason_never_raises(raw: dict[str, Any]) -> None:
    result = validate_row({"request_id": "r", ROW_NUMBER: 1, **raw}, REPLY_RULES)
    assert (result.task is None) != (result.reason is None)
    if result.task is not None:
        task = result.task
        assert task["type"] in {"0", "2", "4", "5", "7", "8", "9"}
        assert (task["type"] == "5") == (task["extra"]["linkedin_task_type"] is not None)
        assert task["note"] and task["contact_id"] and task["contact_id"].isdigit()
        start = dt.datetime.fromisoformat(task["extra"]["start_at"] or "")
        assert start >= dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
        assert dt.datetime.fromisoformat(task["due_at"] or "") > start
    else:
        assert "\n" not in (result.reason or "")


def test_typed_warehouse_columns_push_end_to_end(
    reply_sandbox: Any, warehouse_url: str, reply_push: Any
) -> None:
    """An integer contact id, an integer type, a naive TIMESTAMP start (taken as UTC, said so)."""
    sb = reply_sandbox
    contacts = sb.contacts(2)
    rows = [
        {
            "request_id": "typed-1",
            "contact_id": contacts[0]["id"],
            "task_type": 5,
            "linkedin_task_type": 1,
            "start_at": dt.datetime(2026, 7, 1, 9, 0),
            "due_to": "2026-07-01T12:00:00Z",
            "body": "Connect with {{firstName}}",
        },
        {
            "request_id": "typed-2",
            "contact_id": contacts[1]["id"],
            "task_type": 2,
            "start_at": dt.datetime(2026, 7, 1, 9, 0),
            "due_to": "2026-07-01T12:00:00",
            "body": "Call",
        },
    ]
    types = {
        "contact_id": sa.BigInteger,
        "task_type": sa.Integer,
        "linkedin_task_type": sa.Integer,
        "start_at": sa.DateTime,
    }
    write_reply_input(warehouse_url, rows, types=types)
    summary = reply_push(sb)
    assert summary.created == 2, summary.format()
    assert summary.utc_assumed == 2
    made = {t["contactId"]: t for t in sb.created()}
    linkedin = made[contacts[0]["id"]]
    assert (linkedin["taskType"], linkedin["linkedInTaskType"]) == ("linkedIn", "connect")
    assert linkedin["startAt"].startswith("2026-07-01T09:00:00")
    assert made[contacts[1]["id"]]["dueTo"].startswith("2026-07-01T12:00:00")
