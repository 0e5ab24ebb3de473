"""Reconciliation's read of Saleshandy's task list, bounded by the due dates a push sent.

Endpoint and facts relied on (VENDOR-SPECS.md section 2.2, SN @~393,500; paging in
`sales_tasks.clients.saleshandy.paging`):
- `GET /v1/tasks` takes `page` (from 1), `pageSize` (at most 100), `sortBy=dueDate` and
  `sortOrder=DESC`; no totals, so a short page ends the list. Page numbers address the list
  directly, so a read may start at any page.
- No documented filter narrows the list to prospects (`search` is free text), so the read takes
  the wanted prospects' tasks out of every page itself. The item shape is unpublished
  (`sales_tasks.clients.saleshandy.tasks`: `taskId` or `id`, prospect embedded or by id).
- A task this push created lists the due date its create sent (`dueDate`, `YYYY-MM-DD`).

The bounds. Every task a push looks for is due inside a window of due dates it knows (`window`:
lowest and highest). In the order read, newest due date first, the window is one stretch of the
list: pages before it hold only later due dates, pages after it only earlier ones.
- The read jumps over the pages before the window (`TaskListReader.first_page`: probe pages 1,
  2, 4, ... then halve), and stops at the first page that ends below the window.
- Nothing of ours can be missed by that, as long as no task leaves the list: the number of tasks
  due after the window only grows (creates insert rows; the push deletes nothing, and the API
  has no delete for tasks, VENDOR-SPECS 2.2), so a task of the window is, at any later instant,
  on the page the jump found or a later one; and reading pages in increasing order, a row that a
  create pushes forward is met later (twice at worst: rows count once, by task id). For the same
  reason a page once known to lie before a window stays before it: the jump remembers it and the
  next look of the run starts probing after it.
- No `status` tab is asked for: a task a person completed, skipped or snoozed since it was
  created keeps its due date and stays in this unfiltered list, so it can never make the
  reconciler conclude "not created" and resend it.
- Bounds are used only while the pages are in due-date order and every probed item has a due
  date; otherwise the list is read from page 1 to its end.
- The index may lag creates: a task created before the read may appear during it, anywhere.
  That is the reconciler's witness rule (`sales_tasks.destinations.core.reconcile`): the witness is a task
  this run created for one of the contacts read, so it is inside the window and shows exactly as
  in a full read. A result is marked `one_read` only when its tasks come from one response that
  held the whole window (the jump's page, short or ending below the window): that response is
  one instant of the index, which is what `one_read` asserts.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sales_tasks.clients.core.client import ApiClient, reading_retry
from sales_tasks.clients.saleshandy.endpoints import TASKS
from sales_tasks.clients.saleshandy.paging import (
    MAX_PAGE_SIZE,
    page_params,
    payload_list,
)
from sales_tasks.clients.saleshandy.tasks import prospect_id_of, task_id_of
from sales_tasks.destinations.core.vendor import SearchResult

# Stop guard of reconciliation's list read: 10,000 pages of 100 tasks.
SEARCH_MAX_PAGES = 10_000
# Window pages one step of a read may ask for at once (`TaskListReader._bracketed`).
PAGES_AT_ONCE = 16
# Most pages one doubling wave of `TaskListReader.first_page` probes (1, 2, 4, then 4 at a time).
PROBE_WAVE = 4
# Pages of the gap one narrowing wave of `TaskListReader.first_page` probes (3: a gap of 64
# pages in 3 waves of 3 requests, where halving takes 6 one after the other).
NARROW_AT_ONCE = 3
# The order reconciliation reads the list in: newest due dates first (SN @~393,500).
SEARCH_ORDER = {"sortBy": "dueDate", "sortOrder": "DESC"}

UNREADABLE = (
    "Saleshandy's task list could not be read completely ({what}): look for these tasks in"
    " Saleshandy, then rerun with --resend-unknown to send the ones that are missing"
)
TOO_LONG = (
    f"more than {SEARCH_MAX_PAGES * MAX_PAGE_SIZE:,} tasks in Saleshandy's list: check in"
    " Saleshandy, then rerun with --resend-unknown to send the missing ones"
)


def text_or_none(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def listed_task(task: dict[str, Any]) -> dict[str, Any]:
    """A listed Saleshandy task in the ledger payload's terms, for matching."""
    return {
        "id": task_id_of(task),
        "contact_id": prospect_id_of(task),
        "type": text_or_none(task.get("taskType")),
        "priority": text_or_none(task.get("priority")),
        "due_at": text_or_none(task.get("dueDate")),
        "note": text_or_none(task.get("taskNote")),
        "created_at": task.get("createdAt"),
        "from_sequence": task.get("sequence") not in (None, {}, ""),
    }


