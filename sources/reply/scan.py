"""A full scan of Reply's task list: `GET /v3/tasks` (or `POST /v3/tasks/filter`) page by page,
and the team's users (`GET /v3/whoami/team-users`).

Facts relied on (paging rules in `sales_tasks.clients.reply.paging`, shapes in `sales_tasks.clients.reply.tasks`):
- `top`/`skip` with `{items, hasMore}`; `hasMore` is authoritative, `skip` advances by the rows
  received, and a last page that still says `hasMore: true` is followed by an empty page, which
  ends the list (that is not an error; the report notes it).
- List items are the summary shape: `contact {id, fullName}`, `finishedAt`, string enums.
- `GET /v3/tasks` has no date window; the filter's window on `startAt` is sent explicitly wide
  (`sales_tasks.clients.reply.tasks.filter_body`), or a task starting more than a year ahead would be missed.
- There is no total and no "changed since" filter: every run reads every task (full refresh).
- Reply's limits (100 a minute, 3,000 an hour) make pages slow, not concurrent: one request at a
  time, paced by the client's governor (the re-read and the reads by id too).
- An account that offers only one of the two list endpoints answers the other with 404 or 405:
  the scan then falls back to the other one once, and says so.
- A deleted task is `cancelled` (open) or `archived` (finished) and leaves the lists
  (RS @1,723,200); `GET /v3/tasks/{id}` of a task that does not exist (or may not be seen)
  answers 404 `task.notFound` (RS @1,714,800). Whether a deleted task answers 404 or its
  cancelled/archived detail is not said: both count as gone.

Completeness (`report.complete`, needed before tasks missing from the scan are removed
downstream) means the mirror equals Reply. `top`/`skip` paging is by position, so a task
created or deleted before the read position while the scan pages shifts rows: one is read twice
or one is skipped, and a scan that trusted the list would remove a live task. So a scan is
complete only when all of these hold:
1. the list was read to its end (not stopped by `max_pages`), every item had an integer id (an
   item that has none is counted `unreadable`, never dropped silently), and no id came twice;
2. a second pass over the list, page by page with the same `top`, holds exactly the ids of the
   first, in the same order (any create or delete before the read position during either pass
   changes some page); it stops at the first page that differs;
3. every task already loaded that the list did not show is read by id, and Reply says it is
   gone (404, or a cancelled/archived detail). One it still serves was skipped: it is loaded and
   the run is incomplete. More unseen tasks than `verify_limit` make the run incomplete too (the
   client's governor paces these reads; none is trusted on the list's word).

Incremental runs (`plan`, `sales_tasks.sources.core.incremental`; `docs/quota-and-incremental.md`) use the
filter's documented `status` (one value) and `from` window on `startAt` (VENDOR-SPECS 1.4
TaskFilterRequest, RS @1,710,000; fact 4): `POST /v3/tasks/filter` with `status` `new` and
`sequenceDetached`, each read whole, then `finished` from a floor on `startAt`: the lowest
`startAt` of the tasks the last complete run read as open that are open no more, or that run's
start (for tasks made since), whichever is earlier, less a lag. Reply has no `updatedAt` or
"changed since" (fact 2), so what the window cannot see waits for the next full scan: a task made
and finished between two runs with a `startAt` before the earlier run, a finished task edited
or reassigned. Such a run is complete when each part was read to its end, no id came twice and
every item was readable; it never deletes, never re-reads the list and never reads ids one by one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from sales_tasks.clients.core import (
    ApiClient,
    BadRequestError,
    InvalidResponseError,
    PermissionDeniedError,
    paginate,
)
from sales_tasks.clients.core.values import parse_utc, utc_now
from sales_tasks.clients.reply.endpoints import TASKS, TASKS_FILTER, quota_key, task_path
from sales_tasks.clients.reply.enums import DELETED_STATUSES, TASK_STATUSES, code_of
from sales_tasks.clients.reply.paging import ITEMS, reply_paginator
from sales_tasks.clients.reply.tasks import filter_body, task_id_of
from sales_tasks.clients.reply.users import team_users
from sales_tasks.sources.core.incremental import RunPlan, floor_of
from sales_tasks.sources.reply.report import ReplyScanReport
from sales_tasks.sources.reply.schema import task_row, tasks_table, users_table
from sales_tasks.sources.reply.settings import LIST_FILTER, LIST_GET

logger = logging.getLogger("reply_tasks.source")

# Tasks per Arrow table handed to dlt (a page holds at most 1000).
BATCH_ROWS = 5_000
# Ids beyond a signed 64-bit integer cannot be stored or compared with what is loaded.
_INT64_MAX = 2**63 - 1

LIST_PASS, RECHECK_PASS = "list", "recheck"
# Incremental runs: the statuses read whole (a task in them may change any day), the one read
# from a floor on `startAt`, and the statuses whose tasks are kept as "open" between runs.
OPEN_TABS = ("new", "sequenceDetached")
DONE_TAB = "finished"
OPEN_CODES = frozenset({0, 5})
LISTED_AT = "listedAt"  # the watermark: when the last complete run began
# A test's hook, called after each list page with (pass, page number); see `TaskScan`.
TOnPage = Callable[[str, int], None]


@dataclass
class TaskBatch:
    """Tasks new to this run, as one Arrow table."""

    tasks: pa.Table


@dataclass
class UserBatch:
    """The team's users (`whoami/team-users`), as one Arrow table."""

    users: pa.Table


