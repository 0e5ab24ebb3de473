"""Reading tasks from the Reply sandbox: `GET /v3/tasks` and `POST /v3/tasks/filter` by
`top`/`skip` and `hasMore`, the filters, the page cap, the stale-`hasMore` and index-lag
switches, and which list endpoints exist."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sales_tasks.sandbox.reply import ReplySandbox
from tests.reply.test_reply_sandbox_contract import a_task

CONTACT = 3_100_005


def read_all(
    api: httpx.Client, top: int, body: dict[str, Any] | None = None
) -> tuple[list[dict[str, Any]], int]:
    """Every task by `hasMore` (skip advanced by the rows received), and the pages read."""
    rows: list[dict[str, Any]] = []
    pages = 0
    while pages < 100:
        params = {"top": top, "skip": len(rows)}
        resp = (
            api.get("/v3/tasks", params=params)
            if body is None
            else api.post("/v3/tasks/filter", params=params, json=body)
        )
        assert resp.status_code == 200, resp.text
        page = resp.json()
        rows += page["items"]
        pages += 1
        if not page["hasMore"]:
            return rows, pages
    raise AssertionError("hasMore never turned false")


def test_filter_narrows_by_start_time_type_status_contact_and_owner(
    make_reply_sandbox: Callable[..., ReplySandbox], reply_client: Callable[..., httpx.Client]
) -> None:
    # Enums as codes here, so the expectations compare numbers; a filter takes one value each.
    sb = make_reply_sandbox(tasks=900, anchor_date="2026-06-01T00:00:00Z", enum_answers="numbers")
    api = reply_client(sb)
    everything = read_all(api, 1000)[0]
    assert len(everything) == 900
    owner = everything[0]["assignedUserId"]
    contact = everything[0]["contact"]["id"]
    cases: list[tuple[dict[str, Any], Callable[[dict[str, Any]], bool]]] = [
        ({"taskType": 2}, lambda t: t["taskType"] == 2),
        ({"taskType": "manualEmail"}, lambda t: t["taskType"] == 7),
        ({"status": 3}, lambda t: t["status"] == 3),
        ({"status": "finished"}, lambda t: t["status"] == 1),
        ({"contactId": contact}, lambda t: t["contact"]["id"] == contact),
        ({"assignedUserId": owner}, lambda t: t["assignedUserId"] == owner),
        (
            {"from": "2026-04-01T00:00:00Z", "to": "2026-04-30T23:59:59Z"},
            lambda t: "2026-04-01" <= t["startAt"][:10] <= "2026-04-30",
        ),
        (
            {"from": "2026-05-01T00:00:00", "taskType": 2, "status": 0},
            lambda t: t["startAt"] >= "2026-05-01" and t["taskType"] == 2 and t["status"] == 0,
        ),
    ]
    for body, keep in cases:
        expected = [t["id"] for t in everything if keep(t)]
        got, _ = read_all(api, 37, body)
        assert [t["id"] for t in got] == expected, body
        assert expected, f"the seed data has no task for {body}"


def test_bad_filters_and_paging_are_400s_naming_the_field(
    reply_sandbox: ReplySandbox, reply_client: Callable[..., httpx.Client]
) -> None:
    # Filter: a validation problem, pointers naming query parameters bare and body fields as
    # JSON Pointers (RS @1,708,800); GET: a business problem `task.invalidPagination`.
    api = reply_client(reply_sandbox)
    for params, body, pointer in [
        ({"top": 1001}, {}, "top"),
        ({"top": 0}, {}, "top"),
        ({"top": "ten"}, {}, "top"),
        ({"skip": -1}, {}, "skip"),
        ({}, {"from": "yesterday"}, "/from"),
        ({}, {"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "/to"),
        ({}, {"taskType": "fax"}, "/taskType"),
        ({}, {"status": 2}, "/status"),
        ({}, {"status": ["new"]}, "/status"),
        ({}, {"contactId": "3100005"}, "/contactId"),
        ({}, {"assignedUserId": [1]}, "/assignedUserId"),
        ({}, {"sequenceIds": 900}, "/sequenceIds"),
    ]:
        resp = api.post("/v3/tasks/filter", params=params, json=body)
        assert resp.status_code == 400, (params, body)
        assert [e["pointer"] for e in resp.json()["errors"]] == [pointer]
    for params in ({"top": 1001}, {"skip": -1}):
        resp = api.get("/v3/tasks", params=params)
        assert (resp.status_code, resp.json()["code"]) == (400, "task.invalidPagination")
    assert api.get("/v3/tasks", params={"top": 1000}).status_code == 200


def test_the_page_cap_is_a_switch_and_may_clamp(
    make_reply_sandbox: Callable[..., ReplySandbox], reply_client: Callable[..., httpx.Client]
) -> None:
    capped = reply_client(make_reply_sandbox(tasks=120, page_cap=50))
    assert capped.get("/v3/tasks", params={"top": 51}).status_code == 400
    assert len(capped.get("/v3/tasks", params={"top": 50}).json()["items"]) == 50
    clamped = reply_client(make_reply_sandbox(tasks=120, page_cap=50, over_cap="clamp"))
    page = clamped.get("/v3/tasks", params={"top": 1000}).json()
    assert (len(page["items"]), page["hasMore"]) == (50, True)
    default = reply_client(make_reply_sandbox(tasks=120)).get("/v3/tasks").json()
    assert (len(default["items"]), default["hasMore"]) == (25, True)  # RS: default 25
    other = reply_client(make_reply_sandbox(tasks=120, default_top=100)).get("/v3/tasks").json()
    assert (len(other["items"]), other["hasMore"]) == (100, True)


@pytest.mark.parametrize("tasks", [0, 1, 99, 100, 101])
def test_has_more_is_exact_at_page_edges(
    make_reply_sandbox: Callable[..., ReplySandbox],
    reply_client: Callable[..., httpx.Client],
    tasks: int,
) -> None:
    api = reply_client(make_reply_sandbox(tasks=tasks))
    rows, pages = read_all(api, 100)
    assert [t["id"] for t in rows] == sorted({t["id"] for t in rows})
    assert len(rows) == tasks
    assert pages == max(1, -(-tasks // 100))


def test_stale_has_more_says_more_on_the_last_page_then_answers_empty(
    make_reply_sandbox: Callable[..., ReplySandbox], reply_client: Callable[..., httpx.Client]
) -> None:
    api = reply_client(make_reply_sandbox(tasks=250, stale_has_more=True))
    last = api.get("/v3/tasks", params={"top": 100, "skip": 200}).json()
    assert (len(last["items"]), last["hasMore"]) == (50, True)
    after = api.get("/v3/tasks", params={"top": 100, "skip": 250}).json()
    assert after == {"items": [], "hasMore": False}
    rows, pages = read_all(api, 100, {})
    assert (len(rows), pages) == (250, 4)


def test_a_created_task_shows_in_lists_only_after_the_index_lag(
    make_reply_sandbox: Callable[..., ReplySandbox], reply_client: Callable[..., httpx.Client]
) -> None:
    sb = make_reply_sandbox(tasks=10, index_lag_seconds=30)
    sb.freeze_clock()  # the lag counts on the emulator's clock: moved on below, never slept
    api = reply_client(sb)
    task = api.post("/v3/tasks", json=a_task(CONTACT)).json()
    assert api.get(f"/v3/tasks/{task['id']}").status_code == 200  # by id at once
    body = {"contactId": CONTACT}
    assert task["id"] not in [t["id"] for t in read_all(api, 100, body)[0]]
    assert task["id"] not in [t["id"] for t in read_all(api, 100)[0]]
    sb.advance_clock(29.5)
    assert task["id"] not in [t["id"] for t in read_all(api, 100)[0]]
    sb.advance_clock(1)
    assert task["id"] in [t["id"] for t in read_all(api, 100, body)[0]]
    assert task["id"] in [t["id"] for t in read_all(api, 100)[0]]


def test_list_order_newest_first_is_a_switch(
    make_reply_sandbox: Callable[..., ReplySandbox], reply_client: Callable[..., httpx.Client]
) -> None:
    api = reply_client(make_reply_sandbox(tasks=60, list_order="newest"))
    ids = [t["id"] for t in read_all(api, 25)[0]]
    assert ids == sorted(ids, reverse=True) and len(ids) == 60


@pytest.mark.parametrize(
    ("mode", "get_status", "filter_status"),
    [("get", 200, 404), ("filter", 405, 200), ("both", 200, 200)],
)
def test_list_mode_decides_which_list_endpoints_exist(
    make_reply_sandbox: Callable[..., ReplySandbox],
    reply_client: Callable[..., httpx.Client],
    mode: str,
    get_status: int,
    filter_status: int,
) -> None:
    sb = make_reply_sandbox(tasks=10, list_mode=mode)
    api = reply_client(sb)
    got, filtered = api.get("/v3/tasks"), api.post("/v3/tasks/filter", json={})
    assert (got.status_code, filtered.status_code) == (get_status, filter_status)
    for resp in (got, filtered):
        if resp.status_code != 200:
            assert resp.headers["content-type"].startswith("application/problem+json")
    assert api.post("/v3/tasks", json=a_task(CONTACT)).status_code == 201  # create always


def test_list_items_never_carry_content_even_when_asked(
    reply_sandbox: ReplySandbox, reply_client: Callable[..., httpx.Client]
) -> None:
    # `content` is a detail field, only on GET by id with includeContent=true (RS @1,705,000).
    api = reply_client(reply_sandbox)
    items = api.get("/v3/tasks", params={"top": 300, "includeContent": "true"}).json()["items"]
    assert len(items) == 300 and not any("content" in t or "template" in t for t in items)
