"""Saleshandy's asynchronous bulk task actions: bulk skip, bulk snooze and their status poll.

Facts relied on (VENDOR-SPECS.md §2.2; SN = Saleshandy's request contract, SD = its pages):
- `POST /v1/tasks/bulk-skip` `{taskIds: string[]}` (required), at most **100** ids a call;
  `POST /v1/tasks/bulk-snooze` `{taskIds, snoozeUntil}` (both required), at most **10,000**.
  Both answer 200 `{bulkActionId, message, statusCheckUrl}`: the work is done later (SN @~378,000,
  @~381,000; SD bulk-skip, bulk-snooze). Errors 400 (`4000`), 500.
- `GET /v1/tasks/bulk-status/{bulkActionId}` answers `{bulkActionId, action, totalTasks,
  completed, failed, pending, status, createdAt, completedAt, csvDownloadLink}`; the CSV lists
  the failures (SD bulk-status).
- No bulk complete, un-skip, reassign, due-date update or delete of tasks is documented (SN task
  operations @~378,000-410,000).

Guesses (switches in `SaleshandyConfig`, rows in its `FACTS_AND_GUESSES`): a bulk action is done
`bulk_seconds` after it was accepted, on the emulator's clock (`sales_tasks.sandbox.core.clock`);
until then its status is `inProgress` with every task `pending`, then `completed`. A task that
is missing or no longer open fails (a skip or snooze of a completed task is refused as the
single calls are). The answers are flat, as the pages show them (no `payload` envelope); the
over-limit refusal is 400 `{"message", "code": 4000}`. `csvDownloadLink` is a sandbox URL, set
only when some failed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson

from sales_tasks.sandbox.core.http import Response
from sales_tasks.sandbox.saleshandy import params as P
from sales_tasks.sandbox.saleshandy.endpoints import error
from sales_tasks.sandbox.saleshandy.store import set_state

if TYPE_CHECKING:
    from sales_tasks.sandbox.saleshandy.state import SaleshandyState

STATUS_PREFIX = "/v1/tasks/bulk-status/"
_ids = itertools.count(1)


@dataclass
class BulkAction:
    """One accepted bulk action, done once the clock passes `due`."""

    action_id: str
    action: str  # skip | snooze
    task_ids: list[str]
    created: float
    due: float
    snooze_until: str | None = None
    done: bool = False
    completed: int = 0
    failed: list[str] = field(default_factory=list)


def route(method: str, path: str) -> tuple[str, Any] | None:
    """(rate-limit name, handler) of a bulk call at `path`, or None."""
    if method == "POST" and path == "/v1/tasks/bulk-skip":
        return "v1/tasks/bulk-skip", lambda app, params: _accept(app, params, "skip")
    if method == "POST" and path == "/v1/tasks/bulk-snooze":
        return "v1/tasks/bulk-snooze", lambda app, params: _accept(app, params, "snooze")
    if method == "GET" and path.startswith(STATUS_PREFIX) and len(path) > len(STATUS_PREFIX):
        action_id = path[len(STATUS_PREFIX) :]
        return "v1/tasks/bulk-status/{bulkActionId}", lambda app, params: _status(app, action_id)
    return None


def actions(app: SaleshandyState) -> dict[str, BulkAction]:
    """The bulk actions of `app` (kept on its state; `reset` empties them)."""
    found: dict[str, BulkAction] = app.bulk_actions
    return found


def settle(app: SaleshandyState) -> None:
    """Do the bulk actions whose time has come (before any API call is answered)."""
    now = app.clock.now()
    for bulk in actions(app).values():
        if bulk.done or bulk.due > now:
            continue
        for task_id in bulk.task_ids:
            task = app.store.get(task_id)
            if task is None or task.state != "open":
                bulk.failed.append(task_id)
            elif bulk.action == "skip":
                set_state(task, "skipped")
                bulk.completed += 1
            else:
                task.due_date = str(bulk.snooze_until)[:10]
                bulk.completed += 1
        bulk.done = True
        app.store.bump()


def _accept(app: SaleshandyState, params: dict[str, Any], action: str) -> Response:
    task_ids = params.get("taskIds")
    if (
        not isinstance(task_ids, list)
        or not task_ids
        or not all(isinstance(t, str) and t for t in task_ids)
    ):
        raise P.BadInput("taskIds must be a non-empty array of task ids (strings)")
    most = app.cfg.max_bulk_skip if action == "skip" else app.cfg.max_bulk_snooze
    if len(task_ids) > most:
        return Response(
            400,
            orjson.dumps(
                {"message": f"taskIds must contain no more than {most} elements", "code": 4000}
            ),
        )
    until = P.date_time(params, "snoozeUntil") if action == "snooze" else None
    now = app.clock.now()
    action_id = f"bulk{next(_ids):06d}"
    actions(app)[action_id] = BulkAction(
        action_id, action, list(task_ids), now, now + app.cfg.bulk_seconds, until
    )
    verb = "skip" if action == "skip" else "snooze"
    return Response(
        200,
        orjson.dumps(
            {
                "bulkActionId": action_id,
                "message": f"Bulk {verb} of {len(task_ids)} tasks started",
                "statusCheckUrl": f"/v1/tasks/bulk-status/{action_id}",
            }
        ),
    )


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _status(app: SaleshandyState, action_id: str) -> Response:
    bulk = actions(app).get(action_id)
    if bulk is None:
        return error("The requested bulk action could not be found", 404)
    total = len(bulk.task_ids)
    body = {
        "bulkActionId": bulk.action_id,
        "action": bulk.action,
        "totalTasks": total,
        "completed": bulk.completed,
        "failed": len(bulk.failed),
        "pending": 0 if bulk.done else total,
        "status": "completed" if bulk.done else "inProgress",
        "createdAt": _iso(bulk.created),
        "completedAt": _iso(bulk.due) if bulk.done else None,
        "csvDownloadLink": f"/_sandbox/bulk/{action_id}.csv" if bulk.failed else None,
    }
    return Response(200, orjson.dumps(body))
