"""The push's reconciliation search: every task Apollo holds for some contacts, in one pass.

Endpoint: `POST /api/v1/tasks/search`. Facts relied on (`shared/api-docs/VENDOR-SPECS.md`):
- Paging is documented only in the query string: `page`, `per_page` (VENDOR-SPECS 3.4, AS L2425,
  L2434), exactly as the extract pages; `per_page` above 100 answers 422 (3.2, AS L4130); one
  search shows at most 50,000 records, 100 per page x 500 pages (3.2, AS L2403).
- The answer's `pagination.total_entries` counts the searched list (3.2), possibly as a string
  (3.5, AS L4226).
- **No filter is documented** (3.2: query params `sort_by_field`, `open_factor_names[]`, `page`,
  `per_page` only). The contacts are sent as `contact_ids` in the JSON body, as third-party
  clients do; Apollo drops keys it does not know and answers the unfiltered list (NOTES 1,
  "Search for Tasks"). A filter counts as honoured only while every task answered is for one of
  the contacts asked for; otherwise the whole list is read and the contacts' tasks kept here.
- **What bounds the reads.** Honoured, the filter bounds them to the contacts' tasks. Ignored,
  nothing documented does: the two documented orders (`sort_by_field`: `task_due_at` most future
  first, `task_priority` highest first; 3.2) do not order by creation, so no read can stop at
  "older than the call". The whole list is read, one pass serving every contact asked for, up to
  the display cap; a bigger list cannot be searched completely and the answer says so.
- Reading a list while it changes can skip a task (a deletion ahead of it shifts it onto a page
  already read); a creation only repeats one. A pass is therefore trusted when the list did not
  change under it (`total_entries` of every page equal, and as many distinct tasks as that
  total; a creation and a deletion between the same two page reads would not show: a residual
  assumption), or when nothing was deleted during it: the default order is undocumented, but
  when the pass's tasks came newest-first (`created_at` never increasing over the tasks in the
  order first seen, checked on the data) tasks created meanwhile land above the first page, and
  the tasks at least as old as the pass's first task, seen at least `total_entries` of the first
  page, prove no deletion. A task created earlier but indexed only during the pass could mask
  one deletion (the residual assumption). Anything else is read again, at most `PASSES` times,
  then left to a person.
- **Pages at once.** A look's first pass asks for the pages after the first `PAGES_AT_ONCE` at a
  time (`pass_at_once`; under 5xx a pass one page after the other waits out each retry in turn).
  Pages served out of order may miss a task a creation moved, so only the count proof holds
  there: every page counted the same `total_entries`, and that many distinct tasks were read.
  Otherwise the passes above follow, one page after the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sales_tasks.clients.apollo.endpoints import TASKS_SEARCH, quota_key
from sales_tasks.clients.apollo.paging import DISPLAY_CAP_PAGES, LOOKUP_PER_PAGE
from sales_tasks.clients.core.client import ApiClient, page_retry
from sales_tasks.clients.core.errors import BadRequestError
from sales_tasks.clients.core.paginators import items_at
from sales_tasks.clients.core.values import lenient_int, parse_utc

SEARCH_PER_PAGE = LOOKUP_PER_PAGE
# Pages after the first one pass asks for at once (`pass_at_once`).
PAGES_AT_ONCE = 8
PASSES = 3
CAPPED = (
    "more tasks than Apollo's search can show (50,000) had to be read to find these contacts'"
    " tasks: check in Apollo, then rerun with --resend-unknown to send the ones that are missing"
)
SHIFTING = (
    "Apollo's task list changed under every one of {passes} reads (tasks deleted while it was"
    " read) or held items without an id, so a task of these contacts may have been missed: check"
    " in Apollo, then rerun with --resend-unknown to send the ones that are missing"
)


@dataclass
class SearchPass:
    """What one read of the search gave: the wanted contacts' tasks and whether to trust it."""

    tasks: list[dict[str, Any]] = field(default_factory=list)
    capped: bool = False
    trusted: bool = False
    filter_ignored: bool = False
    pages: int = 0
    unreadable: int = 0  # items without an id: one may be the task looked for
    listed: list[dict[str, Any]] = field(default_factory=list)  # every task read, list order
    created: list[datetime | None] = field(default_factory=list)  # `created_at` of `listed`
    newest_first: bool = False  # `created_at` never increases over `listed`
    from_kept: int = 0  # tasks taken from a kept read instead of read again (`kept`)


