"""Who may call the Reply sandbox: the key as Bearer or X-API-Key (a switch), organization keys
acting for a user, 401 with an empty body; and enums as numbers or names both ways."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sales_tasks.sandbox.reply import ReplySandbox
from tests.reply.test_reply_sandbox_contract import a_task

CONTACT = 3_100_005  # a seed contact of every dataset (at least 20 contacts)


def assert_401(resp: httpx.Response) -> None:
    assert resp.status_code == 401
    assert resp.content == b""
    assert resp.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("scheme", "bearer_ok", "x_api_key_ok"),
    [("bearer", True, False), ("x-api-key", False, True), ("both", True, True)],
)
def test_the_auth_scheme_switch_decides_which_header_carries_the_key(
    make_reply_sandbox: Callable[..., ReplySandbox],
    reply_client: Callable[..., httpx.Client],
    scheme: str,
    bearer_ok: bool,
    x_api_key_ok: bool,
) -> None:
    sb = make_reply_sandbox(auth_scheme=scheme, tasks=20)
    bearer = reply_client(sb, Authorization=f"Bearer {sb.api_key}").get("/v3/tasks")
    x_key = reply_client(sb, **{"X-API-Key": sb.api_key}).get("/v3/tasks")
    assert (bearer.status_code == 200) is bearer_ok
    assert (x_key.status_code == 200) is x_api_key_ok
    for resp in (bearer, x_key):
        if resp.status_code != 200:
            assert_401(resp)
    assert reply_client(sb).get("/v3/tasks").status_code == 200  # the handle's own headers
    # Refused calls never reached the endpoint.
    assert sb.stats()["requests_served"] == {"tasks.list": 1 + bearer_ok + x_api_key_ok}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-key"},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic cmVwbHktc2FuZGJveC1rZXk6"},
        {"Authorization": "reply-sandbox-key"},
        {"X-API-Key": "reply-sandbox-key"},  # the seed's header, not accepted by default
    ],
)
def test_a_missing_or_wrong_key_is_401_with_an_empty_body(
    reply_sandbox: ReplySandbox, reply_client: Callable[..., httpx.Client], headers: dict[str, str]
) -> None:
    client = reply_client(reply_sandbox, **headers) if headers else None
    if client is None:
        resp = httpx.post(f"{reply_sandbox.base_url}/v3/tasks", json=a_task(CONTACT))
    else:
        resp = client.post("/v3/tasks", json=a_task(CONTACT))
    assert_401(resp)
    assert reply_sandbox.stats()["created_tasks"] == 0


def test_the_bearer_scheme_word_is_case_insensitive(
    reply_sandbox: ReplySandbox, reply_client: Callable[..., httpx.Client]
) -> None:
    client = reply_client(reply_sandbox, Authorization=f"bearer {reply_sandbox.api_key}")
    assert client.get("/v3/tasks", params={"top": 1}).status_code == 200


def test_an_organization_key_acts_for_the_user_named_by_id_or_email(
    reply_sandbox: ReplySandbox, reply_client: Callable[..., httpx.Client]
) -> None:
    users = reply_sandbox.users()
    org = reply_sandbox.auth_headers(reply_sandbox.org_key)
    owner = reply_client(reply_sandbox, **org).post("/v3/tasks", json=a_task(CONTACT)).json()
    by_id = reply_client(reply_sandbox, **org, **{"X-User-Id": str(users[2]["id"])})
    by_email = reply_client(reply_sandbox, **org, **{"X-User-Email": users[3]["email"].upper()})
    assert owner["assignedUserId"] == users[0]["id"]
    assert by_id.post("/v3/tasks", json=a_task(CONTACT)).json()["assignedUserId"] == users[2]["id"]
    assert (
        by_email.post("/v3/tasks", json=a_task(CONTACT)).json()["assignedUserId"] == users[3]["id"]
    )
    stranger = reply_client(reply_sandbox, **org, **{"X-User-Id": "1"})
    resp = stranger.post("/v3/tasks", json=a_task(CONTACT))
    assert resp.status_code == 403
    assert resp.json()["code"] == "user.notInOrganization"
    assert reply_sandbox.stats()["created_tasks"] == 3
    logged = [e["acting_user"] for e in reply_sandbox.requests("/v3/tasks")]
    assert logged == [None, str(users[2]["id"]), users[3]["email"].upper(), "1"]


def test_the_key_never_reaches_the_request_log(
    reply_sandbox: ReplySandbox, reply_client: Callable[..., httpx.Client]
) -> None:
    api = reply_client(reply_sandbox)
    api.post("/v3/tasks", json={**a_task(CONTACT), "apiKey": reply_sandbox.api_key})
    api.get("/v3/tasks", params={"api_key": reply_sandbox.api_key, "top": 1})
    log = reply_sandbox.requests()
    assert [e["auth_header"] for e in log] == ["authorization", "authorization"]
    assert reply_sandbox.api_key not in str(log)
    assert reply_sandbox.api_key not in str(reply_sandbox.stats())


def create_with(
    sb: ReplySandbox, client: Callable[..., httpx.Client], **fields: Any
) -> httpx.Response:
    return client(sb).post("/v3/tasks", json=a_task(CONTACT, **fields))


@pytest.mark.parametrize(
    ("accept", "number_ok", "name_ok"),
    [("numbers", True, False), ("strings", False, True), ("both", True, True)],
)
def test_requests_take_enums_as_the_switch_says(
    make_reply_sandbox: Callable[..., ReplySandbox],
    reply_client: Callable[..., httpx.Client],
    accept: str,
    number_ok: bool,
    name_ok: bool,
) -> None:
    sb = make_reply_sandbox(enum_requests=accept, tasks=20)
    by_number = create_with(sb, reply_client, taskType=5, linkedInTaskType=1)
    by_name = create_with(sb, reply_client, taskType="linkedIn", linkedInTaskType="connect")
    assert (by_number.status_code == 201) is number_ok
    assert (by_name.status_code == 201) is name_ok
    for resp in (by_number, by_name):
        if resp.status_code == 201:
            assert (resp.json()["taskType"], resp.json()["linkedInTaskType"]) == (
                "linkedIn",
                "connect",
            )
        else:
            assert resp.status_code == 400
            assert {e["pointer"] for e in resp.json()["errors"]} == {
                "/taskType",
                "/linkedInTaskType",
            }
    filtered = reply_client(sb).post(
        "/v3/tasks/filter", json={"taskType": 5 if number_ok else "linkedIn"}
    )
    assert filtered.status_code == 200
    assert {t["taskType"] for t in filtered.json()["items"]} == {"linkedIn"}


@pytest.mark.parametrize("form", ["strings", "numbers"])
def test_answers_name_enums_by_default_and_numbers_when_switched(
    make_reply_sandbox: Callable[..., ReplySandbox],
    reply_client: Callable[..., httpx.Client],
    form: str,
) -> None:
    sb = make_reply_sandbox(tasks=400, **({} if form == "strings" else {"enum_answers": form}))
    task = create_with(sb, reply_client, taskType=5, linkedInTaskType=3).json()
    if form == "numbers":  # older pages (seed 004): integers
        assert (task["taskType"], task["status"], task["linkedInTaskType"]) == (5, 0, 3)
        assert task["creationSource"] == 0
        items = reply_client(sb).get("/v3/tasks", params={"top": 1000}).json()["items"]
        assert {t["taskType"] for t in items} == {0, 2, 4, 5, 7, 8, 9}
        assert {t["status"] for t in items} == {0, 1, 3, 4, 5}
        return
    assert (task["taskType"], task["status"], task["linkedInTaskType"], task["creationSource"]) == (
        "linkedIn",
        "new",
        "viewProfile",
        "user",
    )
    items = reply_client(sb).get("/v3/tasks", params={"top": 1000}).json()["items"]
    assert {t["taskType"] for t in items} == {
        "toDo",
        "call",
        "meeting",
        "linkedIn",
        "manualEmail",
        "sms",
        "whatsApp",
    }
    assert {t["status"] for t in items} == {
        "new",
        "finished",
        "cancelled",
        "archived",
        "sequenceDetached",
    }
    assert {t["creationSource"] for t in sb.tasks()} == {0, 1, 2}  # the hook keeps codes
    assert sb.task(task["id"])["taskType"] == "linkedIn"  # hooks answer the same way


def test_a_read_only_key_reads_but_may_not_create(
    reply_sandbox: ReplySandbox, reply_client: Callable[..., httpx.Client]
) -> None:
    reader = reply_client(reply_sandbox, Authorization="Bearer reply-sandbox-read-key")
    assert reader.get("/v3/tasks", params={"top": 1}).status_code == 200
    assert reader.post("/v3/tasks/filter", json={}).status_code == 200
    resp = reader.post("/v3/tasks", json=a_task(CONTACT))
    assert resp.status_code == 403
    assert resp.json()["code"] == "scope.missing"
    assert reply_sandbox.stats()["created_tasks"] == 0
