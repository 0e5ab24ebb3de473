"""Each guess of the Apollo emulator, both ways: what no document settles is a switch (the
README's facts-vs-guesses table), and the default is the documented reading."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sales_tasks.sandbox import SandboxConfig

SEARCH = "/api/v1/tasks/search"
CREATE = "/api/v1/tasks"


def _task(sb: Any) -> dict[str, Any]:
    return {
        "user_id": sb.users()[0]["id"],
        "contact_id": sb.contacts(1)[0]["id"],
        "type": "call",
        "status": "scheduled",
        "due_at": "2030-01-01T09:00:00Z",
    }


def test_defaults_are_the_documented_readings() -> None:
    cfg = SandboxConfig()
    assert cfg.body_paging == "ignore"  # paging documented in the query only (VENDOR-SPECS 3.4)
    assert cfg.created_from == "api"  # the create examples (3.3)
    assert cfg.default_order == "newest_first"
    assert cfg.require_open_factor_names is False  # a bare GET answered 200 live


@pytest.mark.parametrize(
    ("setting", "served"), [("api", "api"), ("zp_ui", "zp_ui"), ("null", None)]
)
def test_created_from_of_api_made_tasks(
    make_sandbox: Any, client_for: Any, setting: str, served: str | None
) -> None:
    sb = make_sandbox(created_from=setting)
    api: httpx.Client = client_for(sb)
    made = api.post(CREATE, json=_task(sb)).json()["task"]
    assert made["created_from"] == served
    first = api.post(SEARCH, params={"per_page": 1}).json()["tasks"][0]
    assert first["id"] == made["id"] and first["created_from"] == served
    bulk = {**_task(sb), "contact_ids": [c["id"] for c in sb.contacts(2)]}
    bulk.pop("contact_id")
    tasks = api.post("/api/v1/tasks/bulk_create", json=bulk).json()["tasks"]
    assert [t["created_from"] for t in tasks] == [served, served]


@pytest.mark.parametrize("body_paging", ["ignore", "honour"])
def test_paging_in_a_body(make_sandbox: Any, client_for: Any, body_paging: str) -> None:
    api = client_for(make_sandbox(body_paging=body_paging))
    page = api.post(SEARCH, json={"page": 2, "per_page": 7}).json()["pagination"]
    assert (page["page"], page["per_page"]) == ((2, 7) if body_paging == "honour" else (1, 100))
    query = api.post(SEARCH, params={"page": 2, "per_page": 7}).json()["pagination"]
    assert (query["page"], query["per_page"]) == (2, 7)  # the query string counts either way


@pytest.mark.parametrize("order", ["newest_first", "oldest_first"])
def test_where_a_new_task_lands_in_the_default_order(
    make_sandbox: Any, client_for: Any, order: str
) -> None:
    sb = make_sandbox(default_order=order)
    api = client_for(sb)
    made = api.post(CREATE, json=_task(sb)).json()["task"]
    ids = [
        t["id"]
        for page in (1, 2, 3, 4)
        for t in api.post(SEARCH, params={"page": page, "per_page": 100}).json()["tasks"]
    ]
    assert len(ids) == 301 == len(set(ids))
    assert ids.index(made["id"]) == (0 if order == "newest_first" else 300)
    created = [t["created_at"] for t in api.post(SEARCH, params={"per_page": 100}).json()["tasks"]]
    assert created == sorted(created, reverse=order == "newest_first")
    due = [
        t["due_at"]
        for t in api.post(SEARCH, params={"per_page": 100, "sort_by_field": "task_due_at"}).json()[
            "tasks"
        ]
    ]
    assert due == sorted(due, reverse=True)  # the documented sorts do not depend on the switch


def test_unknown_switch_values_are_refused() -> None:
    for name in ("body_paging", "created_from", "default_order"):
        with pytest.raises(ValueError, match=name):
            SandboxConfig(**{name: "sometimes"}).validate()
