"""Saleshandy-shaped JSON of tasks, prospects and assignees.

Saleshandy documents no task schema, so this is the emulator's guess; the documented part is
the id's name, `taskId` (VENDOR-SPECS 0 fact 9), the default of `task_key`. A task reads::

    {"taskId": "7PWYDWW7zo",                  # "id" with task_key = "id"
     "taskType": "13",                        # the create code, a string
     "taskTypeName": "Call follow-up",
     "taskCategory": "call",                  # linkedin | call | whatsapp | custom (list filter)
     "priority": "3",                         # "1" urgent .. "4" low, or null
     "status": "overdue",                     # upcoming | dueToday | overdue | completed | skipped
     "dueDate": "2026-04-22",                 # YYYY-MM-DD in the account's time zone
     "taskNote": "Call to follow up ..." | null,
     "prospect": {"id", "email", "firstName", "lastName"},   # or "prospectId": "..."
     "assignee": {"id": 4107, "firstName", "lastName", "name": "Ava Patel", "email"},
     "sequence": {"id", "name", "stepNumber"} | null,   # null for a task made by hand or API
     "prospectOutcome": "interested" | null,
     "callOutcome": "no_answer" | null,       # call tasks only
     "createdAt": "2026-04-20T10:11:12.000Z",  # left out with task_created_at = false
     "updatedAt": ...,
     "completedAt": ... | null, "skippedAt": ... | null}

`TaskShape` holds the switches (`task_key`, `list_prospect`). `status` is derived: an open task is `upcoming`, `dueToday` or `overdue` by its due date against
today in the configured time zone, so one task's status changes overnight without an update.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sales_tasks.sandbox.saleshandy.data import TYPES_BY_CODE, Assignee, Dataset, Prospect, Task


def iso_ms_z(ms: int | None) -> str | None:
    """`2026-04-20T10:11:12.000Z`, or None."""
    if ms is None:
        return None
    t = time.gmtime(ms // 1000)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:"
        f"{t.tm_sec:02d}.{ms % 1000:03d}Z"
    )


def status(task: Task, today: str) -> str:
    """The status a list shows: completed / skipped, else the open task's due date vs today."""
    if task.state != "open":
        return task.state
    if task.due_date < today:
        return "overdue"
    return "dueToday" if task.due_date == today else "upcoming"


def prospect(p: Prospect) -> dict[str, Any]:
    return {"id": p.id, "email": p.email, "firstName": p.first_name, "lastName": p.last_name}


def assignee(a: Assignee) -> dict[str, Any]:
    return {
        "id": a.id,
        "firstName": a.first_name,
        "lastName": a.last_name,
        "name": f"{a.first_name} {a.last_name}",
        "email": a.email,
    }


@dataclass(frozen=True)
class TaskShape:
    """The guessed parts of a rendered task: its id key, its prospect embedded or by id."""

    key: str = "taskId"
    prospect: str = "embedded"
    created_at: bool = True


HOOK_SHAPE = TaskShape("id", "embedded", True)  # what the test hooks answer (not Saleshandy's)


def task(ds: Dataset, t: Task, today: str, shape: TaskShape = HOOK_SHAPE) -> dict[str, Any]:
    ttype = TYPES_BY_CODE[t.type_code]
    seq = ds.sequences[t.sequence] if t.sequence is not None else None
    who = ds.prospects[t.prospect]
    linked: dict[str, Any] = (
        {"prospect": prospect(who)} if shape.prospect == "embedded" else {"prospectId": who.id}
    )
    shown = {
        shape.key: t.id,
        "taskType": t.type_code,
        "taskTypeName": ttype.name,
        "taskCategory": ttype.category,
        "priority": t.priority,
        "status": status(t, today),
        "dueDate": t.due_date,
        "taskNote": t.note,
        **linked,
        "assignee": assignee(ds.assignees[t.assignee]),
        "sequence": (
            {"id": seq.id, "name": seq.name, "stepNumber": t.step} if seq is not None else None
        ),
        "prospectOutcome": t.prospect_outcome,
        "callOutcome": t.call_outcome,
        "createdAt": iso_ms_z(t.created_ms),
        "updatedAt": iso_ms_z(t.updated_ms),
        "completedAt": iso_ms_z(t.completed_ms),
        "skippedAt": iso_ms_z(t.skipped_ms),
    }
    if not shape.created_at:
        del shown["createdAt"]
    return shown
