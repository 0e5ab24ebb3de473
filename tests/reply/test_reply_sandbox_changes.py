"""The Reply sandbox's task lifecycle endpoints over real HTTP (VENDOR-SPECS.md §1.1-1.4): update
(full replacement, only `new` editable), delete (open → cancelled, finished → archived, out of
the lists), reassign, complete (409 when not open), and the three batch calls (1..100 ids, a
failure map), with the scopes they need and the switch for what is a guess (`redelete`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sales_tasks.sandbox.reply import ReplySandbox

START, DUE = "2026-03-02T09:00:00Z", "2026-03-03T09:00:00Z"


def _new_task(api: httpx.Client, sb: ReplySandbox, **changes: Any) -> dict[str, Any]:
    contact = sb.contacts(1)[0]
    body = {
        "taskType": "call",
        "startAt": START,
        "dueTo": DUE,
        "template": {"body": "Call them", "subject": None},
        "contactId": contact["id"],
        **changes,
    }
    resp = api.post("/v3/tasks", json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


def _listed(api: httpx.Client) -> dict[int, dict[str, Any]]:
    resp = api.post("/v3/tasks/filter", params={"top": 1000}, json={"to": "2099-01-01T00:00:00Z"})
    return {item["id"]: item for item in resp.json()["items"]}


@pytest.fixture
def api(reply_sandbox: ReplySandbox, reply_client: Callable[..., httpx.Client]) -> httpx.Client:
    return reply_client(reply_sandbox)


def test_put_replaces_a_new_task_and_lists_show_it(api: httpx.Client, reply_sandbox: Any) -> None:
    task = _new_task(api, reply_sandbox)
    body = {
        "taskType": "call",
        "startAt": START,
        "dueTo": "2026-03-09T10:00:00Z",
        "template": {"body": "Call them next week"},
        "contactId": task["contactId"],
    }
    resp = api.put(f"/v3/tasks/{task['id']}", json=body)
    assert resp.status_code == 200
    assert resp.json()["dueTo"] == "2026-03-09T10:00:00.000Z"
    assert resp.json()["template"]["body"] == "Call them next week"
    assert _listed(api)[task["id"]]["dueTo"] == "2026-03-09T10:00:00.000Z"
    # full replacement: the required set as on create
    missing = api.put(f"/v3/tasks/{task['id']}", json={"dueTo": DUE})
    assert missing.status_code == 400 and {e["pointer"] for e in missing.json()["errors"]} >= {
        "/taskType",
        "/startAt",
        "/template",
    }
    assert api.put("/v3/tasks/99999999", json=body).json()["code"] == "task.notFound"


def test_only_new_tasks_are_editable_and_completing_twice_is_409(
    api: httpx.Client, reply_sandbox: Any
) -> None:
    task = _new_task(api, reply_sandbox)
    assert api.post(f"/v3/tasks/{task['id']}/complete").status_code == 400  # body required
    done = api.post(f"/v3/tasks/{task['id']}/complete", json={})
    assert done.status_code == 200
    assert done.json()["status"] == "finished" and done.json()["finishedAt"]
    again = api.post(f"/v3/tasks/{task['id']}/complete", json={})
    assert (again.status_code, again.json()["code"]) == (409, "task.cannotComplete")
    assert again.headers["content-type"].startswith("application/problem+json")
    edit = api.put(
        f"/v3/tasks/{task['id']}",
        json={
            "taskType": "call",
            "startAt": START,
            "dueTo": DUE,
            "template": {"body": "x"},
            "contactId": task["contactId"],
        },
    )
    assert (edit.status_code, edit.json()["code"]) == (400, "task.unknown")
    assert "canOnlyEditNewTasks" in edit.json()["detail"]
    assert _listed(api)[task["id"]]["status"] == "finished"


def test_delete_cancels_an_open_task_and_archives_a_finished_one(
    api: httpx.Client, reply_sandbox: Any
) -> None:
    sb = reply_sandbox
    first, second = _new_task(api, sb), _new_task(api, sb)
    api.post(f"/v3/tasks/{second['id']}/complete", json={})
    for task in (first, second):
        resp = api.delete(f"/v3/tasks/{task['id']}")
        assert (resp.status_code, resp.content) == (204, b"")
    assert api.get(f"/v3/tasks/{first['id']}").json()["status"] == "cancelled"
    assert api.get(f"/v3/tasks/{second['id']}").json()["status"] == "archived"
    assert not {first["id"], second["id"]} & set(_listed(api))
    again = api.delete(f"/v3/tasks/{first['id']}")
    assert (again.status_code, again.json()["code"]) == (400, "task.unknown")
    sb.configure(redelete="204")  # the guess's other side
    assert api.delete(f"/v3/tasks/{first['id']}").status_code == 204
    assert api.delete("/v3/tasks/99999999").status_code == 404


def test_reassign_needs_a_team_user(api: httpx.Client, reply_sandbox: Any) -> None:
    sb = reply_sandbox
    task = _new_task(api, sb)
    other = sb.users()[1]["id"]
    resp = api.put(f"/v3/tasks/{task['id']}/assigned-user", json={"userId": other})
    assert resp.status_code == 200 and resp.json()["assignedUserId"] == other
    assert _listed(api)[task["id"]]["assignedUserId"] == other
    off = api.put(f"/v3/tasks/{task['id']}/assigned-user", json={"userId": 424242})
    assert (off.status_code, off.json()["code"]) == (403, "task.forbidden")
    assert api.put(f"/v3/tasks/{task['id']}/assigned-user", json={}).status_code == 400


def test_batches_answer_a_failure_map_and_take_1_to_100_ids(
    api: httpx.Client, reply_sandbox: Any
) -> None:
    sb = reply_sandbox
    one, two = _new_task(api, sb), _new_task(api, sb)
    api.post(f"/v3/tasks/{two['id']}/complete", json={})
    resp = api.post("/v3/tasks/batch/complete", json={"ids": [one["id"], two["id"], 99999999]})
    assert resp.status_code == 200
    assert resp.json() == {
        str(two["id"]): {"error": "cannotComplete", "errorDetails": "Task status is finished."},
        "99999999": {"error": "notFound", "errorDetails": None},
    }
    for path in ("batch/complete", "bulk-delete", "batch/assign"):
        for ids in ([], list(range(1, 102))):
            refused = api.post(f"/v3/tasks/{path}", json={"ids": ids, "userId": 1})
            assert refused.status_code == 400 and refused.json()["errors"][0]["pointer"] == "/ids"
    user = sb.users()[2]["id"]
    moved = api.post("/v3/tasks/batch/assign", json={"ids": [one["id"]], "userId": user})
    assert moved.json() == {} and _listed(api)[one["id"]]["assignedUserId"] == user
    off = api.post("/v3/tasks/batch/assign", json={"ids": [one["id"]], "userId": 424242})
    assert off.status_code == 403 and _listed(api)[one["id"]]["assignedUserId"] == user
    gone = api.post("/v3/tasks/bulk-delete", json={"ids": [one["id"], 99999999]})
    assert gone.json() == {"99999999": {"error": "notFound", "errorDetails": None}}
    assert one["id"] not in _listed(api)


def test_lifecycle_calls_need_their_scope(reply_sandbox: Any, reply_client: Any) -> None:
    sb = reply_sandbox
    read_only = reply_client(sb, **sb.auth_headers(key="reply-sandbox-read-key"))
    task = _new_task(reply_client(sb), sb)
    done = read_only.post(f"/v3/tasks/{task['id']}/complete", json={})
    assert done.status_code == 403 and "tasks:operate" in done.json()["detail"]
    gone = read_only.post("/v3/tasks/bulk-delete", json={"ids": [task["id"]]})
    assert gone.status_code == 403 and "tasks:write" in gone.json()["detail"]


def test_lifecycle_calls_are_rate_limited_faulted_and_logged(
    reply_sandbox: Any, reply_client: Any
) -> None:
    sb = reply_sandbox
    api = reply_client(sb)
    task = _new_task(api, sb)
    sb.clear_requests()
    path = f"/v3/tasks/{task['id']}/complete"
    sb.script_faults([{"path": path, "fault": "drop_after_create"}])
    with pytest.raises(httpx.RemoteProtocolError):
        api.post(path, json={})
    assert sb.task(task["id"])["status"] == "finished"  # the work was done, the answer lost
    (entry,) = sb.requests(path)
    assert (entry["endpoint"], entry["fault"]) == ("tasks.complete", "drop_after_create")
    sb.configure(rate_limits={"minute": 1, "hour": 3000})
    sb.reset()
    api.post("/v3/tasks/batch/complete", json={"ids": [1]})
    limited = api.post("/v3/tasks/batch/complete", json={"ids": [1]})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(picked=st.sets(st.integers(min_value=0, max_value=149), min_size=1, max_size=100))
def test_any_set_of_up_to_100_open_ids_completes_in_one_call(
    api: httpx.Client, reply_sandbox: Any, picked: set[int]
) -> None:
    sb = reply_sandbox
    sb.reset()
    open_ids = [t["id"] for t in sb.tasks() if t["status"] == 0][:150]
    ids = [open_ids[i % len(open_ids)] for i in sorted(picked)]
    resp = api.post("/v3/tasks/batch/complete", json={"ids": ids})
    assert resp.status_code == 200
    failed = set(resp.json())
    # repeats of one id in the batch: the first completes it, the repeat cannot
    assert {int(i) for i in failed} <= {i for i in ids if ids.count(i) > 1}
    status = {t["id"]: t["status"] for t in sb.tasks()}
    assert all(status[i] == 1 for i in ids)
