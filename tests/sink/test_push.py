"""End-to-end pushes over real HTTP against the sandbox, into real DuckDB and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.sink.conftest import created_by_request, ledger, task_rows, write_input

BULK = "/api/v1/tasks/bulk_create"
CREATE = "/api/v1/tasks"


def ok_creates(sb: Any) -> list[dict[str, Any]]:
    return [r for r in sb.requests() if r["path"] in (BULK, CREATE) and r["method"] == "POST"]


def test_validation_and_rejections_add_up(sandbox: Any, warehouse_url: str, push: Any) -> None:
    sb = sandbox
    user, contacts = sb.users()[0], sb.contacts(6)
    good = task_rows(sb, 2)
    bad = [
        {**good[0], "request_id": "t-type", "type": "lunch"},
        {**good[0], "request_id": "t-user", "user_id": None, "user_email": "nobody@nowhere.io"},
        {
            **good[0],
            "request_id": "t-contact",
            "contact_id": None,
            "contact_email": "ghost@nowhere.io",
        },
        {**good[0], "request_id": "t-date", "due_at": "31/12/2025"},
        {**good[0], "request_id": "t-uid", "user_id": "no-such-user"},
        {**good[0], "request_id": "t-422", "contact_id": "0000000000000000deadbeef"},
        {**good[0], "request_id": None},
        {**good[0], "request_id": "dup", "contact_id": contacts[2]["id"]},
        {**good[0], "request_id": "dup", "contact_id": contacts[3]["id"]},
        {
            **good[1],
            "request_id": "email",
            "contact_id": None,
            "contact_email": contacts[4]["email"].upper(),
            "user_id": None,
            "user_email": user["email"],
        },
    ]
    write_input(warehouse_url, good + bad)
    summary = push(sb)
    assert summary.rows_in == 12 and summary.adds_up
    assert (summary.created, summary.rejected) == (3, 9)
    reasons = {request_id: why for _, request_id, why in summary.rejections}
    assert reasons["t-type"].startswith("unknown type 'lunch'")
    assert reasons["t-user"] == (
        "unknown user_email 'nobody@nowhere.io': no Apollo user of this team has this email"
    )
    assert reasons["t-contact"] == (
        "unknown contact_email 'ghost@nowhere.io': no Apollo contact has exactly this email"
    )
    assert reasons["t-date"].startswith("bad due_at '31/12/2025'")
    assert reasons["t-uid"].startswith("unknown user_id 'no-such-user'")
    assert reasons["t-422"].startswith("Apollo refused the task (422): ")
    assert "0000000000000000deadbeef" in reasons["t-422"]
    assert reasons[None].startswith("missing request_id")
    assert reasons["dup"].startswith("duplicate request_id 'dup' in rows 10, 11")
    # The email row was resolved and created for the right contact.
    created = {t["contact_id"] for t in sb.created()}
    assert contacts[4]["id"] in created and contacts[2]["id"] not in created
    states = ledger(warehouse_url)
    assert states["t-type"]["state"] == "rejected" and states["email"]["state"] == "delivered"


def test_a_refused_row_is_offered_again_only_when_changed_or_asked(
    sandbox: Any, warehouse_url: str, push: Any, tmp_path: Any
) -> None:
    sb = sandbox
    good = task_rows(sb, 2)
    refused = {**good[0], "request_id": "t-422", "contact_id": "0000000000000000deadbeef"}
    write_input(warehouse_url, [*good, refused])
    first = push(sb)
    assert (first.created, first.rejected) == (2, 1)
    reason = ledger(warehouse_url)["t-422"]["error"]
    assert reason.startswith("Apollo refused the task (422): ")
    # No copy of the input rows is left in dlt's working folder (its load packages).
    kept = [p for p in (tmp_path / "pipelines").rglob("*") if p.is_file()]
    assert not any(b"deadbeef" in p.read_bytes() for p in kept)

    sb.clear_requests()
    again = push(sb)  # unchanged: rejected with the kept reason, no call
    assert (again.created, again.already_delivered, again.rejected) == (0, 2, 1)
    assert [w for _, r, w in again.rejections if r == "t-422"] == [reason]  # same words
    assert again.refused_before == 1 and "--retry-rejected" in again.format()
    assert ok_creates(sb) == []

    asked = push(sb, retry_rejected=True)  # asked for: offered again, refused again
    assert asked.rejected == 1 and len(ok_creates(sb)) == 1

    sb.clear_requests()
    write_input(warehouse_url, [*good, {**refused, "note": "changed"}])
    changed = push(sb)  # the row changed: offered again
    assert changed.rejected == 1 and len(ok_creates(sb)) == 1


def test_an_identical_copy_is_reported_the_same_way_on_every_run(
    sandbox: Any, warehouse_url: str, push: Any
) -> None:
    sb = sandbox
    rows = task_rows(sb, 3)
    write_input(warehouse_url, [*rows, dict(rows[0])])
    runs = [push(sb), push(sb)]
    assert [(r.created, r.already_delivered, r.rejected) for r in runs] == [(3, 0, 1), (0, 3, 1)]
    assert runs[0].rejections == runs[1].rejections
    assert runs[0].rejections[0][2].startswith("duplicate request_id")
    assert len(sb.created()) == 3


def test_a_contact_id_and_email_of_different_people_is_rejected(
    sandbox: Any, warehouse_url: str, push: Any
) -> None:
    sb = sandbox
    contacts = sb.contacts(3)
    rows = task_rows(sb, 3)
    rows[0]["contact_email"] = contacts[0]["email"]  # the same person: sent
    rows[1]["contact_email"] = contacts[2]["email"]  # someone else: rejected, nothing sent
    rows[2]["contact_email"] = "nobody@nowhere.io"  # nobody: rejected
    write_input(warehouse_url, rows)
    summary = push(sb)
    assert (summary.created, summary.rejected) == (1, 2)
    reasons = {request_id: why for _, request_id, why in summary.rejections}
    assert "name different Apollo contacts" in reasons["req-1"]
    assert contacts[2]["id"] in reasons["req-1"]
    assert "names no single Apollo contact" in reasons["req-2"]
    assert {t["contact_id"] for t in sb.created()} == {contacts[0]["id"]}


def test_fewest_calls_with_the_right_contacts(sandbox: Any, warehouse_url: str, push: Any) -> None:
    sb = sandbox
    rows = task_rows(sb, 25)
    rows[3]["title"] = "Call about renewal"  # titled → its own POST /api/v1/tasks
    rows[4]["note"] = "other note"  # another group
    twice = {**rows[0], "request_id": "req-0-again"}  # same contact twice in one group
    write_input(warehouse_url, [*rows, twice])
    summary = push(sb, max_contacts_per_call=10)
    assert summary.created == 26 and summary.adds_up
    # group of 24 (23 contacts + a repeat) at 10 per call → 3; plus 1 note group, plus 1 titled
    assert summary.calls == summary.minimum_calls == 5
    creates = ok_creates(sb)
    assert len(creates) == 5
    bulk = [r["body"]["contact_ids"] for r in creates if r["path"] == BULK]
    assert sorted(len(ids) for ids in bulk) == [1, 8, 8, 8]
    assert all(len(set(ids)) == len(ids) for ids in bulk)
    sent = Counter(cid for ids in bulk for cid in ids)
    assert sent[rows[0]["contact_id"]] == 2  # two requests, two calls, two tasks
    single = [r for r in creates if r["path"] == CREATE]
    assert single[0]["body"]["title"] == "Call about renewal"
    assert single[0]["body"]["contact_id"] == rows[3]["contact_id"]
    assert len(sb.created()) == 26
    assert {t["created_from"] for t in sb.created()} == {"api"}


def test_rerun_and_wiped_state_send_nothing(sandbox: Any, warehouse_url: str, push: Any) -> None:
    sb = sandbox
    rows = task_rows(sb, 30)
    write_input(warehouse_url, rows)
    assert push(sb).created == 30
    sb.clear_requests()
    again = push(sb)  # `push` wipes the pipelines dir every time
    assert (again.created, again.already_delivered, again.calls) == (0, 30, 0)
    assert ok_creates(sb) == []
    # A changed row with a delivered request_id is reported, not resent.
    rows[0]["note"] = "changed"
    write_input(warehouse_url, rows)
    changed = push(sb)
    assert changed.changed_since_delivery == ["req-0"] and ok_creates(sb) == []
    assert len(sb.created()) == 30


def test_dry_run_plans_and_sends_nothing(sandbox: Any, warehouse_url: str, push: Any) -> None:
    sb = sandbox
    write_input(warehouse_url, task_rows(sb, 12))
    summary = push(sb, dry_run=True, max_contacts_per_call=5)
    assert summary.would_create == 12 and summary.adds_up
    assert len(summary.planned_calls) == summary.minimum_calls == 3
    assert ok_creates(sb) == []
    with pytest.raises(Exception, match="delivery_ledger"):
        ledger(warehouse_url)


def test_dropped_connection_after_create_is_reconciled(
    sandbox: Any, warehouse_url: str, push: Any
) -> None:
    sb = sandbox
    rows = task_rows(sb, 30)
    write_input(warehouse_url, rows)
    sb.script_faults([{"path": BULK, "fault": "drop_after_create", "count": 1, "after": 1}])
    summary = push(sb, max_contacts_per_call=10)
    assert summary.created == 30 and summary.reconciled == {"found": 10}
    assert set(created_by_request(sb, rows).values()) == {1}
    assert {e["state"] for e in ledger(warehouse_url).values()} == {"delivered"}


def test_index_lag_is_waited_for(make_sandbox: Any, warehouse_url: str, push: Any) -> None:
    sb = make_sandbox(index_lag_seconds=2)
    rows = task_rows(sb, 8)
    write_input(warehouse_url, rows)
    sb.script_faults([{"path": BULK, "fault": "drop_after_create", "count": 1}])
    summary = push(sb, reconcile_wait_seconds=6)
    assert summary.created == 8 and summary.reconciled == {"found": 8}
    assert set(created_by_request(sb, rows).values()) == {1}
    assert len(sb.requests("/api/v1/tasks/search")) >= 2  # first looks found nothing yet


def test_server_error_is_resent_once_a_later_task_proves_the_search(
    sandbox: Any, warehouse_url: str, push: Any
) -> None:
    sb = sandbox
    rows = task_rows(sb, 8)
    for row in rows[6:]:
        row["note"] = "other group"  # a second call, sent after the first one failed
    write_input(warehouse_url, rows)
    sb.script_faults([{"path": BULK, "fault": "error_503", "count": 1}])
    summary = push(sb, reconcile_wait_seconds=5)
    assert summary.created == 8 and summary.reconciled == {"not created": 6}
    assert set(created_by_request(sb, rows).values()) == {1}
    assert ledger(warehouse_url)["req-0"]["attempt"] == 2
    # The 503'd call; the other group, held back until it answered (the proof), its last row
    # alone since the run met a fault; the six again, their last row alone and last (it would
    # prove what the five did).
    assert [len(r["body"]["contact_ids"]) for r in ok_creates(sb)] == [6, 1, 1, 5, 1]


def test_unknown_outcome_without_proof_is_never_resent(
    sandbox: Any, warehouse_url: str, push: Any
) -> None:
    """One call, a 503: nothing later can show the search caught up, so nothing is resent."""
    sb = sandbox
    rows = task_rows(sb, 7)
    write_input(warehouse_url, rows[:6])
    sb.script_faults([{"path": BULK, "fault": "error_503", "count": 1}])
    first = push(sb, reconcile_wait_seconds=0.5)
    assert (first.created, first.needs_review) == (0, 6) and first.has_needs_review
    assert first.reconciled == {"no proof yet": 6}
    assert len(ok_creates(sb)) == 1 and sb.created() == []
    assert {e["state"] for e in ledger(warehouse_url).values()} == {"sending"}
    # The next run with one more row: its task is the proof, then the six are sent once.
    write_input(warehouse_url, rows)
    second = push(sb, reconcile_wait_seconds=5)
    assert (second.created, second.needs_review) == (7, 0), second.needs_review_rows
    assert second.reconciled == {"not created": 6}
    assert set(created_by_request(sb, rows).values()) == {1}
    assert {e["state"] for e in ledger(warehouse_url).values()} == {"delivered"}


def test_index_lag_longer_than_the_wait_makes_no_duplicate(
    make_sandbox: Any, warehouse_url: str, push: Any
) -> None:
    """Issue #9 item 7: lag 8 s, wait 3 s, 500 rows, two dropped answers after creating."""
    sb = make_sandbox(tasks=2500, index_lag_seconds=8)
    rows = task_rows(sb, 500)
    assert len(rows) == 500
    write_input(warehouse_url, rows)
    sb.script_faults(
        [
            {"path": BULK, "fault": "drop_after_create", "count": 1, "after": 1},
            {"path": BULK, "fault": "drop_after_create", "count": 1, "after": 3},
        ]
    )
    first = push(sb, reconcile_wait_seconds=3, max_contacts_per_call=50)
    assert max(created_by_request(sb, rows).values()) == 1  # no task twice
    assert len(sb.created()) == 500, first
    assert first.created + first.needs_review == 500 and first.needs_review == 100
    assert first.has_needs_review and first.reconciled == {"no proof yet": 100}
    states = Counter(e["state"] for e in ledger(warehouse_url).values())
    assert states == {"delivered": 400, "sending": 100}
    sb.configure(index_lag_seconds=0)  # the index catches up; the next run finds them
    second = push(sb, reconcile_wait_seconds=3, max_contacts_per_call=50)
    assert (second.already_delivered, second.calls, second.needs_review) == (500, 0, 0)
    assert set(created_by_request(sb, rows).values()) == {1}
    assert {e["state"] for e in ledger(warehouse_url).values()} == {"delivered"}