TItem = TaskBatch | UserBatch | ReplyScanReport

_ROUTES = {LIST_GET: ("GET", TASKS), LIST_FILTER: ("POST", TASKS_FILTER)}


class TaskScan:
    """Streams every task of the list as `TaskBatch`es, the users, then the `ReplyScanReport`.

    Args:
        client: an `ApiClient` with Reply's profile.
        report: receives the counters and the verdict.
        top: rows per page asked for (at most 1000).
        list_endpoint: `get` or `filter`.
        max_pages: the stop guard (of each pass).
        known_ids: the ids already loaded (read when the scan runs), to prove deletions.
        verify_limit: how many unseen known tasks may be read one by one; more make the run
            incomplete (0: a run that meets any unseen known task is incomplete).
        on_page: called after each page with (`"list"` or `"recheck"`, page number): a test's
            hook to change Reply's data while the scan pages.
        plan: this run's plan (`sales_tasks.sources.core.incremental.plan_run`); None or a full one reads
            the whole list, an incremental one the open statuses whole and `finished` from a
            floor (see the module docstring).
        lag_seconds: how far below that floor an incremental run still reads.
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
        on_page: TOnPage | None = None,
        plan: RunPlan | None = None,
        lag_seconds: float = 3600.0,
    ) -> None:
        self.client = client
        self.plan = plan
        self.lag_seconds = lag_seconds
        report.full_scan = plan is None or plan.full_scan
        # The open tasks read (id -> startAt): the next incremental run's floor.
        self.open_starts: dict[str, str] = {}
        self.report = report
        self.top = top
        self.list_endpoint = list_endpoint
        self.max_pages = max_pages
        self.batch_rows = batch_rows
        self.known_ids = known_ids
        self.verify_limit = max(0, verify_limit)
        self.on_page = on_page
        report.http_stats = client.stats
        report.governor = client.governor
        report.top = top
        report.list_endpoint = list_endpoint
        self._seen: set[int] = set()
        self._rows: list[dict[str, Any]] = []
        self._unknown: set[str] = set()

    def __iter__(self) -> Iterator[TItem]:
        report = self.report
        try:
            yield from (self._full() if report.full_scan else self._incremental())
        finally:
            report.tasks_seen = len(self._seen)
            report.finished_at = utc_now()
            report.sync()
        if self._rows:
            yield self._flush()
        yield report

    def _full(self) -> Iterator[TItem]:
        """A full scan: every page of the list, then the proof the run may delete."""
        report = self.report
        pages: list[list[int]] = []
        paginator = reply_paginator(self.top, maximum_page=self.max_pages)
        for page in self._pages(paginator):
            pages.append(self._absorb(page.items))
            if not page.items and page.number > 1:
                # The page before said `hasMore` and there was nothing more: a stale flag.
                report.stale_has_more = True
            self._hook(LIST_PASS, page.number)
            if len(self._rows) >= self.batch_rows:
                yield self._flush()
        report.end_reached = not paginator.stopped_by_guard
        users = self._users()
        if users is not None:
            yield users
        report.complete = self._proven(pages, paginator.stopped_by_guard)
        if self._unknown:
            report.warn(
                "Reply sent enum values this connector does not know (kept as they came):"
                f" {', '.join(sorted(self._unknown)[:10])}"
            )

    def _incremental(self) -> Iterator[TItem]:
        """An incremental run: the open statuses whole, `finished` from the floor."""
        report = self.report
        report.list_endpoint = LIST_FILTER  # only the filter has the status and the window
        ended = True
        for status in OPEN_TABS:
            ended = (yield from self._tab(filter_body(status=status))) and ended
        floor = self._floor()
        window = {"from": floor} if floor is not None else {}
        ended = (yield from self._tab(filter_body(status=DONE_TAB, **window))) and ended
        users = self._users()
        if users is not None:
            yield users
        report.end_reached = ended
        report.complete = ended and not report.duplicates
        if not report.complete:
            report.warn(
                "Reply incremental run INCOMPLETE: a part of the list did not end or a task"
                " came twice (rows shifted while it was read); the watermark stays where it"
                " was"
            )

    def _tab(self, body: dict[str, Any]) -> Generator[TItem, None, bool]:
        """One filtered part of the list, page by page; True when it ended (not by the guard)."""
        paginator = reply_paginator(self.top, maximum_page=self.max_pages)
        for page in self._paginate("POST", TASKS_FILTER, paginator, body=body):
            self._absorb(page.items)
            self._hook(LIST_PASS, page.number)
            if len(self._rows) >= self.batch_rows:
                yield self._flush()
        return not paginator.stopped_by_guard

    def _floor(self) -> str | None:
        """The `from` of the `finished` window (ISO), or None (read it whole)."""
        plan = self.plan
        assert plan is not None
        kept = dict((plan.kept or {}).get("open") or {})
        starts = [
            stamp
            for task_id, start in kept.items()
            if int(task_id) not in self._seen and (stamp := parse_utc(start)) is not None
        ]
        since = floor_of(plan.watermarks.get(LISTED_AT), 0)
        if since is None:
            return None
        floor = min([since, *starts]) - dt.timedelta(seconds=self.lag_seconds)
        return floor.strftime("%Y-%m-%dT%H:%M:%SZ")

    # --- the proof ---------------------------------------------------------------------------

    def _proven(self, pages: list[list[int]], stopped_by_guard: bool) -> bool:
        """Whether the scan read exactly what Reply holds (see the module docstring)."""
        report = self.report
        if stopped_by_guard:
            report.warn(
                f"Reply's task list did not end within {self.max_pages} pages of {self.top}"
                " (the stop guard, max_pages): the tasks table is incomplete and nothing"
                " was deleted"
            )
            return False
        if report.duplicates:
            report.warn(
                f"Reply's task list changed while it was read ({report.duplicates} task(s) came"
                " twice: rows shifted between pages, so a task may have been missed); nothing"
                " was deleted; run again"
            )
            return False
        if not self._recheck(pages):
            report.warn(
                "Reply's task list changed while it was read (a second pass differs from the"
                " first): a task may have been missed, so nothing was deleted; run again"
            )
            return False
        return self._unseen_are_gone()

    def _recheck(self, pages: list[list[int]]) -> bool:
        """Read the list again; True when every page holds the same ids as in the first pass.

        Tasks the second pass meets that the first did not are loaded (the mirror catches up).
        """
        paginator = reply_paginator(self.top, maximum_page=len(pages) + 1)
        method, path = _ROUTES[self.list_endpoint]
        number = 0
        pages_read = self._paginate(method, path, paginator, count=False)
        for number, page in enumerate(pages_read, start=1):
            self.report.recheck_pages = number
            ids = self._absorb(page.items, recheck=True)
            self._hook(RECHECK_PASS, page.number)
            if number > len(pages) or ids != pages[number - 1]:
                return False
        self.report.list_stable = number == len(pages)
        return self.report.list_stable

    def _unseen_are_gone(self) -> bool:
        """Read the known tasks the list did not show; False if Reply still serves any (each is
        loaded) or there are more than `verify_limit`."""
        report = self.report
        if self.known_ids is None:
            return True
        unseen = sorted(set(self.known_ids()) - self._seen)
        report.unseen_known = len(unseen)
        if len(unseen) > self.verify_limit:
            report.warn(
                f"{len(unseen)} loaded tasks are no longer listed, more than verify_deletions"
                f" ({self.verify_limit}) can read one by one: nothing was deleted (raise"
                " verify_deletions to prove them gone)"
            )
            return False
        live: list[int] = []
        for task_id in unseen:
            task = self._detail(task_id)
            if task is not None:
                live.append(task_id)
                self._absorb([task])
        report.verified_gone = len(unseen) - len(live)
        report.verified_live = len(live)
        if live:
            report.warn(
                f"{len(live)} task(s) the list did not show are still in Reply (e.g. id"
                f" {live[0]}; loaded now): the list changed while it was read, so nothing was"
                " deleted; run again"
            )
            return False
        return True

    def _detail(self, task_id: int) -> dict[str, Any] | None:
        """The task's detail while Reply still has it live, else None (404 or deleted)."""
        path = task_path(task_id)
        try:
            task = self.client.request_json("GET", path, endpoint=quota_key(path))
        except BadRequestError as exc:
            if exc.status in (404, 410):
                return None
            raise
        if not isinstance(task, dict) or task_id_of(task) != task_id:
            raise InvalidResponseError(
                f"Reply {quota_key(path)} answered without task {task_id}",
                endpoint=quota_key(path),
            )
        if code_of(TASK_STATUSES, task.get("status")) in DELETED_STATUSES:
            return None  # deleted: cancelled or archived, and out of every list
        return task

    # --- reading -----------------------------------------------------------------------------

    def _users(self) -> UserBatch | None:
        try:
            users, unreadable = team_users(self.client)
        except (PermissionDeniedError, BadRequestError) as exc:
            self.report.warn(
                f"Reply's team users could not be read ({exc.status} on"
                f" {quota_key('/v3/whoami/team-users')}): owners stay ids without names"
            )
            return None
        if unreadable:
            self.report.warn(
                f"{unreadable} entr(ies) of Reply's team users had no user id and were not loaded"
            )
        self.report.users = len(users)
        self.report.count_rows("users", len(users))
        return UserBatch(users_table(users)) if users else None

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
            yield from self._paginate(method, path, paginator)

    def _paginate(
        self,
        method: str,
        path: str,
        paginator: Any,
        *,
        first: bool = False,
        count: bool = True,
        body: dict[str, Any] | None = None,
    ) -> Iterator[Any]:
        if body is None and method == "POST":
            body = filter_body()
        pages = paginate(
            self.client,
            method,
            path,
            paginator,
            items_path=_list_items,
            json=body,
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
            if count:
                self.report.page_done()
            yield page

    def _hook(self, which: str, number: int) -> None:
        if self.on_page is not None:
            self.on_page(which, number)

    def _absorb(self, items: list[Any], *, recheck: bool = False) -> list[int]:
        """Keep the page's tasks not seen before in this run; returns the page's ids in order.

        An item without an integer id cannot be keyed: it is counted unreadable (the run is
        then incomplete), never dropped silently. In the second pass an id seen before is not a
        duplicate (each id comes once per pass).
        """
        ids: list[int] = []
        for item in items:
            task_id = task_id_of(item) if isinstance(item, dict) else None
            if task_id is None or not 0 < task_id <= _INT64_MAX:
                if not recheck:
                    self.report.count_unreadable(
                        f"Reply's task list held an item without an integer id ({_shown(item)})"
                    )
                continue
            ids.append(task_id)
            if task_id in self._seen:
                if not recheck:
                    self.report.duplicates += 1
                continue
            self._seen.add(task_id)
            row = task_row(item, self._unknown)
            self._rows.append(row)
            # The row's status code is `code_of`'s answer for every open code (an unknown
            # number keeps its code there, but no unknown code is open): read once, cached.
            if row["status"] in OPEN_CODES:
                start = item.get("startAt")
                if isinstance(start, str):
                    self.open_starts[str(task_id)] = start
        self.report.tasks_seen = len(self._seen)
        return ids

    def _flush(self) -> TaskBatch:
        rows, self._rows = self._rows, []
        self.report.count_rows("tasks", len(rows))
        return TaskBatch(tasks_table(rows))


class _OtherEndpoint(Exception):
    """The configured list endpoint does not exist for this account (404/405 on page one)."""


def _list_items(body: Any) -> Any:
    """Every entry of the answer's `items`, whatever it is: one that is not an object is
    counted unreadable by the scan (and `skip` advances by it), never dropped here."""
    found = body.get(ITEMS) if isinstance(body, dict) else None
    return found if isinstance(found, list) else []


def _shown(item: Any) -> str:
    text = repr(item)
    return text if len(text) <= 80 else text[:77] + "..."


def _check_shape(body: Any, path: str) -> None:
    if not isinstance(body, dict) or not isinstance(body.get(ITEMS, []), list):
        raise InvalidResponseError(
            f"Reply {quota_key(path)} answered JSON without an `items` list",
            endpoint=quota_key(path),
        )
