"""Saleshandy push, the input contract end to end: what each row becomes in Saleshandy, or why
it is rejected; time zones; dry run. Real HTTP to the sandbox, DuckDB and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tests.saleshandy.sh_push_helpers import (
    CREATE,
    creates,
    prospect_ids,
    sh_ledger,
    sh_push,
    sh_warehouse,
    write_input,
)
from tests.sink.conftest import ledger

FIXTURES = (sh_push, sh_warehouse)  # found by pytest in this module's namespace

# (request_id, row fields, the rejection's words); prospects are filled in by position.
REJECTED = [
    ("bad-type", {"task_type": "meeting_room"}, "unknown task_type 'meeting_room'"),
    ("code-1", {"task_type": "1"}, "unknown task_type '1'"),
    ("shared-email", {"task_type": "email"}, "Saleshandy has no email task type"),
    ("bad-priority", {"priority": "9"}, "unknown priority '9'"),
    ("shared-status", {"status": "completed"}, "Saleshandy creates tasks open"),
    ("bad-date", {"due_date": "next tuesday"}, "bad due_date 'next tuesday'"),
    ("old-date", {"due_date": "1900-01-01"}, "due_date '1900-01-01' is outside"),
    ("no-prospect", {"prospect_id": None}, "missing contact: give prospect_id or prospect_email"),
    ("two-ids", {"contact_id": "someone-else"}, "prospect_id"),
    (
        "unknown-email",
        {"prospect_id": None, "prospect_email": "nobody@nowhere.example"},
        "unknown prospect_email",
    ),
    (
        "ambiguous-email",
        {"prospect_id": None, "prospect_email": "twin@dup.example"},
        "ambiguous prospect_email",
    ),
    ("unknown-id", {"prospect_id": "NOSUCHPROSPECT"}, "success: false"),
]

# (request_id, row fields, what Saleshandy must have received: taskType, priority, dueDate).
ACCEPTED = [
    ("code", {"task_type": "13", "priority": "1"}, ("13", "1", "2026-04-22")),
    ("name", {"task_type": "call_follow_up", "priority": "urgent"}, ("13", "1", "2026-04-22")),
    ("title", {"task_type": " Call Follow-up ", "priority": "High"}, ("13", "2", "2026-04-22")),
    (
        "shared-type",
        {"task_type": "linkedin_connect", "priority": "none"},
        ("2", None, "2026-04-22"),
    ),
    ("shared-todo", {"task_type": "todo", "priority": None}, ("9", None, "2026-04-22")),
    ("shared-call", {"task_type": "call", "status": "open"}, ("15", "3", "2026-04-22")),
    (
        "contract-names",
        {"task_type": None, "type": "whatsapp_voice_call"},
        ("18", "3", "2026-04-22"),
    ),
    ("date-as-text", {"due_date": "2027-01-31"}, ("13", "3", "2027-01-31")),
]

COLUMNS = (
    "request_id",
    "prospect_id",
    "prospect_email",
    "contact_id",
    "task_type",
    "type",
    "status",
    "priority",
    "due_date",
    "task_note",
)


def test_validation_table(make_saleshandy_sandbox: Any, sh_warehouse: str, sh_push: Any) -> None:
    sb = make_saleshandy_sandbox(failure_reason=True)
    sb.add_prospect("twin@dup.example", "Twin", "One")
    sb.add_prospect("TWIN@dup.example", "Twin", "Two")
    exact = sb.add_prospect("solo@exact.example", "Solo", "Exact")
    sb.add_prospect("not-solo@exact.example", "Not", "Solo")  # a search hit, not a match
    people = prospect_ids(sb, len(REJECTED) + len(ACCEPTED))
    base = {"task_type": "13", "priority": "3", "due_date": "2026-04-22", "task_note": "n"}
    rows: list[dict[str, Any]] = []
    for (request_id, fields, _), prospect in zip(REJECTED + ACCEPTED, people, strict=False):
        rows.append({**base, "request_id": request_id, "prospect_id": prospect, **fields})
    # An email matched exactly and case-insensitively, among search hits that are not it.
    rows.append(
        {**base, "request_id": "email", "prospect_id": None, "prospect_email": "SOLO@Exact.example"}
    )
    write_input(sh_warehouse, rows, columns=COLUMNS)

    summary = sh_push(sb)

    assert summary.adds_up and summary.rows_in == len(rows)
    assert summary.created == len(ACCEPTED) + 1 and summary.rejected == len(REJECTED)
    reasons = {request_id: why for _, request_id, why in summary.rejections}
    for request_id, _, words in REJECTED:
        assert words in reasons[request_id], (request_id, reasons[request_id])
        assert "\n" not in reasons[request_id]
    assert "Prospect not found" in reasons["unknown-id"]  # Saleshandy's own reason, kept
    made = {t["prospect"]["id"]: t for t in sb.created()}
    by_request = {r["request_id"]: r for r in rows}
    for request_id, _, (task_type, priority, due) in ACCEPTED:
        task = made[by_request[request_id]["prospect_id"]]
        assert (task["taskType"], task["priority"], task["dueDate"]) == (task_type, priority, due)
        assert task["taskNote"] == "n"
    assert made[exact["id"]]["taskType"] == "13"
    assert len(sb.created()) == len(ACCEPTED) + 1
    states = {k: v["state"] for k, v in sh_ledger(sh_warehouse).items()}
    assert {states[r] for r, _, _ in REJECTED} == {"rejected"}
    assert {states[r] for r, _, _ in ACCEPTED} == {"delivered"}
    # The definitions are type, priority, date and note: accepted rows share calls by them.
    definitions = {(t["taskType"], t["priority"], t["dueDate"]) for t in sb.created()}
    # The unknown prospect id went in its definition's call: success and failure in one answer.
    assert len(creates(sb)) == len(definitions)


def test_timestamps_become_dates_in_the_time_zone_and_empty_is_today(
    saleshandy_sandbox: Any, sh_warehouse: str, sh_push: Any
) -> None:
    sb = saleshandy_sandbox
    a, b, c, d = prospect_ids(sb, 4)
    common = {"task_type": "13", "task_note": "dates"}
    rows = [
        # 23:30 UTC is already the next day in Berlin.
        {"request_id": "offset", "prospect_id": a, "due_date": "2026-05-01T23:30:00Z"},
        # A naive timestamp is wall time in the zone: its own date.
        {"request_id": "naive", "prospect_id": b, "due_date": "2026-05-01T23:30:00"},
        {"request_id": "date", "prospect_id": c, "due_date": "2026-05-01"},
        {"request_id": "empty", "prospect_id": d, "due_date": None},
    ]
    write_input(sh_warehouse, [{**r, **common} for r in rows])
    summary = sh_push(sb, time_zone="Europe/Berlin")

    assert summary.created == 4, summary.format()
    due = {t["prospect"]["id"]: t["dueDate"] for t in sb.created()}
    today = datetime.now(ZoneInfo("Europe/Berlin")).date().isoformat()
    assert due == {a: "2026-05-02", b: "2026-05-01", c: "2026-05-01", d: today}
    assert "2 due_date timestamp(s) were turned into dates in time zone Europe/Berlin" in (
        summary.format()
    )
    # Every create carried an explicit date, so reconciliation knows what to look for.
    assert all("dueDate" in entry["body"] for entry in creates(sb))


def test_typed_timestamp_column_in_the_zone(
    saleshandy_sandbox: Any, sh_warehouse: str, sh_push: Any
) -> None:
    sb = saleshandy_sandbox
    (a,) = prospect_ids(sb, 1)
    query = f"""SELECT 'typed' AS request_id, '{a}' AS prospect_id, 13 AS task_type,
        CAST('2026-05-01 23:30:00+00' AS TIMESTAMP WITH TIME ZONE) AS due_date"""
    summary = sh_push(sb, query=query, time_zone="America/Los_Angeles")
    assert summary.created == 1, summary.format()
    (task,) = sb.created()
    assert (task["taskType"], task["dueDate"]) == ("13", "2026-05-01")  # 16:30 in Los Angeles


def test_dry_run_sends_and_writes_nothing(
    saleshandy_sandbox: Any, sh_warehouse: str, sh_push: Any
) -> None:
    sb = saleshandy_sandbox
    people = prospect_ids(sb, 5)
    rows = [
        {"request_id": f"d-{i}", "prospect_id": p, "task_type": "13", "due_date": "2026-04-22"}
        for i, p in enumerate(people)
    ]
    rows.append(
        {"request_id": "by-email", "prospect_email": "nobody@nowhere.example", "task_type": "3"}
    )
    write_input(sh_warehouse, rows)
    summary = sh_push(sb, dry_run=True)
    assert summary.would_create == 5 and summary.rejected == 1 and summary.created == 0
    assert summary.planned_calls and all(CREATE in c for c in summary.planned_calls)
    assert len(summary.planned_calls) == 1
    assert creates(sb) == [] and sb.created() == []
    try:
        written = ledger(sh_warehouse, schema="saleshandy_push")
    except Exception:  # no ledger table at all: nothing was written
        written = {}
    assert written == {}