def test_dlt_retry_of_a_batch_sends_nothing_twice(
    sandbox: Any, warehouse_url: str, push: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = sandbox
    monkeypatch.setenv("DESTINATION__APOLLO_TASKS__MAX_ATTEMPTS", "2")
    rows = task_rows(sb, 30)
    write_input(warehouse_url, rows)
    # Call 2 is dropped after creating; its reconciliation search then fails past the retry
    # budget, so the destination raises and dlt hands the whole batch over again.
    sb.script_faults(
        [
            {"path": BULK, "fault": "drop_after_create", "count": 1, "after": 1},
            {"path": "/api/v1/tasks/search", "fault": "error_500", "count": 2},
        ]
    )
    summary = push(sb, max_contacts_per_call=10)
    assert summary.created == 30 and summary.adds_up
    assert set(created_by_request(sb, rows).values()) == {1}
    bulk_ids = [cid for r in ok_creates(sb) for cid in r["body"]["contact_ids"]]
    assert len(bulk_ids) == len(set(bulk_ids)) == 30  # no contact was ever sent twice


def test_auth_errors_end_the_run_with_the_vendor_error(
    sandbox: Any, warehouse_url: str, push: Any
) -> None:
    from sales_tasks.clients.core.errors import PermissionDeniedError

    sb = sandbox
    write_input(warehouse_url, task_rows(sb, 3))
    with pytest.raises(PermissionDeniedError, match="master API key"):
        push(sb, api_key=sb.plain_key)
    assert sb.created() == []
