"""Contract tests of the sandbox's tasks search (current POST and legacy GET)."""

from __future__ import annotations

from collections import Counter
from math import ceil

import httpx
import pytest

SEARCH = "/api/v1/tasks/search"
TOP_KEYS = {"tasks", "breadcrumbs", "pagination", "faceting", "pipeline_total", "num_fetch_result"}


def all_pages(api: httpx.Client, per_page: int, **params: object) -> list[dict]:
    tasks: list[dict] = []
    page = 1
    while True:
        body = api.post(
            SEARCH, params={"page": page, "per_page": per_page}, json=params or None
        ).json()
        tasks += body["tasks"]
        if len(body["tasks"]) < per_page:
            return tasks
        page += 1


def test_pages_via_query_string_cover_every_task_once(api: httpx.Client, sandbox) -> None:
    seen: list[str] = []
    for page in range(1, 5):
        resp = api.post(f"{SEARCH}?page={page}&per_page=100")
        assert resp.status_code == 200
        body = resp.json()
        assert set(body) == TOP_KEYS
        assert body["pagination"] == {
            "page": page,
            "per_page": 100,
            "total_entries": 300,
            "total_pages": 3,
        }
        seen += [t["id"] for t in body["tasks"]]
    assert len(seen) == 300 == len(set(seen))
    assert sandbox.stats()["tasks"] == 300


def test_paging_in_a_json_body_is_ignored_by_default(api: httpx.Client) -> None:
    """Documented in the query string only (VENDOR-SPECS 3.4): a body's paging is not read."""
    body = api.post(f"{SEARCH}?page=2&per_page=5", json={"page": 3, "per_page": 7}).json()
    assert body["pagination"]["page"] == 2 and body["pagination"]["per_page"] == 5
    alone = api.post(SEARCH, json={"page": 3, "per_page": 7}).json()
    assert alone["pagination"]["page"] == 1 and alone["pagination"]["per_page"] == 100


def test_json_body_paging_wins_over_query_string_when_honoured(make_sandbox, client_for) -> None:
    """Recorded traffic saw a POST body's paging honoured (NOTES 1): `body_paging=honour`."""
    api = client_for(make_sandbox(body_paging="honour"))
    body = api.post(f"{SEARCH}?page=1&per_page=5", json={"page": 2, "per_page": 7}).json()
    assert body["pagination"]["page"] == 2 and body["pagination"]["per_page"] == 7
    assert len(body["tasks"]) == 7


def test_default_order_is_newest_first_and_stable(api: httpx.Client) -> None:
    tasks = all_pages(api, 100)
    created = [t["created_at"] for t in tasks]
    assert created == sorted(created, reverse=True)
    assert [t["id"] for t in all_pages(api, 100)] == [t["id"] for t in tasks]


def test_sort_by_due_at_and_priority(api: httpx.Client) -> None:
    due = [t["due_at"] for t in all_pages(api, 100, sort_by_field="task_due_at")]
    assert due == sorted(due, reverse=True)
    rank = {"high": 0, "medium": 1, "low": 2}
    prio = [rank[t["priority"]] for t in all_pages(api, 100, sort_by_field="task_priority")]
    assert prio == sorted(prio) and len(set(prio)) == 3


def test_per_page_above_limit_is_422_and_200_switch(make_sandbox, client_for) -> None:
    sb = make_sandbox()
    api = client_for(sb)
    resp = api.post(SEARCH, params={"per_page": 200})
    assert resp.status_code == 422 and resp.json() == {"error": "Per page not supported"}
    assert api.post(SEARCH, params={"per_page": 100}).status_code == 200
    sb.configure(max_per_page=200)
    body = api.post(SEARCH, params={"per_page": 200}).json()
    assert len(body["tasks"]) == 200
    assert api.post(SEARCH, params={"per_page": 201}).status_code == 422


@pytest.mark.parametrize("behaviour", ["empty", "422"])
def test_display_cap_never_serves_records_past_it(make_sandbox, client_for, behaviour) -> None:
    sb = make_sandbox(max_records=50, past_cap_behaviour=behaviour)
    api = client_for(sb)
    served: list[str] = []
    for page in (1, 2, 3):
        body = api.post(SEARCH, params={"page": page, "per_page": 20}).json()
        assert body["pagination"]["total_entries"] == 300  # the true total
        assert body["pagination"]["total_pages"] == 15
        served += [t["id"] for t in body["tasks"]]
    assert len(served) == 50  # page 3 holds records 40..49 only
    past = api.post(SEARCH, params={"page": 4, "per_page": 20})
    if behaviour == "empty":
        assert past.status_code == 200 and past.json()["tasks"] == []
    else:
        assert past.status_code == 422 and "display limit" in past.json()["error"]


