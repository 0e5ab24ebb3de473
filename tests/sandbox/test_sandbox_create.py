"""Contract tests of the sandbox's task create and bulk create."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

CREATE = "/api/v1/tasks"
BULK = "/api/v1/tasks/bulk_create"


@pytest.fixture
def ids(sandbox) -> dict[str, Any]:
    return {"user": sandbox.users()[0]["id"], "contacts": [c["id"] for c in sandbox.contacts(5)]}


def single(ids: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = {
        "user_id": ids["user"],
        "contact_id": ids["contacts"][0],
        "type": "call",
        "status": "scheduled",
        "due_at": "2025-02-15T08:10:30Z",
        "priority": "high",
        "title": "Follow up",
        "note": "Discuss the demo",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not DROP}


def bulk(ids: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = single(ids, contact_id=DROP, title=DROP)
    body["contact_ids"] = ids["contacts"][:3]
    body.update(changes)
    return {k: v for k, v in body.items() if v is not DROP}


DROP = object()
BAD_SINGLE = [
    ({"type": DROP, "user_id": DROP}, "type and user can not be blank"),
    ({"type": DROP}, "type can not be blank"),
    ({"user_id": ""}, "user can not be blank"),
    ({"contact_id": DROP}, "contact_id can not be blank"),
    ({"type": "meeting"}, "type must be one of"),
    ({"status": "done"}, "status must be one of"),
    ({"due_at": DROP}, "due_at can not be blank"),
    ({"due_at": "next tuesday"}, "not an ISO 8601"),
    ({"due_at": 1700000000}, "ISO 8601"),
    ({"priority": "urgent"}, "priority must be one of"),
    ({"note": 42}, "note must be a string"),
    ({"user_id": "66302798d03b9601c7934ebf"}, "user 66302798d03b9601c7934ebf not found"),
    ({"contact_id": "66e34b81740c50074e3d1bd4"}, "contact 66e34b81740c50074e3d1bd4 not found"),
]


@pytest.mark.parametrize(("changes", "message"), BAD_SINGLE)
def test_single_create_validation(api: httpx.Client, sandbox, ids, changes, message) -> None:
    resp = api.post(CREATE, json=single(ids, **changes))
    assert resp.status_code == 422, resp.text
    assert message in resp.json()["error"]
    assert sandbox.created() == []


BAD_BULK = [
    ({"contact_ids": DROP}, "contact_ids can not be blank"),
    ({"contact_ids": []}, "contact_ids can not be blank"),
    ({"contact_ids": [None]}, "contact_ids can not be blank"),
    ({"type": DROP, "user_id": DROP}, "type and user can not be blank"),
    ({"status": "later"}, "status must be one of"),
    ({"contact_ids": ["66e34b81740c50074e3d1bd4"]}, "contact 66e34b81740c50074e3d1bd4 not found"),
]


@pytest.mark.parametrize(("changes", "message"), BAD_BULK)
def test_bulk_create_validation(api: httpx.Client, sandbox, ids, changes, message) -> None:
    resp = api.post(BULK, json=bulk(ids, **changes))
    assert resp.status_code == 422, resp.text
    assert message in resp.json()["error"]
    assert sandbox.created() == []


def test_single_create_returns_full_task(api: httpx.Client, sandbox, ids) -> None:
    resp = api.post(CREATE, json=single(ids))
    assert resp.status_code == 200
    task = resp.json()["task"]
    seed_task = api.post("/api/v1/tasks/search", params={"per_page": 1}).json()["tasks"][0]
    assert list(task) == list(seed_task)  # every field, same order as seed tasks
    assert task["created_from"] == "api" and task["title"] == "Follow up"
    assert task["priority"] == "high" and task["note"] == "Discuss the demo"
    assert task["contact"]["id"] == ids["contacts"][0] == task["contact_id"]
    assert task["account"]["id"] == task["account_id"] == task["contact"]["account_id"]
    assert task["due_at"] == "2025-02-15T08:10:30.000+00:00"
    assert task["created_at"].endswith("Z") and len(task["id"]) == 24
    assert sandbox.created() == [task]


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2025-03-25T10:15:30+05:00", "2025-03-25T05:15:30.000+00:00"),
        ("2025-03-25T10:15:30", "2025-03-25T10:15:30.000+00:00"),
        ("2025-03-25T10:15:30.789Z", "2025-03-25T10:15:30.000+00:00"),
        ("2025-03-25T23:15:30-02:00", "2025-03-26T01:15:30.000+00:00"),
    ],
)
def test_due_at_normalised_to_utc(api: httpx.Client, ids, given, stored) -> None:
    assert api.post(CREATE, json=single(ids, due_at=given)).json()["task"]["due_at"] == stored


def test_priority_defaults_to_medium_and_status_sets_done_time(api: httpx.Client, ids) -> None:
    task = api.post(CREATE, json=single(ids, priority=DROP, status="completed")).json()["task"]
    assert task["priority"] == "medium"
    assert task["completed_at"] is not None and task["skipped_at"] is None


def test_bulk_create_one_task_per_contact_in_order(api: httpx.Client, sandbox, ids) -> None:
    resp = api.post(BULK, json=bulk(ids, title="ignored"))
    assert resp.status_code == 200
    body = resp.json()
    assert body["success"] is True
    assert [t["contact_id"] for t in body["tasks"]] == ids["contacts"][:3]
    assert all(t["title"] is None for t in body["tasks"])  # bulk ignores title
    assert [t["id"] for t in sandbox.created()] == [t["id"] for t in body["tasks"]]


def test_query_string_params_accepted_for_bulk(api: httpx.Client, ids) -> None:
    query = "&".join(
        [f"user_id={ids['user']}", "type=call", "status=scheduled", "due_at=2025-01-01T00:00:00Z"]
        + [f"contact_ids[]={c}" for c in ids["contacts"][:2]]
    )
    resp = api.post(f"{BULK}?{query}")
    assert resp.status_code == 200 and len(resp.json()["tasks"]) == 2


def test_no_deduplication(api: httpx.Client, sandbox, ids) -> None:
    first = api.post(CREATE, json=single(ids)).json()["task"]
    second = api.post(CREATE, json=single(ids)).json()["task"]
    assert first["id"] != second["id"]
    assert len(sandbox.created()) == 2
    total = api.post("/api/v1/tasks/search").json()["pagination"]["total_entries"]
    assert total == 302


def test_max_bulk_contacts(make_sandbox, client_for) -> None:
    sb = make_sandbox(max_bulk_contacts=3)
    api = client_for(sb)
    ids = {"user": sb.users()[0]["id"], "contacts": [c["id"] for c in sb.contacts(4)]}
    assert api.post(BULK, json=bulk(ids, contact_ids=ids["contacts"][:3])).status_code == 200
    resp = api.post(BULK, json=bulk(ids, contact_ids=ids["contacts"]))
    assert resp.status_code == 422 and "at most 3" in resp.json()["error"]


def test_default_max_bulk_is_100(api: httpx.Client, sandbox, ids) -> None:
    contacts = [c["id"] for c in sandbox.contacts(75)]
    resp = api.post(BULK, json=bulk(ids, contact_ids=contacts + contacts[:26]))
    assert resp.status_code == 422 and "at most 100" in resp.json()["error"]


def test_drop_after_create_creates_although_client_sees_error(
    api: httpx.Client, sandbox, ids
) -> None:
    sandbox.script_faults([{"path": BULK, "fault": "drop_after_create"}])
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.post(BULK, json=bulk(ids))
    created = sandbox.created()
    assert [t["contact_id"] for t in created] == ids["contacts"][:3]
    log = sandbox.requests(BULK)
    assert log[-1]["fault"] == "drop_after_create" and log[-1]["status"] is None
    # the script is spent: the retry answers normally (and creates again: no dedup)
    assert api.post(BULK, json=bulk(ids)).status_code == 200
    assert len(sandbox.created()) == 6


def test_legacy_bulk_create_path(api: httpx.Client, ids) -> None:
    resp = api.post("/v1/tasks/bulk_create", json=bulk(ids))
    assert resp.status_code == 200 and resp.json()["success"] is True
