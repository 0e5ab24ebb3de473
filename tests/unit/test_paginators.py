"""Unit tests of the paginators (`sales_tasks.clients.core.paginators`) over `httpx.MockTransport`, in the
manner of dlt's `test_paginators.py`: which pages are asked for, with which parameters, and when
each style stops (totals, short and empty pages, `hasMore`, the stop guard)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import orjson
import pytest

from sales_tasks.clients.core import (
    ApiClient,
    OffsetPaginator,
    PageNumberPaginator,
    RetryPolicy,
    ShortPagePaginator,
    VendorProfile,
    paginate,
)
from sales_tasks.clients.core.paginators import (
    BasePaginator,
    PageRequest,
    is_short_page,
    page_count,
)

TAnswer = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]


class Vendor:
    """Answers each request from `answer(query, body)`, recording what was asked."""

    def __init__(self, answer: TAnswer) -> None:
        self.answer = answer
        self.queries: list[dict[str, Any]] = []
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        query = dict(request.url.params)
        body = orjson.loads(request.content) if request.content else {}
        self.queries.append(query)
        self.bodies.append(body)
        return httpx.Response(200, json=self.answer(query, body))


def run(
    vendor: Vendor,
    paginator: BasePaginator,
    *,
    method: str = "GET",
    items_path: str = "rows",
    json: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
) -> list[list[Any]]:
    with ApiClient(
        "https://vendor.test",
        "key",
        profile=VendorProfile(name="Vendor"),
        retry=RetryPolicy(max_attempts=1),
        transport=httpx.MockTransport(vendor),
    ) as client:
        pages = paginate(
            client, method, "/list", paginator, items_path=items_path, json=json, params=params
        )
        return [page.items for page in pages]


def rows(start: int, count: int) -> list[dict[str, int]]:
    return [{"id": i} for i in range(start, start + count)]


def numbered(total_rows: int, page_size: int, **pagination: Any) -> TAnswer:
    """A vendor paging `total_rows` rows by `page`/`per_page` (from the query or the body)."""

    def answer(query: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        page = int(query.get("page", body.get("page", 1)))
        start = (page - 1) * page_size
        served = rows(start, max(0, min(page_size, total_rows - start)))
        return {"rows": served, "pagination": {"page": str(page), **pagination}}

    return answer


def test_page_number_stops_at_the_total_of_rows_read_as_text() -> None:
    vendor = Vendor(numbered(5, 2, total_entries="5"))
    pages = run(
        vendor, PageNumberPaginator(2, total_path="pagination.total_entries", total_is_rows=True)
    )
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [q["page"] for q in vendor.queries] == ["1", "2", "3"]
    assert all(q["per_page"] == "2" for q in vendor.queries)


def test_page_number_stops_at_the_total_of_pages_even_when_pages_are_full() -> None:
    # The vendor would serve more, but says there are 2 pages: the third is never asked for.
    vendor = Vendor(numbered(100, 10, total_pages=2))
    pages = run(
        vendor,
        PageNumberPaginator(10, total_path="pagination.total_pages", stop_on_short_page=False),
    )
    assert [len(p) for p in pages] == [10, 10] and len(vendor.queries) == 2


def test_a_total_that_says_more_does_not_outlast_a_short_page() -> None:
    # total_entries 20 with per_page 2 would be 10 pages; the vendor has only 3 rows.
    vendor = Vendor(numbered(3, 2, total_entries=20, total_pages=7))
    pages = run(
        vendor, PageNumberPaginator(2, total_path="pagination.total_entries", total_is_rows=True)
    )
    assert [len(p) for p in pages] == [2, 1] and len(vendor.queries) == 2


def test_an_empty_page_ends_the_list_even_without_the_short_page_rule() -> None:
    vendor = Vendor(numbered(4, 2, total_pages=9))
    paginator = PageNumberPaginator(
        2, total_path="pagination.total_pages", stop_on_short_page=False
    )
    assert [len(p) for p in run(vendor, paginator)] == [2, 2, 0]
    assert not paginator.stopped_by_guard


@pytest.mark.parametrize(("total_rows", "expected"), [(0, [0]), (6, [3, 3, 0]), (7, [3, 3, 1])])
def test_short_page_paginator_needs_no_total(total_rows: int, expected: list[int]) -> None:
    vendor = Vendor(numbered(total_rows, 3))
    assert [len(p) for p in run(vendor, ShortPagePaginator(3))] == expected


def test_page_parameters_can_travel_in_the_json_body_beside_the_shared_ones() -> None:
    vendor = Vendor(numbered(3, 2))
    paginator = ShortPagePaginator(2, in_body=True)
    pages = run(vendor, paginator, method="POST", json={"q_keywords": "a@b.test"})
    assert [len(p) for p in pages] == [2, 1]
    assert vendor.bodies == [
        {"q_keywords": "a@b.test", "page": 1, "per_page": 2},
        {"q_keywords": "a@b.test", "page": 2, "per_page": 2},
    ]
    assert vendor.queries == [{}, {}]


def test_the_stop_guard_ends_a_vendor_that_never_stops() -> None:
    vendor = Vendor(lambda query, body: {"rows": rows(0, 5), "pagination": {"total_pages": 10**9}})
    paginator = PageNumberPaginator(5, total_path="pagination.total_pages", maximum_page=4)
    assert len(run(vendor, paginator)) == 4 and len(vendor.queries) == 4
    assert paginator.stopped_by_guard and not paginator.has_next_page


def test_the_guard_counts_page_numbers_from_a_later_base_page() -> None:
    vendor = Vendor(lambda query, body: {"rows": rows(0, 5)})
    paginator = ShortPagePaginator(5, base_page=3, maximum_page=5)
    run(vendor, paginator)
    assert [q["page"] for q in vendor.queries] == ["3", "4", "5"] and paginator.stopped_by_guard


def offset_vendor(total_rows: int, serve_at_most: int | None = None) -> TAnswer:
    """A `top`/`skip` vendor answering `{items, hasMore}`; it may serve fewer rows than asked."""

    def answer(query: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        skip, top = int(query["skip"]), int(query["top"])
        count = min(top, serve_at_most or top, max(0, total_rows - skip))
        return {"items": rows(skip, count), "hasMore": skip + count < total_rows}

    return answer


def offset_paginator(limit: int, **options: Any) -> OffsetPaginator:
    return OffsetPaginator(limit, offset_param="skip", limit_param="top", **options)


def test_offset_pages_until_has_more_is_false() -> None:
    vendor = Vendor(offset_vendor(7))
    pages = run(vendor, offset_paginator(3), items_path="items")
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [(q["skip"], q["top"]) for q in vendor.queries] == [("0", "3"), ("3", "3"), ("6", "3")]


def test_offset_advances_by_the_rows_received_not_by_the_limit() -> None:
    vendor = Vendor(offset_vendor(5, serve_at_most=2))
    pages = run(vendor, offset_paginator(3), items_path="items")
    assert [p["id"] for page in pages for p in page] == [0, 1, 2, 3, 4]  # none skipped
    assert [q["skip"] for q in vendor.queries] == ["0", "2", "4"]


def test_a_last_page_that_still_says_has_more_with_no_items_stops() -> None:
    def answer(query: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        skip = int(query["skip"])
        return {"items": rows(skip, 2) if skip < 4 else [], "hasMore": True}

    vendor = Vendor(answer)
    pages = run(vendor, offset_paginator(2), items_path="items")
    assert [len(p) for p in pages] == [2, 2, 0] and len(vendor.queries) == 3


@pytest.mark.parametrize("flag", [None, False, "false", 1])
def test_a_missing_or_false_has_more_ends_the_list(flag: Any) -> None:
    vendor = Vendor(lambda query, body: {"items": rows(0, 2), "hasMore": flag})
    assert len(run(vendor, offset_paginator(2), items_path="items")) == 1


def test_offset_stop_guard_ends_a_vendor_that_always_has_more() -> None:
    vendor = Vendor(lambda query, body: {"items": rows(int(query["skip"]), 2), "hasMore": True})
    paginator = offset_paginator(2, maximum_page=6)
    assert len(run(vendor, paginator, items_path="items")) == 6
    assert paginator.stopped_by_guard and vendor.queries[-1]["skip"] == "10"


def test_items_under_a_nested_path_and_junk_entries_are_dropped() -> None:
    answers = iter(
        [
            {"data": {"items": [{"id": 1}, "junk", None, {"id": 2}]}, "hasMore": True},
            {"data": {"items": "not a list"}, "hasMore": True},
        ]
    )
    vendor = Vendor(lambda query, body: next(answers))
    pages = run(vendor, offset_paginator(4), items_path="data.items")
    assert pages == [[{"id": 1}, {"id": 2}], []]


def test_the_request_state_machine_without_http() -> None:
    paginator = PageNumberPaginator(50, page_param="p", page_size_param="size", base_page=0)
    request = PageRequest(params={"q": "x"})
    paginator.init_request(request)
    assert request.params == {"q": "x", "p": 0, "size": 50}
    paginator.update_state({}, rows(0, 50))
    assert paginator.has_next_page
    paginator.update_request(request)
    assert request.params["p"] == 1
    paginator.update_state({}, rows(0, 49))
    assert not paginator.has_next_page


@pytest.mark.parametrize(
    ("total", "size", "pages"),
    [(0, 100, 1), (1, 100, 1), (100, 100, 1), (101, 100, 2), (50_000, 200, 250)],
)
def test_page_count(total: int, size: int, pages: int) -> None:
    assert page_count(total, size) == pages


def test_page_arithmetic_refuses_a_page_size_below_one() -> None:
    with pytest.raises(ValueError):
        page_count(10, 0)
    with pytest.raises(ValueError):
        PageNumberPaginator(0)
    with pytest.raises(ValueError):
        OffsetPaginator(0)
    assert is_short_page(99, 100) and not is_short_page(100, 100)