def test_max_pages_cap(make_sandbox, client_for) -> None:
    api = client_for(make_sandbox(max_pages=2))
    assert len(api.post(SEARCH, params={"page": 2, "per_page": 10}).json()["tasks"]) == 10
    assert api.post(SEARCH, params={"page": 3, "per_page": 10}).json()["tasks"] == []


def test_pagination_as_strings_switch(make_sandbox, client_for) -> None:
    api = client_for(make_sandbox(pagination_as_strings=True))
    pagination = api.post(SEARCH, params={"per_page": 50}).json()["pagination"]
    assert pagination == {"page": "1", "per_page": "50", "total_entries": "300", "total_pages": "6"}


def test_facets_only_with_open_factor_names(api: httpx.Client) -> None:
    plain = api.post(SEARCH).json()
    assert isinstance(plain["faceting"], dict) and "task_types" not in plain["faceting"]
    for call in (
        lambda: api.post(f"{SEARCH}?open_factor_names[]=task_types"),
        lambda: api.post(f"{SEARCH}?open_factor_names=task_types"),
        lambda: api.post(SEARCH, json={"open_factor_names": ["task_types"]}),
    ):
        faceting = call().json()["faceting"]
        counts = {f["value"]: f["count"] for f in faceting["task_types"]}
        assert sum(counts.values()) == 300
        assert faceting["total_facets"] == [
            {"value": "pipeline_total", "display_name": "Total", "count": 300}
        ]
    tasks = all_pages(api, 100)
    by_type = Counter(t["type"] for t in tasks)
    assert counts["contact_call"] == by_type["call"]
    assert counts["contact_action_item"] == by_type["action_item"]
    assert counts["outreach_manual_email"] == by_type["outreach_manual_email"]
    assert len(by_type) == 7  # the seed spreads over all seven create types


def test_filters_honoured_with_breadcrumbs(api: httpx.Client, sandbox) -> None:
    user = sandbox.users()[0]["id"]
    body = api.post(
        SEARCH,
        json={"user_ids": [user], "task_type_cds": ["contact_call"], "per_page": 100},
    ).json()
    assert body["tasks"] and all(
        t["user_id"] == user and t["type"] == "call" for t in body["tasks"]
    )
    assert body["pagination"]["total_entries"] == len(body["tasks"])
    assert {(b["signal_field_name"], b["value"]) for b in body["breadcrumbs"]} == {
        ("user_ids", user),
        ("task_type_cds", "contact_call"),
    }
    assert set(body["breadcrumbs"][0]) == {"label", "signal_field_name", "value", "display_name"}
    contact = body["tasks"][0]["contact_id"]
    by_contact = api.post(SEARCH, json={"contact_ids": [contact]}).json()["tasks"]
    assert by_contact and all(t["contact_id"] == contact for t in by_contact)
    # create type names are accepted as task_type_cds too
    same = api.post(SEARCH, json={"user_ids": [user], "task_type_cds": ["call"], "per_page": 100})
    assert [t["id"] for t in same.json()["tasks"]] == [t["id"] for t in body["tasks"]]


def test_filters_ignored_switch_returns_everything(make_sandbox, client_for) -> None:
    sb = make_sandbox(filters="ignore")
    api = client_for(sb)
    user = sb.users()[0]["id"]
    body = api.post(SEARCH, json={"user_ids": [user], "per_page": 10}).json()
    assert body["pagination"]["total_entries"] == 300
    assert body["breadcrumbs"] == []
    assert {t["user_id"] for t in all_pages(api, 100, user_ids=[user])} != {user}


def test_legacy_get_allows_200_and_a_bare_get_answers_200(
    api: httpx.Client, make_sandbox, client_for
) -> None:
    """A bare `GET /v1/tasks/search` answered 200 live (issue 19); seed 002's required
    `open_factor_names` is the `require_open_factor_names` switch."""
    for path in ("/v1/tasks/search", SEARCH):
        bare = api.get(path)
        assert bare.status_code == 200, bare.text
        assert bare.json()["pagination"]["per_page"] == 10 and len(bare.json()["tasks"]) == 10
    strict = client_for(make_sandbox(require_open_factor_names=True))
    resp = strict.request("GET", "/v1/tasks/search", json={"per_page": 200})
    assert resp.status_code == 422 and resp.json() == {"error": "open_factor_names is required"}
    body = api.request(
        "GET", "/v1/tasks/search", json={"per_page": 200, "open_factor_names": ["task_types"]}
    ).json()
    assert len(body["tasks"]) == 200 and set(body) == TOP_KEYS
    assert "task_types" in body["faceting"]
    over = api.request("GET", "/v1/tasks/search?open_factor_names[]=task_types&per_page=201")
    assert over.status_code == 422


