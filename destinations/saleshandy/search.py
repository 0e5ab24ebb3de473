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
  in a full read. A result is marked `one_read` only when its tasks are one instant of the index,
  which is what `one_read` asserts: one response that held the whole window (the jump's page,
  short or ending below the window), or kept pages that held it and still stand (below).

Pages read at once, and kept. Pages read one after the other in increasing order miss nothing
(a row a create pushes forward is met later); pages read at once may, unless they are one
instant of the list. That is proven by their last page: read before and after the others
(`_bracketed`), or every page read twice (`_twice`, at the list's end), listing the same tasks in
the same order, nothing entered before its end meanwhile (tasks only enter, so any that did
would have moved it). Such pages are kept (`Segment`, full pages only) for the run's next looks:
the last page of a kept segment read again and unchanged proves nothing entered before its end
since it was kept, so the kept pages are the list as it is now, and a look takes them instead of
asking for them again. The next look reads the last page of every kept segment of its window at
once, with the page after them (`_standing`): one round trip instead of the jump's probes and
the window's pages, while the list stood still or changed only after them (the sandbox lists
tasks of one due date in creation order, so a push's own creates for the lowest due date do; in
which order Saleshandy lists them is not published: that order only decides how often the kept
pages stand, never what a read returns). A segment that moved is read again at once, bracketed,
from its first page. `tests/saleshandy/test_sh_push_kept_pages.py` draws lists, creates anywhere
among equal due dates between and during looks, and checks that no task listed when a look began
is missing from it.
"""

from __future__ import annotations

from typing import Any

from sales_tasks.clients.core.client import ApiClient
from sales_tasks.clients.saleshandy.paging import MAX_PAGE_SIZE
from sales_tasks.destinations.core.vendor import SearchResult
from sales_tasks.destinations.saleshandy.listing import (
    SEARCH_MAX_PAGES,
    TOO_LONG,
    UNREADABLE,
    ListRead,
    Segment,
    full_prefix,
    last_due,
    listed_task,
    page_ids,
    reaches,
    same_page,
    text_or_none,
)
from sales_tasks.destinations.saleshandy.probe import ListPages

__all__ = ["SEARCH_MAX_PAGES", "TaskListReader", "listed_task", "text_or_none"]

# Window pages one step of a read may ask for at once (`TaskListReader._bracketed`).
PAGES_AT_ONCE = 16
# Segments of the list kept from one read to the next (`Segment`): the most recent ones.
SEGMENTS_KEPT = 16


class TaskListReader(ListPages):
    """Reads the list for reconciliation (see the module docstring for the bounds), one read at
    a time (the reconciler's looks follow each other).

    `pages` counts the list pages read, probes included, and `reused` the pages taken from a
    kept `Segment` instead (for benchmarks). `pages_at_once`: how many pages of the window one
    step may read at once (1: one after the other, and nothing is kept).
    """

    def __init__(self, client: ApiClient, *, pages_at_once: int = PAGES_AT_ONCE) -> None:
        super().__init__(client)
        self.reused = 0
        self.pages_at_once = max(1, pages_at_once)
        # floor -> the page a read down to it stopped at; every page before it was full and due
        # on or after the floor, and stays so (tasks only enter)
        self._stops: dict[str, int] = {}
        self._segments: list[Segment] = []

    def read(self, wanted: set[str], window: tuple[str, str] | None) -> SearchResult:
        """The tasks of the `wanted` prospects due inside `window` (lowest, highest due date),
        at least; None for the window reads the whole list."""
        read = ListRead(wanted, floor=window[0] if window else None)
        start = 1
        ahead: dict[int, list[Any] | None] = {}
        if window is not None:
            kept = self._kept_window(read, window[1], ahead)
            if kept is not None:
                return kept
            jump = self.first_page(window[1])
            if jump is not None:
                start, entries = jump
                if not read.take(entries):
                    return SearchResult(None, read.reason)
                if len(entries) < MAX_PAGE_SIZE or read.past_floor:
                    # One response held the whole window.
                    self._stopped(read.floor, start)
                    return SearchResult(read.tasks, one_read=read.in_order)
                if reaches(entries, window[1]) is None:
                    start += 1  # not in due-date order: read on from the page after it
                else:
                    # Read again with the pages after it, as one instant kept for later reads.
                    read = ListRead(wanted, floor=read.floor)
        return self._read_on(read, start, ahead)

    def _read_on(
        self, read: ListRead, page: int, ahead: dict[int, list[Any] | None]
    ) -> SearchResult:
        """The read from `page` on, in page order, to the list's end or below its floor."""
        width = self._first_width(page, read.floor)
        single = width == 1 < self.pages_at_once  # the page a read stopped at: read it alone
        while page <= SEARCH_MAX_PAGES:
            pages, width = self._pages_from(page, width, read.floor, ahead)
            if single:
                single, width = False, 2
            done = self._take(read, page, pages)
            if done is not None:
                return done
            page += len(pages)
        return SearchResult(None, TOO_LONG)

    def _take(
        self, read: ListRead, page: int, pages: list[list[Any] | None], *, one_read: bool = False
    ) -> SearchResult | None:
        """Take pages `page`, ... into the read; its result once they end it (the list's end,
        or every task further down due before anything looked for), else None."""
        for offset, listed in enumerate(pages):
            if listed is None:
                return SearchResult(None, UNREADABLE.format(what="a page held no task list"))
            if not read.take(listed):
                return SearchResult(None, read.reason)
            if len(listed) < MAX_PAGE_SIZE or read.past_floor:
                self._stopped(read.floor, page + offset)
                return SearchResult(read.tasks, one_read=one_read and read.in_order)
        return None

    def _kept_window(
        self, read: ListRead, ceiling: str, ahead: dict[int, list[Any] | None]
    ) -> SearchResult | None:
        """The read taken from kept segments holding the pages after those known to lie before
        `ceiling`, as far as they stand (`_standing`): one request per segment, all at once,
        instead of the jump's probes and the window's pages; None: read as usual.

        The first of those pages reaching `ceiling` starts the window. When the window ends
        inside them, the result is one instant of the list (`one_read`), as one response would
        be; else the read goes on after them."""
        before = self.known_before(ceiling)
        pages, after = self._standing(before + 1, read.floor, ahead)
        for page, entries in enumerate(pages, start=before + 1):
            verdict = reaches(entries, ceiling)
            if verdict is None:
                break  # not in due-date order: the usual read decides what to do
            if not verdict:
                with self._lock:
                    self._before[ceiling] = max(page, self._before.get(ceiling, 0))
                continue
            window: list[list[Any] | None] = list(pages[page - before - 1 :])
            done = self._take(read, page, window, one_read=True)
            if done is None:
                done = self._take(read, page + len(window), after)
            if done is not None:
                return done
            return self._read_on(read, before + 1 + len(pages) + len(after), ahead)
        ahead.clear()
        return None  # no kept page, or every one lies before the window: the jump goes on

    def _standing(
        self, page: int, floor: str | None, ahead: dict[int, list[Any] | None]
    ) -> tuple[list[list[Any]], list[list[Any] | None]]:
        """The pages from `page` on that kept segments hold and that still stand, and the page
        after them when they all do and the read goes on past them (else no page).

        The segments one after the other (`_chain`) each have their last page read again, all
        at once with the page after the last segment, up to the first segment whose page lists
        other tasks now (that fresh read is left in `ahead`, to begin a bracket). Each segment
        standing, nothing entered before its last page's end from the instant it was kept to
        its read now; every segment was kept before any of these reads began, so those spans
        overlap, and the pages of all the standing segments are one instant of the list (kept
        as one segment). A task already listed when the read began and not among them was
        then, and stays, after their last page: the page after them, read since the read began,
        holds it or the read goes on to it."""
        chain = self._chain(page, floor)
        if not chain:
            return [], []
        due = last_due(chain[-1].pages[-1])
        goes_on = floor is None or due is None or due[:10] >= floor
        wave = [s.last for s in chain] + ([chain[-1].last + 1] if goes_on else [])
        fresh = self._pages([p for p in wave if p <= SEARCH_MAX_PAGES])
        pages: list[list[Any]] = []
        first = page
        for segment, now in zip(chain, fresh, strict=False):
            if now is None or not same_page(now, segment.pages[-1]):
                ahead[segment.last] = now
                with self._lock:
                    self.reused += max(0, len(pages) - (chain.index(segment)))
                return pages, []
            pages += [*segment.from_page(page)[:-1], now]
            page = segment.last + 1
        with self._lock:
            self.reused += max(0, len(pages) - len(chain))
        if len(chain) > 1:
            self._keep(first, list(pages))  # one instant: one segment, one request next time
        return pages, fresh[len(chain) :]

    def _chain(self, page: int, floor: str | None) -> list[Segment]:
        """Kept segments holding the pages from `page` on, one after the other, down to the
        first that ends below `floor`."""
        chain: list[Segment] = []
        while len(chain) < SEGMENTS_KEPT and self.pages_at_once > 1:
            segment = self._segment_at(page)
            if segment is None:
                break
            chain.append(segment)
            due = last_due(segment.pages[-1])
            if floor is not None and due is not None and due[:10] < floor:
                break
            page = segment.last + 1
        return chain

    def _first_width(self, page: int, floor: str | None) -> int:
        """How many pages the read's first step from `page` asks for at once.

        Up to the page before the one an earlier read down to this floor (or a later one)
        stopped at: those pages were full and inside the window, and stay so; that page itself
        (or the one before it) alone. Else wide when a probe saw a full page further on (it
        cannot be empty now), else 2 pages (a short list costs few extra requests)."""
        if self.pages_at_once == 1:
            return 1
        stop = self._known_stop(floor)
        if stop - page >= 2:
            return min(self.pages_at_once, stop - page)
        if stop - page >= 0:
            return 1
        known = self._full_seen if floor is not None else 0
        return max(2, min(self.pages_at_once, known - page))

    def _known_stop(self, floor: str | None) -> int:
        """The furthest page a read down to `floor`, or to a later one, stopped at (0: none)."""
        if floor is None:
            return 0
        with self._lock:
            return max((p for f, p in self._stops.items() if f >= floor), default=0)

    def _stopped(self, floor: str | None, page: int) -> None:
        if floor is not None:
            with self._lock:
                self._stops[floor] = max(page, self._stops.get(floor, 0))

    def _pages_from(
        self, first: int, width: int, floor: str | None, ahead: dict[int, list[Any] | None]
    ) -> tuple[list[list[Any] | None], int]:
        """The next pages from `first` in the read's order, and the width to try next.

        The pages of kept segments from `first` on, as far as they still stand (`_standing`);
        else `width` pages at once when they prove to be one
        instant of the list (`_bracketed`), or the pages before the list's end (`_twice`) when
        it ends before them, the width doubled (up to `pages_at_once`: a short list costs few
        extra requests, a long window few rounds); else the page `first` alone (the read in
        page order), the width halved (1: the rest of this read goes one page after the other,
        while creates keep moving the list). `ahead`: pages read again to begin a step with
        (`_bracketed` reads the next step's bracketing page with its own second read).
        """
        segment = self._segment_at(first) if width > 1 else None
        if segment is not None:
            # Its last page read again since this read began, and found moved: no need to ask.
            standing, after = (
                ([], []) if segment.last in ahead else self._standing(first, floor, ahead)
            )
            if standing:
                return [*standing, *after], min(width * 2, self.pages_at_once)
            # Its last page was just read again: the first read of a bracket over the same pages.
            width = segment.last - first + 1
        if width > 1:
            width = min(width, SEARCH_MAX_PAGES - first + 1)
            pages, ended = self._bracketed(first, width, floor, ahead)
            if pages is None and ended:
                stop = self._known_stop(floor)
                end = first + width - 1
                pages = self._twice(first, min(end, stop + 1) if stop >= first else end)
            if pages is not None:
                return pages, min(width * 2, self.pages_at_once)
            width //= 2
        ahead.clear()
        return [self._page(first)], width

    def _segment_at(self, page: int) -> Segment | None:
        """The kept segment holding `page` that reaches furthest (the latest of equals)."""
        with self._lock:
            found = [s for s in self._segments if s.covers(page)]
        return max(reversed(found), key=lambda s: s.last) if found else None

    def _keep(self, first: int, pages: list[list[Any] | None]) -> None:
        """Keep pages read from one instant of the list (their full ones) for later reads."""
        segment = full_prefix(first, pages)
        if segment is None or self.pages_at_once == 1:
            return
        with self._lock:
            kept = [s for s in self._segments if not (first <= s.first and s.last <= segment.last)]
            self._segments = [*kept, segment][-SEGMENTS_KEPT:]

    def _bracketed(
        self, first: int, width: int, floor: str | None, ahead: dict[int, list[Any] | None]
    ) -> tuple[list[list[Any] | None] | None, bool]:
        """Pages `first` .. `last` (= `first + width - 1`) read at once, if they show one instant
        of the list (else None), and whether `last` was past the list's end.

        `last` is read before the others are sent and again after they all answered. Tasks only
        enter the list (no delete, see the module docstring), so a task that entered before the
        end of page `last` would move every task after it one place on: `last` would not list
        the same tasks in the same order twice. It does, so nothing entered before its end in
        the meantime, and the pages between were read from one unchanged list (the list as it
        was when the second read of `last` began, after every page before `first` was read). A
        `last` that is empty (past the list's end) or with an item without a task id proves
        nothing. At most `width - 1` requests fly at once. When the read goes on past `last` (a
        full page, not below `floor`), the next step's bracketing page is read with the second
        read of `last` (into `ahead`), as that step's first read. The pages are kept
        (`_keep`) for later reads.
        """
        last = first + width - 1
        before = ahead.pop(last) if last in ahead else self._page(last)
        ahead.clear()
        if not before or page_ids(before) is None:
            return None, before == []
        middle = self._pages(list(range(first, last)))
        due = last_due(before)
        goes_on = len(before) == MAX_PAGE_SIZE and (floor is None or due is None or due >= floor)
        following = last + min(width * 2, self.pages_at_once)
        if goes_on and following <= SEARCH_MAX_PAGES:
            after, ahead[following] = self._pages([last, following])
        else:
            after = self._page(last)
        if not same_page(after, before):
            ahead.clear()
            return None, False
        pages = [*middle, after]
        self._keep(first, pages)
        return pages, False

    def _twice(self, first: int, end: int) -> list[list[Any] | None] | None:
        """Pages `first` up to the list's end (before page `end`, found empty), read at once
        twice, if they show one instant of the list (else None).

        A page listing the same tasks in the same order both times had nothing enter before its
        end in between (see `_bracketed`); every page doing so, the list up to the last of them
        stood still from the first reads' end to the second reads' start, and the pages are
        that instant of it (kept for later reads, `_keep`).
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
        if any(not same_page(a, b) for a, b in zip(again, pages, strict=True)):
            return None
        self._keep(first, again)
        return again
