"""The Apollo sandbox's task lifecycle calls over real HTTP (VENDOR-SPECS.md §3.2, §0 fact 10):
complete and skip (422 when already resolved, 200 `deleted: true` for a removed task, optional
`note`), update (owner, priority, due date, details; what may change depends on the status),
get by id, and the switch for the calls no source names (`resolve_calls`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sales_tasks.sandbox import Sandbox


def new_task(api: httpx.Client, sb: Sandbox, **changes: Any) -> dict[str, Any]:
    body = {
        "user_id": sb.users()[0]["id"],
        "contact_id": sb.contacts(1)[0]["id"],
        "type": "call",
        "status": "scheduled",
        "due_at": "2026-03-03T09:00:00Z",
        "note": "first",
        **changes,
    }
    resp = api.post("/api/v1/tasks", json=body)
    assert resp.status_code == 200, resp.text
    task: dict[str, Any] = resp.json()["task"]
    return task


def searched(api: httpx.Client) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for page in range(1, 10):
        resp = api.post("/api/v1/tasks/search", params={"page": page, "per_page": 100})
        tasks = resp.json()["tasks"]
        found.update({t["id"]: t for t in tasks})
        if len(tasks) < 100:
            return found
    return found


@pytest.fixture
def api_client(http_client_factory: Callable[..., httpx.Client]) -> Callable[..., httpx.Client]:
    def make(sb: Sandbox, key: str | None = None) -> httpx.Client:
        return http_client_factory(sb, {"x-api-key": key if key is not None else sb.master_key})

    return make


@pytest.fixture
def api(sandbox: Sandbox, api_client: Callable[..., httpx.Client]) -> httpx.Client:
    return api_client(sandbox)


@pytest.mark.parametrize("via", ["put", "action"])
def test_complete_and_skip_answer_422_once_resolved_and_search_shows_them(
    sandbox: Sandbox, api: httpx.Client, via: str
) -> None:
    done, skipped = new_task(api, sandbox), new_task(api, sandbox)
    for task, status, action in ((done, "completed", "complete"), (skipped, "skipped", "skip")):
        path = f"/api/v1/tasks/{task['id']}"
        send: Callable[[], httpx.Response] = (
            (lambda p=path, s=status: api.put(p, json={"status": s, "note": "closed"}))
            if via == "put"
            else (lambda p=path, a=action: api.post(f"{p}/{a}", json={"note": "closed"}))
        )
        first = send()
        assert first.status_code == 200 and first.json()["task"]["status"] == status
        again = send()
        assert again.status_code == 422 and "already" in again.json()["error"]
    found = searched(api)
    assert found[done["id"]]["status"] == "completed" and found[done["id"]]["completed_at"]
    assert found[skipped["id"]]["status"] == "skipped" and found[skipped["id"]]["skipped_at"]
    assert found[done["id"]]["note"] == "closed"


def test_a_removed_task_answers_deleted_true_and_get_404(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    task = new_task(api, sandbox)
    sandbox.delete_task(task["id"])
    resp = api.post(f"/api/v1/tasks/{task['id']}/complete", json={})
    assert resp.status_code == 200 and resp.json()["deleted"] is True
    assert api.put(f"/v1/tasks/{task['id']}", json={"status": "skipped"}).json()["deleted"]
    assert api.get(f"/api/v1/tasks/{task['id']}").status_code == 404
    assert api.post("/api/v1/tasks/nope/complete", json={}).status_code == 404


def test_update_changes_owner_priority_due_and_note_while_scheduled(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    task = new_task(api, sandbox)
    owner = sandbox.users()[1]["id"]
    change = {"user_id": owner, "priority": "high", "due_at": "2026-04-01T10:00:00Z", "note": "x"}
    resp = api.put(f"/v1/tasks/{task['id']}", json=change)
    assert resp.status_code == 200
    got = api.get(f"/api/v1/tasks/{task['id']}").json()["task"]
    assert (got["user_id"], got["priority"], got["note"]) == (owner, "high", "x")
    assert got["due_at"].startswith("2026-04-01T10:00:00")
    assert searched(api)[task["id"]]["due_at"] == got["due_at"]
    api.put(f"/v1/tasks/{task['id']}", json={"status": "completed"})
    refused = api.put(f"/v1/tasks/{task['id']}", json={"due_at": "2026-05-01T10:00:00Z"})
    assert refused.status_code == 422
    assert api.put(f"/v1/tasks/{task['id']}", json={"note": "after"}).status_code == 200


def test_resolve_calls_switch_plays_each_guess(sandbox: Sandbox, api: httpx.Client) -> None:
    task = new_task(api, sandbox)
    path = f"/api/v1/tasks/{task['id']}"
    sandbox.configure(resolve_calls="put")
    assert api.post(f"{path}/complete", json={}).status_code == 404
    sandbox.configure(resolve_calls="actions")
    assert api.put(path, json={"status": "completed"}).status_code == 422
    assert api.post(f"{path}/complete", json={}).status_code == 200


def test_lifecycle_calls_need_a_master_key_and_are_limited_faulted_logged(
    sandbox: Sandbox, api: httpx.Client, api_client: Callable[..., httpx.Client]
) -> None:
    task = new_task(api, sandbox)
    path = f"/api/v1/tasks/{task['id']}"
    assert api_client(sandbox, key=sandbox.plain_key).put(path, json={}).status_code == 403
    sandbox.clear_requests()
    sandbox.script_faults([{"path": path, "fault": "drop_after_create"}])
    with pytest.raises(httpx.RemoteProtocolError):
        api.put(path, json={"status": "completed"})
    assert sandbox.task(task["id"])["status"] == "completed"  # done, the answer lost
    (entry,) = sandbox.requests(path)
    assert (entry["endpoint"], entry["fault"]) == ("api/v1/tasks/{id}", "drop_after_create")
    sandbox.configure(endpoint_rate_limits={"api/v1/tasks/{id}": {"minute": 1}})
    sandbox.reset()
    assert api.get(path.replace(task["id"], "x")).status_code == 404
    assert api.get(path).status_code == 429


def test_a_task_created_without_status_is_open_to_update_and_complete(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    """Recorded: a create without `status` is accepted and stored as null (NOTES section 1)."""
    task = new_task(api, sandbox, status=None)
    assert task["status"] is None
    path = f"/api/v1/tasks/{task['id']}"
    assert api.put(path, json={"due_at": "2026-05-01T10:00:00Z"}).status_code == 200
    assert api.put(path, json={"status": "completed"}).json()["task"]["status"] == "completed"
