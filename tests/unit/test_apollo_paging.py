"""Apollo's lists through the paginators, over `httpx.MockTransport`: users search (the source's
and the sink's one lookup), contacts search by exact email, and the sink's reconciliation search
with its display-cap guard; the requests Apollo receives are checked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import orjson

from clients.apollo.endpoints import CONTACTS_SEARCH, TASKS_SEARCH, USERS_SEARCH
from clients.apollo.lookups import contact_ids_with_email, list_users, users_by_email
from clients.apollo.profile import APOLLO_PROFILE
from clients.core import ApiClient, RetryPolicy
from destinations.apollo.vendor import UNDECIDABLE, ApolloTaskVendor

TAnswer = Callable[[httpx.Request], dict[str, Any]]


class Apollo:
    def __init__(self, answer: TAnswer) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json=self.answer(request))

    def client(self) -> ApiClient:
        return ApiClient(
            "https://apollo.test",
            "key",
            profile=APOLLO_PROFILE,
            retry=RetryPolicy(max_attempts=1),
            transport=httpx.MockTransport(self),
        )


def body(request: httpx.Request) -> dict[str, Any]:
    return orjson.loads(request.content) if request.content else {}


def team(size: int) -> list[dict[str, Any]]:
    return [{"id": f"u{i}", "email": f"User{i}@Team.test"} for i in range(size)]


def users_answer(users: list[dict[str, Any]]) -> TAnswer:
    def answer(request: httpx.Request) -> dict[str, Any]:
        page, per_page = int(request.url.params["page"]), int(request.url.params["per_page"])
        served = users[(page - 1) * per_page : page * per_page]
        return {
            "users": served,
            "pagination": {"page": str(page), "total_entries": str(len(users))},
        }

    return answer


def test_users_are_read_to_the_end_by_total_entries_sent_as_text() -> None:
    apollo = Apollo(users_answer(team(200)))
    with apollo.client() as client:
        users = list_users(client)
    assert [u["id"] for u in users] == [f"u{i}" for i in range(200)]
    # 200 users fill exactly 2 pages: the total ends the list, no third request.
    assert [(r.method, r.url.path, r.url.params["page"]) for r in apollo.requests] == [
        ("GET", USERS_SEARCH, "1"),
        ("GET", USERS_SEARCH, "2"),
    ]


def test_a_repeated_users_page_ends_the_list_without_duplicates() -> None:
    apollo = Apollo(lambda request: {"users": team(100), "pagination": {"total_entries": 1000}})
    with apollo.client() as client:
        users = list_users(client)
    assert len(users) == 100 and len(apollo.requests) == 2


def test_users_by_email_is_case_insensitive_and_skips_users_without_id() -> None:
    by_email, ids = users_by_email([*team(2), {"email": "ghost@team.test"}, {"id": "u9"}])
    assert by_email == {"user0@team.test": ["u0"], "user1@team.test": ["u1"]}
    assert ids == {"u0", "u1", "u9"}


def test_contacts_search_keeps_exact_email_matches_only() -> None:
    def answer(request: httpx.Request) -> dict[str, Any]:
        page = body(request)["page"]
        if page == 1:
            near = [{"id": f"n{i}", "email": f"x{i}.ann@co.test"} for i in range(98)]
            return {
                "contacts": [
                    *near,
                    {"id": "c2", "email": "Ann@Co.test"},
                    {"id": "c1", "email": "ann@co.test"},
                ]
            }
        return {"contacts": [{"id": "c1", "email": "ann@co.test"}, {"id": "c3", "email": None}]}

    apollo = Apollo(answer)
    with apollo.client() as client:
        assert contact_ids_with_email(client, "ANN@co.test") == ["c1", "c2"]
    assert [body(r) for r in apollo.requests] == [
        {"q_keywords": "ann@co.test", "page": 1, "per_page": 100},
        {"q_keywords": "ann@co.test", "page": 2, "per_page": 100},
    ]
    assert all(r.url.path == CONTACTS_SEARCH and r.method == "POST" for r in apollo.requests)


def tasks_answer(contact: str, total: int) -> TAnswer:
    def answer(request: httpx.Request) -> dict[str, Any]:
        sent = body(request)
        page, per_page = sent["page"], sent["per_page"]
        start = (page - 1) * per_page
        tasks = [
            {"id": f"t{i}", "contact_id": contact}
            for i in range(start, min(total, start + per_page))
        ]
        return {"tasks": tasks, "pagination": {"total_entries": total}}

    return answer


def test_reconciliation_search_reads_every_page_of_the_contacts_tasks() -> None:
    apollo = Apollo(tasks_answer("c1", 250))
    with apollo.client() as client:
        result = ApolloTaskVendor(client).search_created(["c1"])
    assert result.tasks is not None and len(result.tasks) == 250
    assert [body(r)["page"] for r in apollo.requests] == [1, 2, 3]
    assert all(
        r.url.path == TASKS_SEARCH and body(r)["contact_ids"] == ["c1"] for r in apollo.requests
    )


def test_reconciliation_search_refuses_to_decide_when_the_filter_is_ignored() -> None:
    apollo = Apollo(lambda request: {"tasks": [{"id": "t1", "contact_id": "someone-else"}]})
    with apollo.client() as client:
        result = ApolloTaskVendor(client).search_created(["c1"])
    assert result.tasks is None and result.reason == UNDECIDABLE and len(apollo.requests) == 1


def test_reconciliation_search_stops_at_the_display_cap_and_says_so() -> None:
    apollo = Apollo(tasks_answer("c1", 10**6))
    with apollo.client() as client:
        result = ApolloTaskVendor(client).search_created(["c1"])
    assert result.tasks is None and "more tasks for these contacts" in str(result.reason)
    assert len(apollo.requests) == 500
