"""The Saleshandy sandbox's asynchronous bulk actions over real HTTP (VENDOR-SPECS.md §2.2):
`bulk-skip` (at most 100 ids) and `bulk-snooze` (at most 10,000) answer `{bulkActionId, message,
statusCheckUrl}`, the work is done later (on the emulator's clock, `bulk_seconds`, a guess) and
`bulk-status` tells how it went; plus the guess of a repeated complete (`repeat_action`)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest


def listed(api: httpx.Client) -> dict[str, dict[str, Any]]:
    """Every task of the list (`GET /v1/tasks`, page by page), by id."""
    found: dict[str, dict[str, Any]] = {}
    for page in range(1, 100):
        tasks = api.get("/v1/tasks", params={"page": page, "pageSize": 100}).json()["payload"]
        found.update({t["taskId"]: t for t in tasks})
        if len(tasks) < 100:
            break
    return found


def open_tasks(sb: Any, n: int) -> list[str]:
    prospect = sb.prospects(1)[0]["id"]
    return [sb.add_task(prospect, taskType="13", dueDate="2031-05-06")["id"] for _ in range(n)]


@pytest.fixture
def api(saleshandy_sandbox: Any, saleshandy_client: Any) -> httpx.Client:
    client: httpx.Client = saleshandy_client(saleshandy_sandbox)
    return client


def test_bulk_skip_is_done_later_and_the_status_tells(
    saleshandy_sandbox: Any, api: httpx.Client
) -> None:
    sb = saleshandy_sandbox
    ids = open_tasks(sb, 3)
    sb.set_status(ids[2], "completed")
    sb.freeze_clock()
    resp = api.post("/v1/tasks/bulk-skip", json={"taskIds": [*ids, "nosuchtask"]})
    assert resp.status_code == 200
    accepted = resp.json()
    assert set(accepted) == {"bulkActionId", "message", "statusCheckUrl"}
    status_url = accepted["statusCheckUrl"]
    assert status_url == f"/v1/tasks/bulk-status/{accepted['bulkActionId']}"
    pending = api.get(status_url).json()
    assert (pending["status"], pending["pending"], pending["totalTasks"]) == ("inProgress", 4, 4)
    assert listed(api)[ids[0]]["status"] != "skipped"  # not yet
    sb.advance_clock(sb.config()["bulk_seconds"])
    done = api.get(status_url).json()
    assert set(done) == {
        "bulkActionId", "action", "totalTasks", "completed", "failed", "pending", "status",
        "createdAt", "completedAt", "csvDownloadLink",
    }  # fmt: skip
    assert (done["status"], done["completed"], done["failed"], done["pending"]) == (
        "completed", 2, 2, 0,
    )  # fmt: skip
    assert done["action"] == "skip" and done["csvDownloadLink"]
    shown = listed(api)
    assert [shown[i]["status"] for i in ids] == ["skipped", "skipped", "completed"]
    assert api.get("/v1/tasks/bulk-status/nope").status_code == 404


def test_bulk_limits_are_100_skips_and_10000_snoozes(
    saleshandy_sandbox: Any, api: httpx.Client
) -> None:
    over = api.post("/v1/tasks/bulk-skip", json={"taskIds": [f"t{i}" for i in range(101)]})
    assert over.status_code == 400 and over.json()["code"] == 4000
    assert api.post("/v1/tasks/bulk-skip", json={"taskIds": []}).status_code == 400
    ok = api.post("/v1/tasks/bulk-skip", json={"taskIds": [f"t{i}" for i in range(100)]})
    assert ok.status_code == 200
    until = "2032-01-02T09:00:00Z"
    many = [f"t{i}" for i in range(10_001)]
    assert (
        api.post("/v1/tasks/bulk-snooze", json={"taskIds": many, "snoozeUntil": until}).status_code
        == 400
    )
    assert api.post("/v1/tasks/bulk-snooze", json={"taskIds": many[:10_000]}).status_code == 400
    ids = open_tasks(saleshandy_sandbox, 2)
    snoozed = api.post("/v1/tasks/bulk-snooze", json={"taskIds": ids, "snoozeUntil": until})
    assert snoozed.status_code == 200
    saleshandy_sandbox.advance_clock(saleshandy_sandbox.config()["bulk_seconds"])
    assert api.get(snoozed.json()["statusCheckUrl"]).json()["completed"] == 2
    assert {listed(api)[i]["dueDate"] for i in ids} == {"2032-01-02"}


@pytest.mark.parametrize("repeat", ["400", "200"])
def test_completing_a_completed_task_both_guesses(
    saleshandy_sandbox: Any, api: httpx.Client, repeat: str
) -> None:
    saleshandy_sandbox.configure(repeat_action=repeat)
    (task,) = open_tasks(saleshandy_sandbox, 1)
    assert api.post(f"/v1/tasks/{task}/complete").status_code == 200
    again = api.post(f"/v1/tasks/{task}/complete")
    assert again.status_code == int(repeat)
    assert api.post(f"/v1/tasks/{task}/skip").status_code == 400  # the other way: refused


def test_bulk_calls_are_rate_limited_faulted_and_logged(
    saleshandy_sandbox: Any, api: httpx.Client
) -> None:
    sb = saleshandy_sandbox
    ids = open_tasks(sb, 2)
    sb.clear_requests()
    sb.script_faults([{"path": "/v1/tasks/bulk-skip", "fault": "drop_after_create"}])
    with pytest.raises(httpx.RemoteProtocolError):
        api.post("/v1/tasks/bulk-skip", json={"taskIds": ids})
    (entry,) = sb.requests("/v1/tasks/bulk-skip")
    assert (entry["endpoint"], entry["fault"]) == ("v1/tasks/bulk-skip", "drop_after_create")
    sb.advance_clock(sb.config()["bulk_seconds"])
    assert {listed(api)[i]["status"] for i in ids} == {"skipped"}  # accepted, answer lost
    sb.configure(rate_limit=1)
    sb.reset()
    api.get("/v1/tasks/bulk-status/x")
    assert api.get("/v1/tasks/bulk-status/x").status_code == 429
