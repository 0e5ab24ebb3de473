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
  change under it (`total_entries` of its first and last page equal, and as many distinct tasks
  as that total), or when nothing was deleted during it: the default order is undocumented, but
  when the pass's tasks came newest-first (`created_at` never increasing over the tasks in the
  order first seen, checked on the data) tasks created meanwhile land above the first page, and
  the tasks at least as old as the pass's first task, seen at least `total_entries` of the first
  page, prove no deletion. A task created earlier but indexed only during the pass could mask
  one deletion (the residual assumption). Anything else is read again, at most `PASSES` times,
  then left to a person.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sales_tasks.clients.apollo.endpoints import TASKS_SEARCH, quota_key
from sales_tasks.clients.apollo.paging import DISPLAY_CAP_PAGES, LOOKUP_PER_PAGE
from sales_tasks.clients.core.errors import BadRequestError
from sales_tasks.clients.core.paginators import JsonRequester, items_at
from sales_tasks.clients.core.values import lenient_int, parse_utc

SEARCH_PER_PAGE = LOOKUP_PER_PAGE
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
    client: JsonRequester,
    contacts: Sequence[str],
    *,
    per_page: int = SEARCH_PER_PAGE,
    max_pages: int = DISPLAY_CAP_PAGES,
) -> SearchPass:
    """Read the search once for `contacts` and keep their tasks (see the module docstring)."""
    wanted = {str(c) for c in contacts}
    result = SearchPass()
    seen: dict[str, dict[str, Any]] = {}
    order: list[datetime | None] = []
    first_total: int | None = None
    last_total: int | None = None
    page = 1
    while True:
        try:
            body = client.request_json(
                "POST",
                TASKS_SEARCH,
                params={"page": page, "per_page": per_page},
                json={"contact_ids": sorted(wanted)},
                endpoint=quota_key(TASKS_SEARCH),
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
        last_total = total
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
    if first_total is None:
        # No total to check against: the short page that ended the read is all there is.
        result.trusted = not result.capped and not result.unreadable
        return result
    stable = last_total == first_total and len(seen) == first_total
    newest = order[0] if order else None
    undeleted = (
        newest is not None
        and _newest_first(order)
        and sum(1 for t in seen.values() if (c := _created(t)) is not None and c <= newest)
        >= first_total
    )
    result.trusted = not result.capped and not result.unreadable and (stable or undeleted)
    return result


def contact_tasks(
    client: JsonRequester, contacts: Sequence[str], *, passes: int = PASSES
) -> tuple[list[dict[str, Any]] | None, str]:
    """Every task Apollo holds for `contacts`, or (None, why) when that cannot be known."""
    for _ in range(max(1, passes)):
        found = search_pass(client, contacts)
        if found.capped:
            return None, CAPPED
        if found.trusted:
            return found.tasks, ""
    return None, SHIFTING.format(passes=passes)
