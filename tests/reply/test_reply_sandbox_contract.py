"""Contract tests of the Reply.io sandbox: the shapes VENDOR-SPECS.md §1 describes, over real
HTTP (the per-fact table, client side too, is `test_reply_spec_contract.py`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from sales_tasks.sandbox.reply import ReplySandbox

TASK_FIELDS = {
    "id",
    "contactId",
    "taskType",
    "status",
    "linkedInTaskType",
    "sequenceId",
    "sequenceStepId",
    "sequenceStepDisplayName",
    "assignedUserId",
    "creationSource",
    "createdAt",
    "startAt",
    "dueTo",
    "finishedAt",
    "isFailed",
    "isScheduled",
    "template",
    "content",
    "deliveryInfo",
}
LIST_ITEM_FIELDS = {
    "id",
    "taskType",
    "status",
    "linkedInTaskType",
    "assignedUserId",
    "contact",
    "startAt",
    "dueTo",
    "finishedAt",
    "isScheduled",
    "sequenceId",
    "sequenceStepId",
}


def a_task(contact_id: int, **changes: Any) -> dict[str, Any]:
    return {
        "taskType": 2,
        "startAt": "2026-03-02T09:00:00Z",
        "dueTo": "2026-03-03T09:00:00Z",
        "template": {"subject": "Hello", "body": "Call {{firstName}} about {{company}}"},
        "contactId": contact_id,
        **changes,
    }


def test_create_answers_the_full_task_detail_and_lists_show_it(
    reply_sandbox: ReplySandbox, reply_client: Callable[..., httpx.Client]
) -> None:
    api = reply_client(reply_sandbox)
    contact = reply_sandbox.contacts(3)[2]
    resp = api.post("/v3/tasks", json=a_task(contact["id"]))
    assert resp.status_code == 201
    task = resp.json()
    assert set(task) == TASK_FIELDS
    assert task["taskType"] == "call" and task["status"] == "new"
    assert task["contactId"] == contact["id"]
    assert task["startAt"] == "2026-03-02T09:00:00.000Z"
    assert task["dueTo"] == "2026-03-03T09:00:00.000Z"
    assert task["template"] == {
        "subject": "Hello",
        "body": "Call {{firstName}} about {{company}}",
        "attachmentIdList": None,
    }
    assert task["finishedAt"] is None and task["linkedInTaskType"] is None
    assert task["creationSource"] == "user" and task["sequenceId"] is None
    assert task["assignedUserId"] == reply_sandbox.users()[0]["id"]
    assert task["deliveryInfo"] == {
        "email": None,
        "phoneNumber": contact["phone"],
        "linkedInUrl": None,
    }
    assert api.get(f"/v3/tasks/{task['id']}").json() == task
    listed = api.post("/v3/tasks/filter", json={"contactId": contact["id"]}).json()
    (item,) = [t for t in listed["items"] if t["id"] == task["id"]]
    assert set(item) == LIST_ITEM_FIELDS
    full_name = f"{contact['firstName']} {contact['lastName']}"
    assert item["contact"] == {"id": contact["id"], "fullName": full_name}
    assert {k: item[k] for k in LIST_ITEM_FIELDS - {"contact"}} == {
        k: task[k] for k in LIST_ITEM_FIELDS - {"contact"}
    }
    assert [c["id"] for c in reply_sandbox.created()] == [task["id"]]


def test_get_by_id_renders_the_content_only_when_asked(
    reply_sandbox: ReplySandbox, reply_client: Callable[..., httpx.Client]
) -> None:
    api = reply_client(reply_sandbox)
    contact = reply_sandbox.contacts(1)[0]
    task = api.post("/v3/tasks", json=a_task(contact["id"])).json()
    assert task["content"] is None
    shown = api.get(f"/v3/tasks/{task['id']}", params={"includeContent": "true"}).json()
    assert shown["content"] == {
        "subject": "Hello",
        "body": f"Call {contact['firstName']} about {contact['company']}",
    }
    assert shown["template"]["body"] == "Call {{firstName}} about {{company}}"


def test_an_unknown_task_is_a_problem(
    reply_sandbox: ReplySandbox, reply_client: Callable[..., httpx.Client]
) -> None:
    resp = reply_client(reply_sandbox).get("/v3/tasks/1")
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["code"] == "task.notFound"


def test_get_list_pages_by_has_more_over_every_seed_task(
    reply_sandbox: ReplySandbox, reply_client: Callable[..., httpx.Client]
) -> None:
    api = reply_client(reply_sandbox)
    seen: list[int] = []
    pages = 0
    while True:
        page = api.get("/v3/tasks", params={"top": 70, "skip": len(seen)}).json()
        assert set(page) == {"items", "hasMore"}
        seen += [t["id"] for t in page["items"]]
        pages += 1
        if not page["hasMore"]:
            break
    assert pages == 5  # 300 tasks, 70 a page
    assert len(seen) == len(set(seen)) == 300
    assert seen == sorted(seen)
