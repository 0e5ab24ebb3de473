"""The Saleshandy sandbox against `shared/api-docs/VENDOR-SPECS.md` section 2: one test per
documented fact the product relies on (restated here, not read at test time), and each guess
the emulator lists in `FACTS_AND_GUESSES` played both ways, over real HTTP.

The client's side of the same facts is `test_sh_spec_contract.py`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest

from sales_tasks.sandbox.saleshandy.config import FACTS_AND_GUESSES, SaleshandyConfig

TASKS = "/v1/tasks"


def _first(api: Any, **params: Any) -> dict[str, Any]:
    payload = api.get(TASKS, params={"pageSize": 1, **params}).json()["payload"]
    return (payload if isinstance(payload, list) else payload["tasks"])[0]


# -- documented facts, on the defaults ------------------------------------------------------


def test_every_answer_names_a_task_taskid(saleshandy_sandbox, saleshandy_client) -> None:
    """Fact 9: `taskId` in the create results and the snooze answer; the list follows it."""
    sb, api = saleshandy_sandbox, saleshandy_client(saleshandy_sandbox)
    made = api.post("/v1/tasks/create", json={"prospectIds": [sb.prospects(1)[0]["id"]],
                                               "taskType": "9"}).json()  # fmt: skip
    (result,) = made["payload"]["results"]
    assert set(result) == {"prospectId", "taskId", "success"} and result["success"] is True
    listed = _first(api)
    assert "taskId" in listed and "id" not in listed
    one = api.get(f"{TASKS}/{listed['taskId']}").json()["payload"]["task"]
    assert one == listed
    snoozed = api.post(f"{TASKS}/{result['taskId']}/snooze",
                       json={"snoozeUntil": "2040-01-01T00:00:00Z"}).json()  # fmt: skip
    assert snoozed["payload"]["task"]["taskId"] == result["taskId"]


def test_a_missing_task_is_404_with_the_documented_message(
    saleshandy_sandbox, saleshandy_client
) -> None:
    """SN @~389,500: GET /v1/tasks/{taskId} of a missing task answers 404."""
    api = saleshandy_client(saleshandy_sandbox)
    task_id = _first(api)["taskId"]
    saleshandy_sandbox.delete_task(task_id)
    resp = api.get(f"{TASKS}/{task_id}")
    assert resp.status_code == 404
    assert resp.json() == {"message": "The requested task could not be found"}


def test_a_wrong_key_is_400_1001(saleshandy_sandbox) -> None:
    """SN: `1001: Invalid token` under HTTP 400; the key goes in x-api-key."""
    with httpx.Client(verify=False, base_url=saleshandy_sandbox.base_url) as http:
        for headers in (
            {"x-api-key": "nope"},
            {},
            {"authorization": "Bearer sandbox-saleshandy-key"},
        ):
            resp = http.get("/v1/tasks/counts", headers=headers)
            assert (resp.status_code, resp.json()["code"]) == (400, 1001)


@pytest.mark.parametrize(
    ("param", "values"),
    [
        ("sortBy", ("priority", "completedAt", "skippedAt", "dueDate")),
        ("sortOrder", ("ASC", "DESC")),
        ("status", ("upcoming", "dueToday", "completed", "skipped", "overdue")),
        ("taskType", ("linkedin", "call", "whatsapp", "custom")),
    ],
)
def test_the_list_takes_the_documented_query_values(
    saleshandy_sandbox, saleshandy_client, param: str, values: tuple[str, ...]
) -> None:
    """SN @~393,500: the enums of GET /v1/tasks."""
    api = saleshandy_client(saleshandy_sandbox)
    for value in values:
        assert api.get(TASKS, params={param: value, "pageSize": 5}).status_code == 200


def test_the_list_in_due_date_order_both_ways(saleshandy_sandbox, saleshandy_client) -> None:
    """What the extract (ASC) and the push's reconciliation (DESC) rely on."""
    api = saleshandy_client(saleshandy_sandbox)
    for order in ("ASC", "DESC"):
        rows = api.get(TASKS, params={"sortBy": "dueDate", "sortOrder": order, "pageSize": 100})
        dues = [t["dueDate"] for t in rows.json()["payload"]]
        assert dues == sorted(dues, reverse=order == "DESC")


