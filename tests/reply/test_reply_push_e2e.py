"""`sales-tasks push reply` end to end over real HTTP against the Reply sandbox, into DuckDB and
PostgreSQL: the tasks Reply holds afterwards, both auth schemes, numeric and string enums,
contacts by email, reruns and dry runs that send nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.reply.reply_push_support import (
    DUE,
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


def test_push_creates_each_task_as_asked_and_a_rerun_sends_nothing(
    reply_sandbox: Any, warehouse_url: str, reply_push: Any
) -> None:
    sb = reply_sandbox
    rows = reply_rows(sb, 4)
    rows[1].update(task_type="linkedin_connect", body="Hi {{firstName}}, let's connect")
    rows[2].update(
        task_type="manualEmail", subject="Renewal, {{company}}", body="Dear {{firstName}}"
    )
    rows[3].update(
        task_type="toDo", start_at="2026-07-01T11:00:00+02:00", due_to="2026-07-01T10:00:00Z"
    )
    write_reply_input(warehouse_url, rows)
    first = reply_push(sb)
    assert (first.created, first.rejected, first.calls) == (4, 0, 4), first.format()
    made = {str(t["contactId"]): t for t in sb.created()}
    assert len(made) == 4
    call, linkedin, email, todo = (made[r["contact_id"]] for r in rows)
    assert (call["taskType"], call["linkedInTaskType"], call["status"]) == ("call", None, "new")
    assert call["template"]["body"] == "Call {{firstName}} about the renewal"  # verbatim
    assert call["startAt"].startswith("2026-07-01T09:00:00") and call["dueTo"].startswith(
        "2026-07-02T17:00:00"
    )
    assert (linkedin["taskType"], linkedin["linkedInTaskType"]) == ("linkedIn", "connect")
    assert email["taskType"] == "manualEmail" and email["template"] == {
        "subject": "Renewal, {{company}}",
        "body": "Dear {{firstName}}",
        "attachmentIdList": None,
    }
    assert todo["taskType"] == "toDo" and todo["startAt"].startswith("2026-07-01T09:00:00")
    ledger = reply_ledger(warehouse_url)
    assert {rid: e["task_id"] for rid, e in ledger.items()} == {
        r["request_id"]: str(made[r["contact_id"]]["id"]) for r in rows
    }
    sent = len(creates(sb))
    rerun = reply_push(sb)
    assert (rerun.created, rerun.already_delivered, rerun.calls) == (0, 4, 0), rerun.format()
    assert len(creates(sb)) == sent and len(sb.requests()) > 0
    assert set(tasks_per_request(sb, rows).values()) == {1}


def test_dry_run_sends_and_writes_nothing(
    reply_sandbox: Any, warehouse_url: str, reply_push: Any
) -> None:
    sb = reply_sandbox
    rows = reply_rows(sb, 3)
    rows[2]["body"] = None
    write_reply_input(warehouse_url, rows)
    sb.clear_requests()
    plan = reply_push(sb, dry_run=True)
    assert (plan.would_create, plan.rejected, plan.calls) == (2, 1, 0), plan.format()
    assert plan.planned_calls and all("POST /v3/tasks" in c for c in plan.planned_calls)
    assert sb.requests() == [] and sb.created() == []
    real = reply_push(sb)
    assert real.created == 2


@pytest.mark.parametrize(
    ("sandbox_scheme", "setting"),
    [("bearer", None), ("bearer", "bearer"), ("x-api-key", "x-api-key")],
)
def test_both_auth_schemes(
    make_reply_sandbox: Any,
    warehouse_url: str,
    reply_push: Any,
    sandbox_scheme: str,
    setting: str | None,
) -> None:
    sb = make_reply_sandbox(auth_scheme=sandbox_scheme)
    rows = reply_rows(sb, 2)
    write_reply_input(warehouse_url, rows)
    summary = reply_push(sb, auth_scheme=setting)
    assert summary.created == 2, summary.format()
    header = "x-api-key" if sandbox_scheme == "x-api-key" else "authorization"
    assert {e["auth_header"] for e in creates(sb)} == {header}


def test_wrong_auth_scheme_stops_the_run_and_the_right_one_delivers(
    make_reply_sandbox: Any, warehouse_url: str, reply_push: Any
) -> None:
    from sales_tasks.clients.core.errors import AuthenticationError

    sb = make_reply_sandbox(auth_scheme="x-api-key")
    write_reply_input(warehouse_url, reply_rows(sb, 8))
    with pytest.raises(AuthenticationError) as caught:
        reply_push(sb)  # Bearer by default
    message = str(caught.value)
    assert "401" in message and "x-api-key" in message and sb.api_key not in message
    # The run stops at the first 401: of the 8 rows, only the calls already in flight (two)
    # and the next one each of the two workers may have taken up before that answer reached
    # the engine go out, and none creates anything.
    assert len(creates(sb)) <= 4 and sb.created() == []
    assert {e["state"] for e in reply_ledger(warehouse_url).values()} == {"pending"}
    assert reply_push(sb, auth_scheme="x-api-key").created == 8


def test_organization_key_acts_for_the_configured_user(
    reply_sandbox: Any, warehouse_url: str, reply_push: Any
) -> None:
    sb = reply_sandbox
    user = sb.users()[2]
    write_reply_input(warehouse_url, reply_rows(sb, 2))
    summary = reply_push(sb, api_key=sb.org_key, user_email=user["email"])
    assert summary.created == 2, summary.format()
    assert {t["assignedUserId"] for t in sb.created()} == {user["id"]}
    assert {e["acting_user"] for e in creates(sb)} == {user["email"]}


@pytest.mark.parametrize(
    ("accepts", "answers", "form"),
    [
        ("numbers", "numbers", "numbers"),
        ("strings", "strings", "names"),
        ("both", "strings", "numbers"),
        ("strings", "numbers", "names"),
    ],
)
def test_numeric_and_string_enums(
    make_reply_sandbox: Any,
    warehouse_url: str,
    reply_push: Any,
    accepts: str,
    answers: str,
    form: str,
) -> None:
    sb = make_reply_sandbox(enum_requests=accepts, enum_answers=answers)
    rows = reply_rows(sb, 2)
    rows[1].update(task_type="linkedIn", linkedin_task_type="inMail")
    write_reply_input(warehouse_url, rows)
    summary = reply_push(sb, enum_form=form)
    assert summary.created == 2, summary.format()
    sent = [e["body"] for e in creates(sb)]
    made = {str(t["contactId"]): t for t in sb.created()}
    linkedin = made[rows[1]["contact_id"]]
    if answers == "strings":
        assert (linkedin["taskType"], linkedin["linkedInTaskType"]) == ("linkedIn", "inMail")
    else:
        assert (linkedin["taskType"], linkedin["linkedInTaskType"]) == (5, 2)
    if form == "names":
        assert [(b["taskType"], b.get("linkedInTaskType")) for b in sent] == [
            ("call", None),
            ("linkedIn", "inMail"),
        ]
    else:
        assert [(b["taskType"], b.get("linkedInTaskType")) for b in sent] == [(2, None), (5, 2)]


def test_refused_enum_form_is_rejected_with_reply_detail(
    make_reply_sandbox: Any, warehouse_url: str, reply_push: Any
) -> None:
    sb = make_reply_sandbox(enum_requests="strings")
    write_reply_input(warehouse_url, reply_rows(sb, 1))
    summary = reply_push(sb, enum_form="numbers")  # which this Reply refuses
    assert summary.rejected == 1, summary.format()
    (reason,) = [why for _, _, why in summary.rejections]
    assert "refused the task (400)" in reason and "/taskType" in reason


def test_contact_email_resolved_by_exact_match(
    reply_sandbox: Any, warehouse_url: str, reply_push: Any
) -> None:
    sb = reply_sandbox
    twins, other = sb.contacts(2), sb.contacts(1, 5)[0]
    assert twins[0]["email"].lower() == twins[1]["email"].lower()  # the sandbox's case twins
    rows = [
        {"request_id": "by-email", "contact_email": other["email"].upper()},
        {"request_id": "twins", "contact_email": twins[0]["email"]},
        {"request_id": "nobody", "contact_email": "nobody@nowhere.test"},
        {"request_id": "prefix", "contact_email": other["email"][:-2]},
    ]
    for row in rows:
        row.update(task_type="call", start_at=START, due_to=DUE, body="Call")
    write_reply_input(warehouse_url, rows)
    summary = reply_push(sb)
    assert (summary.created, summary.rejected) == (1, 3), summary.format()
    reasons = {rid: why for _, rid, why in summary.rejections}
    assert "ambiguous contact_email" in reasons["twins"] and "give contact_id" in reasons["twins"]
    assert "unknown contact_email" in reasons["nobody"]
    assert "unknown contact_email" in reasons["prefix"]
    assert [t["contactId"] for t in sb.created()] == [other["id"]]
    assert len(creates(sb)) == 1
