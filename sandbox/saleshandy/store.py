"""Mutable state of the Saleshandy sandbox: the seed tasks and prospects plus what happened
since (tasks created by the API or a hook, patches, deletions). `reset()` returns to the seed.

The list and the counts read one "index": a task created through the API shows there only
`index_lag_seconds` after it was made (`GET /v1/tasks/{id}` sees it at once). Both apply the same
filters to the same visible tasks, so the counts always sum to what paging the list returns.
Filtered, sorted orders are cached per (filters, sort, today) and kept in order as tasks are
created (`bisect`: a create costs a binary search per cached order, not a sort of the whole list
at the next read); a patch or a deletion drops them (`bump`). The tasks the index lag still hides
are left out at each read.
"""

from __future__ import annotations

import bisect
import copy
import dataclasses
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sales_tasks.sandbox.saleshandy.data import TYPES_BY_CODE, Dataset, Prospect, Task, make_id
from sales_tasks.sandbox.saleshandy.render import status

STATUSES = ("upcoming", "dueToday", "overdue", "completed", "skipped")
SORT_FIELDS = ("dueDate", "priority", "completedAt", "skippedAt")
STATES_KEPT = ("open", "completed", "skipped")  # what a task is; the five above derive from it
_CACHE_SIZE = 16


@dataclass(frozen=True)
class Filters:
    """The filters of `GET /v1/tasks` (and `/v1/tasks/counts`), already validated."""

    status: str | None = None
    sequence_id: str | None = None
    assignee_ids: tuple[int, ...] | None = None
    prospect_outcome: str | None = None
    task_category: str | None = None
    search: str | None = None
    call_outcome: str | None = None


class Store:
    """Seed tasks plus created ones, in creation order, with patches and deletions."""

    def __init__(self, ds: Dataset, clock: Callable[[], float] = time.time) -> None:
        # The emulator's clock (`sales_tasks.sandbox.core.clock`): the list index lag counts on it.
        self.clock = clock
        self.ds = ds
        self._seed_prospects = list(ds.prospects)
        self.reset()

    def reset(self) -> None:
        self.ds.prospects[:] = self._seed_prospects
        self._prospect_ids = {p.id: i for i, p in enumerate(self.ds.prospects)}
        self.tasks: dict[str, Task] = {t.id: copy.copy(t) for t in self.ds.tasks}
        self.created: list[str] = []  # ids made through POST /v1/tasks/create, in order
        self._walls: list[float] = []  # their wall times (the index lag is counted from these)
        self._made = 0  # tasks made since the start (the id counter)
        self.deleted = 0
        self.version = 0
        self._cache: OrderedDict[tuple[object, ...], _Order] = OrderedDict()

    def bump(self) -> None:
        """Record a change to existing tasks: cached orders are stale."""
        self.version += 1
        self._cache.clear()

    # -- lookups ----------------------------------------------------------------------------------
    def get(self, task_id: str) -> Task | None:
        return self.tasks.get(task_id)

    def prospect_index(self, prospect_id: str) -> int | None:
        return self._prospect_ids.get(prospect_id)

    def hidden(self, lag_seconds: float) -> set[str]:
        """Ids of created tasks the list index has not caught up with yet."""
        if lag_seconds <= 0 or not self.created:
            return set()
        shown = bisect.bisect_right(self._walls, self.clock() - lag_seconds)
        return set(self.created[shown:])

    def select(
        self,
        f: Filters,
        sort_by: str,
        descending: bool,
        today: str,
        lag: float,
        ties: str = "created",
    ) -> list[Task]:
        """Visible tasks matching `f`, sorted (nulls last), ties in creation order (`ties`
        "newest": the newest first)."""
        key = (f, sort_by, descending, today, ties)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._order(f, sort_by, descending, today, ties)
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        hidden = self.hidden(lag)
        if hidden:
            return [t for t in cached.tasks if t.id not in hidden]
        return cached.tasks

    def _order(self, f: Filters, sort_by: str, descending: bool, today: str, ties: str) -> _Order:
        rows = [t for t in self.tasks.values() if self._match(t, f, today)]
        present = [t for t in rows if _sort_value(t, sort_by) is not None]
        absent = [t for t in rows if _sort_value(t, sort_by) is None]
        present.sort(key=lambda t: t.order, reverse=ties == "newest")
        present.sort(key=lambda t: _sort_value(t, sort_by), reverse=descending)  # type: ignore[arg-type,return-value]
        absent.sort(key=lambda t: t.order)
        return _Order(f, sort_by, descending, today, present + absent, len(present), ties)

    def counts(self, f: Filters, today: str, lag: float) -> dict[str, int]:
        """Tasks per status among those the list would show for `f` (its status ignored)."""
        out = dict.fromkeys(STATUSES, 0)
        for t in self.select(dataclasses.replace(f, status=None), "dueDate", False, today, lag):
            out[status(t, today)] += 1
        return out

    def _match(self, t: Task, f: Filters, today: str) -> bool:
        if f.status is not None and status(t, today) != f.status:
            return False
        if f.task_category is not None and TYPES_BY_CODE[t.type_code].category != f.task_category:
            return False
        if f.sequence_id is not None and (
            t.sequence is None or self.ds.sequences[t.sequence].id != f.sequence_id
        ):
            return False
        if f.assignee_ids is not None and self.ds.assignees[t.assignee].id not in f.assignee_ids:
            return False
        if f.prospect_outcome is not None and t.prospect_outcome != f.prospect_outcome:
            return False
        if f.call_outcome is not None and t.call_outcome != f.call_outcome:
            return False
        if f.search:
            p = self.ds.prospects[t.prospect]
            text = f"{p.first_name} {p.last_name} {p.email} {t.note or ''}".lower()
            if f.search.lower() not in text:
                return False
        return True

    # -- mutations --------------------------------------------------------------------------------
    def add(self, task: Task, *, via_api: bool) -> Task:
        """Store a new task; `via_api` ones are subject to the index lag."""
        task.order = len(self.ds.tasks) + self._made
        self._made += 1
        self.tasks[task.id] = task
        if via_api:
            self.created.append(task.id)
            self._walls.append(self.clock())
        self.version += 1
        for order in self._cache.values():
            if self._match(task, order.filters, order.today):
                order.insert(task)
        return task

    def new_id(self) -> str:
        return make_id(self.ds.seed, "made", self._made)

    def delete(self, task_id: str) -> bool:
        if self.tasks.pop(task_id, None) is None:
            return False
        self.deleted += 1
        self.bump()
        return True

    def add_prospect(self, email: str, first_name: str, last_name: str) -> Prospect:
        p = Prospect(
            make_id(self.ds.seed, "added-prospect", len(self.ds.prospects)),
            email,
            first_name,
            last_name,
        )
        self._prospect_ids[p.id] = len(self.ds.prospects)
        self.ds.prospects.append(p)
        return p


