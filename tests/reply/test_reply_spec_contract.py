"""One contract test per Reply v3 fact the product relies on (VENDOR-SPECS.md §1; RS = Reply's
OpenAPI 3.1 bundle), each checked twice: against the sandbox over real HTTP, and against the
client's parser fed a spec-shaped body written here from the fact (`httpx.MockTransport`).

The bodies below are ours, restated from the spec's schemas and examples; nothing is imported
from the sandbox or the client to build them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from sales_tasks.clients.core import (
    ApiClient,
    AuthenticationError,
    BadRequestError,
    RateLimitedError,
    RetryPolicy,
    paginate,
)
from sales_tasks.clients.core.errors import error_for_response
from sales_tasks.clients.reply.lookups import contact_ids_with_email
from sales_tasks.clients.reply.paging import ITEMS, reply_paginator
from sales_tasks.clients.reply.problems import problem_of
from sales_tasks.clients.reply.profile import REPLY_PROFILE, reply_auth
from sales_tasks.clients.reply.tasks import filter_body
from sales_tasks.clients.reply.users import team_users
from sales_tasks.destinations.core.vendor import SentTask
from sales_tasks.destinations.reply.vendor import ReplyTaskVendor
from sales_tasks.sandbox.reply import ReplySandbox
from sales_tasks.sources.reply.schema import task_row

# --- spec-shaped bodies (RS @1,691,500 list item; @1,700,500 detail; @1,750,000 team users) ---

LIST_ITEM = {
    "id": 42,
    "taskType": "linkedIn",
    "status": "finished",
    "linkedInTaskType": "connect",
    "assignedUserId": 123,
    "contact": {"id": 555, "fullName": "Ada Lovelace"},
    "startAt": "2026-03-02T09:00:00Z",
    "dueTo": "2026-03-03T09:00:00Z",
    "finishedAt": "2026-03-02T10:30:00Z",
    "isScheduled": False,
    "sequenceId": None,
    "sequenceStepId": None,
}
DETAIL = {
    "id": 42,
    "contactId": 555,
    "taskType": "call",
    "status": "new",
    "linkedInTaskType": None,
    "sequenceId": None,
    "sequenceStepId": None,
    "sequenceStepDisplayName": None,
    "assignedUserId": 123,
    "creationSource": "user",
    "createdAt": "2026-03-01T08:00:00Z",
    "startAt": "2026-03-02T09:00:00Z",
    "dueTo": "2026-03-03T09:00:00Z",
    "finishedAt": None,
    "isFailed": False,
    "isScheduled": False,
    "template": {"body": "Call {{firstName}}", "subject": None, "attachmentIdList": None},
    "content": None,
    "deliveryInfo": {"email": None, "phoneNumber": "+15550100", "linkedInUrl": None},
}
TEAM_USERS = [
    {"teamId": 1, "teamName": "Sales", "userId": 123, "userName": "Grace", "userEmail": "g@x.io"},
    {"teamId": 2, "teamName": "Leads", "userId": 123, "userName": "Grace", "userEmail": "g@x.io"},
    {"teamId": 1, "teamName": "Sales", "userId": 124, "userName": "Alan", "userEmail": "a@x.io"},
]
NOT_FOUND = {
    "title": "Not Found",
    "status": 404,
    "detail": "Task with ID 42 not found or insufficient permissions.",
    "code": "task.notFound",
}
VALIDATION = {
    "title": "Validation failed",
    "status": 400,
    "detail": "The request body contains validation errors.",
    "errors": [
        {"pointer": "/taskType", "detail": "'taskType' is required."},
        {"pointer": "/contactId", "detail": "'contactId' must be a positive integer."},
    ],
}
TOO_MANY = {"title": "Too Many Requests", "status": 429, "detail": "Retry after 60 seconds."}
PROBLEM = {"content-type": "application/problem+json"}
FAST = {"rate_limits": {"minute": 10**6, "hour": 10**7}}


def mock(handler: Callable[[httpx.Request], httpx.Response]) -> ApiClient:
    return ApiClient(
        "https://reply.test",
        auth=reply_auth("k"),
        profile=REPLY_PROFILE,
        retry=RetryPolicy(max_attempts=1),
        transport=httpx.MockTransport(handler),
    )


def answering(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> ApiClient:
    return mock(lambda _: httpx.Response(status, json=body, headers=headers))


@pytest.fixture
def api(reply_sandbox: ReplySandbox, reply_client: Callable[..., httpx.Client]) -> httpx.Client:
    return reply_client(reply_sandbox)


# --- F1: list items are summaries: `contact {id, fullName}`, no contactId, no template ---------


def test_f1_list_item_summary_sandbox(api: httpx.Client) -> None:
    item = api.get("/v3/tasks", params={"top": 1}).json()["items"][0]
    assert set(item) == set(LIST_ITEM)
    assert set(item["contact"]) == {"id", "fullName"} and isinstance(item["contact"]["id"], int)


def test_f1_list_item_summary_client() -> None:
    row = task_row(LIST_ITEM)
    assert (row["contact_id"], row["contact_name"]) == (555, "Ada Lovelace")
    assert row["extra_fields"] is None  # every documented field has its column
    assert task_row({**LIST_ITEM, "contact": None})["contact_id"] is None


# --- F2: the finish time is `finishedAt` (no completedAt) --------------------------------------


def test_f2_finished_at_sandbox(api: httpx.Client) -> None:
    body = {"status": "finished"}
    items = api.post("/v3/tasks/filter", params={"top": 50}, json=body).json()["items"]
    assert items and all(t["finishedAt"] and "completedAt" not in t for t in items)


def test_f2_finished_at_client() -> None:
    row = task_row(LIST_ITEM)
    assert row["completed_at"] == "2026-03-02T10:30:00Z"


# --- F3: enums are camelCase strings in v3; older integers are still read -----------------------


def test_f3_string_enums_sandbox(api: httpx.Client) -> None:
    items = api.get("/v3/tasks", params={"top": 300}).json()["items"]
    assert {t["status"] for t in items} <= {
        "new",
        "finished",
        "cancelled",
        "archived",
        "sequenceDetached",
    }
    assert all(isinstance(t["taskType"], str) for t in items)


def test_f3_string_enums_client() -> None:
    row = task_row(LIST_ITEM)
    assert (row["task_type"], row["task_type_name"], row["status"], row["status_name"]) == (
        5,
        "linkedIn",
        1,
        "finished",
    )
    assert (row["linkedin_task_type"], row["linkedin_task_type_name"]) == (1, "connect")
    legacy = task_row({**LIST_ITEM, "taskType": 5, "status": 1, "linkedInTaskType": 1})
    assert legacy == row


# --- F4: the filter window on startAt defaults to [2000-01-01, now + 1 year] -------------------


def test_f4_filter_window_sandbox(reply_sandbox: ReplySandbox, api: httpx.Client) -> None:
    far = reply_sandbox.add_task(
        taskType="toDo",
        startAt="2095-01-01T00:00:00Z",
        dueTo="2095-01-02T00:00:00Z",
        template={"body": "far"},
    )

    def found(body: dict[str, Any]) -> bool:
        items = api.post("/v3/tasks/filter", params={"top": 1000}, json=body).json()["items"]
        return far["id"] in {t["id"] for t in items}

    assert not found({}) and found(filter_body())
    assert far["id"] in {t["id"] for t in api.get("/v3/tasks", params={"top": 1000}).json()[ITEMS]}


def test_f4_filter_window_client() -> None:
    body = filter_body(contactId=555)
    assert body["contactId"] == 555
    start, end = (datetime.fromisoformat(body[k]) for k in ("from", "to"))
    assert start <= datetime(2015, 1, 1, tzinfo=UTC)  # no task starts before 2015 (RS)
    assert end >= datetime(2100, 1, 1, tzinfo=UTC)  # the push accepts starts up to 2099


# --- F5: paging is top/skip in the query (default 25, max 1000), answers {items, hasMore} -------


def test_f5_paging_sandbox(api: httpx.Client) -> None:
    page = api.post("/v3/tasks/filter", json={}).json()
    assert set(page) == {"items", "hasMore"} and len(page["items"]) == 25 and page["hasMore"]
    assert api.get("/v3/tasks", params={"top": 1001}).status_code == 400
    assert len(api.get("/v3/tasks", params={"top": 1000}).json()["items"]) == 300


def test_f5_paging_client() -> None:
    seen: list[httpx.Request] = []

    def vendor(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        skip = int(request.url.params["skip"])
        return httpx.Response(200, json={"items": [LIST_ITEM] * (2 - skip), "hasMore": skip == 0})

    with mock(vendor) as client:
        pages = list(
            paginate(client, "POST", "/v3/tasks/filter", reply_paginator(1), items_path=ITEMS)
        )
    assert [len(p.items) for p in pages] == [2, 0]
    assert [dict(r.url.params) for r in seen] == [
        {"top": "1", "skip": "0"},
        {"top": "1", "skip": "2"},
    ]


# --- F6: owners come from GET /v3/whoami/team-users, a flat array ------------------------------


def test_f6_team_users_sandbox(reply_sandbox: ReplySandbox, api: httpx.Client) -> None:
    users = api.get("/v3/whoami/team-users").json()
    assert isinstance(users, list) and users
    assert all(set(u) == {"teamId", "teamName", "userId", "userName", "userEmail"} for u in users)
    assert {u["userId"] for u in users} == {u["id"] for u in reply_sandbox.users()}


def test_f6_team_users_client() -> None:
    with answering(TEAM_USERS) as client:
        users, unreadable = team_users(client)
    assert unreadable == 0
    assert users == [
        {"id": 123, "name": "Grace", "email": "g@x.io", "team_id": 1, "team_name": "Sales"},
        {"id": 124, "name": "Alan", "email": "a@x.io", "team_id": 1, "team_name": "Sales"},
    ]


# --- F7: the detail (GET by id, create) carries contactId, creationSource, template... ----------


def test_f7_detail_sandbox(api: httpx.Client) -> None:
    task_id = api.get("/v3/tasks", params={"top": 1}).json()["items"][0]["id"]
    detail = api.get(f"/v3/tasks/{task_id}").json()
    assert set(detail) == set(DETAIL)
    assert detail["creationSource"] in ("user", "sequence", "meeting")
    assert set(detail["template"]) == {"body", "subject", "attachmentIdList"}


def test_f7_detail_client() -> None:
    def vendor(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v3/tasks/42"
        return httpx.Response(200, json=DETAIL)

    with mock(vendor) as client:
        vendor_ = ReplyTaskVendor(client)
        payload = vendor_.payload(
            {
                "contact_id": "555",
                "type": "2",
                "due_at": "2026-03-03T09:00:00Z",
                "note": "Call {{firstName}}",
                "title": None,
                "extra": {"start_at": "2026-03-02T09:00:00Z", "linkedin_task_type": None},
            }  # type: ignore[arg-type]
        )
        sent = SentTask("r1", payload, datetime(2026, 3, 1, 8, 0, tzinfo=UTC))
        summary = {**LIST_ITEM, "taskType": "call", "linkedInTaskType": None, "status": "new"}
        assert vendor_.matches(sent, summary, skew_seconds=60)
        other = {**DETAIL, "template": {"body": "else", "subject": None}}
        assert not vendor_.matches(
            sent, {**summary, "id": 43, **{"template": None}}, skew_seconds=60
        )
        assert not vendor_.matches(sent, other, skew_seconds=60)
        assert task_row(DETAIL)["contact_id"] == 555


# --- F8: 401 has an empty body and WWW-Authenticate: Bearer ------------------------------------


def test_f8_unauthorized_sandbox(reply_sandbox: ReplySandbox) -> None:
    resp = httpx.get(f"{reply_sandbox.base_url}/v3/tasks", headers={"Authorization": "Bearer x"})
    assert (resp.status_code, resp.content, resp.headers["www-authenticate"]) == (
        401,
        b"",
        "Bearer",
    )


def test_f8_unauthorized_client() -> None:
    with (
        mock(lambda _: httpx.Response(401, headers={"WWW-Authenticate": "Bearer"})) as client,
        pytest.raises(AuthenticationError) as caught,
    ):
        client.request_json("GET", "/v3/tasks")
    assert problem_of(caught.value).status == 401 and problem_of(caught.value).code == ""


# --- F9: 429 carries Retry-After seconds and a bare problem body --------------------------------


def test_f9_rate_limited_sandbox(make_reply_sandbox: Callable[..., ReplySandbox]) -> None:
    sb = make_reply_sandbox(tasks=5, rate_limits={"minute": 1, "hour": 100})
    with httpx.Client(verify=False, base_url=sb.base_url, headers=sb.auth_headers()) as http:
        http.get("/v3/tasks")
        resp = http.get("/v3/tasks")
    assert resp.status_code == 429 and int(resp.headers["retry-after"]) >= 1
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert set(resp.json()) == {"title", "status", "detail"}


def test_f9_rate_limited_client() -> None:
    # The one mapping of a response to an error reads Retry-After as the seconds to wait.
    response = httpx.Response(
        429,
        json=TOO_MANY,
        headers={**PROBLEM, "Retry-After": "7"},
        request=httpx.Request("GET", "https://reply.test/v3/tasks"),
    )
    error = error_for_response(response, endpoint="v3/tasks", profile=REPLY_PROFILE)
    assert isinstance(error, RateLimitedError) and error.retry_after == 7


# --- F10: contacts by exact email: GET /v3/contacts?email= --------------------------------------


def test_f10_contacts_by_email_sandbox(reply_sandbox: ReplySandbox, api: httpx.Client) -> None:
    contact = reply_sandbox.contacts(5)[4]
    page = api.get("/v3/contacts", params={"email": contact["email"]}).json()
    assert [c["id"] for c in page["items"]] == [contact["id"]] and page["hasMore"] is False


def test_f10_contacts_by_email_client() -> None:
    seen: list[httpx.Request] = []

    def vendor(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = {"items": [{"id": 9, "email": "ada@x.io", "firstName": "Ada"}], "hasMore": False}
        return httpx.Response(200, json=body)

    with mock(vendor) as client:
        assert contact_ids_with_email(client, "ADA@x.io") == [9]
    assert seen[0].url.path == "/v3/contacts" and seen[0].url.params["email"] == "ADA@x.io"


# --- F11: a missing task is 404 with the business code task.notFound ---------------------------


def test_f11_not_found_sandbox(api: httpx.Client) -> None:
    resp = api.get("/v3/tasks/1")
    assert resp.status_code == 404 and resp.json()["code"] == "task.notFound"


def test_f11_not_found_client() -> None:
    with answering(NOT_FOUND, 404, PROBLEM) as client, pytest.raises(BadRequestError) as caught:
        client.request_json("GET", "/v3/tasks/42")
    assert (caught.value.status, problem_of(caught.value).code) == (404, "task.notFound")


# --- F12: a refused body is a validation problem, errors[] of {pointer, detail} -----------------


def test_f12_validation_sandbox(api: httpx.Client) -> None:
    resp = api.post("/v3/tasks", json={"startAt": "2026-03-02T09:00:00Z"})
    problem = resp.json()
    assert resp.status_code == 400 and "code" not in problem
    assert {"/taskType", "/dueTo", "/template"} <= {e["pointer"] for e in problem["errors"]}


def test_f12_validation_client() -> None:
    with answering(VALIDATION, 400, PROBLEM) as client:
        with pytest.raises(BadRequestError) as caught:
            client.request_json("POST", "/v3/tasks", json={})
        reason = ReplyTaskVendor(client).refusal(caught.value)
    assert reason is not None
    assert "/taskType: 'taskType' is required." in reason and "/contactId" in reason


# --- F13: a deleted task is cancelled (open) or archived (finished) and leaves the lists -------


@pytest.mark.parametrize("deleted_by_id", ["status", "404"])
def test_f13_deleted_sandbox(
    make_reply_sandbox: Callable[..., ReplySandbox],
    reply_client: Callable[..., httpx.Client],
    deleted_by_id: str,
) -> None:
    sb = make_reply_sandbox(tasks=20, deleted_by_id=deleted_by_id, **FAST)
    http = reply_client(sb)
    task = http.get("/v3/tasks", params={"top": 1}).json()["items"][0]
    sb.delete_task(task["id"])
    assert task["id"] not in {t["id"] for t in http.get("/v3/tasks").json()["items"]}
    by_id = http.get(f"/v3/tasks/{task['id']}")
    if deleted_by_id == "404":
        assert by_id.status_code == 404
    else:
        gone = "archived" if task["status"] == "finished" else "cancelled"
        assert by_id.json()["status"] == gone


@pytest.mark.parametrize(
    ("status", "answer", "gone"),
    [
        (200, {**DETAIL, "status": "cancelled"}, True),
        (200, {**DETAIL, "status": "archived"}, True),
        (404, NOT_FOUND, True),
        (200, DETAIL, False),
    ],  # fmt: skip
)
def test_f13_deleted_client(status: int, answer: dict[str, Any], gone: bool) -> None:
    from sales_tasks.sources.reply.report import ReplyScanReport
    from sales_tasks.sources.reply.scan import TaskScan

    with answering(answer, status, PROBLEM if status != 200 else None) as client:
        scan = TaskScan(client, ReplyScanReport(), top=10, max_pages=1)
        assert (scan._detail(42) is None) is gone