class ListRead:
    """What one read has met so far: the wanted prospects' tasks (by task id, so a row a create
    pushed onto the next page counts once), whether the pages are still in due-date order, and
    whether they are past the lowest due date looked for (`floor`)."""

    def __init__(self, wanted: set[str], *, floor: str | None) -> None:
        self.wanted = wanted
        self.floor = floor
        self.found: dict[str, dict[str, Any]] = {}
        self.last_due: str | None = None
        self.in_order = True
        self.reason = ""

    @property
    def tasks(self) -> list[dict[str, Any]]:
        return list(self.found.values())

    @property
    def past_floor(self) -> bool:
        """Every task further down is due before anything looked for (pages in order only)."""
        return (
            self.floor is not None
            and self.in_order
            and self.last_due is not None
            and self.last_due < self.floor
        )

    def take(self, entries: list[Any]) -> bool:
        """Take one page's entries; False (with `reason`) when the read cannot be trusted."""
        for entry in entries:
            if not isinstance(entry, dict):
                self.reason = UNREADABLE.format(what="an item was not an object")
                return False
            prospect = prospect_id_of(entry)
            task_id = task_id_of(entry)
            if task_id is None and (prospect is None or prospect in self.wanted):
                self.reason = UNREADABLE.format(what="an item had no taskId")
                return False
            if prospect in self.wanted and task_id is not None:
                self.found[task_id] = listed_task(entry)
            due = text_or_none(entry.get("dueDate"))
            if due is not None:
                in_order = self.last_due is None or due[:10] <= self.last_due
                self.in_order = self.in_order and in_order
                self.last_due = due[:10]
        return True


def _ids(entries: list[Any] | None) -> list[str] | None:
    """The task ids of a page in order (None: an item without one, or no page)."""
    if entries is None:
        return None
    ids = [task_id_of(e) if isinstance(e, dict) else None for e in entries]
    return None if any(i is None for i in ids) else [str(i) for i in ids]


def _reaches(entries: list[Any], ceiling: str) -> bool | None:
    """Whether a page may hold a task due on or before `ceiling` (None: its order or its due
    dates cannot be trusted to skip anything)."""
    dues = [text_or_none(e.get("dueDate")) if isinstance(e, dict) else None for e in entries]
    if any(d is None for d in dues):
        return None
    days = [str(d)[:10] for d in dues]
    if any(later > earlier for earlier, later in zip(days, days[1:], strict=False)):
        return None
    return len(days) < MAX_PAGE_SIZE or days[-1] <= ceiling


