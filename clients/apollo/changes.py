"""Apollo.io calls that change tasks that exist (update, complete, skip) and read one back.

Facts relied on (VENDOR-SPECS.md §3.2, §0 fact 10; NOTES.md section 1):
- Complete and skip take the task id and an optional `note`; an already completed or skipped
  task answers **422**, a removed one **200 with `deleted: true`** (AD complete-a-task,
  skip-a-task). Update changes owner, priority, due date and details, what may change
  depending on the status (AD tasks overview). Get a task answers the full task (AD get-a-task).
- Recorded real clients send updates as `PUT /v1/tasks/{id}`, a completion as
  `{"status": "completed"}` (NOTES "What recorded real traffic shows"; issue 23).
- Every endpoint is counted on its own (`quota_key`); one task's calls are named by template.

Guesses (VENDOR-SPECS §3.2/§5: the methods and paths of get, update, complete and skip are not
in the sources read): update is `PUT /api/v1/tasks/{id}` (the recorded one); complete/skip go
the same way with `status` (`via="put"`, the default: what real clients send) or by
`POST /api/v1/tasks/{id}/complete|skip` (`via="action"`); get is `GET /api/v1/tasks/{id}`
answering the task, bare or as `{"task": {...}}`; the removed-task answer's `deleted` is read at
the top level or inside `task`.

Every change is sent `idempotent=False`: a lost answer or a 5xx raises `OutcomeUnknownError`.
"""

from __future__ import annotations

from typing import Any

from sales_tasks.clients.core.client import ApiClient
from sales_tasks.clients.core.errors import BadRequestError

TASK = "/api/v1/tasks/{id}"
ONE = "api/v1/tasks/{id}"
RESOLVE_VIA = ("put", "action")
RESOLVED = ("completed", "skipped")


def _path(task_id: str) -> str:
    return TASK.replace("{id}", task_id)


def _task_of(answer: Any) -> dict[str, Any]:
    if isinstance(answer, dict) and isinstance(answer.get("task"), dict):
        return dict(answer["task"])
    return dict(answer) if isinstance(answer, dict) else {}


def was_deleted(answer: Any) -> bool:
    """Whether an answer says the task was removed (`deleted: true`, fact 10)."""
    return bool(
        _task_of(answer).get("deleted") or (isinstance(answer, dict) and answer.get("deleted"))
    )


def get_task(client: ApiClient, task_id: str) -> dict[str, Any] | None:
    """The task as Apollo holds it; None on 404 (unknown or removed)."""
    try:
        answer = client.request_json("GET", _path(task_id), endpoint=ONE)
    except BadRequestError as exc:
        if exc.status == 404:
            return None
        raise
    task = _task_of(answer)
    return None if was_deleted(answer) or not task else task


def update_task(client: ApiClient, task_id: str, fields: dict[str, Any]) -> Any:
    """`PUT /api/v1/tasks/{id}` with the changed fields (`user_id`, `priority`, `due_at`,
    `note`); the decoded answer."""
    return client.request_json("PUT", _path(task_id), json=fields, idempotent=False, endpoint=ONE)


def resolve_task(
    client: ApiClient, task_id: str, status: str, *, note: str | None = None, via: str = "put"
) -> Any:
    """Complete (`status="completed"`) or skip (`"skipped"`) a task; the decoded answer.

    Raises:
        BadRequestError: 422 when it is already completed or skipped.
    """
    if status not in RESOLVED or via not in RESOLVE_VIA:
        raise ValueError(f"status must be one of {RESOLVED} and via one of {RESOLVE_VIA}")
    body: dict[str, Any] = {} if note is None else {"note": note}
    if via == "put":
        return update_task(client, task_id, {"status": status, **body})
    action = "complete" if status == "completed" else "skip"
    return client.request_json(
        "POST",
        f"{_path(task_id)}/{action}",
        json=body,
        idempotent=False,
        endpoint=f"{ONE}/{action}",
    )
