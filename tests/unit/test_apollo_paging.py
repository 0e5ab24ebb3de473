"""Apollo's lists through the paginators, over `httpx.MockTransport`: users search (the source's
and the sink's one lookup), contacts search by exact email, and the sink's reconciliation search
with its display-cap guard; the requests Apollo receives are checked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import orjson

from sales_tasks.clients.apollo.endpoints import CONTACTS_SEARCH, TASKS_SEARCH, USERS_SEARCH
from sales_tasks.clients.apollo.lookups import contact_ids_with_email, list_users, users_by_email
from sales_tasks.clients.apollo.profile import APOLLO_PROFILE
from sales_tasks.clients.core import ApiClient, RetryPolicy
from sales_tasks.destinations.apollo.vendor import ApolloTaskVendor

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


def tasks_answer(contact: str, total: int, *, honour: bool = True) -> TAnswer:
    """`total` tasks of `contact`, newest first; with `honour=False` other contacts' tasks too,
    as when Apollo drops the unknown `contact_ids` key."""

    def answer(request: httpx.Request) -> dict[str, Any]:
        page, per_page = int(request.url.params["page"]), int(request.url.params["per_page"])
        everyone = total if honour else 2 * total
        start = (page - 1) * per_page
        tasks = [
            {
                "id": f"t{i}",
                "contact_id": contact if honour or i % 2 == 0 else "someone-else",
                "created_at": f"2026-01-01T00:{59 - i // 60 % 60:02d}:{59 - i % 60:02d}.000Z",
            }
            for i in range(start, min(everyone, start + per_page))
        ]
        return {"tasks": tasks, "pagination": {"total_entries": everyone}}

    return answer


def test_reconciliation_search_pages_in_the_query_string_with_the_contacts_in_the_body() -> None:
    apollo = Apollo(tasks_answer("c1", 250))
    with apollo.client() as client:
        result = ApolloTaskVendor(client).search_created(["c1"])
    assert result.tasks is not None and len(result.tasks) == 250
    assert [int(r.url.params["page"]) for r in apollo.requests] == [1, 2, 3]
    assert all(r.url.params["per_page"] == "100" for r in apollo.requests)
    assert all(
        r.url.path == TASKS_SEARCH and body(r) == {"contact_ids": ["c1"]} for r in apollo.requests
    )


def test_reconciliation_search_reads_the_whole_list_when_the_filter_is_ignored() -> None:
    apollo = Apollo(tasks_answer("c1", 120, honour=False))
    with apollo.client() as client:
        result = ApolloTaskVendor(client).search_created(["c1"])
    assert result.tasks is not None and len(result.tasks) == 120
    assert {t["contact_id"] for t in result.tasks} == {"c1"}
    assert len(apollo.requests) == 3  # 240 tasks, 100 per page: one pass for every contact


def test_reconciliation_search_stops_at_the_display_cap_and_says_so() -> None:
    apollo = Apollo(tasks_answer("c1", 10**6))
    with apollo.client() as client:
        result = ApolloTaskVendor(client).search_created(["c1"])
    assert result.tasks is None and "more tasks than Apollo's search can show" in result.reason
    assert len(apollo.requests) == 1  # its total_entries is over 500 pages of 100


def test_reconciliation_search_rereads_a_list_that_shrank_under_it() -> None:
    """A deletion during the read may hide a task: the read is repeated, then given up."""
    calls = {"n": 0}

    def shrinking(request: httpx.Request) -> dict[str, Any]:
        calls["n"] += 1
        page = int(request.url.params["page"])
        total = 150 - calls["n"]  # one task deleted before every request
        tasks = [
            {"id": f"t{i}", "contact_id": "c1", "created_at": "2026-01-01T00:00:00.000Z"}
            for i in range((page - 1) * 100, min(total, page * 100))
        ]
        return {"tasks": tasks, "pagination": {"total_entries": total}}

    apollo = Apollo(shrinking)
    with apollo.client() as client:
        result = ApolloTaskVendor(client).search_created(["c1"])
    assert result.tasks is None and "changed under every one of 3 reads" in result.reason
    assert len(apollo.requests) == 8  # the pages at once, then 3 reads one page after the other


def test_reconciliation_search_trusts_a_read_that_only_grew_newest_first() -> None:
    """Tasks created while the list is read (the push's own calls) land on top when the list
    comes newest first: they repeat a task, never hide one, so the read is trusted at once."""
    calls = {"n": 0}

    def growing(request: httpx.Request) -> dict[str, Any]:
        calls["n"] += 1
        page, per_page = int(request.url.params["page"]), int(request.url.params["per_page"])
        new = [
            {"id": f"new{i}", "contact_id": "other", "created_at": f"2026-02-01T00:00:{i:02d}.000Z"}
            for i in range(calls["n"] * 5)
        ][::-1]
        old = [
            {
                "id": f"t{i}",
                "contact_id": "c1" if i == 150 else "other",
                "created_at": f"2026-01-01T{23 - i // 60:02d}:{59 - i % 60:02d}:00.000Z",
            }
            for i in range(200)
        ]
        listed = new + old
        return {
            "tasks": listed[(page - 1) * per_page : page * per_page],
            "pagination": {"total_entries": len(listed)},
        }

    apollo = Apollo(growing)
    with apollo.client() as client:
        result = ApolloTaskVendor(client).search_created(["c1"])
    assert result.tasks is not None and [t["id"] for t in result.tasks] == ["t150"]
    # The pages at once saw the total move (not trusted out of order); then one pass in order,
    # pages 1-3, trusted despite 5 new tasks per request.
    assert len(apollo.requests) == 6


def test_reconciliation_search_does_not_trust_a_list_with_items_without_an_id() -> None:
    """An item without an id may be the task looked for: never "not created" on its account."""
    items = [{"contact_id": "c1", "created_at": "2026-01-01T00:00:00.000Z"}]
    apollo = Apollo(lambda request: {"tasks": items, "pagination": {"total_entries": 1}})
    with apollo.client() as client:
        result = ApolloTaskVendor(client).search_created(["c1"])
    assert result.tasks is None and "without an id" in result.reason


def test_reconciliation_search_reads_the_pages_at_once_when_the_list_stands_still() -> None:
    """2,050 tasks of the contacts: page 1, then pages 2-21 at once, trusted by the count (every
    page counted 2,050 and 2,050 distinct tasks were read), one pass."""
    apollo = Apollo(tasks_answer("c1", 2050))
    with apollo.client() as client:
        result = ApolloTaskVendor(client).search_created(["c1"])
    assert result.tasks is not None and len({t["id"] for t in result.tasks}) == 2050
    assert sorted(int(r.url.params["page"]) for r in apollo.requests) == list(range(1, 22))