def test_created_tasks_visible_in_search(api: httpx.Client, sandbox) -> None:
    contact = sandbox.contacts(1)[0]["id"]
    user = sandbox.users()[1]["id"]
    created = api.post(
        "/api/v1/tasks",
        json={
            "user_id": user,
            "contact_id": contact,
            "type": "call",
            "status": "scheduled",
            "due_at": "2030-01-01T00:00:00Z",
        },
    ).json()["task"]
    first = api.post(SEARCH, params={"per_page": 5}).json()
    assert first["tasks"][0]["id"] == created["id"]  # newest first
    assert first["pagination"]["total_entries"] == 301
    assert first["tasks"][0]["created_from"] == "api"


def test_index_lag_hides_new_tasks_for_a_while(make_sandbox, client_for) -> None:
    sb = make_sandbox(index_lag_seconds=0.6)
    api = client_for(sb)
    task = {
        "user_id": sb.users()[0]["id"],
        "contact_id": sb.contacts(1)[0]["id"],
        "type": "action_item",
        "status": "scheduled",
        "due_at": "2030-01-01T00:00:00Z",
    }
    new_id = api.post("/api/v1/tasks", json=task).json()["task"]["id"]
    assert [t["id"] for t in sb.created()] == [new_id]  # the hook sees it at once
    ids = [t["id"] for t in all_pages(api, 100)]
    assert new_id not in ids and len(ids) == 300
    sb.configure(index_lag_seconds=0)  # the index catches up (no wall-clock wait)
    assert api.post(SEARCH, params={"per_page": 1}).json()["tasks"][0]["id"] == new_id


def test_delete_and_patch_hooks_change_search(api: httpx.Client, sandbox) -> None:
    tasks = api.post(SEARCH, params={"per_page": 3}).json()["tasks"]
    sandbox.delete_task(tasks[0]["id"])
    patched = sandbox.patch_task(tasks[1]["id"], status="completed", note="done in Apollo")
    assert patched["status"] == "completed" and patched["completed_at"] is not None
    after = api.post(SEARCH, params={"per_page": 100}).json()
    assert after["pagination"]["total_entries"] == 299
    by_id = {t["id"]: t for t in all_pages(api, 100)}
    assert tasks[0]["id"] not in by_id
    assert by_id[tasks[1]["id"]]["note"] == "done in Apollo"
    assert by_id[tasks[1]["id"]]["status"] == "completed"
    sandbox.reset()
    assert api.post(SEARCH).json()["pagination"]["total_entries"] == 300


def test_search_page_render_equals_single_task_render(api: httpx.Client, sandbox) -> None:
    # the page path is vectorised; the hook renders one row: both must agree byte for byte
    for task in api.post(SEARCH, params={"per_page": 25}).json()["tasks"]:
        assert sandbox.task(task["id"]) == task


def test_total_pages_is_ceil(api: httpx.Client) -> None:
    for per_page in (1, 7, 100):
        p = api.post(SEARCH, params={"per_page": per_page}).json()["pagination"]
        assert p["total_pages"] == ceil(300 / per_page)


def test_bad_paging_params_are_422(api: httpx.Client) -> None:
    for bad in ({"page": "abc"}, {"per_page": 0}, {"page": -1}):
        resp = api.post(SEARCH, params=bad)
        assert resp.status_code == 422 and "error" in resp.json()


def test_post_search_can_require_open_factor_names_like_seed_002(make_sandbox, client_for) -> None:
    strict = client_for(make_sandbox(require_open_factor_names=True))
    without = strict.post(SEARCH, params={"per_page": 100})
    assert without.status_code == 422
    assert without.json() == {"error": "open_factor_names is required"}
    with_it = strict.post(SEARCH, params={"open_factor_names[]": "task_types", "per_page": 100})
    assert with_it.status_code == 200 and "task_types" in with_it.json()["faceting"]