class TaskListReader:
    """Reads the list for reconciliation (see the module docstring for the bounds).

    `pages` counts the list pages read, probes included (for benchmarks). `pages_at_once`: how
    many pages of the window one step may read at once (1: one after the other).
    """

    def __init__(self, client: ApiClient, *, pages_at_once: int = PAGES_AT_ONCE) -> None:
        self.client = client
        self.pages = 0
        self.pages_at_once = max(1, pages_at_once)
        self._full_seen = 0  # the furthest full page the last jump probed
        # ceiling -> the last page known to hold only tasks due after it (stays so: see above)
        self._before: dict[str, int] = {}
        self._lock = threading.Lock()

    def read(self, wanted: set[str], window: tuple[str, str] | None) -> SearchResult:
        """The tasks of the `wanted` prospects due inside `window` (lowest, highest due date),
        at least; None for the window reads the whole list."""
        read = ListRead(wanted, floor=window[0] if window else None)
        start = 1
        if window is not None:
            jump = self.first_page(window[1])
            if jump is not None:
                start, entries = jump
                if not read.take(entries):
                    return SearchResult(None, read.reason)
                if len(entries) < MAX_PAGE_SIZE or read.past_floor:
                    # One response held the whole window.
                    return SearchResult(read.tasks, one_read=read.in_order)
                start += 1
        # Wide at once when a probe saw a full page further on (it cannot be empty now), else
        # from 2 pages (a short list costs few extra requests).
        known = self._full_seen if window is not None else 0
        page, width = start, max(min(2, self.pages_at_once), min(self.pages_at_once, known - start))
        ahead: dict[int, list[Any] | None] = {}
        while page <= SEARCH_MAX_PAGES:
            pages, width = self._pages_from(page, width, read.floor, ahead)
            for listed in pages:
                if listed is None:
                    return SearchResult(None, UNREADABLE.format(what="a page held no task list"))
                if not read.take(listed):
                    return SearchResult(None, read.reason)
                if len(listed) < MAX_PAGE_SIZE or read.past_floor:
                    # The list's end, or every task further down is due before anything looked for.
                    return SearchResult(read.tasks)
            page += len(pages)
        return SearchResult(None, TOO_LONG)

    def _pages_from(
        self, first: int, width: int, floor: str | None, ahead: dict[int, list[Any] | None]
    ) -> tuple[list[list[Any] | None], int]:
        """The next pages from `first` in the read's order, and the width to try next.

        `width` pages at once when they prove to be one instant of the list (`_bracketed`), or
        the pages before the list's end (`_twice`) when it ends before them, the width doubled
        (up to `pages_at_once`: a short list costs few extra requests, a long window few
        rounds); else the page `first` alone (the read in page order), the width halved (1: the
        rest of this read goes one page after the other, while creates keep moving the list).
        `ahead`: a page read after every page before it (`_bracketed` reads the next step's
        bracketing page with its own second read), taken as the next bracket's first read.
        """
        if width > 1:
            width = min(width, SEARCH_MAX_PAGES - first + 1)
            pages, ended = self._bracketed(first, width, floor, ahead)
            if pages is None and ended:
                pages = self._twice(first, first + width - 1)
            if pages is not None:
                return pages, min(width * 2, self.pages_at_once)
            width //= 2
        return [self._page(first)], width

    def _bracketed(
        self, first: int, width: int, floor: str | None, ahead: dict[int, list[Any] | None]
    ) -> tuple[list[list[Any] | None] | None, bool]:
        """Pages `first` .. `last` (= `first + width - 1`) read at once, if they show one instant
        of the list (else None), and whether `last` was past the list's end.

        `last` is read before the others are sent and again after they all answered. Tasks only
        enter the list (no delete, see the module docstring), so a task that entered before the
        end of page `last` would move every task after it one place on: `last` would not list
        the same tasks in the same order twice. It does, so nothing entered before its end in
        the meantime, and the pages between were read from one unchanged list. A `last` that is
        empty (past the list's end) or with an item without a task id proves nothing. At most
        `width - 1` requests fly at once. When the read goes on past `last` (a full page, not
        below `floor`), the next step's bracketing page is read with the second read of `last`
        (into `ahead`): it is then read after every page before it, as a first read must be.
        """
        last = first + width - 1
        before = ahead.pop(last) if last in ahead else self._page(last)
        ahead.clear()
        if not before or _ids(before) is None:
            return None, before == []
        middle = self._pages(list(range(first, last)))
        due = text_or_none(before[-1].get("dueDate")) if isinstance(before[-1], dict) else None
        goes_on = len(before) == MAX_PAGE_SIZE and (floor is None or due is None or due >= floor)
        following = last + min(width * 2, self.pages_at_once)
        if goes_on and following <= SEARCH_MAX_PAGES:
            after, ahead[following] = self._pages([last, following])
        else:
            after = self._page(last)
        if after is None or _ids(after) != _ids(before):
            ahead.clear()
            return None, False
        return [*middle, after], False

    def _twice(self, first: int, end: int) -> list[list[Any] | None] | None:
        """Pages `first` up to the list's end (before page `end`, found empty), read at once
        twice, if they show one instant of the list (else None).

        A page listing the same tasks in the same order both times had nothing enter before its
        end in between (see `_bracketed`); every page doing so, the list up to the last of them
        stood still from the first reads' end to the second reads' start, and the pages are
        that instant of it.
        """
        pages: list[list[Any] | None] = []
        for entries in self._pages(list(range(first, end))):
            pages.append(entries)
            if not entries or len(entries) < MAX_PAGE_SIZE:
                break  # the list's end (an empty page: the read is over; a short one: its last)
        if not pages or not pages[0]:
            return pages[:1] or None
        if pages[-1] == []:
            pages.pop()
        again = self._pages(list(range(first, first + len(pages))))
        if any(_ids(a) is None or _ids(a) != _ids(b) for a, b in zip(again, pages, strict=True)):
            return None
        return again

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
        with self._lock:
            # A page before a later ceiling is before this one too.
            before = max((p for c, p in self._before.items() if c >= ceiling), default=0)
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
                verdict = _reaches(entries, ceiling)
                if verdict is None:
                    return True
                if verdict:
                    return page
                before, moved = page, waves
            return False

        # Doubling, in waves of 1, 2, 4, ... pages (at most `PROBE_WAVE`).
        found: int | None = None
        found_in = 0
        offset, size = 1, 1
        while found is None:
            wave = [base + offset * 2**j for j in range(size)]
            wave = [p for p in wave if p <= SEARCH_MAX_PAGES]
            if not wave:
                return fallback()
            verdict = probe(wave)
            if verdict is None:
                return None
            if verdict is True:
                return fallback()
            if verdict is not False:
                found, found_in = verdict, waves
            offset, size = (wave[-1] - base) * 2, min(size * 2, PROBE_WAVE)
        # Narrowing the gap, `NARROW_AT_ONCE` pages of it at a time.
        while found - before > 1:
            gap, parts = found - before, NARROW_AT_ONCE + 1
            wave = sorted({before + gap * i // parts for i in range(1, parts)} - {before})
            verdict = probe(wave)
            if verdict is None:
                return None
            if verdict is True:
                return fallback()
            if verdict is not False:
                found, found_in = verdict, waves
        entries = probed[found]
        if found_in <= moved:
            # Read with (or before) the page found before it: read again, after it.
            entries = self._page(found)  # type: ignore[assignment]
            if entries is None:
                return None
            if _reaches(entries, ceiling) is None:
                return fallback()
        with self._lock:
            self._before[ceiling] = max(before, self._before.get(ceiling, 0))
            self._full_seen = max(
                (p for p, e in probed.items() if len(e) == MAX_PAGE_SIZE), default=0
            )
        return found, entries

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
            errors_retry=reading_retry(self.client.retry),
        )
        return payload_list(body, ("tasks",))

    def _count(self) -> None:
        with self._lock:
            self.pages += 1
