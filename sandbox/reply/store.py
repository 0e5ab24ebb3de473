"""Mutable task state of the Reply.io emulator: the seed tasks plus what happened since.

State = seed tasks + tasks created via the API (appended, ids continuing the seed's) + changes
made through the hooks (patched or deleted as if done in Reply). `reset()` returns to the seed.

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

from sandbox.reply.data import TASK_ID_BASE, Dataset

TTask = dict[str, Any]


@dataclass
class TaskFilter:
    """What `POST /v3/tasks/filter` narrows by; None means any."""

    start_from: int | None = None
    start_to: int | None = None
    task_types: set[int] | None = None
    statuses: set[int] | None = None
    contact_ids: set[int] | None = None
    user_ids: set[int] | None = None

    def matches(self, task: TTask) -> bool:
        start = task["_start"]
        return (
            (self.start_from is None or start >= self.start_from)
            and (self.start_to is None or start <= self.start_to)
            and (self.task_types is None or task["taskType"] in self.task_types)
            and (self.statuses is None or task["status"] in self.statuses)
            and (self.contact_ids is None or task["contactId"] in self.contact_ids)
            and (self.user_ids is None or task["assignedUserId"] in self.user_ids)
        )


@dataclass
class Created:
    """One task created via the API: the task as answered then, and the request."""

    task_id: int
    answer: TTask
    request: dict[str, Any] = field(default_factory=dict)


class Store:
    """Seed tasks plus created ones, by id, in id order."""

    def __init__(self, ds: Dataset) -> None:
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
            self._hidden[task["id"]] = time.time() + lag_s
        return task

    def add(self, task: TTask, lag_s: float, request: dict[str, Any]) -> TTask:
        """Store a task made via the API and remember it, and the request, as created."""
        self.insert(task, lag_s)
        self.created.append(Created(task["id"], copy.deepcopy(task), request))
        return task

    def delete(self, task_id: int) -> bool:
        self._hidden.pop(task_id, None)
        return self.tasks.pop(task_id, None) is not None

    def listed(self, keep: Callable[[TTask], bool], newest_first: bool) -> list[TTask]:
        """The tasks lists show (index lag applied) that `keep` accepts, by id."""
        now = time.time()
        if self._hidden:
            self._hidden = {i: t for i, t in self._hidden.items() if t > now}
        hidden = self._hidden
        rows = [t for i, t in self.tasks.items() if i not in hidden and keep(t)]
        # Ids only grow, and dicts keep insertion order: already in id order.
        return rows[::-1] if newest_first else rows
