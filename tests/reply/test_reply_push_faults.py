"""Reply's refusals and faults over real HTTP: a 404 contact (rejected with Reply's detail and
never resent), 429s and pacing by Reply's limits, a connection dropped after the create, a 5xx,
and the list lagging creates; into DuckDB and PostgreSQL."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.reply.reply_push_support import (
    CREATE,
    START,
    creates,
    push,
    reply_ledger,
    reply_push,
    reply_rows,
    tasks_per_request,
    warehouse_url,
    write_reply_input,
)

__all__ = ["push", "reply_push", "warehouse_url"]  # fixtures used by name

MISSING_CONTACT = "987654321"


def test_unknown_contact_is_rejected_with_reply_detail_and_not_retried(
    reply_sandbox: Any, warehouse_url: str, reply_push: Any
) -> None:
    sb = reply_sandbox
    rows = reply_rows(sb, 2)
    rows[1]["contact_id"] = MISSING_CONTACT
    write_reply_input(warehouse_url, rows)
    first = reply_push(sb)
    assert (first.created, first.rejected, first.calls) == (1, 1, 2), first.format()
    (reason,) = [why for _, rid, why in first.rejections if rid == rows[1]["request_id"]]
    assert reason == (
        f"Reply refused the task (404 contact.notFound): Contact {MISSING_CONTACT} was not found."
    )
    assert reply_ledger(warehouse_url)[rows[1]["request_id"]]["state"] == "rejected"
    asked = [e for e in creates(sb) if str(e["body"]["contactId"]) == MISSING_CONTACT]
    assert [e["status"] for e in asked] == [404]  # a refusal is final: not retried
    # A later run does not spend quota on the unchanged refused row: it is reported with the
    # reason the ledger kept, and no call is made; `retry_rejected` offers it once more.
    again = reply_push(sb)
    assert (again.created, again.refused_before, again.already_delivered) == (0, 1, 1), (
        again.format()
    )
    assert again.calls == 0 and len(sb.created()) == 1
    retried = reply_push(sb, retry_rejected=True)
    assert (retried.created, retried.rejected, retried.calls) == (0, 1, 1), retried.format()
    assert len(sb.created()) == 1
    rows[1]["contact_id"] = str(sb.contacts(1, 40)[0]["id"])  # corrected: sent
    write_reply_input(warehouse_url, rows)
    fixed = reply_push(sb)
    assert (fixed.created, fixed.already_delivered) == (1, 1), fixed.format()
    assert len(sb.created()) == 2


def test_pacing_by_reply_limits_refuses_no_call(
    make_reply_sandbox: Any, warehouse_url: str, reply_push: Any
) -> None:
    """Limits of 5 a "minute" of 2 s (and 3,000 an "hour"): the push is paced to fit, gets no
    429, and its final progress line says how long it was held back."""
    sb = make_reply_sandbox(rate_limits={"minute": 5, "hour": 3000}, window_scale=2 / 60)
    rows = reply_rows(sb, 12)
    write_reply_input(warehouse_url, rows)
    lines: list[str] = []
    started = time.monotonic()
    summary = reply_push(sb, rate_limits="5/2,3000/120", progress=lines.append)
    wall = time.monotonic() - started
    assert summary.created == 12, summary.format()
    received = creates(sb)
    assert [e["status"] for e in received].count(429) == 0
    sent_at = sorted(e["timestamp"] for e in received)
    assert len(sent_at) == 12
    # No 2-second span holds more than 5 calls, and 12 calls need more than two such spans.
    assert all(
        later - earlier >= 2.0 - 0.05 for earlier, later in zip(sent_at, sent_at[5:], strict=False)
    )
    assert wall >= 4.0
    final = lines[-1]
    assert "calls 12 sent" in final and "paced" in final, lines


def test_429s_are_waited_out_and_no_task_is_lost_or_doubled(
    make_reply_sandbox: Any, warehouse_url: str, reply_push: Any
) -> None:
    """Reply allows fewer calls than configured (5 a 1 s "minute"): its 429s and Retry-After
    pace the push; each refused call is sent again once the window turned."""
    sb = make_reply_sandbox(rate_limits={"minute": 5, "hour": 3000}, window_scale=1 / 60)
    rows = reply_rows(sb, 12)
    write_reply_input(warehouse_url, rows)
    summary = reply_push(sb, calls_in_flight=2)
    assert summary.created == 12, summary.format()
    received = creates(sb)
    refused = [e for e in received if e["status"] == 429]
    assert refused, "the sandbox's limit should have refused some calls"
    # After a 429 the client waits for Retry-After and probes one call at a time, so each
    # window costs at most the calls already in flight (2).
    assert len(refused) <= 2 * 3
    assert len(received) - len(refused) == 12
    assert set(tasks_per_request(sb, rows).values()) == {1}


def test_connection_dropped_after_create_is_found_not_resent(
    reply_sandbox: Any, warehouse_url: str, reply_push: Any
) -> None:
    sb = reply_sandbox
    rows = reply_rows(sb, 5)
    write_reply_input(warehouse_url, rows)
    sb.script_faults([{"path": CREATE, "fault": "drop_after_create", "count": 1, "after": 1}])
    summary = reply_push(sb)
    assert (summary.created, summary.needs_review) == (5, 0), summary.format()
    assert summary.reconciled == {"found": 1}
    assert len(creates(sb)) == 5  # nothing resent
    assert set(tasks_per_request(sb, rows).values()) == {1}
    searches = [e["body"] for e in sb.requests("/v3/tasks/filter") if e["method"] == "POST"]
    # By contact (a look over several contacts reads by the rows' start window instead).
    by_contact = [b for b in searches if "contactId" in b]
    assert searches and {b["contactId"] for b in by_contact} <= {int(r["contact_id"]) for r in rows}
    # The window is always sent, or a task started over a year ahead would be invisible.
    assert {(b["from"], b["to"]) for b in by_contact} == {
        ("2000-01-01T00:00:00Z", "9999-12-31T00:00:00Z")
    }
    assert all(b["from"] <= START <= b["to"] for b in searches)
    rerun = reply_push(sb)
    assert (rerun.already_delivered, rerun.calls) == (5, 0)


def test_server_error_before_create_is_checked_then_sent_once(
    reply_sandbox: Any, warehouse_url: str, reply_push: Any
) -> None:
    """A 503 leaves the create's outcome unknown: the task is looked for, proven not created by
    a later task that shows in the list, and only then sent again."""
    sb = reply_sandbox
    rows = reply_rows(sb, 4)
    write_reply_input(warehouse_url, rows)
    sb.script_faults([{"path": CREATE, "fault": "error_503", "count": 1}])
    summary = reply_push(sb)
    assert summary.created == 4, summary.format()
    assert summary.reconciled == {"not created": 1}
    assert set(tasks_per_request(sb, rows).values()) == {1}
    assert len(creates(sb)) == 5


def test_lagging_list_leaves_the_row_for_the_next_run_which_finds_it(
    make_reply_sandbox: Any, warehouse_url: str, reply_push: Any
) -> None:
    """The only create's answer is lost and the list lags by 2 s: with no later task to prove
    the list caught up, nothing is resent; the next run finds the task."""
    sb = make_reply_sandbox(index_lag_seconds=2.0)
    sb.freeze_clock()  # the lag counts on the emulator's clock: moved on below, never slept
    rows = reply_rows(sb, 1)
    write_reply_input(warehouse_url, rows)
    sb.script_faults([{"path": CREATE, "fault": "drop_after_create", "count": 1}])
    first = reply_push(sb, reconcile_wait_seconds=0.5)
    assert first.needs_review == 1 and first.created == 0, first.format()
    assert "run the push again later" in first.needs_review_rows[0][1]
    assert reply_ledger(warehouse_url)[rows[0]["request_id"]]["state"] == "sending"
    sb.advance_clock(2.0)
    second = reply_push(sb)
    assert (second.already_delivered, second.calls) == (1, 0), second.format()
    assert len(sb.created()) == 1 and len(creates(sb)) == 1


@pytest.mark.parametrize("answers", ["strings", "numbers"])
def test_a_lost_answer_is_matched_on_the_detail_not_a_look_alike(
    make_reply_sandbox: Any, warehouse_url: str, reply_push: Any, answers: str
) -> None:
    """Filter items are summaries (no template, no creationSource, no createdAt): a task made in
    Reply's app for the same contact, type, start and due but another body is told apart by
    reading each candidate's detail; the real one is found, nothing is resent, nothing needs
    review."""
    sb = make_reply_sandbox(enum_answers=answers, rate_limits={"minute": 10**6, "hour": 10**7})
    rows = reply_rows(sb, 1, start_at="2099-01-05T09:00:00Z", due_to="2099-01-06T09:00:00Z")
    look_alike = sb.add_task(
        taskType="call",
        contactId=int(rows[0]["contact_id"]),
        startAt="2099-01-05T09:00:00Z",
        dueTo="2099-01-06T09:00:00Z",
        template={"body": "Another body"},
    )
    write_reply_input(warehouse_url, rows)
    sb.script_faults([{"path": CREATE, "fault": "drop_after_create", "count": 1}])
    summary = reply_push(sb)
    assert (summary.created, summary.needs_review) == (1, 0), summary.format()
    assert summary.reconciled == {"found": 1} and len(creates(sb)) == 1
    (made,) = sb.created()
    assert reply_ledger(warehouse_url)[rows[0]["request_id"]]["task_id"] == str(made["id"])
    gets = [e for e in sb.requests() if e["endpoint"] == "tasks.get"]
    read = {int(e["path"].rsplit("/", 1)[1]) for e in gets}
    assert read <= {made["id"], look_alike["id"]} and made["id"] in read


def test_a_look_over_several_contacts_is_one_filter_read_by_the_start_window(
    reply_sandbox: Any, warehouse_url: str, reply_push: Any
) -> None:
    """Three answers lost on three contacts (two 503s before any work, one dropped after the
    create): the filter takes one `contactId`, so a look over several contacts reads once by the
    `startAt` window of the tasks it looks for (RS @1,710,000), answered in one response, and
    decides them all: the made task found, the others proven not created and sent once more."""
    sb = reply_sandbox
    rows = reply_rows(sb, 8)
    write_reply_input(warehouse_url, rows)
    sb.script_faults(
        [
            {"path": CREATE, "fault": "error_503", "count": 2},
            {"path": CREATE, "fault": "drop_after_create", "count": 1, "after": 2},
        ]
    )
    summary = reply_push(sb, calls_in_flight=4)
    assert (summary.created, summary.needs_review) == (8, 0), summary.format()
    assert summary.reconciled == {"found": 1, "not created": 2}
    assert set(tasks_per_request(sb, rows).values()) == {1}  # no duplicate, none missing
    assert len(creates(sb)) == 10
    searches = [e["body"] for e in sb.requests("/v3/tasks/filter") if e["method"] == "POST"]
    windowed = [b for b in searches if "contactId" not in b]
    assert windowed, searches
    # The window is the rows' start time (to the second on either side), not the whole list.
    assert {(b["from"], b["to"]) for b in windowed} == {
        ("2026-07-01T08:59:59Z", "2026-07-01T09:00:01Z")
    }
