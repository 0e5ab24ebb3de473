"""A full scan of `POST /api/v1/tasks/search`: pages fetched concurrently, past the display cap.

Facts relied on (Apollo's API reference, "Search for Tasks"; paging rules in `sales_tasks.clients.apollo`):
- The first page tells `total_entries`, the per_page really served and the task-type facet
  counts; the remaining pages are then fetched concurrently, each exactly once.
- A search reaches at most 50,000 records / 500 pages (`max_records` here). Past it Apollo
  serves an empty page or a 422, also when `total_entries` says more: a short page therefore marks
  the cap as reached (detected from the data, whatever `max_records` says).
- Over the cap the search is split by `task_type_cds` (facet values), then by `user_ids` (from
  users search), nesting type x user; every filter is verified (see `slicing`). What still cannot
  be split is read in other sort orders (`task_due_at`, `task_priority`) to reach more rows.
- Completeness must survive changes made while the scan reads. Tasks search pages by position
  (`page`, `per_page`), so a task deleted behind the read position moves a task not yet read onto
  a page already read (skipped), and a task created meanwhile repeats one; a deletion behind and a
  creation ahead leave every count unchanged. So after a first pass whose distinct ids equal its
  `total_entries` (no task seen twice in one order), a second pass reads the same pages again,
  ids only: the scan is complete only when it sees exactly the same ids, `total_entries` is the
  same at the start of both passes and at a last look at page 1. Deleted tasks never come back
  (ids are not reused), so any change during either pass shows as a difference. This doubles the
  search calls of a run; nothing cheaper is sound with position paging and no documented order
  by creation (VENDOR-SPECS 3.2: only `task_due_at`, `task_priority`). The second pass does not
  decode a page whose bytes are those of a page the first pass read (`page_memo`).
- An item of `tasks` that is not an object with an `id` cannot be loaded or keyed: it is counted
  (`report.unreadable`) and makes the run incomplete, never skipped silently.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from sales_tasks.clients.apollo.lookups import list_users
from sales_tasks.clients.apollo.paging import DISPLAY_CAP_PAGES
from sales_tasks.clients.core import ApiClient, FatalApiError, PageRequest, ShortPagePaginator
from sales_tasks.clients.core.values import utc_now
from sales_tasks.sources.apollo.batch import Batch, BatchBuilder
from sales_tasks.sources.apollo.dedup import SeenIds
from sales_tasks.sources.apollo.models import TSearchPage, TUser
from sales_tasks.sources.apollo.page_memo import KnownPage, PageMemo
from sales_tasks.sources.apollo.pagination import (
    PageInfo,
    PagePlan,
    effective_per_page,
    is_short,
    page_info,
    plan_pages,
)
from sales_tasks.sources.apollo.quota import ApolloQuota
from sales_tasks.sources.apollo.report import ScanReport
from sales_tasks.sources.apollo.search import DEFAULT_SORT, PastCapError, TaskSearch, TSort
from sales_tasks.sources.apollo.settings import SORT_ORDERS
from sales_tasks.sources.apollo.slicing import (
    DIMENSIONS,
    TASK_TYPE_FILTER,
    Child,
    Slice,
    facet_counts,
    filter_applied,
    type_children,
    user_children,
)

logger = logging.getLogger("apollo_tasks.source")

ROOT = Slice()


TItem = Batch | ScanReport
_R = TypeVar("_R")
# A generator of scan items that also returns a value (`x = yield from ...`).
TGen = Generator[TItem, None, _R]
TProbe = tuple[Child, TSearchPage, PageInfo]


class TaskScanner:
    """Streams every task reachable through task search as `Batch`es, then the `ScanReport`.

    Args:
        client: the shared, thread-safe `ApiClient`.
        per_page: requested page size (at most 200; stepped down to 100 if Apollo refuses).
        concurrency: pages in flight at once.
        max_records: records one search can reach (Apollo's display cap, 50,000).
        batch_rows: tasks per yielded batch (bounds memory: pages are never all held; records
            are converted to Arrow every few pages, see `sales_tasks.sources.apollo.batch`).
        reuse_pages: the second pass answers a page with the bytes of a first-pass page from
            what that one held, without decoding (`page_memo`); False decodes every page.
    """

    def __init__(
        self,
        client: ApiClient,
        report: ScanReport,
        *,
        per_page: int = 200,
        concurrency: int = 4,
        max_records: int = 50_000,
        max_pages: int = DISPLAY_CAP_PAGES,
        batch_rows: int = 10_000,
        users_loader: Callable[[ApiClient], list[TUser]] = list_users,
        quota: ApolloQuota | None = None,
        reuse_pages: bool = True,
    ) -> None:
        self.client = client
        self.quota = quota  # checked after the first page (`sales_tasks.sources.apollo.quota`)
        self.report = report
        report.http_stats = client.stats  # for progress displays during a rate-limit wait
        self._memo = PageMemo() if reuse_pages else None
        self.search = TaskSearch(client, report, per_page, self._memo)
        self.concurrency = max(1, concurrency)
        self.cap_records = max(1, max_records)
        self.max_pages = max(1, max_pages)
        self.batch_rows = batch_rows
        self._users_loader = users_loader
        self._users: list[TUser] | None = None
        self._ignored: set[str] = set()
        self._tasks = SeenIds()
        self._contacts = SeenIds()
        self._accounts = SeenIds()
        self._batch = BatchBuilder(batch_rows)
        self._read: set[tuple[Slice, TSort]] = set()
        self._pool: ThreadPoolExecutor | None = None
        # The verification pass: ids only, compared with the first pass's (`_verify`).
        self._verifying = False
        self._again = SeenIds()
        self._again_unknown = 0
        self._overlapping = False  # other sort orders were read: repeats are expected

    # -- the scan -------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[TItem]:
        self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="apollo-search")
        try:
            yield from self._run()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._sync_stats()

    def _run(self) -> TGen[None]:
        report = self.report
        if self.quota is not None:
            self.quota.before_first()
        first = self.search.page(1)
        info = page_info(first)
        report.total_entries = info.total_entries
        report.plan_more(1)
        if self.quota is not None:
            self.quota.before_pages(info, self.search.per_page)
        self._batch.facets = facet_counts(first)
        report.count_rows("task_type_counts", len(self._batch.facets))
        yield from self._absorb(first)
        yield from self._scan(ROOT, first, info)
        total = info.total_entries
        if total is not None and len(self._tasks) < total:
            yield from self._other_orders(ROOT, total)
        complete = total is not None and len(self._tasks) == total
        if total is not None and len(self._tasks) > total:
            report.warn(
                f"Apollo's task search showed {len(self._tasks)} distinct tasks but a total of"
                f" {total}: the list changed during the scan; nothing will be deleted, run again"
            )
        if complete and report.duplicates and not self._overlapping:
            report.warn(
                f"{report.duplicates} task(s) came twice while paging: the list shifted during the"
                " scan; nothing will be deleted, run again"
            )
            complete = False
        if complete and total:
            complete = yield from self._verify(total)
        report.tasks_seen = len(self._tasks)
        report.unreachable = max(0, (total or 0) - len(self._tasks))
        report.complete = complete and report.unreachable == 0
        if total is None:
            report.warn("Apollo's answer had no total_entries: cannot prove the scan complete")
        elif report.unreachable:
            report.warn(
                f"{report.unreachable} of {total} tasks could not be reached through task search"
                " (display cap; filters ignored): the tasks table is incomplete and nothing was"
                " deleted"
            )
        if not self._batch.empty:
            yield self._flush()
        report.finished_at = utc_now()
        self._sync_stats()
        if self.quota is not None:
            self.quota.after_scan()
        yield report

    def _verify(self, total: int) -> TGen[bool]:
        """Read every page again (ids only) and compare; True when nothing changed."""
        report = self.report
        self._verifying = True
        self._read = set()
        try:
            first = self.search.page(1)
            report.plan_more(1)
            info = page_info(first)
            yield from self._absorb(first)
            yield from self._scan(ROOT, first, info)
            if info.total_entries is not None and len(self._again) < info.total_entries:
                yield from self._other_orders(ROOT, info.total_entries)
            last = self.search.page(1)
            report.plan_more(1)
            yield from self._absorb(last, recheck=True)
        finally:
            self._verifying = False
            if self._memo is not None:
                self._memo.clear()
        totals = (total, info.total_entries, page_info(last).total_entries)
        if len(set(totals)) != 1:
            report.warn(
                "Apollo's task total changed during the scan"
                f" ({' -> '.join(str(t) for t in totals)}); treating the scan as incomplete:"
                " nothing will be deleted, run again"
            )
            return False
        if self._again_unknown or len(self._again) != len(self._tasks):
            report.warn(
                "Apollo's task list changed during the scan (a second read found"
                f" {self._again_unknown} task(s) the first did not, and {len(self._again)} tasks"
                f" against {len(self._tasks)}): tasks were created or deleted while it was read;"
                " treating the scan as incomplete: nothing will be deleted, run again"
            )
            return False
        return True

    def _scan(self, slice_: Slice, first: TSearchPage, info: PageInfo) -> TGen[None]:
        if not self._verifying:
            self.report.slices += 1
        total = info.total_entries
        if total is None:
            yield from self._walk(slice_, DEFAULT_SORT, start=2)
            return
        per_page = effective_per_page(self.search.per_page, info)
        plan = plan_pages(total, per_page, self.cap_records, self.max_pages)
        if not plan.capped:
            truncated = yield from self._fetch(slice_, DEFAULT_SORT, plan, info.rows)
            if not truncated:
                return
        # Over the display cap (known from the total, or learnt from a short page).
        logger.info("%s: %d tasks, over the display cap; splitting", slice_.label, total)
        for dimension in DIMENSIONS:
            if slice_.has(dimension) or dimension in self._ignored:
                continue
            children = self._children(slice_, dimension, first)
            if not children:
                continue
            probes = yield from self._probe(children, total)
            if probes is None:
                continue
            for child, child_first, child_info in probes:
                yield from self._scan(child.slice, child_first, child_info)
            return
        self.report.warn(
            f"task search ({slice_.label}) holds {total} tasks, more than the"
            f" {self.cap_records} Apollo's display cap lets through, and no filter could split it;"
            " reading it in other sort orders"
        )
        if plan.capped:  # the default order's reachable pages were not read yet
            plan = plan_pages(total, per_page, self.cap_records, self.max_pages)
            yield from self._fetch(slice_, DEFAULT_SORT, plan, info.rows)
        self._read.add((slice_, DEFAULT_SORT))
        yield from self._other_orders(slice_, None)

    def _children(self, slice_: Slice, dimension: str, first: TSearchPage) -> list[Child]:
        if dimension == TASK_TYPE_FILTER:
            return type_children(slice_, first)
        if self._users is None:
            try:
                self._users = self._users_loader(self.client)
            except FatalApiError as exc:
                self.report.warn(f"cannot list users to split task search by owner: {exc}")
                self._users = []
        return user_children(slice_, self._users)

    def _probe(self, children: list[Child], parent_total: int) -> TGen[list[TProbe] | None]:
        """Fetch each child's first page; None (and the dimension marked ignored) if unfiltered."""
        verified: list[TProbe] = []
        self._overlapping = True  # a child's first page repeats tasks of its parent's
        head, rest = children[:1], children[1:]
        for group in (head, rest):
            futures = [(c, self._submit(1, c.slice, DEFAULT_SORT)) for c in group]
            self.report.plan_more(len(futures))
            for child, future in futures:
                page = future.result()
                yield from self._absorb(page)
                info = page_info(page)
                if not filter_applied(child, info, parent_total, page.get("tasks") or []):
                    self._ignored.add(child.name)
                    self.report.warn(
                        f"Apollo ignored the {child.name} filter on task search (answered"
                        f" {info.total_entries} tasks for {child.value!r}, expected"
                        f" {child.expected_total if child.expected_total is not None else 'fewer'});"
                        " not splitting by it"
                    )
                    for _, pending in futures:
                        pending.cancel()
                    return None
                verified.append((child, page, info))
        return verified

    def _other_orders(self, slice_: Slice, goal: int | None) -> TGen[None]:
        """Read an over-cap slice in each sort order; each reaches a different window of rows."""
        for sort in SORT_ORDERS:
            seen = self._again if self._verifying else self._tasks
            if (slice_, sort) in self._read or (goal is not None and len(seen) >= goal):
                continue
            self._read.add((slice_, sort))
            self._overlapping = True
            first = self.search.page(1, slice_.as_filters() or None, sort)
            self.report.plan_more(1)
            new = yield from self._absorb(first, other_order=True)
            info = page_info(first)
            if not new or info.total_entries is None:
                continue  # this order shows rows we have (or the sort is not supported)
            per_page = effective_per_page(self.search.per_page, info)
            plan = plan_pages(info.total_entries, per_page, self.cap_records, self.max_pages)
            yield from self._fetch(slice_, sort, plan, info.rows)

    # -- paging ---------------------------------------------------------------------------------

    def _submit(self, page: int, slice_: Slice, sort: TSort) -> Future[TSearchPage]:
        assert self._pool is not None
        return self._pool.submit(self.search.page, page, slice_.as_filters() or None, sort)

    def _submit_ids(self, page: int, slice_: Slice, sort: TSort) -> Future[TSearchPage | KnownPage]:
        """`_submit` for a page only counted: in the second pass, possibly a `KnownPage`."""
        assert self._pool is not None
        fetch = self.search.page_ids if self._verifying else self.search.page
        return self._pool.submit(fetch, page, slice_.as_filters() or None, sort)

    def _fetch(self, slice_: Slice, sort: TSort, plan: PagePlan, first_rows: int) -> TGen[bool]:
        """Fetch pages 2..last of a plan, `concurrency` in flight, in order; True if cut short."""
        reached = self._short(plan, 1, first_rows)
        if reached is not None:
            return True
        window: deque[tuple[int, Future[TSearchPage | KnownPage]]] = deque()
        pages = iter(plan.remaining_pages())
        self.report.plan_more(max(0, plan.last_page - 1))
        truncated = False
        while True:
            while not truncated and len(window) < self.concurrency * 2:
                page = next(pages, None)
                if page is None:
                    break
                window.append((page, self._submit_ids(page, slice_, sort)))
            if not window:
                return truncated
            page, future = window.popleft()
            try:
                data: TSearchPage | KnownPage = future.result()
            except PastCapError:
                data = {"tasks": []}
            yield from self._absorb(data, other_order=sort != DEFAULT_SORT)
            rows = data.rows if isinstance(data, KnownPage) else len(data.get("tasks") or [])
            if not truncated and self._short(plan, page, rows) is not None:
                truncated = True

    def _short(self, plan: PagePlan, page: int, rows: int) -> int | None:
        """When a page holds fewer rows than planned: learn the real cap; returns rows reached."""
        if not is_short(plan, page, rows):
            return None
        reached = (page - 1) * plan.per_page + rows
        if reached < self.cap_records and reached < plan.total_entries:
            self.cap_records = max(1, reached)
            self.report.warn(
                f"Apollo's task search stopped serving rows after {reached} of"
                f" {plan.total_entries} (display cap); splitting the search to reach the rest"
            )
        return reached

    def _walk(self, slice_: Slice, sort: TSort, start: int) -> TGen[None]:
        """Pages without a usable total: one at a time until a short page, never a page twice."""
        paginator = ShortPagePaginator(
            self.search.per_page, base_page=start, maximum_page=self.max_pages
        )
        request = PageRequest()
        paginator.init_request(request)
        if start > self.max_pages:
            return
        while True:
            self.report.plan_more(1)
            try:
                data = self.search.page(paginator.page, slice_.as_filters() or None, sort)
            except PastCapError:
                return
            tasks = data.get("tasks") or []
            new = yield from self._absorb(data)
            paginator.update_state(data, tasks)
            if not paginator.has_next_page or not new:
                return
            paginator.update_request(request)

    # -- records --------------------------------------------------------------------------------

    def _absorb(
        self, page: TSearchPage | KnownPage, recheck: bool = False, other_order: bool = False
    ) -> TGen[int]:
        """Keep the page's unseen tasks (and their unseen contacts/accounts) in the batch.

        An item that is not an object with an `id` is counted as unreadable (never skipped
        silently), once per read of the default order (other orders re-read the same rows; an
        over-cap scan's slices may count one twice: either way the run is incomplete). During the
        verification pass only the ids are kept, to compare (a `KnownPage` brings them)."""
        if isinstance(page, KnownPage):  # only the verification pass asks for one
            again = self._again.add_new_keys(page.id_keys)
            self._again_unknown += self._tasks.count_missing_keys(page.id_keys)
            self.report.page_done()
            return again.count(True)
        items = page.get("tasks") or []
        tasks = [t for t in items if isinstance(t, dict) and t.get("id")]
        if len(tasks) != len(items) and not (self._verifying or recheck or other_order):
            self.report.count_unreadable(
                f"{len(items) - len(tasks)} item(s) of Apollo's task search were not a task with"
                " an `id` (cannot be loaded or keyed)",
                len(items) - len(tasks),
            )
        if self._verifying:
            ids = [str(t["id"]) for t in tasks]
            again = self._again.add_new(ids)
            self._again_unknown += self._tasks.count_missing(ids)
            self.report.page_done()
            return again.count(True)
        fresh = self._tasks.add_new([str(t["id"]) for t in tasks])
        new = [t for t, is_new in zip(tasks, fresh, strict=True) if is_new]
        if not recheck:
            self.report.duplicates += len(tasks) - len(new)
        self.report.count_rows("tasks", len(new))
        fresh_records: dict[str, list[dict[str, Any]]] = {"contact": [], "account": []}
        for key, table, seen in (
            ("contact", "contacts", self._contacts),
            ("account", "accounts", self._accounts),
        ):
            embedded = [t[key] for t in new if isinstance(t.get(key), dict) and t[key].get("id")]
            if not embedded:
                continue
            marks = seen.add_new([str(e["id"]) for e in embedded])
            fresh_records[key] = [e for e, is_new in zip(embedded, marks, strict=True) if is_new]
            self.report.count_rows(table, len(fresh_records[key]))
            if key == "contact":
                phones = sum(
                    len(c["phone_numbers"])
                    for c in fresh_records[key]
                    if isinstance(c.get("phone_numbers"), list)
                )
                self.report.count_rows("contact_phone_numbers", phones)
        self._batch.add(new, fresh_records["contact"], fresh_records["account"])
        self.report.tasks_seen = len(self._tasks)
        self._sync_stats()
        self.report.page_done()
        if self._batch.full:
            yield self._flush()
        return len(new)

    def _flush(self) -> Batch:
        return self._batch.take()

    def _sync_stats(self) -> None:
        stats = self.client.stats
        self.report.requests = stats.requests
        self.report.retries = stats.retries
        self.report.rate_limited = stats.rate_limited
