"""Requests to `POST /api/v1/tasks/search`, one page each (the scan plans and fetches them).

Facts relied on (Apollo's API reference, "Search for Tasks"; paging rules in `sales_tasks.clients.apollo`):
- The key travels only in the `x-api-key` header (the shared `ApiClient` sends it).
- `open_factor_names[]=task_types` goes on every search (required by the older contract).
- `page`, `per_page`, `sort_by_field` are query parameters; the undocumented filters
  (`user_ids`, `task_type_cds`) go in the JSON body as third-party clients send them.
- `per_page` above what Apollo allows answers 422 `Per page not supported`: step down to 100 once,
  say so, and go on. A `per_page` is never above 200.
- Past the display cap a page may answer 422: reported as `PastCapError`, not a failure.

Pages are decoded through a `PageMemo` when one is given: the first pass's are kept by the hash
of their bytes, and a page asked `ids_only` (the completeness proof's second pass) with the same
bytes comes back as a `KnownPage` without decoding (`sales_tasks.sources.apollo.page_memo`).
"""

from __future__ import annotations

import threading
from typing import Any

from sales_tasks.clients.apollo.endpoints import TASKS_SEARCH, quota_key
from sales_tasks.clients.apollo.enums import TASK_TYPES_FACET
from sales_tasks.clients.apollo.paging import FALLBACK_PER_PAGE, MAX_PER_PAGE, PER_PAGE_REJECTED
from sales_tasks.clients.core import ApiClient, BadRequestError, InvalidResponseError
from sales_tasks.sources.apollo.models import TFilters, TSearchPage
from sales_tasks.sources.apollo.page_memo import KnownPage, PageMemo
from sales_tasks.sources.apollo.report import ScanReport

TSort = tuple[str | None, bool | None]
DEFAULT_SORT: TSort = (None, None)
SEARCH_ENDPOINT = quota_key(TASKS_SEARCH)


class PastCapError(Exception):
    """A page past Apollo's display cap answered 422: there is nothing more in this search."""


class TaskSearch:
    """One page of task search at a time; thread-safe (pages are fetched concurrently)."""

    def __init__(
        self,
        client: ApiClient,
        report: ScanReport,
        per_page: int = MAX_PER_PAGE,
        memo: PageMemo | None = None,
    ) -> None:
        self.client = client
        self.memo = memo
        self.report = report
        self.per_page = max(1, min(int(per_page), MAX_PER_PAGE))
        report.per_page_requested = self.per_page
        report.per_page_used = self.per_page
        self._lock = threading.Lock()

    def page(
        self, page: int, filters: TFilters | None = None, sort: TSort = DEFAULT_SORT
    ) -> TSearchPage:
        """Fetch one page; steps `per_page` down to 100 when Apollo refuses the larger size."""
        data = self._page(page, filters, sort, ids_only=False)
        assert not isinstance(data, KnownPage)  # only `page_ids` asks for one
        return data

    def page_ids(
        self, page: int, filters: TFilters | None = None, sort: TSort = DEFAULT_SORT
    ) -> TSearchPage | KnownPage:
        """`page`, except that a page with the bytes of one decoded before (with a memo) comes
        back as its `KnownPage`: what the completeness proof's second pass needs, no decoding."""
        return self._page(page, filters, sort, ids_only=True)

    def _page(
        self, page: int, filters: TFilters | None, sort: TSort, ids_only: bool
    ) -> TSearchPage | KnownPage:
        while True:
            per_page = self.per_page
            try:
                return self._request(page, per_page, filters, sort, ids_only)
            except BadRequestError as exc:
                if PER_PAGE_REJECTED in exc.vendor_message.lower() and per_page > FALLBACK_PER_PAGE:
                    self._step_down(per_page)
                    continue
                if page > 1 and exc.status == 422:
                    raise PastCapError(str(exc)) from None
                raise

    def _step_down(self, refused: int) -> None:
        with self._lock:
            if self.per_page == refused:
                self.per_page = FALLBACK_PER_PAGE
                self.report.per_page_used = FALLBACK_PER_PAGE
                self.report.warn(
                    f"Apollo refused per_page={refused} (422 Per page not supported);"
                    f" using per_page={FALLBACK_PER_PAGE}"
                )

    def _request(
        self, page: int, per_page: int, filters: TFilters | None, sort: TSort, ids_only: bool
    ) -> TSearchPage | KnownPage:
        params: list[tuple[str, Any]] = [
            ("open_factor_names[]", TASK_TYPES_FACET),
            ("page", page),
            ("per_page", per_page),
        ]
        field, ascending = sort
        if field:
            params.append(("sort_by_field", field))
        if ascending is not None:
            params.append(("sort_ascending", "true" if ascending else "false"))
        body = dict(filters) if filters else None
        memo = self.memo
        decode = None if memo is None else memo.recall if ids_only else memo.remember
        data = self.client.request_json(
            "POST", TASKS_SEARCH, params=params, json=body, endpoint=SEARCH_ENDPOINT, decode=decode
        )
        if isinstance(data, KnownPage):
            return data
        if not isinstance(data, dict) or not isinstance(data.get("tasks", []), list):
            raise InvalidResponseError(
                f"Apollo {SEARCH_ENDPOINT} answered JSON without a `tasks` list on page {page}",
                endpoint=SEARCH_ENDPOINT,
            )
        return data  # type: ignore[return-value]
