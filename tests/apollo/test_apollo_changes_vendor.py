"""Apollo's `ChangeVendor` (`destinations/apollo/changes.py`) against the sandbox over real HTTP:
each change's result (applied, already, gone, rejected, unknown), the task as search then shows
it, and the calls Apollo received (one per change: Apollo documents no bulk complete or skip)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sales_tasks.clients.apollo.profile import APOLLO_PROFILE
from sales_tasks.clients.core.client import ApiClient, RetryPolicy
from sales_tasks.clients.core.values import parse_utc
from sales_tasks.destinations.apollo import APOLLO_CHANGES
from sales_tasks.destinations.apollo.changes import ApolloChanges
from sales_tasks.destinations.core.changes import ChangeVendor, TaskChange
from sales_tasks.sandbox import Sandbox
from tests.apollo.test_apollo_sandbox_changes import new_task, searched


@pytest.fixture
def api(sandbox: Sandbox, http_client_factory: Callable[..., httpx.Client]) -> httpx.Client:
    return http_client_factory(sandbox, {"x-api-key": sandbox.master_key})


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[ApiClient]:
    with ApiClient(
        sandbox.base_url,
        sandbox.master_key,
        profile=APOLLO_PROFILE,
        retry=RetryPolicy(max_attempts=2),
    ) as made:
        yield made


@pytest.fixture
def vendor(client: ApiClient) -> ApolloChanges:
    made = APOLLO_CHANGES(client, object())
    typed: ChangeVendor = made  # mypy checks the Protocol
    assert typed.max_per_call == 1
    return made


def change(task_id: str, kind: str, **fields: Any) -> TaskChange:
    return TaskChange(f"r-{task_id}-{kind}", task_id, kind, fields)  # type: ignore[arg-type]


def calls(sb: Sandbox) -> list[str]:
    return [f"{e['method']} {e['endpoint']}" for e in sb.requests() if "endpoint" in e]


@pytest.mark.parametrize("via", ["put", "action"])
def test_complete_skip_cancel_one_call_each_and_search_shows_them(
    sandbox: Sandbox, api: httpx.Client, client: ApiClient, via: str
) -> None:
    sandbox.configure(resolve_calls="put" if via == "put" else "actions")
    vendor = ApolloChanges(client, resolve_via=via)
    ids = [new_task(api, sandbox)["id"] for _ in range(3)]
    sandbox.clear_requests()
    results = vendor.apply(
        [change(ids[0], "complete"), change(ids[1], "skip"), change(ids[2], "cancel")]
    )
    assert [r.state for r in results] == ["applied"] * 3
    assert len(calls(sandbox)) == 3
    found = searched(api)
    assert [found[i]["status"] for i in ids] == ["completed", "skipped", "skipped"]
    snaps = vendor.read(ids)
    assert [snaps[i].status for i in ids] == ["completed", "skipped", "skipped"]  # type: ignore[union-attr]


def test_already_resolved_removed_and_refused(
    sandbox: Sandbox, api: httpx.Client, vendor: ApolloChanges
) -> None:
    done, skipped, removed = (new_task(api, sandbox)["id"] for _ in range(3))
    sandbox.set_status(done, "completed")
    sandbox.set_status(skipped, "skipped")
    sandbox.delete_task(removed)
    results = vendor.apply(
        [
            change(done, "complete"),
            change(skipped, "complete"),
            change(removed, "skip"),
            change("ffffffffffffffffffffffff", "complete"),
            change(done, "update", due_at="2026-06-01T10:00:00Z"),
        ]
    )
    states = [r.state for r in results]
    assert states == ["already", "rejected", "gone", "gone", "rejected"]
    assert "skipped" in results[1].reason and "cannot change" in results[4].reason


def test_update_is_one_put_and_search_shows_it(
    sandbox: Sandbox, api: httpx.Client, vendor: ApolloChanges
) -> None:
    task = new_task(api, sandbox)["id"]
    owner = sandbox.users()[2]["id"]
    due = datetime(2026, 4, 2, 8, 30, tzinfo=UTC)
    sandbox.clear_requests()
    (result,) = vendor.apply(
        [change(task, "update", due_at=due, priority="low", owner=owner, note="slipped")]
    )
    assert result.state == "applied" and calls(sandbox) == ["PUT api/v1/tasks/{id}"]
    shown = searched(api)[task]
    assert (shown["user_id"], shown["priority"], shown["note"]) == (owner, "low", "slipped")
    snap = vendor.read([task])[task]
    assert snap is not None and parse_utc(snap.due_at) == due and snap.owner == owner
    assert vendor.unsupported(change(task, "update", priority="urgent"))
    assert vendor.unsupported(change(task, "update", title="x"))
    assert vendor.unsupported(change(task, "update", due_at=due)) is None


def test_a_lost_answer_or_5xx_is_unknown_and_a_resend_is_already(
    sandbox: Sandbox, api: httpx.Client, vendor: ApolloChanges
) -> None:
    one, two = (new_task(api, sandbox)["id"] for _ in range(2))
    sandbox.script_faults(
        [
            {"path": f"/api/v1/tasks/{one}", "fault": "drop_after_create"},
            {"path": f"/api/v1/tasks/{two}", "fault": "error_500"},
        ]
    )
    lost = vendor.apply([change(one, "complete"), change(two, "complete")])
    assert [r.state for r in lost] == ["unknown", "unknown"]
    snaps = vendor.read([one, two])
    assert (snaps[one].status, snaps[two].status) == ("completed", "open")  # type: ignore[union-attr]
    again = vendor.apply([change(one, "complete"), change(two, "complete")])
    assert [r.state for r in again] == ["already", "applied"]


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(kinds=st.lists(st.sampled_from(["complete", "skip", "cancel"]), min_size=1, max_size=12))
def test_one_result_and_one_call_per_change(
    sandbox: Sandbox, api: httpx.Client, vendor: ApolloChanges, kinds: list[str]
) -> None:
    ids = [new_task(api, sandbox)["id"] for _ in kinds]
    sandbox.clear_requests()
    results = vendor.apply([change(i, k) for i, k in zip(ids, kinds, strict=True)])
    assert [r.request_id for r in results] == [
        f"r-{i}-{k}" for i, k in zip(ids, kinds, strict=True)
    ]
    assert {r.state for r in results} == {"applied"} and len(calls(sandbox)) == len(kinds)
