"""A full scan of `GET /v1/tasks`, proved complete against `GET /v1/tasks/counts` and by id.

Facts relied on (`shared/api-docs/VENDOR-SPECS.md` section 2; paging rules in
`sales_tasks.clients.saleshandy.paging`, task keys in `sales_tasks.clients.saleshandy.tasks`):
- The list has no totals and no updated-since filter: every run reads every task, `page` by
  `page` (`pageSize` at most 100) until a short or an empty page, sorted by `dueDate` ASC
  (`sortBy`/`sortOrder`, SN @~393,500).
- A task is keyed `taskId` (every documented response, fact 9) or `id`. An item the scan cannot
  key or read (no id, not an object, a page holding no list) is never skipped silently: it is
  counted (`report.count_unreadable`, `extract_runs.unreadable`) and makes the run incomplete.
- `GET /v1/tasks/counts` exists (SN @~391,500; its answer is not published): read as a count
  per status (`upcoming`, `dueToday`, `overdue`, `completed`, `skipped`; a `total` is used when
  given), their sum is every task the list holds.
- `GET /v1/tasks/{taskId}` answers **404** for a task that does not exist (SN @~389,500).

Completeness: rows shift between pages when tasks are created or deleted while the list is
read (a deletion behind the read position hides a task from the scan). The scan is complete
only when every check below holds; otherwise it loads what it read, says why, and nothing is
deleted downstream:
1. no page failed, no item was unreadable;
2. the counts read before and after the list are equal, per status (a create or a delete that
   does not cancel out shows here);
3. the distinct task ids read equal the counts' total (a task moved, e.g. snoozed, across the
   read position shows here);
4. every task read existed when the scan began: it was loaded by an earlier run (`known_ids`),
   or its `createdAt` (a guessed field name) is before the scan's start by this machine's clock.
   With 2 and 3 this proves the ids read are exactly the tasks Saleshandy held when the scan
   began: none read is newer, and as many were read as the counts said there were. (A create
   cancelled out by a delete leaves 2 and 3 intact, but never this.) Tasks not loaded before
   that carry no `createdAt` cannot be dated: then the task that ended each page is re-read
   (a one-row page at its place, `concurrency` at a time) and must still be there. A deletion
   behind the read position that hid a task shifts those places; a shift undone before the
   end (a create behind, after the hidden task was passed) is the one case this cannot see;
5. every task loaded before (`known_ids`) that the list did not show answers `GET
   /v1/tasks/{taskId}` with 404. One that still answers was hidden by a shift: it is loaded from
   that answer and the run is incomplete. The reads go `concurrency` at a time, paced by the
   client's rate-limit governor.
So a complete run's ids are exactly the tasks Saleshandy held when it began (changes made
during the scan are the next run's), and a run deletes only tasks Saleshandy said, one by one,
it no longer has. This assumes the counts count what the list lists (their answer is not
published) and that Saleshandy's clock agrees with this machine's.

Incremental runs (`plan`, `sales_tasks.sources.core.incremental`; `docs/quota-and-incremental.md`) use the
list's documented filter and sort orders (SN @~393,500: `status`
upcoming|dueToday|completed|skipped|overdue, `sortBy` completedAt|skippedAt, `sortOrder` DESC):
the open tabs (`upcoming`, `dueToday`, `overdue`) are read whole, `completed` by `completedAt`
and `skipped` by `skippedAt`, newest first, down to the last run's newest stamp minus a lag
(`lag_seconds`). A task that changes status is stamped anew (completing or skipping it), so it
shows in its new tab; what the docs do not promise, a done task edited without a new stamp,
waits for the next full scan. Such a run is complete when its tabs ended normally and the open
tasks read equal the counts of the open statuses, unchanged before and after; it never deletes
(`full_scan` False) and never verifies ids one by one.

With the counts' total known, the pages it takes (`planned_pages`) are fetched `concurrency` at
a time and read in order; a short page ends the list early, a last planned page that is full
(tasks were added) is followed page by page to a short one. A page that still fails after the
client's retries ends the scan. `GET /v1/tasks/assignee/list` names the account's assignees;
tasks embed their prospect and assignee, which land in their own tables (each id once per run).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from sales_tasks.clients.core import (
    ApiClient,
    AuthenticationError,
    BadRequestError,
    FatalApiError,
    PermissionDeniedError,
    RetriableApiError,
    UnreachableError,
    VendorApiError,
    lenient_int,
    paginate,
)
from sales_tasks.clients.core.values import parse_utc, utc_now
from sales_tasks.clients.saleshandy.endpoints import TASKS, TASKS_COUNTS, task_path
from sales_tasks.clients.saleshandy.enums import TASK_STATUSES
from sales_tasks.clients.saleshandy.lookups import TAssignee, list_assignees
from sales_tasks.clients.saleshandy.paging import (
    MAX_PAGES,
    page_params,
    payload_list,
    planned_pages,
    saleshandy_paginator,
)
from sales_tasks.clients.saleshandy.tasks import one_task, task_id_of
from sales_tasks.sources.core.incremental import RunPlan, floor_of
from sales_tasks.sources.core.quota import check_quota
from sales_tasks.sources.saleshandy.report import SaleshandyScanReport
from sales_tasks.sources.saleshandy.schema import (
    ASSIGNEE_COLUMNS,
    PROSPECT_COLUMNS,
    TASK_COLUMNS,
    assignee_row,
    shape_task,
    table_of,
)

logger = logging.getLogger("saleshandy_tasks.source")

# Errors that end the run at once: the key, the URL or the request must change first.
_FATAL = (AuthenticationError, PermissionDeniedError, UnreachableError)
LIST_ORDER = {"sortBy": "dueDate", "sortOrder": "ASC"}
# Incremental runs: the tabs read whole, and the done tabs with the stamp they sort by (newest
# first) and keep as their watermark (SN @~393,500).
OPEN_TABS = ("upcoming", "dueToday", "overdue")
DONE_TABS = (("completed", "completedAt"), ("skipped", "skippedAt"))
LIST_KEYS = ("tasks",)
NO_ID = "task list item(s) without a taskId or id could not be loaded"
NOT_AN_OBJECT = "task list item(s) that are not JSON objects could not be loaded"


@dataclass
class Batch:
    """New (first seen this run) rows from some pages, as Arrow tables (None: no rows)."""

    tasks: pa.Table | None = None
    prospects: pa.Table | None = None
    assignees: pa.Table | None = None


TItem = Batch | SaleshandyScanReport


def _ends_before(items: list[Any], cursor: str, floor: Any) -> bool:
    """Whether a page sorted by `cursor` newest first ends older than `floor` (or unstamped:
    nulls sort last, so nothing stamped follows)."""
    last = items[-1] if items else None
    if not isinstance(last, dict):
        return not items
    stamp = parse_utc(last.get(cursor))
    return stamp is None or bool(stamp < floor)


def counts_total(counts: dict[str, int] | None) -> int | None:
    """Every task the counts cover: their `total`, else the sum over the statuses."""
    if counts is None:
        return None
    if "total" in counts:
        return counts["total"]
    return sum(counts.values())


def read_counts(body: Any) -> dict[str, int] | None:
    """The counts of a `GET /v1/tasks/counts` answer (`payload` an object of numbers), or None."""
    payload = body.get("payload") if isinstance(body, dict) else None
    if isinstance(payload, dict) and isinstance(payload.get("counts"), dict):
        payload = payload["counts"]
    if not isinstance(payload, dict):
        return None
    counts = {str(k): n for k, v in payload.items() if (n := lenient_int(v)) is not None}
    known = [s for s in (*TASK_STATUSES, "total") if s in counts]
    return {k: counts[k] for k in known} if known else None


class TaskScan:
    """Streams every task of `GET /v1/tasks` as `Batch`es, then the run's report.

    Args:
        client: the `ApiClient` (profile `SALESHANDY_PROFILE`).
        page_size: rows per page asked for (at most 100).
        concurrency: pages in flight at once (1: one after the other).
        max_pages: the stop guard of the list.
        batch_rows: tasks per yielded batch (bounds memory).
        assignees_loader: reads the assignee list (the tests may count its calls).
        known_ids: the task ids already loaded (read when the scan ends), each verified by id
            when the list did not show it; None: no deletion can be proved, the run is
            complete on the list's checks alone (a first load, or a caller that never deletes).
        plan: this run's plan (`sales_tasks.sources.core.incremental.plan_run`); None or a full one reads
            every task, an incremental one the open tabs and the done ones down to `plan`'s
            watermarks less `lag_seconds`.
    """

    def __init__(
        self,
        client: ApiClient,
        report: SaleshandyScanReport,
        *,
        page_size: int = 100,
        concurrency: int = 4,
        max_pages: int = MAX_PAGES,
        batch_rows: int = 10_000,
        assignees_loader: Callable[[ApiClient], list[TAssignee]] = list_assignees,
        known_ids: Callable[[], Iterable[str]] | None = None,
        plan: RunPlan | None = None,
        lag_seconds: float = 3600.0,
        use_remaining_quota: bool = False,
    ) -> None:
        self.client = client
        self.use_remaining_quota = use_remaining_quota
        self.plan = plan
        self.lag_seconds = lag_seconds
        report.full_scan = plan is None or plan.full_scan
        # The newest `completedAt` / `skippedAt` read: the next incremental run's watermarks.
        self.watermarks: dict[str, str] = {}
        self._newest: dict[str, dt.datetime] = {}  # the watermarks, parsed
        self._open_read = 0
        self.report = report
        report.http_stats = client.stats
        report.page_size = page_size
        self.page_size = page_size
        self.concurrency = max(1, concurrency)
        self.max_pages = max_pages
        self.batch_rows = max(1, batch_rows)
        self._assignees_loader = assignees_loader
        self.known_ids = known_ids
        self._known_ids: set[str] | None = None
        self._started = utc_now()
        # Tasks read that may not have existed when the scan began (check 4).
        self._maybe_new: list[str] = []  # createdAt at or after the scan's start
        self._undated: list[str] = []  # no createdAt
        # (1-based place in the list, id) of the task last on each page read, in page order.
        self._page_ends: list[tuple[int, str | None]] = []
        self._tasks: set[str] = set()
        self._prospects: set[str] = set()
        self._assignees: set[str] = set()
        self._rows: dict[str, list[dict[str, Any]]] = {
            "tasks": [],
            "prospects": [],
            "assignees": [],
        }

    def __iter__(self) -> Iterator[TItem]:
        report = self.report
        self._started = utc_now()
        start = self._counts("before")
        report.counts_at_start = start
        report.total_entries = counts_total(start)
        if report.total_entries is not None:
            report.plan_more(planned_pages(report.total_entries, self.page_size))
        self._check_quota(start)  # before any task is read: a run that cannot finish refuses
        self._add_assignees(self._assignee_list())
        if report.full_scan:
            stopped = yield from self._list()
        else:
            stopped = yield from self._tabs()
        end = self._counts("after")
        report.counts_at_end = end
        if report.full_scan:
            self._verdict(start, end, stopped)
        else:
            self._tabs_verdict(start, end, stopped)
        if any(self._rows.values()):
            yield self._flush()
        report.finished_at = utc_now()
        report.sync_stats(self.client.stats)
        # The lowest budget reported is the latest (the counts after the list come last).
        budgets = [self.client.governor.requests_left(e) for e in (TASKS, TASKS_COUNTS)]
        if known := [b for b in budgets if b is not None]:
            report.calls_left = min(known)
        yield report

    # -- the list -------------------------------------------------------------------------------

    def _list(self) -> Generator[TItem, None, str | None]:
        """Read every page; returns why the list ended early (None: it ended on a short page)."""
        total = self.report.total_entries
        if total is None or self.concurrency < 2:
            return (yield from self._walk(1))
        last = min(planned_pages(total, self.page_size), self.max_pages)
        pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="saleshandy-list")
        window: deque[tuple[int, Future[Any]]] = deque()
        pages = iter(range(1, last + 1))
        try:
            while True:
                while len(window) < self.concurrency * 2 and (page := next(pages, None)):
                    window.append((page, pool.submit(self._page, page)))
                if not window:
                    break
                number, future = window.popleft()
                try:
                    body = future.result()
                except _FATAL:
                    raise
                except (RetriableApiError, FatalApiError) as exc:
                    if self.report.pages == 0:
                        raise
                    return self._failed(number, exc)
                items = payload_list(body, LIST_KEYS)
                if items is None:
                    return self._no_list(number)
                self._absorb(items)
                if self._full_batch():
                    yield self._flush()
                if len(items) < self.page_size:
                    return None  # a short page ends the list, wherever it comes
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        if last >= self.max_pages:
            return f"the task list was cut at its stop guard of {self.max_pages} pages"
        return (yield from self._walk(last + 1))  # the last planned page was full: read on

    def _tabs(self) -> Generator[TItem, None, str | None]:
        """An incremental run's reads: each open tab whole, each done tab down to its floor."""
        assert self.plan is not None
        before = len(self._tasks)
        for status in OPEN_TABS:
            stopped = yield from self._walk(1, {**LIST_ORDER, "status": status})
            if stopped is not None:
                return stopped
        self._open_read = len(self._tasks) - before
        for status, cursor in DONE_TABS:
            floor = floor_of(self.plan.watermarks.get(cursor), self.lag_seconds)
            order = {"status": status, "sortBy": cursor, "sortOrder": "DESC"}
            stopped = yield from self._walk(1, order, cursor, floor)
            if stopped is not None:
                return stopped
        return None

    def _tabs_verdict(
        self, start: dict[str, int] | None, end: dict[str, int] | None, stopped: str | None
    ) -> None:
        report = self.report
        problem: str | None = None
        open_total = sum((start or {}).get(s, 0) for s in OPEN_TABS)
        if stopped is not None:
            problem = stopped
        elif start is None or end is None:
            problem = "Saleshandy's task counts could not be read"
        elif start != end:
            problem = f"the task counts changed while the tabs were read ({start} -> {end})"
        elif self._open_read != open_total:
            problem = (
                f"the open tabs showed {self._open_read} distinct tasks but the counts say"
                f" {open_total}"
            )
        report.complete = problem is None
        if not report.complete:
            report.warn(
                f"Saleshandy incremental run INCOMPLETE: {problem or 'an item could not be read'};"
                f" loaded the {len(self._tasks)} tasks read; the watermarks stay where they were"
            )

    def _page(self, page: int) -> Any:
        return self.client.request_json(
            "GET", TASKS, params={**LIST_ORDER, **page_params(page, self.page_size)}
        )

    def _no_list(self, page: int) -> str:
        self.report.count_unreadable(
            f"page {page} of the task list held no list of tasks (its `payload` was read as an"
            " array or an object holding one)"
        )
        return f"page {page} of the task list could not be read"

    def _failed(self, page: int, exc: Exception) -> str:
        return f"page {page} of the task list failed ({self.client.safe_message(exc)})"

    def _full_batch(self) -> bool:
        return sum(len(rows) for rows in self._rows.values()) >= self.batch_rows

    def _walk(
        self,
        start: int,
        params: dict[str, str] = LIST_ORDER,
        cursor: str | None = None,
        floor: Any = None,
    ) -> Generator[TItem, None, str | None]:
        """Pages `start`, `start + 1`, ... one at a time until a short page, or (with `cursor`
        and `floor`, a list sorted by `cursor` newest first) until a page ends older than
        `floor`."""
        if start > self.max_pages:
            return f"the task list was cut at its stop guard of {self.max_pages} pages"
        paginator = saleshandy_paginator(
            self.page_size, maximum_page=self.max_pages, base_page=start
        )
        pages = paginate(
            self.client,
            "GET",
            TASKS,
            paginator,
            items_path=lambda body: payload_list(body, LIST_KEYS) or [],
            params=params,
        )
        while True:
            try:
                page = next(pages, None)
            except _FATAL:
                raise
            except (RetriableApiError, FatalApiError) as exc:
                if self.report.pages == 0:
                    raise
                return self._failed(paginator.page, exc)
            if page is None:
                break
            if payload_list(page.body, LIST_KEYS) is None:
                return self._no_list(start + page.number - 1)
            self._absorb(page.items)
            if self._full_batch():
                yield self._flush()
            if cursor is not None and floor is not None and _ends_before(page.items, cursor, floor):
                return None  # the rest of this tab is older than the watermark
        if paginator.stopped_by_guard:
            return f"the task list was cut at its stop guard of {self.max_pages} pages"
        return None

    def _absorb(self, entries: list[Any], *, page: bool = True) -> None:
        report = self.report
        fresh = 0
        no_id = not_object = 0
        for task in entries:
            if not isinstance(task, dict):
                not_object += 1
                continue
            task_id = task_id_of(task)
            if task_id is None:
                no_id += 1
                continue
            if task_id in self._tasks:
                report.duplicates += 1
                continue
            self._tasks.add(task_id)
            row, prospect = shape_task(task, task_id)
            self._rows["tasks"].append(row)
            fresh += 1
            self._stamp(task)
            created = parse_utc(task.get("createdAt"))
            if created is None:
                self._undated.append(task_id)
            elif created >= self._started:
                self._maybe_new.append(task_id)
            if prospect is not None and prospect["id"] not in self._prospects:
                self._prospects.add(prospect["id"])
                self._rows["prospects"].append(prospect)
            assignee = task.get("assignee")
            if isinstance(assignee, dict):
                self._add_assignees([assignee])
        if no_id:
            report.count_unreadable(NO_ID, no_id)
        if not_object:
            report.count_unreadable(NOT_AN_OBJECT, not_object)
        report.count_rows("tasks", fresh)
        report.tasks_seen = len(self._tasks)
        report.sync_stats(self.client.stats)
        if page:
            last = entries[-1] if entries else None
            place = len(self._page_ends) * self.page_size + len(entries)
            self._page_ends.append((place, task_id_of(last) if isinstance(last, dict) else None))
            report.page_done()

    def _stamp(self, task: dict[str, Any]) -> None:
        """Keep the newest `completedAt` / `skippedAt` of done tasks (the watermarks), parsed in
        `_newest` so each done task read is compared without parsing the mark again."""
        status = task.get("status")
        for done, cursor in DONE_TABS:
            if status != done:
                continue
            stamp = parse_utc(task.get(cursor))
            if stamp is None:
                continue
            newest = self._newest.get(cursor)
            if newest is None or stamp > newest:
                self._newest[cursor] = stamp
                self.watermarks[cursor] = stamp.isoformat()

    def _add_assignees(self, assignees: list[TAssignee]) -> None:
        for assignee in assignees:
            key = assignee.get("id")
            if key is not None and str(key) not in self._assignees:
                self._assignees.add(str(key))
                self._rows["assignees"].append(assignee_row(assignee))

    def _flush(self) -> Batch:
        batch = Batch()
        for name, columns in (
            ("tasks", TASK_COLUMNS),
            ("prospects", PROSPECT_COLUMNS),
            ("assignees", ASSIGNEE_COLUMNS),
        ):
            rows = self._rows[name]
            if rows:
                setattr(batch, name, table_of(rows, columns))
                if name != "tasks":
                    self.report.count_rows(name, len(rows))
            self._rows[name] = []
        return batch

    # -- completeness ---------------------------------------------------------------------------

    def _counts(self, when: str) -> dict[str, int] | None:
        try:
            body = self.client.request_json("GET", TASKS_COUNTS)
        except _FATAL:
            raise
        except VendorApiError as exc:
            self.report.warn(
                f"GET {TASKS_COUNTS} failed {when} the task list"
                f" ({self.client.safe_message(exc)}): the scan cannot be proved complete"
            )
            return None
        counts = read_counts(body)
        if counts is None:
            self.report.warn(
                f"GET {TASKS_COUNTS} answered no counts per status {when} the task list:"
                " the scan cannot be proved complete"
            )
        return counts

    def _check_quota(self, counts: dict[str, int] | None) -> None:
        """Estimate the run's calls from the counts and compare them with the budget the counts'
        answer reported (`x-ratelimit-remaining`, `x-ratelimit-reset`; NOTES section 2 [3p])."""
        estimate: int | None = None
        if counts is not None:
            if self.report.full_scan:
                lists = planned_pages(counts_total(counts) or 0, self.page_size)
            else:
                lists = sum(planned_pages(counts.get(s, 0), self.page_size) for s in OPEN_TABS)
                lists += len(DONE_TABS)  # at least a page of each done tab
            estimate = 1 + lists + 2  # this count read, the pages, the assignees, counts after
        governor = self.client.governor
        check_quota(
            self.report,
            vendor="Saleshandy",
            estimate=estimate,
            left=governor.requests_left(TASKS_COUNTS),
            resets_at=governor.resets_at(TASKS_COUNTS),
            use_remaining=self.use_remaining_quota,
        )

    def _assignee_list(self) -> list[TAssignee]:
        try:
            return self._assignees_loader(self.client)
        except (AuthenticationError, UnreachableError):
            raise
        except VendorApiError as exc:  # a key without this endpoint still gets its tasks
            self.report.warn(
                f"assignees listed only from their tasks: the assignee list failed"
                f" ({self.client.safe_message(exc)})"
            )
            return []

    def _verdict(
        self, start: dict[str, int] | None, end: dict[str, int] | None, stopped: str | None
    ) -> None:
        report = self.report
        total = counts_total(start)
        problem: str | None = None
        if stopped is not None:
            problem = stopped
        elif start is None or end is None:
            problem = "Saleshandy's task counts could not be read"
        elif start != end:
            problem = (
                f"the task counts changed while the list was read ({counts_total(start)} ->"
                f" {counts_total(end)}; per status {start} -> {end})"
            )
        elif len(self._tasks) != total:
            problem = (
                f"the task list showed {len(self._tasks)} distinct tasks but the counts say {total}"
            )
        elif new := self._new(self._maybe_new):
            problem = (
                f"{len(new)} task(s) read (e.g. {new[0]}) were created while the list was read;"
                " with the counts unchanged as many were deleted, and a deletion shifts rows"
                " past the read position"
            )
        elif self._new(self._undated) and (moved := self._page_ends_moved()):
            problem = moved
        else:
            problem = self._unseen_are_gone()
        report.unreachable = max(0, (total or 0) - len(self._tasks))
        report.complete = problem is None
        if not report.complete:
            report.warn(
                f"Saleshandy scan INCOMPLETE: {problem or 'an item could not be read'}; loaded"
                f" the {len(self._tasks)} tasks read, no task was removed: run again"
            )

    def _known(self) -> set[str]:
        if self.known_ids is None:
            return set()
        if self._known_ids is None:
            self._known_ids = {str(i) for i in self.known_ids()}
        return self._known_ids

    def _new(self, ids: list[str]) -> list[str]:
        """Those of `ids` no earlier run loaded (check 4)."""
        if not ids:
            return []
        known = self._known()
        return [task_id for task_id in ids if task_id not in known]

    def _page_ends_moved(self) -> str | None:
        """Check 4 without creation times: re-read the task that ended each page (one-row pages
        at the same positions, in the same order); why the list moved, or None."""
        ends = [(n, place, i) for n, (place, i) in enumerate(self._page_ends, 1) if i]

        def now_at(end: tuple[int, int, str]) -> tuple[int, str, Any]:
            number, place, task_id = end
            try:  # a page of one row is the row at that place
                body = self.client.request_json(
                    "GET", TASKS, params={**LIST_ORDER, "page": place, "pageSize": 1}
                )
            except _FATAL:
                raise
            except VendorApiError as exc:
                return number, task_id, exc
            items = payload_list(body, LIST_KEYS) or []
            first = items[0] if items and isinstance(items[0], dict) else {}
            return number, task_id, task_id_of(first)

        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="saleshandy-ends") as pool:
            for number, task_id, found in pool.map(now_at, ends):
                if isinstance(found, VendorApiError):
                    return (
                        f"page {number}'s last task could not be re-read"
                        f" ({self.client.safe_message(found)}); tasks not loaded before carry"
                        " no createdAt, so the list must be shown not to have moved"
                    )
                if found != task_id:
                    return (
                        f"the list moved while it was read: page {number} ended with {task_id},"
                        f" and that place now holds {found or 'nothing'} (tasks were created or"
                        " deleted behind the read position)"
                    )
        return None

    # -- deletions, one by one --------------------------------------------------------------

    def _unseen_are_gone(self) -> str | None:
        """Read each known task the list did not show; why the scan is not complete, or None."""
        if self.known_ids is None:
            return None
        unseen = sorted(self._known() - self._tasks)
        if not unseen:
            self.report.verified_gone = 0
            return None
        live: list[str] = []
        failed: list[str] = []
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="saleshandy-verify") as pool:
            for task_id, answer in zip(unseen, pool.map(self._one, unseen), strict=True):
                if answer is None:
                    continue  # 404: gone
                if isinstance(answer, VendorApiError):
                    failed.append(f"{task_id} ({self.client.safe_message(answer)})")
                    continue
                live.append(task_id)
                task = one_task(answer)
                if task is not None and task_id_of(task) == task_id:
                    self._absorb([task], page=False)
        self.report.verified_gone = len(unseen) - len(live) - len(failed)
        if live:
            return (
                f"{len(live)} task(s) the list did not show are still in Saleshandy (e.g."
                f" {live[0]}; loaded from GET {TASKS}/{{taskId}}): the list shifted while it"
                " was read"
            )
        if failed:
            return (
                f"{len(failed)} task(s) the list did not show could not be checked one by one"
                f" (e.g. {failed[0]})"
            )
        return None

    def _one(self, task_id: str) -> Any:
        """`GET /v1/tasks/{taskId}`'s body; None on 404 (gone); a failure past retries as such."""
        path = task_path(task_id)
        try:
            return self.client.request_json("GET", path, endpoint=f"{TASKS}/{{taskId}}")
        except BadRequestError as exc:
            if exc.status == 404:
                return None
            return exc
        except _FATAL:
            raise
        except VendorApiError as exc:
            return exc
