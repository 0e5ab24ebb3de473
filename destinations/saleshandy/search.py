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
from typing import Any

from sales_tasks.clients.core.client import ApiClient
from sales_tasks.clients.core.paginators import paginate
from sales_tasks.clients.saleshandy.endpoints import TASKS
from sales_tasks.clients.saleshandy.paging import (
    MAX_PAGE_SIZE,
    page_params,
    payload_list,
    saleshandy_paginator,
)
from sales_tasks.clients.saleshandy.tasks import prospect_id_of, task_id_of
from sales_tasks.destinations.core.vendor import SearchResult

# Stop guard of reconciliation's list read: 10,000 pages of 100 tasks.
SEARCH_MAX_PAGES = 10_000
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

    `pages` counts the list pages read, probes included (for benchmarks).
    """

    def __init__(self, client: ApiClient) -> None:
        self.client = client
        self.pages = 0
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
        paginator = saleshandy_paginator(
            MAX_PAGE_SIZE, maximum_page=SEARCH_MAX_PAGES, base_page=start
        )
        for page in paginate(
            self.client,
            "GET",
            TASKS,
            paginator,
            items_path=lambda body: payload_list(body, ("tasks",)) or [],
            params=SEARCH_ORDER,
        ):
            self._count()
            listed = payload_list(page.body, ("tasks",))
            if listed is None:
                return SearchResult(None, UNREADABLE.format(what="a page held no task list"))
            if not read.take(listed):
                return SearchResult(None, read.reason)
            if read.past_floor:
                break  # every task further down is due before anything looked for
        else:
            if paginator.stopped_by_guard:
                return SearchResult(None, TOO_LONG)
        return SearchResult(read.tasks)

    def first_page(self, ceiling: str) -> tuple[int, list[Any]] | None:
        """The first page that may hold a task due on or before `ceiling`, and its entries.

        From the last page known to lie before `ceiling` (or a later one), pages are probed
        1, 2, 4, ... further on until one ends at or below `ceiling` (or is short: the list's
        end), then halved back to the first such page: about 2 log2(n) pages instead of n. As
        soon as a probed page is not in due-date order or has an item without a due date, the
        order is not to be trusted for skipping anything: the read starts at page 1 (its entries
        as probed). None (read from page 1) when a probed page held no task list.
        """
        with self._lock:
            # A page before a later ceiling is before this one too.
            before = max((p for c, p in self._before.items() if c >= ceiling), default=0)
        probed: dict[int, list[Any]] = {}
        base = before
        offset, page = 1, base + 1

        def fallback() -> tuple[int, list[Any]] | None:
            if 1 in probed:
                return 1, probed[1]
            entries = self._page(1)
            return None if entries is None else (1, entries)

        while True:
            entries = self._page(page)
            if entries is None:
                return None
            probed[page] = entries
            verdict = _reaches(entries, ceiling)
            if verdict is None:
                return fallback()
            if verdict:
                break
            before, offset = page, offset * 2
            page = base + offset
            if page > SEARCH_MAX_PAGES:
                return fallback()
        # The page returned is read after every page it was found to follow (`stale`: it was
        # not): a task that was before it when it was read may have been pushed onto it since.
        stale = False
        while page - before > 1:
            middle = (before + page) // 2
            entries = self._page(middle)
            if entries is None:
                return None
            verdict = _reaches(entries, ceiling)
            if verdict is None:
                probed[middle] = entries
                return fallback()
            if verdict:
                page, stale = middle, False
                probed[page] = entries
            else:
                before, stale = middle, True
        if stale:
            entries = self._page(page)
            if entries is None:
                return None
            if _reaches(entries, ceiling) is None:
                return fallback()
            probed[page] = entries
        with self._lock:
            self._before[ceiling] = max(before, self._before.get(ceiling, 0))
        return page, probed[page]

    def _page(self, page: int) -> list[Any] | None:
        """One page of the list in the read's order (None: it held no task list)."""
        self._count()
        body = self.client.request_json(
            "GET", TASKS, params={**SEARCH_ORDER, **page_params(page, MAX_PAGE_SIZE)}
        )
        return payload_list(body, ("tasks",))

    def _count(self) -> None:
        with self._lock:
            self.pages += 1
