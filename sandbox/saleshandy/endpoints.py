"""Saleshandy endpoints: task create, task list, one task, task counts, assignees, prospects.

Facts relied on (seed 003, NOTES.md section 2):
- `POST /v1/tasks/create` takes `prospectIds[]` and `taskType` (a string code) required,
  `priority` "1".."4" (none when omitted), `dueDate` YYYY-MM-DD (default today), `taskNote`;
  it answers `{"message": "Task created successfully", "payload": {"results": [{"prospectId",
  "taskId", "success"}]}}`, one result per prospect: an unknown prospect fails alone
  (`taskId: null, success: false`). Status (`create_status`), the most prospectIds
  (`max_prospect_ids`, refused with `too_many_prospects_status`), the result order
  (`results_order`), a reason on failures (`failure_reason`) are switches.
- `GET /v1/tasks`: `page`, `pageSize` (max 100), `sortOrder` ASC|DESC, `sortBy`
  priority|completedAt|skippedAt|dueDate, `status` upcoming|dueToday|completed|skipped|overdue,
  `sequenceId`, `taskAssignee`, `prospectOutcome`, `taskType` linkedin|call|whatsapp|custom,
  `search`, `callOutcome`; no totals; `payload` an array or `{"tasks": [...]}` (`list_payload`).
- `GET /v1/tasks/{taskId}`: 404 `The requested task could not be found` (SN @~389,500); the
  task at `payload.task` as snooze answers it (SD snooze), or `payload` (`one_task_payload`).
- Every task is keyed `taskId` (VENDOR-SPECS 0 fact 9; `task_key` plays `id`).
- `GET /v1/tasks/counts`, `GET /v1/tasks/assignee/list`, `GET /v1/prospects?search=` (payload
  an array; a text search, not an exact email lookup).
- `POST /v1/tasks/{id}/complete|skip|snooze`, `PATCH /v1/tasks/{id}/note` exist (spec, 3p); their
  bodies and answers are not documented.

- Snooze takes `snoozeUntil` (date-time, required) and an optional `callOutcome`, and answers
  `{"task": {taskId, status: "snoozed", snoozedUntil, callOutcome}}` (SN @~404,000; SD snooze);
  note takes `note` (required, SN @~407,500).

Guesses: a task made through the API is assigned to the key's owner (the first assignee) with no
sequence; the default sort is `dueDate` ASC; nulls sort last both ways, ties in creation order;
counts take the list's filters except `status`; prospects search matches a substring of the
email or name, case-insensitively, exact email matches first; the task actions answer the task,
a snoozed task is due on the day it was snoozed until (not in the past), and a task already
completed or skipped cannot be completed, skipped or snoozed (400 `Task is already completed`;
with `repeat_action = "200"`, completing a completed task or skipping a skipped one answers 200
with the task, unchanged).
Complete, skip and note answer the whole task at `payload.task` (the envelope snooze documents).
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING, Any

import orjson

from sales_tasks.sandbox.core.http import Response
from sales_tasks.sandbox.saleshandy import params as P
from sales_tasks.sandbox.saleshandy import render
from sales_tasks.sandbox.saleshandy.data import CATEGORIES, PRIORITIES, TYPES_BY_CODE, Task
from sales_tasks.sandbox.saleshandy.store import SORT_FIELDS, STATUSES, Filters, set_state

if TYPE_CHECKING:
    from sales_tasks.sandbox.saleshandy.state import SaleshandyState

NOT_FOUND = "The requested task could not be found"


def ok(payload: Any, message: str, status: int = 200) -> Response:
    return Response(status, orjson.dumps({"message": message, "payload": payload}))


def error(message: str, status: int = 400) -> Response:
    return Response(status, orjson.dumps({"message": message}))


def create(app: SaleshandyState, params: dict[str, Any]) -> Response:
    cfg = app.cfg
    ids = P.prospect_ids(params)
    if len(ids) > cfg.max_prospect_ids:
        return error(
            f"prospectIds must contain no more than {cfg.max_prospect_ids} elements",
            cfg.too_many_prospects_status,
        )
    type_code = params.get("taskType")
    if not isinstance(type_code, str) or type_code not in TYPES_BY_CODE:
        raise P.BadInput(f"taskType must be one of {', '.join(TYPES_BY_CODE)} (a string)")
    priority = params.get("priority")
    if priority is not None and priority not in PRIORITIES:
        raise P.BadInput(f"priority must be one of {', '.join(PRIORITIES)} (a string)")
    due = P.due_date(params, app.today())
    note = P.text(params, "taskNote")
    if cfg.duplicate_prospect_ids == "once":
        ids = list(dict.fromkeys(ids))
    results: list[dict[str, Any]] = []
    for pid in ids:
        index = app.store.prospect_index(pid)
        if index is None:
            failed: dict[str, Any] = {"prospectId": pid, "taskId": None, "success": False}
            if cfg.failure_reason:
                failed["message"] = "Prospect not found"
            results.append(failed)
            continue
        made = app.store.add(new_task(app, index, type_code, priority, due, note), via_api=True)
        results.append({"prospectId": pid, "taskId": made.id, "success": True})
    app.creates += 1
    if cfg.results_order == "shuffled":
        random.Random(f"{cfg.seed}:{app.creates}").shuffle(results)
    return ok({"results": results}, "Task created successfully", cfg.create_status)


def new_task(
    app: SaleshandyState,
    prospect: int,
    type_code: str,
    priority: str | None,
    due: str,
    note: str | None,
    assignee: int = 0,
) -> Task:
    """A new open task; ordered and counted by the store when added."""
    now = time.time_ns() // 1_000_000
    return Task(
        id=app.store.new_id(),
        type_code=type_code,
        priority=priority,
        state="open",
        due_date=due,
        note=note,
        prospect=prospect,
        assignee=assignee,
        sequence=None,
        step=None,
        created_ms=now,
        updated_ms=now,
    )


def filters(params: dict[str, Any], with_status: bool = True) -> Filters:
    return Filters(
        status=P.choice(params, "status", STATUSES) if with_status else None,
        sequence_id=P.text(params, "sequenceId"),
        assignee_ids=P.int_list(params, "taskAssignee"),
        prospect_outcome=P.text(params, "prospectOutcome"),
        task_category=P.choice(params, "taskType", CATEGORIES),
        search=P.text(params, "search"),
        call_outcome=P.text(params, "callOutcome"),
    )


def page_window(app: SaleshandyState, params: dict[str, Any]) -> tuple[int, int] | Response:
    """(start, size) of the page asked for, or the refusal of a too large pageSize."""
    cfg = app.cfg
    page = P.int_param(params, "page", 1)
    size = P.int_param(params, "pageSize", cfg.default_page_size)
    if size > cfg.max_page_size:
        if cfg.page_size_over_max == "400":
            return error(f"pageSize must not be greater than {cfg.max_page_size}")
        size = cfg.max_page_size
    return (page - 1) * size, size


def list_tasks(app: SaleshandyState, params: dict[str, Any]) -> Response:
    window = page_window(app, params)
    if isinstance(window, Response):
        return window
    start, size = window
    sort_by = P.choice(params, "sortBy", SORT_FIELDS) or "dueDate"
    order = P.choice(params, "sortOrder", ("ASC", "DESC")) or "ASC"
    today = app.today()
    rows = app.store.select(
        filters(params),
        sort_by,
        order == "DESC",
        today,
        app.cfg.index_lag_seconds,
        app.cfg.list_ties,
    )[start : start + size]
    shape = app.shape()
    tasks = [render.task(app.ds, t, today, shape) for t in rows]
    payload: Any = tasks if app.cfg.list_payload == "array" else {"tasks": tasks}
    return ok(payload, "Tasks fetched successfully")


def get_task(app: SaleshandyState, task_id: str) -> Response:
    found = app.store.get(task_id)
    if found is None:
        return error(NOT_FOUND, 404)
    shown = render.task(app.ds, found, app.today(), app.shape())
    payload = {"task": shown} if app.cfg.one_task_payload == "task" else shown
    return ok(payload, "Task fetched successfully")


def act(app: SaleshandyState, params: dict[str, Any]) -> Response:
    """`POST /v1/tasks/{id}/complete|skip|snooze`, `PATCH /v1/tasks/{id}/note`."""
    task = app.store.get(params["taskId"])
    if task is None:
        return error(NOT_FOUND, 404)
    action = params["action"]
    if action == "note":
        if not isinstance(params.get("note"), str):
            raise P.BadInput("note is required")
        task.note = P.text(params, "note")
        task.updated_ms = time.time_ns() // 1_000_000
    elif task.state != "open":
        same = {"complete": "completed", "skip": "skipped"}.get(action) == task.state
        if not (same and app.cfg.repeat_action == "200"):
            return error(f"Task is already {task.state}")
    elif action == "snooze":
        until = P.date_time(params, "snoozeUntil")
        if until[:10] < app.today():
            raise P.BadInput("snoozeUntil must not be in the past")
        task.due_date, task.updated_ms = until[:10], time.time_ns() // 1_000_000
        app.store.bump()
        snoozed = {"taskId": task.id, "status": "snoozed", "snoozedUntil": until,
                   "callOutcome": P.text(params, "callOutcome")}  # fmt: skip
        return ok({"task": snoozed}, "Task snoozed successfully")
    else:
        set_state(task, "completed" if action == "complete" else "skipped")
    app.store.bump()
    done = {"complete": "completed", "skip": "skipped", "snooze": "snoozed", "note": "updated"}
    shown = render.task(app.ds, task, app.today(), app.shape())
    return ok({"task": shown}, f"Task {done[action]} successfully")


def counts(app: SaleshandyState, params: dict[str, Any]) -> Response:
    got = app.store.counts(
        filters(params, with_status=False), app.today(), app.cfg.index_lag_seconds
    )
    return ok(got, "Task counts fetched successfully")


def assignees(app: SaleshandyState, params: dict[str, Any]) -> Response:
    return ok([render.assignee(a) for a in app.ds.assignees], "Assignees fetched successfully")


def prospects(app: SaleshandyState, params: dict[str, Any]) -> Response:
    window = page_window(app, params)
    if isinstance(window, Response):
        return window
    start, size = window
    needle = (P.text(params, "search") or "").strip().lower()
    everyone = app.ds.prospects
    if needle:
        hits = [
            p
            for p in everyone
            if needle in p.email.lower() or needle in f"{p.first_name} {p.last_name}".lower()
        ]
        hits.sort(key=lambda p: p.email.lower() != needle)  # exact email first, stable
    else:
        hits = list(everyone)
    return ok(
        [render.prospect(p) for p in hits[start : start + size]], "Prospects fetched successfully"
    )
