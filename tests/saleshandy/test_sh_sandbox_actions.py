"""The Saleshandy sandbox's task actions (`POST /v1/tasks/{id}/complete|skip|snooze`,
`PATCH /v1/tasks/{id}/note`): they change what the list, the counts and one task show."""

from __future__ import annotations

import pytest


@pytest.fixture
def open_task(saleshandy_sandbox) -> dict:
    return saleshandy_sandbox.add_task(
        saleshandy_sandbox.prospects(1)[0]["id"], taskType="13", dueDate="2031-05-06"
    )


@pytest.mark.parametrize(("action", "status"), [("complete", "completed"), ("skip", "skipped")])
def test_complete_and_skip(saleshandy_sandbox, saleshandy_client, open_task, action, status):
    api = saleshandy_client(saleshandy_sandbox)
    before = api.get("/v1/tasks/counts").json()["payload"]
    resp = api.post(f"/v1/tasks/{open_task['id']}/{action}")
    assert resp.status_code == 200
    task = resp.json()["payload"]["task"]  # the shape snooze documents (SD snooze)
    assert task["status"] == status and task[f"{status}At"] is not None
    assert task["updatedAt"] > open_task["updatedAt"]
    after = api.get("/v1/tasks/counts").json()["payload"]
    assert (after["upcoming"], after[status]) == (before["upcoming"] - 1, before[status] + 1)
    again = api.post(f"/v1/tasks/{open_task['id']}/complete")
    assert again.status_code == 400
    assert again.json() == {"message": f"Task is already {status}"}


def test_snooze_answers_the_documented_shape_and_moves_the_due_date(
    saleshandy_sandbox, saleshandy_client, open_task
) -> None:
    """SN @~404,000 / SD snooze: `snoozeUntil` (date-time, required) and `callOutcome`; the
    answer `{message, payload: {task: {taskId, status: "snoozed", snoozedUntil, callOutcome}}}`."""
    api = saleshandy_client(saleshandy_sandbox)
    path = f"/v1/tasks/{open_task['id']}/snooze"
    assert api.post(path, json={"snoozeUntil": "2020-01-01T09:00:00Z"}).status_code == 400
    assert api.post(path, json={}).json() == {"message": "snoozeUntil is required"}
    assert api.post(path, json={"snoozeUntil": "soon"}).status_code == 400
    body = {"snoozeUntil": "2032-01-02T09:00:00Z", "callOutcome": "Callback Later"}
    answer = api.post(path, json=body).json()
    assert answer == {
        "message": "Task snoozed successfully",
        "payload": {"task": {"taskId": open_task["id"], "status": "snoozed",
                             "snoozedUntil": "2032-01-02T09:00:00Z",
                             "callOutcome": "Callback Later"}},
    }  # fmt: skip
    listed = api.get(f"/v1/tasks/{open_task['id']}").json()["payload"]["task"]
    assert listed["dueDate"] == "2032-01-02" and listed["status"] == "upcoming"


def test_note(saleshandy_sandbox, saleshandy_client, open_task) -> None:
    api = saleshandy_client(saleshandy_sandbox)
    path = f"/v1/tasks/{open_task['id']}/note"
    assert api.patch(path, json={"taskNote": "not the documented name"}).status_code == 400
    resp = api.patch(path, json={"note": "Ask for the CFO"})  # SN @~407,500
    assert resp.json()["message"] == "Task updated successfully"
    listed = api.get("/v1/tasks", params={"search": "ask for the cfo"}).json()["payload"]
    assert [t["taskId"] for t in listed] == [open_task["id"]]
    assert api.patch(path, json={}).status_code == 400


def test_actions_on_an_unknown_task_are_404(saleshandy_sandbox, saleshandy_client) -> None:
    api = saleshandy_client(saleshandy_sandbox)
    for resp in (api.post("/v1/tasks/NoSuchTask/complete"), api.patch("/v1/tasks/NoSuch/note")):
        assert resp.status_code == 404
        assert resp.json() == {"message": "The requested task could not be found"}
    assert api.get("/v1/tasks/NoSuchTask/complete").status_code == 404  # wrong method
