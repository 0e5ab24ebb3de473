"""Page planning for the concurrent scan of `POST /api/v1/tasks/search`: pure functions, no HTTP.

The scan asks for many pages at once, so it plans them up front instead of walking a paginator;
the arithmetic is the page-number paginator's (`sales_tasks.clients.core.paginators.page_count`,
`is_short_page`) and the rules are Apollo's (`sales_tasks.clients.apollo.paging`):
- Pagination numbers may arrive as strings (`"page": "1"`); parse them leniently.
- `total_pages` is not to be trusted alone: pages are planned from `total_entries` and the
  per_page actually served, and a short or empty page ends a slice.
- Past the display cap (50,000 records / 500 pages) Apollo serves an empty page or a 422.
"""

from __future__ import annotations

from dataclasses import dataclass

from sales_tasks.clients.core.paginators import is_short_page, page_count
from sales_tasks.clients.core.values import lenient_int
from sales_tasks.sources.apollo.models import TSearchPage


@dataclass(frozen=True)
class PageInfo:
    """What one search page says about itself, parsed leniently."""

    page: int | None
    per_page: int | None
    total_entries: int | None
    rows: int


def page_info(page: TSearchPage) -> PageInfo:
    pagination = page.get("pagination") or {}
    if not isinstance(pagination, dict):
        pagination = {}
    tasks = page.get("tasks") or []
    return PageInfo(
        page=lenient_int(pagination.get("page")),
        per_page=lenient_int(pagination.get("per_page")),
        total_entries=lenient_int(pagination.get("total_entries")),
        rows=len(tasks) if isinstance(tasks, list) else 0,
    )


def effective_per_page(requested: int, info: PageInfo) -> int:
    """The page size the vendor really used: it may clamp `per_page` without saying so."""
    if info.per_page and info.per_page > 0:
        return min(requested, info.per_page)
    # No per_page echoed: a first page shorter than asked while more rows exist is a clamp.
    if info.total_entries is not None and 0 < info.rows < requested < info.total_entries:
        return info.rows
    return requested


def reachable_records(per_page: int, max_records: int, max_pages: int) -> int:
    """How many records one search can reach under the display cap."""
    return max(0, min(max_records, max_pages * per_page))


@dataclass(frozen=True)
class PagePlan:
    """Which pages of one search to fetch and how many rows each should hold."""

    per_page: int
    total_entries: int
    reachable: int  # min(total_entries, cap)
    last_page: int

    @property
    def capped(self) -> bool:
        """True when the search holds more rows than the display cap lets through."""
        return self.total_entries > self.reachable

    def expected_rows(self, page: int) -> int:
        if page < 1 or page > self.last_page:
            return 0
        if page < self.last_page:
            return self.per_page
        return self.reachable - (self.last_page - 1) * self.per_page

    def remaining_pages(self) -> range:
        """Pages after the first one, each requested once."""
        return range(2, self.last_page + 1)


def plan_pages(total_entries: int, per_page: int, max_records: int, max_pages: int) -> PagePlan:
    """Plan the pages of a search whose first page said `total_entries`."""
    if per_page < 1:
        raise ValueError("per_page must be >= 1")
    total = max(0, total_entries)
    reachable = min(total, reachable_records(per_page, max_records, max_pages))
    last_page = page_count(reachable, per_page)
    return PagePlan(
        per_page=per_page, total_entries=total, reachable=reachable, last_page=last_page
    )


def is_short(plan: PagePlan, page: int, rows: int) -> bool:
    """A page holding fewer rows than planned: the cap (or a shrinking result) was hit."""
    return is_short_page(rows, plan.expected_rows(page))
