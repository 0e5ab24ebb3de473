"""How Reply.io pages its lists, written once for the source and the sink.

Facts relied on (VENDOR-SPECS.md §1.3, RS @1,691,000 and @1,709,000; the one public extractor):
- `top` (rows asked for: default 25, at most 1000) and `skip` (rows to pass over), in the query
  string of `GET /v3/tasks`, of `POST /v3/tasks/filter` (even though it is a POST) and of
  `GET /v3/contacts`; the answer is `{items, hasMore}` with no total.
- `hasMore` is authoritative (there is no total); `skip` advances by the rows received, since a
  page may hold fewer rows than asked for.
- What `top`/`skip` answer past the last page is not documented (VENDOR-SPECS §5): a last page
  that still says `hasMore: true` is followed by an empty page, which ends the list (the
  paginator stops on a page without rows, whatever the flag).
"""

from __future__ import annotations

from sales_tasks.clients.core.paginators import OffsetPaginator

MAX_TOP = 1000
ITEMS = "items"
HAS_MORE = "hasMore"
# The stop guard: a million tasks at 1000 a page. At 100 requests a minute that is 10 minutes.
MAX_PAGES = 1_000


def reply_paginator(top: int = MAX_TOP, *, maximum_page: int = MAX_PAGES) -> OffsetPaginator:
    """Reply's paging: `top`/`skip` in the query string until `hasMore` says no or a page is empty."""
    return OffsetPaginator(
        top,
        offset_param="skip",
        limit_param="top",
        has_more_path=HAS_MORE,
        maximum_page=maximum_page,
    )
