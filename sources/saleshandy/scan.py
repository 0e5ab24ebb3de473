"""A full scan of `GET /v1/tasks`, proved complete by `GET /v1/tasks/counts` before and after.

Facts relied on (Saleshandy's OpenAPI file; paging rules in `clients.saleshandy.paging`):
- The list has no totals and no updated-since filter: every run reads every task, `page` by
  `page` (`pageSize` at most 100) until a short or an empty page, sorted by `dueDate` ASC.
- `GET /v1/tasks/counts` answers a count per status (`upcoming`, `dueToday`, `overdue`,
  `completed`, `skipped`; a `total` is used when one is given). Their sum is every task the list
  holds: the proof of completeness the list itself cannot give.
- The scan is complete only when the counts read before and after the list agree and equal the
  distinct task ids read, and no page failed. Tasks created or deleted while the list is read
  shift rows between pages; the counts then differ, and nothing is deleted downstream. (One
  task deleted behind the scan and another created ahead of it leave the totals equal: the
  per-status counts must then be equal too, else the scan is incomplete.)
- With the counts' total known, the pages it takes (`planned_pages`) are fetched `concurrency`
  at a time and read in order; a short page ends the list early (and the counts will differ),
  a last planned page that is full (tasks were added) is followed page by page to a short one.
- A page that still fails after the client's retries ends the scan: what was read is loaded,
  the run says it is incomplete, and nothing is deleted.
- `GET /v1/tasks/assignee/list` names the account's assignees; tasks embed their prospect and
  assignee, which land in their own tables (each id once per run).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from clients.core import (
    ApiClient,
    AuthenticationError,
    FatalApiError,
    PermissionDeniedError,
    RetriableApiError,
    UnreachableError,
    VendorApiError,
    lenient_int,
    paginate,
)
from clients.core.values import utc_now
from clients.saleshandy.endpoints import TASKS, TASKS_COUNTS
from clients.saleshandy.enums import TASK_STATUSES
from clients.saleshandy.lookups import TAssignee, list_assignees
from clients.saleshandy.paging import (
    MAX_PAGES,
    page_params,
    payload_items,
    planned_pages,
    saleshandy_paginator,
)
from sources.saleshandy.report import SaleshandyScanReport
from sources.saleshandy.schema import (
    ASSIGNEE_COLUMNS,
    PROSPECT_COLUMNS,
    TASK_COLUMNS,
    assignee_row,
    prospect_row,
    table_of,
    task_row,
)

logger = logging.getLogger("apollo_tasks.source")

# Errors that end the run at once: the key, the URL or the request must change first.
_FATAL = (AuthenticationError, PermissionDeniedError, UnreachableError)
LIST_ORDER = {"sortBy": "dueDate", "sortOrder": "ASC"}


@dataclass
class Batch:
    """New (first seen this run) rows from some pages, as Arrow tables (None: no rows)."""

    tasks: pa.Table | None = None
    prospects: pa.Table | None = None
    assignees: pa.Table | None = None


TItem = Batch | SaleshandyScanReport


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
    ) -> None:
        self.client = client
        self.report = report
        report.http_stats = client.stats
        report.page_size = page_size
        self.page_size = page_size
        self.concurrency = max(1, concurrency)
        self.max_pages = max_pages
        self.batch_rows = max(1, batch_rows)
        self._assignees_loader = assignees_loader
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
        start = self._counts("before")
        report.counts_at_start = start
        report.total_entries = counts_total(start)
        if report.total_entries is not None:
            report.plan_more(planned_pages(report.total_entries, self.page_size))
        self._add_assignees(self._assignee_list())
        stopped = yield from self._list()
        end = self._counts("after")
        report.counts_at_end = end
        self._verdict(start, end, stopped)
        if any(self._rows.values()):
            yield self._flush()
        report.finished_at = utc_now()
        report.sync_stats(self.client.stats)
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
                items = payload_items(body, ("tasks",))
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

    def _page(self, page: int) -> Any:
        return self.client.request_json(
            "GET", TASKS, params={**LIST_ORDER, **page_params(page, self.page_size)}
        )

    def _failed(self, page: int, exc: Exception) -> str:
        return f"page {page} of the task list failed ({self.client.safe_message(exc)})"

    def _full_batch(self) -> bool:
        return sum(len(rows) for rows in self._rows.values()) >= self.batch_rows

    def _walk(self, start: int) -> Generator[TItem, None, str | None]:
        """Pages `start`, `start + 1`, ... one at a time until a short page."""
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
            items_path=lambda body: payload_items(body, ("tasks",)),
            params=LIST_ORDER,
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
            self._absorb(page.items)
            if self._full_batch():
                yield self._flush()
        if paginator.stopped_by_guard:
            return f"the task list was cut at its stop guard of {self.max_pages} pages"
        return None

    def _absorb(self, tasks: list[dict[str, Any]]) -> None:
        report = self.report
        fresh = 0
        for task in tasks:
            row = task_row(task)
            task_id = row["id"]
            if task_id is None:
                continue
            if task_id in self._tasks:
                report.duplicates += 1
                continue
            self._tasks.add(task_id)
            self._rows["tasks"].append(row)
            fresh += 1
            prospect = task.get("prospect")
            prospect_id = prospect.get("id") if isinstance(prospect, dict) else None
            if (
                isinstance(prospect, dict)
                and prospect_id is not None
                and str(prospect_id) not in self._prospects
            ):
                self._prospects.add(str(prospect_id))
                self._rows["prospects"].append(prospect_row(prospect))
            assignee = task.get("assignee")
            if isinstance(assignee, dict):
                self._add_assignees([assignee])
        report.count_rows("tasks", fresh)
        report.tasks_seen = len(self._tasks)
        report.sync_stats(self.client.stats)
        report.page_done()

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
        seen = len(self._tasks)
        total = counts_total(start)
        report.unreachable = max(0, (total or 0) - seen)
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
        elif seen != total:
            problem = f"the task list showed {seen} distinct tasks but the counts say {total}"
        report.complete = problem is None
        if problem is not None:
            report.warn(
                f"Saleshandy scan INCOMPLETE: {problem}; loaded the {seen} tasks read, no task"
                " was removed: run again"
            )
