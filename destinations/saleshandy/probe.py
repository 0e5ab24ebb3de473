"""Reading pages of Saleshandy's task list for reconciliation, and the jump over the pages due
after the window looked for (`ListPages.first_page`); the read itself is
`sales_tasks.destinations.saleshandy.search`, whose docstring says why nothing is missed.

Facts relied on (VENDOR-SPECS.md section 2.2, SN @~393,500; paging in
`sales_tasks.clients.saleshandy.paging`): `GET /v1/tasks` takes `page` (from 1), `pageSize` (at
most 100), `sortBy=dueDate` and `sortOrder=DESC`; page numbers address the list directly, so a
read may ask for any page, and several at once.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sales_tasks.clients.core.client import ApiClient, page_retry
from sales_tasks.clients.saleshandy.endpoints import TASKS
from sales_tasks.clients.saleshandy.paging import MAX_PAGE_SIZE, page_params, payload_list
from sales_tasks.destinations.saleshandy.listing import SEARCH_MAX_PAGES, ordered_days, reaches

# Most pages one doubling wave of `ListPages.first_page` probes (1, 2, 4, then 4 at a time).
PROBE_WAVE = 4
# Pages of the gap one narrowing wave of `ListPages.first_page` probes (3: a gap of 64
# pages in 3 waves of 3 requests, where halving takes 6 one after the other).
NARROW_AT_ONCE = 3
# The order reconciliation reads the list in: newest due dates first (SN @~393,500).
SEARCH_ORDER = {"sortBy": "dueDate", "sortOrder": "DESC"}


class ListPages:
    """Pages of the list, one or several at once, and the jump to a window's first page.

    `pages` counts the list pages read, probes included (for benchmarks).
    """

    def __init__(self, client: ApiClient) -> None:
        self.client = client
        self.pages = 0
        self._retry = page_retry(client.retry)
        self._full_seen = 0  # the furthest full page the last jump probed
        # ceiling -> the last page known to hold only tasks due after it (stays so: tasks due
        # after a date only grow in number)
        self._before: dict[str, int] = {}
        # page -> the latest due date seen last on it, full and in order: in this order a
        # task entering before a page's end moves an earlier task (due later or the same day)
        # to its end, so that date only grows, and every page up to it stays before any
        # ceiling earlier than the date
        self._last_dues: dict[int, str] = {}
        self._lock = threading.Lock()

    def first_page(self, ceiling: str) -> tuple[int, list[Any]] | None:
        """The first page that may hold a task due on or before `ceiling`, and its entries.

        From the last page known to lie before `ceiling` (or a later one), pages 1, 2, 4, ...
        further on are probed, in waves of 1, 2, then `PROBE_WAVE` pages at once, until one ends at or below
        `ceiling` (or is short: the list's end); the gap back to the last page found before it
        is then narrowed the same way (`NARROW_AT_ONCE` pages of it at once) to the
        first such page, which is read once more after all of them (they were read at once, so
        a task before it when it was probed may have been pushed onto it since). A page found
        before `ceiling` stays so (tasks due after it only grow in number). As soon as a probed
        page is not in due-date order or has an item without a due date, the order is not to be
        trusted for skipping anything: the read starts at page 1 (its entries as probed). None
        (read from page 1) when a probed page held no task list.
        """
        before = self.known_before(ceiling)
        probed: dict[int, list[Any]] = {}
        base = before

        def fallback() -> tuple[int, list[Any]] | None:
            if 1 in probed:
                return 1, probed[1]
            entries = self._page(1)
            return None if entries is None else (1, entries)

        waves = 0  # waves of probes sent; `moved`: the wave that last moved `before`
        moved = -1

        def probe(wave: list[int]) -> int | None | bool:
            """The first page of `wave` that reaches `ceiling` (pages before it: `before`);
            False when none does; None when a page held no list; True: fall back."""
            nonlocal before, waves, moved
            waves += 1
            got = self._pages(wave)
            for page, entries in zip(wave, got, strict=True):
                if entries is None:
                    return None
                probed[page] = entries
                self.note_last_due(page, entries)
                verdict = reaches(entries, ceiling)
                if verdict is None:
                    return True
                if verdict:
                    return page
                before, moved = page, waves
            return False

        # Doubling, in waves of 1, 2, 4, ... pages (at most `PROBE_WAVE`); then narrowing the
        # gap back to the last page found before `ceiling`, `NARROW_AT_ONCE` pages at a time.
        found: int | None = None
        found_in = 0
        offset, size = 1, 1
        while found is None or found - before > 1:
            if found is None:
                wave = [base + offset * 2**j for j in range(size)]
                wave = [p for p in wave if p <= SEARCH_MAX_PAGES]
                if not wave:
                    return fallback()
            else:
                gap, parts = found - before, NARROW_AT_ONCE + 1
                wave = sorted({before + gap * i // parts for i in range(1, parts)} - {before})
            verdict = probe(wave)
            if verdict is None:
                return None
            if verdict is True:
                return fallback()
            if verdict is not False:
                found, found_in = verdict, waves
            offset, size = (wave[-1] - base) * 2, min(size * 2, PROBE_WAVE)
        entries = probed[found]
        if found_in <= moved:
            # Read with (or before) the page found before it: read again, after it.
            entries = self._page(found)  # type: ignore[assignment]
            if entries is None:
                return None
            if reaches(entries, ceiling) is None:
                return fallback()
        with self._lock:
            self._before[ceiling] = max(before, self._before.get(ceiling, 0))
            self._full_seen = max(
                (p for p, e in probed.items() if len(e) == MAX_PAGE_SIZE), default=0
            )
        return found, entries

    def known_before(self, ceiling: str) -> int:
        """The furthest page known to hold only tasks due after `ceiling` (0: none)."""
        with self._lock:
            # A page before a later ceiling is before this one too.
            found = [p for c, p in self._before.items() if c >= ceiling]
            return max([0, *found, *(p for p, d in self._last_dues.items() if d > ceiling)])

    def note_last_due(self, page: int, entries: list[Any] | None) -> None:
        """Remember the due date a full page in due-date order ends with (`_last_dues`)."""
        days = ordered_days(entries) if entries and len(entries) == MAX_PAGE_SIZE else None
        if not days:
            return
        due = days[-1]
        with self._lock:
            self._last_dues[page] = max(due, self._last_dues.get(page, due))

    def _pages(self, pages: list[int]) -> list[list[Any] | None]:
        """These pages, read at once (`_page` each)."""
        if len(pages) == 1:
            return [self._page(pages[0])]
        with ThreadPoolExecutor(max_workers=len(pages), thread_name_prefix="sh-list") as pool:
            return list(pool.map(self._page, pages))

    def _page(self, page: int) -> list[Any] | None:
        """One page of the list in the read's order (None: it held no task list)."""
        self._count()
        body = self.client.request_json(
            "GET",
            TASKS,
            params={**SEARCH_ORDER, **page_params(page, MAX_PAGE_SIZE)},
            errors_retry=self._retry,
        )
        return payload_list(body, ("tasks",))

    def _count(self) -> None:
        with self._lock:
            self.pages += 1