# -- each guess, both ways ------------------------------------------------------------------


@pytest.mark.parametrize("key", ["taskId", "id"])
def test_task_key(make_saleshandy_sandbox, saleshandy_client, key: str) -> None:
    api = saleshandy_client(make_saleshandy_sandbox(task_key=key))
    listed = _first(api)
    other = {"taskId": "id", "id": "taskId"}[key]
    assert key in listed and other not in listed
    assert api.get(f"{TASKS}/{listed[key]}").json()["payload"]["task"][key] == listed[key]


@pytest.mark.parametrize("prospect", ["embedded", "prospectId"])
def test_list_prospect(make_saleshandy_sandbox, saleshandy_client, prospect: str) -> None:
    listed = _first(saleshandy_client(make_saleshandy_sandbox(list_prospect=prospect)))
    if prospect == "embedded":
        assert set(listed["prospect"]) == {"id", "email", "firstName", "lastName"}
        assert "prospectId" not in listed
    else:
        assert isinstance(listed["prospectId"], str) and "prospect" not in listed


@pytest.mark.parametrize("one", ["task", "bare"])
def test_one_task_payload(make_saleshandy_sandbox, saleshandy_client, one: str) -> None:
    api = saleshandy_client(make_saleshandy_sandbox(one_task_payload=one))
    listed = _first(api)
    payload = api.get(f"{TASKS}/{listed['taskId']}").json()["payload"]
    assert payload == ({"task": listed} if one == "task" else listed)


@pytest.mark.parametrize("dated", [True, False])
def test_task_created_at(make_saleshandy_sandbox, saleshandy_client, dated: bool) -> None:
    listed = _first(saleshandy_client(make_saleshandy_sandbox(task_created_at=dated)))
    assert ("createdAt" in listed) is dated


def test_list_changes_happen_once_just_before_their_page(
    saleshandy_sandbox, saleshandy_client
) -> None:
    sb, api = saleshandy_sandbox, saleshandy_client(saleshandy_sandbox)
    first = _first(api)
    prospect = first["prospect"]["id"]
    sb.change_before_page(3, delete=[first["taskId"]], add=[{"prospectId": prospect}])
    assert sum(api.get(f"{TASKS}/counts").json()["payload"].values()) == 300
    api.get(TASKS, params={"page": 2, "pageSize": 100})
    assert sb.list_changes() != [] and sb.stats()["deleted_tasks"] == 0
    api.get(TASKS, params={"page": 3, "pageSize": 100})
    assert sb.list_changes() == [] and sb.stats()["deleted_tasks"] == 1
    assert api.get(f"{TASKS}/{first['taskId']}").status_code == 404
    assert sb.stats()["tasks"] == 300  # one deleted, one made
    api.get(TASKS, params={"page": 3, "pageSize": 100})
    assert sb.stats()["tasks"] == 300  # once only
    sb.change_before_page(2, delete=["x"])
    sb.reset()
    assert sb.list_changes() == []


def test_the_facts_and_guesses_table_names_real_switches() -> None:
    """Every switch the table names is a config field, and every enumerated config choice is
    in the table (so no guess hides outside it)."""
    fields = {f.name for f in dataclasses.fields(SaleshandyConfig)}
    named = {
        name.strip() for row in FACTS_AND_GUESSES for name in row[4].split(",") if name.strip()
    }
    assert named <= fields, named - fields
    guesses = {"task_key", "list_prospect", "one_task_payload", "task_created_at", "list_payload",
               "create_status", "results_order", "failure_reason", "bearer", "invalid_key"}  # fmt: skip
    assert guesses <= named
    for row in FACTS_AND_GUESSES:
        assert len(row) == 5 and all(isinstance(cell, str) for cell in row)
        assert row[2], f"no source for {row[0]}"
