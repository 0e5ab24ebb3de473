"""Reply's `ChangeVendor` (`destinations/reply/changes.py`) against the sandbox over real HTTP:
what each change's result says (applied, already, gone, rejected, unknown), what a later list
read shows, and the calls Reply received (batches of up to 100, the fewest calls)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sales_tasks.clients.core.client import ApiClient, RetryPolicy
from sales_tasks.clients.core.values import parse_utc
from sales_tasks.clients.reply.profile import REPLY_PROFILE, reply_auth
from sales_tasks.destinations.core.changes import ChangeVendor, TaskChange
from sales_tasks.destinations.reply import REPLY_CHANGES
from sales_tasks.destinations.reply.changes import NO_PRIORITY, NO_SKIP, ReplyChanges

START, DUE = "2026-03-02T09:00:00Z", "2026-03-03T09:00:00Z"


@pytest.fixture
def client(reply_sandbox: Any) -> Iterator[ApiClient]:
    unpaced = dataclasses.replace(REPLY_PROFILE, documented_limits=((10**6, 60.0),))
    with ApiClient(
        reply_sandbox.base_url,
        auth=reply_auth(reply_sandbox.api_key),
        profile=unpaced,
        retry=RetryPolicy(max_attempts=2),
    ) as api:
        yield api


@pytest.fixture
def vendor(client: ApiClient) -> ReplyChanges:
    made = REPLY_CHANGES(client, type("Settings", (), {"enum_form": "names"})())
    assert isinstance(made, ReplyChanges)
    return made


def _tasks(sb: Any, n: int) -> list[str]:
    contact = sb.contacts(1)[0]["id"]
    return [
        str(
            sb.add_task(
                taskType="call",
                startAt=START,
                dueTo=DUE,
                template={"body": f"task {i}"},
                contactId=contact,
            )["id"]
        )
        for i in range(n)
    ]


def _change(task_id: str, kind: str, **fields: Any) -> TaskChange:
    return TaskChange(f"r-{task_id}-{kind}", task_id, kind, fields)  # type: ignore[arg-type]


def _listed(sb: Any, client: ApiClient) -> dict[str, dict[str, Any]]:
    answer = client.request_json(
        "POST", "/v3/tasks/filter", params={"top": 1000}, json={"to": "2099-01-01T00:00:00Z"}
    )
    return {str(item["id"]): item for item in answer["items"]}


def _calls(sb: Any) -> list[str]:
    return [e["endpoint"] for e in sb.requests() if e.get("endpoint", "").startswith("tasks.")]


def test_it_is_a_change_vendor(vendor: ReplyChanges) -> None:
    typed: ChangeVendor = vendor  # mypy checks the Protocol
    assert typed.max_per_call == 100


def test_completes_and_cancels_go_in_one_batch_each_and_lists_follow(
    reply_sandbox: Any, vendor: ReplyChanges, client: ApiClient
) -> None:
    sb = reply_sandbox
    ids = _tasks(sb, 6)
    sb.clear_requests()
    changes = [_change(i, "complete") for i in ids[:3]] + [_change(i, "cancel") for i in ids[3:]]
    results = vendor.apply(changes)
    assert [r.request_id for r in results] == [c.request_id for c in changes]
    assert {r.state for r in results} == {"applied"}
    assert _calls(sb) == ["tasks.batch_complete", "tasks.bulk_delete"]
    listed = _listed(sb, client)
    assert all(listed[i]["status"] == "finished" for i in ids[:3])
    assert not set(ids[3:]) & set(listed)  # deleted tasks leave the lists
    snaps = vendor.read(ids)
    assert [snaps[i].status for i in ids] == ["completed"] * 3 + ["cancelled"] * 3  # type: ignore[union-attr]


def test_already_done_gone_and_refused_read_as_such(
    reply_sandbox: Any, vendor: ReplyChanges
) -> None:
    sb = reply_sandbox
    done, cancelled, missing, deleted = _tasks(sb, 4)
    sb.set_status(done, "completed")
    sb.set_status(cancelled, "skipped")  # Reply: cancelled
    sb.delete_task(deleted)
    results = vendor.apply(
        [
            _change(done, "complete"),
            _change(cancelled, "complete"),
            _change("99999999", "complete"),
            _change(deleted, "cancel"),
            _change("99999998", "cancel"),
        ]
    )
    states = [(r.state, r.reason) for r in results]
    assert states[0] == ("already", "")
    assert states[1][0] == "rejected" and "cancelled" in states[1][1]
    assert states[2][0] == "gone"
    assert states[3] == ("already", "")  # deleted before: bulk-delete's notFound, read back
    assert states[4][0] == "gone"


def test_update_reads_then_puts_the_whole_task_and_lists_show_it(
    reply_sandbox: Any, vendor: ReplyChanges, client: ApiClient
) -> None:
    sb = reply_sandbox
    task, finished = _tasks(sb, 2)
    sb.set_status(finished, "completed")
    owner = sb.users()[3]["id"]
    sb.clear_requests()
    due = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    results = vendor.apply(
        [
            _change(task, "update", due_at=due, note="moved a week", owner=str(owner)),
            _change(finished, "update", due_at=due),
        ]
    )
    assert results[0].state == "applied"
    assert results[1].state == "rejected" and "canOnlyEditNewTasks" in results[1].reason
    assert _calls(sb) == ["tasks.get", "tasks.update", "tasks.get", "tasks.batch_assign"]
    item = _listed(sb, client)[task]
    assert item["dueTo"] == "2026-03-10T15:00:00.000Z" and item["assignedUserId"] == owner
    snap = vendor.read([task])[task]
    assert snap is not None and snap.note == "moved a week" and parse_utc(snap.due_at) == due
    # the same change again: read, nothing to send
    sb.clear_requests()
    again = vendor.apply([_change(task, "update", due_at=due, note="moved a week")])
    assert again[0].state == "already" and _calls(sb) == []  # `read` fetched it just before


def test_what_reply_cannot_do_is_said_per_change(
    reply_sandbox: Any, vendor: ReplyChanges, client: ApiClient
) -> None:
    (task,) = _tasks(reply_sandbox, 1)
    assert vendor.unsupported(_change(task, "update", priority="high")) == NO_PRIORITY
    assert vendor.unsupported(_change(task, "update", owner="nobody@nowhere.test"))
    assert vendor.unsupported(_change(task, "update", due_at="2026-03-10T10:00:00Z")) is None
    assert vendor.unsupported(_change(task, "skip")) == NO_SKIP
    lenient = ReplyChanges(client, skip_as="cancel")
    assert lenient.unsupported(_change(task, "skip")) is None  # sent as a cancel
    (skipped,) = lenient.apply([_change(task, "skip")])
    assert skipped.state == "applied" and lenient.read([task])[task].status == "cancelled"  # type: ignore[union-attr]
    email = reply_sandbox.users()[2]["email"]
    assert vendor.unsupported(_change(task, "update", owner=email)) is None
    off_team = vendor.apply([_change(task, "update", owner="424242")])
    assert off_team[0].state == "rejected" and "task.forbidden" in off_team[0].reason


def test_a_lost_answer_or_a_5xx_is_unknown_and_the_read_tells(
    reply_sandbox: Any, vendor: ReplyChanges
) -> None:
    sb = reply_sandbox
    ids = _tasks(sb, 3)
    sb.script_faults([{"path": "/v3/tasks/batch/complete", "fault": "drop_after_create"}])
    lost = vendor.apply([_change(i, "complete") for i in ids[:2]])
    assert {r.state for r in lost} == {"unknown"}
    assert {s.status for s in vendor.read(ids[:2]).values() if s} == {"completed"}
    sb.script_faults([{"path": "/v3/tasks/bulk-delete", "fault": "error_503"}])
    failed = vendor.apply([_change(ids[2], "cancel")])
    assert failed[0].state == "unknown"
    snap = vendor.read([ids[2]])[ids[2]]
    assert snap is not None and snap.status == "open"  # the 503 came before the work
    # once more after the lost answer: already, not applied twice
    again = vendor.apply([_change(i, "complete") for i in ids[:2]])
    assert {r.state for r in again} == {"already"}


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(n=st.integers(min_value=1, max_value=230))
def test_n_completes_take_ceil_n_over_100_calls_one_result_each(
    reply_sandbox: Any, vendor: ReplyChanges, n: int
) -> None:
    sb = reply_sandbox
    sb.reset()
    sb.configure(rate_limits={"minute": 10**6, "hour": 10**6})
    open_ids = [str(t["id"]) for t in sb.tasks() if t["status"] == 0]
    picked = (open_ids + _tasks(sb, max(0, n - len(open_ids))))[:n]
    changes = [TaskChange(f"r{k}", tid, "complete") for k, tid in enumerate(picked)]
    sb.clear_requests()
    results = vendor.apply(changes)
    assert [r.request_id for r in results] == [c.request_id for c in changes]
    assert _calls(sb).count("tasks.batch_complete") == -(-n // 100)
    assert all(r.state in ("applied", "already") for r in results)


def test_an_edit_after_a_read_is_one_put(reply_sandbox: Any, vendor: ReplyChanges) -> None:
    """The planner reads the tasks it changes first: the PUT then needs no read of its own."""
    (task,) = _tasks(reply_sandbox, 1)
    vendor.read([task])
    reply_sandbox.clear_requests()
    (result,) = vendor.apply([_change(task, "update", due_at="2026-03-12T09:00:00Z")])
    assert result.state == "applied" and _calls(reply_sandbox) == ["tasks.update"]
    reply_sandbox.clear_requests()  # a detail serves one PUT only
    vendor.apply([_change(task, "update", due_at="2026-03-13T09:00:00Z")])
    assert _calls(reply_sandbox) == ["tasks.get", "tasks.update"]
