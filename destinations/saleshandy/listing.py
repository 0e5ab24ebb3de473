"""What one page of Saleshandy's task list says, for reconciliation's read
(`sales_tasks.destinations.saleshandy.search`): the tasks of the wanted prospects, whether the
pages are in due-date order, a page's task ids, and the pages kept from one instant of the list.

Facts relied on (VENDOR-SPECS.md section 2.2, SN @~393,500; item shape in
`sales_tasks.clients.saleshandy.tasks`): a page holds at most 100 tasks (`MAX_PAGE_SIZE`), no
totals, so a short page ends the list; an item is keyed `taskId` or `id`, its prospect embedded
or by id (unpublished); `dueDate` is `YYYY-MM-DD`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sales_tasks.clients.saleshandy.paging import MAX_PAGE_SIZE
from sales_tasks.clients.saleshandy.tasks import prospect_id_of, task_id_of

# Stop guard of reconciliation's list read: 10,000 pages of 100 tasks.
SEARCH_MAX_PAGES = 10_000

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


def page_ids(entries: list[Any] | None) -> list[str] | None:
    """The task ids of a page in order (None: an item without one, or no page)."""
    if entries is None:
        return None
    ids = [task_id_of(e) if isinstance(e, dict) else None for e in entries]
    return None if any(i is None for i in ids) else [str(i) for i in ids]


def same_page(a: list[Any] | None, b: list[Any] | None) -> bool:
    """Whether two reads of one page list the same tasks in the same order (both non-empty and
    every item with an id: an empty page or an item without an id proves nothing)."""
    ids = page_ids(a)
    return bool(ids) and ids == page_ids(b)


def ordered_days(entries: list[Any]) -> list[str] | None:
    """The due dates (`YYYY-MM-DD`) of a page's items, if every item has one and they run
    newest first (None: its order or its due dates cannot be trusted to skip anything)."""
    dues = [text_or_none(e.get("dueDate")) if isinstance(e, dict) else None for e in entries]
    if any(d is None for d in dues):
        return None
    days = [str(d)[:10] for d in dues]
    if any(later > earlier for earlier, later in zip(days, days[1:], strict=False)):
        return None
    return days


def reaches(entries: list[Any], ceiling: str) -> bool | None:
    """Whether a page may hold a task due on or before `ceiling` (None: its order or its due
    dates cannot be trusted to skip anything)."""
    days = ordered_days(entries)
    if days is None:
        return None
    return len(days) < MAX_PAGE_SIZE or days[-1] <= ceiling


def last_due(entries: list[Any]) -> str | None:
    """The due date of a page's last item (None: empty, or it has none)."""
    if not entries or not isinstance(entries[-1], dict):
        return None
    return text_or_none(entries[-1].get("dueDate"))


@dataclass
class Segment:
    """Pages `first` .. `last` as they were at one instant of the list, every one full.

    Proven one instant by a read of `last` before and after the others, or by every page read
    twice alike (`sales_tasks.destinations.saleshandy.search`). Tasks only enter the list, so
    when `last`, read again later, lists the same tasks in the same order, nothing entered
    anywhere before its end in between: every page up to `last` is still as kept here, and a
    read may take them from here instead of asking for them again."""

    first: int
    pages: list[list[Any]]

    @property
    def last(self) -> int:
        return self.first + len(self.pages) - 1

    def covers(self, page: int) -> bool:
        return self.first <= page <= self.last

    def from_page(self, page: int) -> list[list[Any]]:
        return self.pages[page - self.first :]


def full_prefix(first: int, pages: list[list[Any] | None]) -> Segment | None:
    """The pages of one instant from `first` up to the last full one, as a `Segment` (None when
    the first is not full)."""
    kept: list[list[Any]] = []
    for entries in pages:
        if entries is None or len(entries) < MAX_PAGE_SIZE:
            break
        kept.append(entries)
    return Segment(first, kept) if kept else None
