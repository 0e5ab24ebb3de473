"""Mutable task state of the Reply.io emulator: the seed tasks plus what happened since.

State = seed tasks + tasks created via the API (appended, ids continuing the seed's) + changes
made through the hooks (patched or deleted as if done in Reply). `reset()` returns to the seed.

A deleted task is cancelled (open) or archived (finished) and leaves every task list
(VENDOR-SPECS §1.3, RS @1,723,200); it is kept, so `GET /v3/tasks/{id}` can answer it (or 404:
`deleted_by_id`, a guess).

Lists read an index that may lag: a task created a moment ago shows in `GET /v3/tasks` and
`POST /v3/tasks/filter` only `index_lag_seconds` later (`GET /v3/tasks/{id}` sees it at once).
A guess: the real lag is unknown.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sales_tasks.sandbox.reply.data import TASK_ID_BASE, Dataset
from sales_tasks.sandbox.reply.enums import ARCHIVED, CANCELLED, FINISHED

TTask = dict[str, Any]


@dataclass
class TaskFilter:
    """What `POST /v3/tasks/filter` narrows by (RS @1,710,000); None means any. The window on
    `startAt` is always set: the caller's `from`/`to`, else 2000-01-01 and now + 1 year."""

    start_from: int | None = None
    start_to: int | None = None
    task_type: int | None = None
    status: int | None = None
    contact_id: int | None = None
    user_id: int | None = None
    sequence_ids: set[int] | None = None

    def matches(self, task: TTask) -> bool:
        start = task["_start"]
        return (
            (self.start_from is None or start >= self.start_from)
            and (self.start_to is None or start <= self.start_to)
            and (self.task_type is None or task["taskType"] == self.task_type)
            and (self.status is None or task["status"] == self.status)
            and (self.contact_id is None or task["contactId"] == self.contact_id)
            and (self.user_id is None or task["assignedUserId"] == self.user_id)
            and (self.sequence_ids is None or task["sequenceId"] in self.sequence_ids)
        )


@dataclass
class Created:
    """One task created via the API: the task as answered then, and the request."""

    task_id: int
    answer: TTask
    request: dict[str, Any] = field(default_factory=dict)


class Store:
    """Seed tasks plus created ones, by id, in id order."""

    def __init__(self, ds: Dataset, clock: Callable[[], float] = time.time) -> None:
        # The emulator's clock (`sales_tasks.sandbox.core.clock`): the list index lag counts on it.
        self.clock = clock
        self.ds = ds
        self.reset()

    def reset(self) -> None:
        # Shallow copies: changes replace a task's values (`template` too), never edit them.
        self.tasks: dict[int, TTask] = {t["id"]: dict(t) for t in self.ds.tasks}
        self.created: list[Created] = []
        self._hidden: dict[int, float] = {}  # created id -> wall time it shows in lists
        self.next_id = TASK_ID_BASE + len(self.ds.tasks)

    def get(self, task_id: int) -> TTask | None:
        return self.tasks.get(task_id)

    def insert(self, task: TTask, lag_s: float = 0.0) -> TTask:
        """Store a new task (its id assigned here); lists see it after `lag_s` seconds."""
        task["id"] = self.next_id
        self.next_id += 1
        self.tasks[task["id"]] = task
        if lag_s > 0:
            self._hidden[task["id"]] = self.clock() + lag_s
        return task

    def add(self, task: TTask, lag_s: float, request: dict[str, Any]) -> TTask:
        """Store a task made via the API and remember it, and the request, as created."""
        self.insert(task, lag_s)
        self.created.append(Created(task["id"], copy.deepcopy(task), request))
        return task

    def delete(self, task_id: int) -> bool:
        """Delete as Reply does: an open task becomes cancelled, a finished one archived, and
        it leaves the lists."""
        task = self.tasks.get(task_id)
        if task is None or task.get("_deleted"):
            return False
        self._hidden.pop(task_id, None)
        task["status"] = ARCHIVED if task["status"] == FINISHED else CANCELLED
        task["_deleted"] = True
        return True

    def listed(self, keep: Callable[[TTask], bool], newest_first: bool) -> list[TTask]:
        """The tasks lists show (index lag applied) that `keep` accepts, by id."""
        now = self.clock()
        if self._hidden:
            self._hidden = {i: t for i, t in self._hidden.items() if t > now}
        hidden = self._hidden
        rows = [
            t for i, t in self.tasks.items() if i not in hidden and not t["_deleted"] and keep(t)
        ]
        # Ids only grow, and dicts keep insertion order: already in id order.
        return rows[::-1] if newest_first else rows
