"""How Apollo.io pages its lists, written once for the source and the sink.

Facts relied on (Apollo's API reference, "Search for Tasks" and "Search for Users"; the older
task search page):
- `page` (from 1) and `per_page`; the answer's `pagination` holds `page`, `per_page`,
  `total_entries`, `total_pages`, sometimes as strings (`"page": "1"`).
- `total_pages` is not to be trusted alone (a documented sample says total_entries 20, per_page 2,
  total_pages 7): pages are counted from `total_entries`, and a short or empty page ends a list.
- `per_page` is at most 200 (older docs) or 100 (current docs: larger answers 422
  `Per page not supported`).
- Display cap: one search reaches at most 50,000 records, 500 pages, whatever the filters.
"""

from __future__ import annotations

from sales_tasks.clients.core.paginators import PageNumberPaginator

MAX_PER_PAGE = 200
FALLBACK_PER_PAGE = 100
PER_PAGE_REJECTED = "per page not supported"
# Page size of the lookups (users, contacts) and of the sink's reconciliation search.
LOOKUP_PER_PAGE = 100

DISPLAY_CAP_RECORDS = 50_000
DISPLAY_CAP_PAGES = 500

TOTAL_ENTRIES = "pagination.total_entries"


def apollo_paginator(
    per_page: int = LOOKUP_PER_PAGE,
    *,
    maximum_page: int = DISPLAY_CAP_PAGES,
    in_body: bool = False,
) -> PageNumberPaginator:
    """Apollo's paging: `page`/`per_page` until `total_entries` rows, a short or an empty page.

    Args:
        per_page: rows per page asked for.
        maximum_page: the stop guard (the display cap's 500 pages by default).
        in_body: page in the JSON body (as third-party clients do) instead of the query string.
    """
    return PageNumberPaginator(
        per_page,
        page_param="page",
        page_size_param="per_page",
        total_path=TOTAL_ENTRIES,
        total_is_rows=True,
        stop_on_short_page=True,
        maximum_page=maximum_page,
        in_body=in_body,
    )
