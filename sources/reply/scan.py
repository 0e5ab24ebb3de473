"""A full scan of Reply's task list: `GET /v3/tasks` (or `POST /v3/tasks/filter`) page by page.

Facts relied on (paging rules in `clients.reply.paging`):
- `top`/`skip` with `{items, hasMore}`; `hasMore` is authoritative, `skip` advances by the rows
  received, and a last page that still says `hasMore: true` is followed by an empty page, which
  ends the list (that is not an error; the report notes it).
- There is no total and no "changed since" filter: every run reads every task (full refresh).
- Reply's limits (100 a minute, 3,000 an hour) make pages slow, not concurrent: one page at a time,
  paced by the client's governor.
- An account that offers only one of the two list endpoints answers the other with 404 or 405:
  the scan then falls back to the other one once, and says so.

Completeness (needed before tasks missing from the scan may be removed downstream): the end of
the list was reached (not the stop guard), a re-read of the first page at the end holds the same
ids as the first read (a task created or deleted in between shifts rows between pages, and the
scan could then have missed one), and every task loaded before that the list did not show now
answers `GET /v3/tasks/{id}` with 404 (up to `verify_limit` of them are read; one still served
was missed: it is loaded and the run is incomplete). Ids met twice (rows shifted by a create)
are loaded once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from clients.core import ApiClient, BadRequestError, InvalidResponseError, paginate
from clients.core.values import lenient_int, utc_now
from clients.reply.endpoints import TASKS, TASKS_FILTER, quota_key, task_path
from clients.reply.paging import ITEMS, reply_paginator
from sources.reply.report import ReplyScanReport
from sources.reply.schema import task_row, tasks_table
from sources.reply.settings import LIST_FILTER, LIST_GET

logger = logging.getLogger("sales_tasks.reply.source")

# Tasks per Arrow table handed to dlt (a page holds at most 1000).
BATCH_ROWS = 5_000


@dataclass
class TaskBatch:
    """Tasks new to this run, as one Arrow table."""

    tasks: pa.Table


TItem = TaskBatch | ReplyScanReport

_ROUTES = {LIST_GET: ("GET", TASKS), LIST_FILTER: ("POST", TASKS_FILTER)}


class TaskScan:
    """Streams every task of the list as `TaskBatch`es, then the `ReplyScanReport`.

    Args:
        client: an `ApiClient` with Reply's profile.
        report: receives the counters and the verdict.
        top: rows per page asked for (at most 1000).
        list_endpoint: `get` or `filter`.
        max_pages: the stop guard.
        known_ids: the ids already loaded (read when the scan runs), to prove deletions.
        verify_limit: how many unseen known tasks to read one by one at most (0: none).
    """

    def __init__(
        self,
        client: ApiClient,
        report: ReplyScanReport,
        *,
        top: int,
        list_endpoint: str = LIST_GET,
        max_pages: int,
        known_ids: Callable[[], Iterable[int]] | None = None,
        verify_limit: int = 0,
        batch_rows: int = BATCH_ROWS,
    ) -> None:
        self.client = client
        self.report = report
        self.top = top
        self.list_endpoint = list_endpoint
        self.max_pages = max_pages
        self.batch_rows = batch_rows
        self.known_ids = known_ids
        self.verify_limit = max(0, verify_limit)
        report.http_stats = client.stats
        report.governor = client.governor
        report.top = top
        report.list_endpoint = list_endpoint
        self._seen: set[int] = set()
        self._rows: list[dict[str, Any]] = []
        self._unknown: set[str] = set()

    def __iter__(self) -> Iterator[TItem]:
        report = self.report
        first_ids: list[int] | None = None
        paginator = reply_paginator(self.top, maximum_page=self.max_pages)
        try:
            for page in self._pages(paginator):
                ids = self._absorb(page.items)
                if first_ids is None:
                    first_ids = ids
                if not page.items and page.number > 1:
                    # The page before said `hasMore` and there was nothing more: a stale flag.
                    report.stale_has_more = True
                if len(self._rows) >= self.batch_rows:
                    yield self._flush()
            report.end_reached = not paginator.stopped_by_guard
            if paginator.stopped_by_guard:
                report.warn(
                    f"Reply's task list did not end within {self.max_pages} pages of {self.top}"
                    " (the stop guard, max_pages): the tasks table is incomplete and nothing"
                    " was deleted"
                )
            elif first_ids:
                # Tasks created or deleted while we paged shift rows between pages.
                again = self._first_page_ids()
                if again != first_ids:
                    report.warn(
                        "Reply's task list changed while it was read (its first page differs"
                        " at the end): a task may have been missed, so nothing was deleted; run"
                        " again"
                    )
                else:
                    report.complete = self._unseen_are_gone()
            else:
                report.complete = self._unseen_are_gone()  # an empty list, read to its end
            if self._unknown:
                report.warn(
                    "Reply sent enum values this connector does not know (kept as they came):"
                    f" {', '.join(sorted(self._unknown)[:10])}"
                )
        finally:
            report.tasks_seen = len(self._seen)
            report.finished_at = utc_now()
            report.sync()
        if self._rows:
            yield self._flush()
        yield report

    def _pages(self, paginator: Any) -> Iterator[Any]:
        method, path = _ROUTES[self.list_endpoint]
        try:
            yield from self._paginate(method, path, paginator, first=True)
        except _OtherEndpoint:
            other = LIST_FILTER if self.list_endpoint == LIST_GET else LIST_GET
            self.report.warn(
                f"Reply answered {method} {path} with 404/405; listing tasks through"
                f" {' '.join(_ROUTES[other])} instead (set list_endpoint = {other})"
            )
            self.list_endpoint = self.report.list_endpoint = other
            method, path = _ROUTES[other]
            yield from self._paginate(method, path, paginator, first=False)

    def _paginate(self, method: str, path: str, paginator: Any, *, first: bool) -> Iterator[Any]:
        pages = paginate(
            self.client,
            method,
            path,
            paginator,
            items_path=ITEMS,
            json={} if method == "POST" else None,
            endpoint=quota_key(path),
        )
        while True:
            try:
                page = next(pages)
            except StopIteration:
                return
            except BadRequestError as exc:
                if first and self.report.pages == 0 and exc.status in (404, 405):
                    raise _OtherEndpoint from None
                raise
            _check_shape(page.body, path)
            self.report.sync()
            self.report.page_done()
            yield page

    def _unseen_are_gone(self) -> bool:
        """Read the known tasks the list did not show; False (and each loaded) if Reply has any."""
        if self.known_ids is None or self.verify_limit == 0:
            return True
        unseen = sorted(set(self.known_ids()) - self._seen)
        checked, live = unseen[: self.verify_limit], []
        for task_id in checked:
            path = task_path(task_id)
            try:
                task = self.client.request_json("GET", path, endpoint=quota_key(path))
            except BadRequestError as exc:
                if exc.status in (404, 410):
                    continue
                raise
            if isinstance(task, dict) and lenient_int(task.get("id")) == task_id:
                live.append(task_id)
                self._absorb([task])
        self.report.verified_gone = len(checked) - len(live)
        if live:
            self.report.warn(
                f"{len(live)} task(s) the list did not show are still in Reply (e.g. id"
                f" {live[0]}; loaded now): the list changed while it was read, so nothing was"
                " deleted; run again"
            )
            return False
        if len(unseen) > len(checked):
            self.report.warn(
                f"{len(unseen)} loaded tasks are no longer listed; the first {len(checked)} were"
                " read one by one and are gone in Reply, the rest are removed on the list's word"
                " (raise verify_deletions to read them all)"
            )
        return True

    def _first_page_ids(self) -> list[int]:
        method, path = _ROUTES[self.list_endpoint]
        body = self.client.request_json(
            method,
            path,
            params={"top": self.top, "skip": 0},
            json={} if method == "POST" else None,
            endpoint=quota_key(path),
        )
        _check_shape(body, path)
        return [
            i
            for item in body.get(ITEMS) or []
            if isinstance(item, dict) and (i := lenient_int(item.get("id"))) is not None
        ]

    def _absorb(self, items: list[dict[str, Any]]) -> list[int]:
        """Keep the page's tasks not seen before in this run; returns the page's ids in order."""
        ids: list[int] = []
        for item in items:
            task_id = lenient_int(item.get("id"))
            if task_id is None:
                continue
            ids.append(task_id)
            if task_id in self._seen:
                self.report.duplicates += 1
                continue
            self._seen.add(task_id)
            self._rows.append(task_row(item, self._unknown))
        self.report.tasks_seen = len(self._seen)
        return ids

    def _flush(self) -> TaskBatch:
        rows, self._rows = self._rows, []
        self.report.count_rows("tasks", len(rows))
        return TaskBatch(tasks_table(rows))


class _OtherEndpoint(Exception):
    """The configured list endpoint does not exist for this account (404/405 on page one)."""


def _check_shape(body: Any, path: str) -> None:
    if not isinstance(body, dict) or not isinstance(body.get(ITEMS, []), list):
        raise InvalidResponseError(
            f"Reply {quota_key(path)} answered JSON without an `items` list",
            endpoint=quota_key(path),
        )
