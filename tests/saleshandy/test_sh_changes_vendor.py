"""Saleshandy's `ChangeVendor` (`destinations/saleshandy/changes.py`) against the sandbox over
real HTTP: a bulk skip polled on the emulator's clock (no wall-clock sleep), single completes
and notes, each result (applied, already, gone, rejected, unknown), the list after, the calls
Saleshandy received, and the changes refused for want of a documented call."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sales_tasks.clients.core.client import ApiClient, RetryPolicy
from sales_tasks.clients.core.waiting import Waits, waiting_on
from sales_tasks.clients.saleshandy.profile import SALESHANDY_PROFILE
from sales_tasks.destinations.core.changes import ChangeVendor, TaskChange
from sales_tasks.destinations.saleshandy import SALESHANDY_CHANGES
from sales_tasks.destinations.saleshandy.changes import NO_CANCEL, SaleshandyChanges
from tests.saleshandy.test_sh_sandbox_changes import listed, open_tasks


@pytest.fixture
def on_emulator_clock(saleshandy_sandbox: Any) -> Iterator[None]:
    sb = saleshandy_sandbox
    sb.freeze_clock()
    with waiting_on(Waits(monotonic=lambda: sb.clock()["now"], sleep=sb.advance_clock)):
        yield


@pytest.fixture
def client(saleshandy_sandbox: Any, on_emulator_clock: None) -> Iterator[ApiClient]:
    with ApiClient(
        saleshandy_sandbox.base_url,
        saleshandy_sandbox.api_key,
        profile=SALESHANDY_PROFILE,
        retry=RetryPolicy(max_attempts=2),
    ) as made:
        yield made


@pytest.fixture
def vendor(client: ApiClient) -> SaleshandyChanges:
    made = SALESHANDY_CHANGES(client, object())
    typed: ChangeVendor = made  # mypy checks the Protocol
    assert typed.max_per_call == 100
    return made


@pytest.fixture
def api(saleshandy_sandbox: Any, saleshandy_client: Any) -> Any:
    return saleshandy_client(saleshandy_sandbox)


def change(task_id: str, kind: str, **fields: Any) -> TaskChange:
    return TaskChange(f"r-{task_id}-{kind}", task_id, kind, fields)  # type: ignore[arg-type]


def calls(sb: Any) -> list[str]:
    return [e["endpoint"] for e in sb.requests() if "endpoint" in e]


def test_skips_go_as_one_bulk_skip_polled_on_the_emulator_clock(
    saleshandy_sandbox: Any, vendor: SaleshandyChanges, api: Any
) -> None:
    sb = saleshandy_sandbox
    ids = open_tasks(sb, 5)
    sb.clear_requests()
    started = sb.clock()["now"]
    results = vendor.apply(
        [change(i, "skip") for i in ids[:3]] + [change(i, "cancel") for i in ids[3:]]
    )
    assert {r.state for r in results} == {"applied"} and len(results) == 5
    assert calls(sb) == ["v1/tasks/bulk-skip", *["v1/tasks/bulk-status/{bulkActionId}"] * 2]
    assert sb.clock()["now"] - started == pytest.approx(2.0)  # one poll interval, emulated
    assert {listed(api)[i]["status"] for i in ids} == {"skipped"}
    assert {s.status for s in vendor.read(ids).values() if s} == {"skipped"}


def test_a_bulk_skip_with_failures_reads_its_tasks_back(
    saleshandy_sandbox: Any, vendor: SaleshandyChanges
) -> None:
    sb = saleshandy_sandbox
    fine, done, gone = open_tasks(sb, 3)
    sb.set_status(done, "completed")
    sb.delete_task(gone)
    results = vendor.apply([change(fine, "skip"), change(done, "skip"), change(gone, "skip")])
    assert [r.state for r in results] == ["applied", "rejected", "gone"]


@pytest.mark.parametrize("repeat", ["400", "200"])
def test_complete_one_call_each_and_already_both_guesses(
    saleshandy_sandbox: Any, vendor: SaleshandyChanges, repeat: str
) -> None:
    sb = saleshandy_sandbox
    sb.configure(repeat_action=repeat)
    fresh, done, skipped = open_tasks(sb, 3)
    sb.set_status(done, "completed")
    sb.set_status(skipped, "skipped")
    sb.clear_requests()
    results = vendor.apply(
        [change(fresh, "complete"), change(done, "complete"), change(skipped, "complete"),
         change("nosuchtask", "complete")]
    )  # fmt: skip
    states = [r.state for r in results]
    # a repeat answered 200 is done either way; a 400 is read back and counted as already
    assert states == ["applied", "applied" if repeat == "200" else "already", "rejected", "gone"]
    assert calls(sb).count("v1/tasks/{taskId}/complete") == 4


def test_only_the_note_can_change_and_the_rest_is_refused_with_the_reason(
    saleshandy_sandbox: Any, vendor: SaleshandyChanges, api: Any, client: ApiClient
) -> None:
    (task,) = open_tasks(saleshandy_sandbox, 1)
    for fields, word in (({"due_at": "2031-06-01"}, "due date"), ({"owner": "x"}, "assignee"),
                         ({"priority": "high"}, "priority")):  # fmt: skip
        reason = vendor.unsupported(change(task, "update", **fields))
        assert reason is not None and word in reason and "documents no way" in reason
    assert vendor.unsupported(change(task, "update", note="n")) is None
    assert vendor.unsupported(change(task, "cancel")) is None  # sent as a skip
    assert (
        SaleshandyChanges(client, cancel_as="reject").unsupported(change(task, "cancel"))
        == NO_CANCEL
    )
    (result,) = vendor.apply([change(task, "update", note="call after the demo")])
    assert result.state == "applied"
    assert listed(api)[task]["taskNote"] == "call after the demo"
    snap = vendor.read([task])[task]
    assert snap is not None and snap.note == "call after the demo" and snap.status == "open"


def test_lost_answers_and_5xx_are_unknown_and_the_read_tells(
    saleshandy_sandbox: Any, vendor: SaleshandyChanges
) -> None:
    sb = saleshandy_sandbox
    ids = open_tasks(sb, 3)
    sb.script_faults(
        [
            {"path": "/v1/tasks/bulk-skip", "fault": "drop_after_create"},
            {"path": f"/v1/tasks/{ids[2]}/complete", "fault": "error_503"},
        ]
    )
    lost = vendor.apply(
        [change(ids[0], "skip"), change(ids[1], "skip"), change(ids[2], "complete")]
    )
    assert [r.state for r in lost] == ["unknown"] * 3
    sb.advance_clock(sb.config()["bulk_seconds"])
    snaps = vendor.read(ids)
    assert [snaps[i].status for i in ids] == ["skipped", "skipped", "open"]  # type: ignore[union-attr]
    again = vendor.apply([change(ids[0], "skip")])
    assert again[0].state == "already"


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(n=st.integers(min_value=2, max_value=230))
def test_n_skips_take_ceil_n_over_100_bulk_calls(
    saleshandy_sandbox: Any, vendor: SaleshandyChanges, n: int
) -> None:
    sb = saleshandy_sandbox
    sb.reset()
    sb.freeze_clock()
    ids = open_tasks(sb, n)
    sb.clear_requests()
    results = vendor.apply([change(i, "skip") for i in ids])
    assert [r.request_id for r in results] == [f"r-{i}-skip" for i in ids]
    assert {r.state for r in results} == {"applied"}
    assert calls(sb).count("v1/tasks/bulk-skip") == -(-n // 100)


def test_what_cannot_be_done_is_rejected_by_apply_without_a_call(
    saleshandy_sandbox: Any, vendor: SaleshandyChanges
) -> None:
    (task,) = open_tasks(saleshandy_sandbox, 1)
    saleshandy_sandbox.clear_requests()
    (result,) = vendor.apply([change(task, "update", due_at="2031-06-01")])
    assert result.state == "rejected" and "due date" in result.reason
    assert calls(saleshandy_sandbox) == []