@dataclass
class _Order:
    """One cached order of `Store.select` (hidden tasks included): `tasks[:present]` have the
    sort value, in its order then creation order; the rest have none, in creation order."""

    filters: Filters
    sort_by: str
    descending: bool
    today: str
    tasks: list[Task]
    present: int
    ties: str = "created"

    def insert(self, task: Task) -> None:
        """Place a task created after every task here (the last in creation order: after its
        equals, or before them when `ties` is "newest")."""
        value = _sort_value(task, self.sort_by)
        if value is None:
            self.tasks.append(task)
            return
        wrap: Callable[[object], Any] = _Reversed if self.descending else _same
        place = bisect.bisect_left if self.ties == "newest" else bisect.bisect_right
        at = place(
            self.tasks,
            wrap(value),
            0,
            self.present,
            key=lambda t: wrap(_sort_value(t, self.sort_by)),
        )
        self.tasks.insert(at, task)
        self.present += 1


def _same(value: object) -> object:
    return value


@dataclass(frozen=True)
class _Reversed:
    """A sort value compared the other way round (a descending order for `bisect`)."""

    value: Any

    def __lt__(self, other: _Reversed) -> bool:
        return bool(other.value < self.value)


def set_state(task: Task, state: Any) -> None:
    """Make `task` open, completed or skipped now (stamping `completedAt` / `skippedAt`)."""
    if state not in STATES_KEPT:
        raise ValueError(f"state must be one of {', '.join(STATES_KEPT)}")
    now = time.time_ns() // 1_000_000
    task.state = state
    task.completed_ms = now if state == "completed" else None
    task.skipped_ms = now if state == "skipped" else None
    task.updated_ms = now


def _sort_value(t: Task, sort_by: str) -> object:
    if sort_by == "priority":
        return t.priority
    if sort_by == "completedAt":
        return t.completed_ms
    if sort_by == "skippedAt":
        return t.skipped_ms
    return t.due_date
