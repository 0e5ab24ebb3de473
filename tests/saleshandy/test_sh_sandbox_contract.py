"""Contract tests of the Saleshandy sandbox against seed 003's shapes and NOTES.md section 2,
over real HTTP."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED = next((ROOT / "../shared/api-docs/seeds").resolve().glob("003_*.txt"), None)
ID = re.compile(r"^[0-9A-Za-z]{10}$")
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
TASK_KEYS = {
    "taskId", "taskType", "taskTypeName", "taskCategory", "priority", "status", "dueDate",
    "taskNote", "prospect", "assignee", "sequence", "prospectOutcome", "callOutcome",
    "createdAt", "updatedAt", "completedAt", "skippedAt",
}  # fmt: skip
SEED_TYPE_CODES = {"2", "3", "4", "5", "6", "9", "11", "12", "13", "14", "15", "16", "17", "18"}


def test_the_seed_example_request_gets_the_seed_answer_shape(
    saleshandy_sandbox, saleshandy_client
) -> None:
    sb = saleshandy_sandbox
    real = sb.prospects(2)
    # The seed's request body, with the seed's prospect id swapped for two real ones and a bad one.
    body = {
        "prospectIds": [real[0]["id"], real[1]["id"], "INVALIDxx"],
        "taskType": "13",
        "priority": "3",
        "dueDate": "2026-04-22",
        "taskNote": "Call to follow up on the proposal sent yesterday.",
    }
    resp = saleshandy_client(sb).post("/v1/tasks/create", json=body)
    assert resp.status_code == 201
    answer = resp.json()
    assert set(answer) == {"message", "payload"}
    assert answer["message"] == "Task created successfully"
    results = answer["payload"]["results"]
    assert [set(r) for r in results] == [{"prospectId", "taskId", "success"}] * 3
    assert [(r["prospectId"], r["success"]) for r in results] == [
        (real[0]["id"], True),
        (real[1]["id"], True),
        ("INVALIDxx", False),
    ]
    assert results[2]["taskId"] is None
    assert all(ID.match(r["taskId"]) for r in results[:2])
    made = sb.created()
    assert [t["id"] for t in made] == [r["taskId"] for r in results[:2]]
    assert {(t["taskType"], t["priority"], t["dueDate"], t["taskNote"]) for t in made} == {
        ("13", "3", "2026-04-22", "Call to follow up on the proposal sent yesterday.")
    }


def test_the_seed_lists_the_type_and_priority_codes_the_sandbox_accepts(
    saleshandy_sandbox, saleshandy_client
) -> None:
    if SEED is None:
        pytest.skip(
            "../shared/api-docs/seeds/003_*.txt not present: the seed's code list unchecked"
        )
    text = SEED.read_text()
    documented = set(re.findall(r'"(\d+)" = ', text))
    assert SEED_TYPE_CODES | {"1", "2", "3", "4"} == documented
    api = saleshandy_client(saleshandy_sandbox)
    pid = saleshandy_sandbox.prospects(1)[0]["id"]
    for code in sorted(SEED_TYPE_CODES):
        resp = api.post("/v1/tasks/create", json={"prospectIds": [pid], "taskType": code})
        assert resp.status_code == 201, code
    for bad in ("1", "7", "19", 13, ""):
        resp = api.post("/v1/tasks/create", json={"prospectIds": [pid], "taskType": bad})
        assert resp.status_code == 400, bad
        assert "taskType must be one of" in resp.json()["message"]
    assert len(saleshandy_sandbox.created()) == len(SEED_TYPE_CODES)


def test_a_task_has_the_documented_shape(saleshandy_sandbox, saleshandy_client) -> None:
    api = saleshandy_client(saleshandy_sandbox)
    resp = api.get("/v1/tasks", params={"pageSize": 100})
    assert resp.status_code == 200
    body = resp.json()
    assert body["message"] == "Tasks fetched successfully"
    tasks = body["payload"]
    assert isinstance(tasks, list) and len(tasks) == 100
    for task in tasks:
        assert set(task) == TASK_KEYS
        assert ID.match(task["taskId"]) and task["taskType"] in SEED_TYPE_CODES
        assert task["taskCategory"] in ("linkedin", "call", "whatsapp", "custom")
        assert task["priority"] in (None, "1", "2", "3", "4")
        assert task["status"] in ("upcoming", "dueToday", "overdue", "completed", "skipped")
        assert re.match(r"^\d{4}-\d\d-\d\d$", task["dueDate"])
        assert set(task["prospect"]) == {"id", "email", "firstName", "lastName"}
        assert set(task["assignee"]) == {"id", "firstName", "lastName", "name", "email"}
        assert task["sequence"] is None or set(task["sequence"]) == {"id", "name", "stepNumber"}
        assert ISO_Z.match(task["createdAt"]) and ISO_Z.match(task["updatedAt"])
        assert (task["completedAt"] is not None) == (task["status"] == "completed")
        assert (task["skippedAt"] is not None) == (task["status"] == "skipped")
        if task["callOutcome"] is not None:
            assert task["taskCategory"] == "call" and task["status"] == "completed"
    one = api.get(f"/v1/tasks/{tasks[0]['taskId']}")
    assert one.status_code == 200
    assert one.json() == {"message": "Task fetched successfully", "payload": {"task": tasks[0]}}


def test_an_unknown_task_is_404_with_the_documented_message(
    saleshandy_sandbox, saleshandy_client
) -> None:
    resp = saleshandy_client(saleshandy_sandbox).get("/v1/tasks/NoSuchTask")
    assert resp.status_code == 404
    assert resp.json() == {"message": "The requested task could not be found"}


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/task"), ("POST", "/v1/tasks"), ("DELETE", "/v1/tasks/abc"), ("GET", "/tasks")],
)
def test_an_unknown_route_is_404(saleshandy_sandbox, saleshandy_client, method, path) -> None:
    resp = saleshandy_client(saleshandy_sandbox).request(method, path)
    assert resp.status_code == 404
    assert resp.json() == {"message": f"Cannot {method} {path}"}


def test_counts_assignees_and_prospects_answer_message_and_payload(
    saleshandy_sandbox, saleshandy_client
) -> None:
    api = saleshandy_client(saleshandy_sandbox)
    counts = api.get("/v1/tasks/counts").json()
    assert counts["message"] == "Task counts fetched successfully"
    assert set(counts["payload"]) == {"upcoming", "dueToday", "overdue", "completed", "skipped"}
    assert sum(counts["payload"].values()) == 300
    people = api.get("/v1/tasks/assignee/list").json()["payload"]
    assert people == saleshandy_sandbox.assignees()
    assert all(isinstance(p["id"], int) and "@" in p["email"] for p in people)
    found = api.get("/v1/prospects", params={"search": "patel"}).json()
    assert found["message"] == "Prospects fetched successfully"
    assert isinstance(found["payload"], list) and found["payload"]
    assert all("patel" in (p["email"] + p["lastName"]).lower() for p in found["payload"])


def test_prospect_search_is_a_text_search_so_exact_email_matching_is_the_clients_job(
    saleshandy_sandbox, saleshandy_client
) -> None:
    sb = saleshandy_sandbox
    everyone = sb.prospects(1000)
    first = everyone[0]["email"]
    same = [p for p in everyone if p["email"].lower() == first.lower()]
    assert len(same) == 3 and len({p["email"] for p in same}) == 3  # differ only in case
    api = saleshandy_client(sb)
    hits = api.get("/v1/prospects", params={"search": first.upper()}).json()["payload"]
    # The three case variants, and someone else whose email contains this one.
    assert sorted(p["email"] for p in hits) == sorted([*(p["email"] for p in same), first + ".au"])
    assert hits[0]["email"].lower() == first  # exact matches (ignoring case) rank first
    assert [p["email"] for p in hits if p["email"] == first] == [first]
    name = api.get("/v1/prospects", params={"search": "Patel", "pageSize": 100}).json()["payload"]
    assert len(name) > 3 and all("patel" in (p["lastName"] + p["email"]).lower() for p in name)


def test_the_sandbox_today_and_default_due_date_follow_the_time_zone(
    make_saleshandy_sandbox, saleshandy_client
) -> None:
    sb = make_saleshandy_sandbox(timezone="Pacific/Kiritimati")  # UTC+14
    pid = sb.prospects(1)[0]["id"]
    saleshandy_client(sb).post("/v1/tasks/create", json={"prospectIds": [pid], "taskType": "9"})
    kiritimati = datetime.now(UTC).astimezone(__import__("zoneinfo").ZoneInfo("Pacific/Kiritimati"))
    assert sb.created()[0]["dueDate"] == kiritimati.date().isoformat()
    assert sb.created()[0]["status"] == "dueToday"
    assert sb.stats()["today"] == kiritimati.date().isoformat()