def _created(task: dict[str, Any]) -> datetime | None:
    return parse_utc(task.get("created_at"))


def _newest_first(created: Iterable[datetime | None]) -> bool:
    """Whether `created_at`s (in the order read) never increase (None breaks the proof)."""
    last: datetime | None = None
    for value in created:
        if value is None or (last is not None and value > last):
            return False
        last = value
    return True


def search_pass(
    client: ApiClient,
    contacts: Sequence[str],
    *,
    per_page: int = SEARCH_PER_PAGE,
    max_pages: int = DISPLAY_CAP_PAGES,
    kept: Sequence[dict[str, Any]] = (),
    kept_created: Sequence[datetime | None] = (),
) -> SearchPass:
    """Read the search once for `contacts` and keep their tasks (see the module docstring).

    `kept`: the `listed` tasks of an earlier trusted, newest-first read of the same search (the
    list from its first task to its end, `sales_tasks.destinations.apollo.kept`). The read then
    stops at the page where that first task shows again, when the tasks from it to the list's
    end are as many as were kept and every task read so far came newest first, and takes the
    kept tasks for the rest of the list (see `kept.py` for why that holds). `kept_created`:
    their `created_at`s, parsed (by the earlier read's `SearchPass.created`)."""
    wanted = {str(c) for c in contacts}
    result = SearchPass()
    seen: dict[str, dict[str, Any]] = {}
    order: list[datetime | None] = []
    first_total: int | None = None
    totals: set[int | None] = set()  # every page's `total_entries`
    kept_top = str(kept[0].get("id")) if kept else None
    page = 1
    while True:
        try:
            body = client.request_json(
                "POST",
                TASKS_SEARCH,
                params={"page": page, "per_page": per_page},
                json={"contact_ids": sorted(wanted)},
                endpoint=quota_key(TASKS_SEARCH),
                errors_retry=page_retry(client.retry),
            )
        except BadRequestError as exc:
            if page == 1 or exc.status != 422:
                raise
            result.capped = True  # a page past the display cap may answer 422 (3.2)
            break
        result.pages += 1
        items = items_at(body, "tasks")
        pagination = body.get("pagination") if isinstance(body, dict) else None
        if not isinstance(pagination, dict):
            pagination = {}
        total = lenient_int(pagination.get("total_entries"))
        served = lenient_int(pagination.get("per_page"))
        size = served if served is not None and 0 < served < per_page else per_page
        if page == 1:
            first_total = total
        totals.add(total)
        for task in items:
            if str(task.get("contact_id")) not in wanted:
                result.filter_ignored = True
            if not task.get("id"):
                result.unreadable += 1
                continue
            key = str(task["id"])
            if key not in seen:  # a repeat (a creation shifted the list) is not new evidence
                seen[key] = task
                order.append(_created(task))
        if (
            kept_top is not None
            and _kept_tail_stands(items, kept_top, page, size, total, kept)
            and _newest_first(order)
        ):
            for i, task in enumerate(kept):
                key = str(task.get("id"))
                if key not in seen:
                    seen[key] = task
                    order.append(kept_created[i] if i < len(kept_created) else _created(task))
                    result.from_kept += 1
            break
        done = len(items) < size or (total is not None and page * size >= total)
        if done:
            # A short page before the total, the total unchanged: the display cap (past it
            # Apollo serves an empty page or a 422, VENDOR-SPECS 3.2).
            short_of_total = total is not None and (page - 1) * size + len(items) < total
            result.capped = short_of_total and total == first_total
            break
        if page >= max_pages:
            result.capped = True
            break
        page += 1
    result.tasks = [t for t in seen.values() if str(t.get("contact_id")) in wanted]
    result.listed, result.created = list(seen.values()), order
    result.newest_first = _newest_first(order)
    if first_total is None:
        # No total to check against: the short page that ended the read is all there is.
        result.trusted = not result.capped and not result.unreadable
        return result
    stable = totals == {first_total} and len(seen) == first_total
    newest = order[0] if order else None
    undeleted = (
        newest is not None
        and _newest_first(order)
        and sum(1 for c in order if c is not None and c <= newest)  # `order`: of `seen`
        >= first_total
    )
    result.trusted = not result.capped and not result.unreadable and (stable or undeleted)
    return result


