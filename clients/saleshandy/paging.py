"""How Saleshandy pages its lists, written once for the source and the sink.

Facts relied on (Saleshandy's OpenAPI file and third-party clients; nothing here is in the
"Create Task" page itself):
- `page` (from 1) and `pageSize`, at most 100; answers carry no totals, so a short (or an
  empty) page ends a list.
- Answers are `{"message": ..., "payload": ...}`; a list's `payload` is the array itself on some
  endpoints and an object holding it (`payload.emails`) on others. Which one `GET /v1/tasks`
  answers is not documented: both are read (`payload_items`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sales_tasks.clients.core.paginators import ShortPagePaginator

PAGE_PARAM = "page"
PAGE_SIZE_PARAM = "pageSize"
MAX_PAGE_SIZE = 100
# Stop guard of a full task list: 100,000 pages of 100 rows, far past any account seen.
MAX_PAGES = 100_000
PAYLOAD = "payload"


def saleshandy_paginator(
    page_size: int = MAX_PAGE_SIZE, *, maximum_page: int | None = MAX_PAGES, base_page: int = 1
) -> ShortPagePaginator:
    """Saleshandy's paging: `page`/`pageSize` until a short or an empty page."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"pageSize must be between 1 and {MAX_PAGE_SIZE}, got {page_size}")
    return ShortPagePaginator(
        page_size,
        page_param=PAGE_PARAM,
        page_size_param=PAGE_SIZE_PARAM,
        maximum_page=maximum_page,
        base_page=base_page,
    )


def page_params(page: int, page_size: int = MAX_PAGE_SIZE) -> dict[str, int]:
    """The query parameters of one page (for fetching planned pages at once)."""
    return {PAGE_PARAM: page, PAGE_SIZE_PARAM: page_size}


def planned_pages(total: int, page_size: int = MAX_PAGE_SIZE) -> int:
    """Pages of `page_size` that hold `total` rows up to the first short one (an empty one
    when `total` fills its last page): the pages a complete read ends with."""
    return max(0, total) // page_size + 1


def payload_list(body: Any, keys: Sequence[str] = ()) -> list[Any] | None:
    """Every entry of a list answer's array, as sent (entries that are not objects included, so
    a page's length is the vendor's): `payload` as an array, or the array an object `payload`
    holds. None when the answer holds no such array (an unreadable page, not an empty one).

    Args:
        keys: names the array may have inside an object payload (`tasks`, `prospects`), tried
            in order; failing those, the object's only array value is taken.
    """
    payload = body.get(PAYLOAD) if isinstance(body, dict) else None
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        found = next((payload[k] for k in keys if isinstance(payload.get(k), list)), None)
        if found is None:
            lists = [v for v in payload.values() if isinstance(v, list)]
            found = lists[0] if len(lists) == 1 else None
        return found if isinstance(found, list) else None
    return None


def payload_items(body: Any, keys: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The object rows of a list answer (`payload_list`), [] when it holds none."""
    return [row for row in payload_list(body, keys) or [] if isinstance(row, dict)]