def _kept_tail_stands(
    items: Sequence[Any],
    kept_top: str,
    page: int,
    size: int,
    total: int | None,
    kept: Sequence[dict[str, Any]],
) -> bool:
    """Whether this page shows the kept read's first task with exactly as many tasks from it to
    the list's end as were kept (the page's own `total_entries`, 3.2)."""
    if total is None:
        return False
    for position, task in enumerate(items):
        if isinstance(task, dict) and str(task.get("id")) == kept_top:
            return total - ((page - 1) * size + position) == len(kept)
    return False


def pass_at_once(
    client: ApiClient,
    contacts: Sequence[str],
    *,
    at_once: int = PAGES_AT_ONCE,
    per_page: int = SEARCH_PER_PAGE,
    max_pages: int = DISPLAY_CAP_PAGES,
) -> SearchPass:
    """`search_pass` with the pages after the first read `at_once` at a time.

    Trusted only when every page counted the same `total_entries` and that many distinct tasks
    were read: then every task of the list was seen, whatever order the pages were served in.
    The newest-first proof of `search_pass` assumes pages read in order, so it is not used; a
    pass not trusted here (the list changed while it was read, a page past the display cap, a
    short or missing total) is for `search_pass` to do again, one page after the other.
    """
    wanted = {str(c) for c in contacts}
    result = SearchPass()

    def page_body(page: int) -> Any:
        return client.request_json(
            "POST",
            TASKS_SEARCH,
            params={"page": page, "per_page": per_page},
            json={"contact_ids": sorted(wanted)},
            endpoint=quota_key(TASKS_SEARCH),
            errors_retry=page_retry(client.retry),
        )

    first = page_body(1)
    total = _total(first)
    if total is None:
        return result  # untrusted: `search_pass` reads it
    if total > max_pages * per_page:
        result.pages, result.capped = 1, True  # more than the search can show (3.2)
        return result
    pages = min(max_pages, max(1, -(-total // per_page)))
    bodies = [first]
    if pages > 1:
        try:
            with ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="apollo-search") as ex:
                bodies += list(ex.map(page_body, range(2, pages + 1)))
        except BadRequestError:
            return result  # a page past the display cap, say: `search_pass` reads it
    seen: dict[str, dict[str, Any]] = {}
    for body in bodies:
        result.pages += 1
        if _total(body) != total:
            return SearchPass(pages=result.pages)
        for task in items_at(body, "tasks"):
            if str(task.get("contact_id")) not in wanted:
                result.filter_ignored = True
            if not task.get("id"):
                result.unreadable += 1
                continue
            seen.setdefault(str(task["id"]), task)
    result.tasks = [t for t in seen.values() if str(t.get("contact_id")) in wanted]
    result.listed = list(seen.values())  # pages in order, none shifted (one total throughout)
    result.created = [_created(t) for t in result.listed]
    result.newest_first = _newest_first(result.created)
    result.trusted = not result.unreadable and len(seen) == total and total <= pages * per_page
    return result


def _total(body: Any) -> int | None:
    pagination = body.get("pagination") if isinstance(body, dict) else None
    return lenient_int(pagination.get("total_entries")) if isinstance(pagination, dict) else None
