"""Saleshandy Open API calls that change tasks that exist, and the bulk status poll.

Facts relied on (VENDOR-SPECS.md §2.2; SN = Saleshandy's request contract, SD = its pages):
- `POST /v1/tasks/{taskId}/complete` (`callOutcome` optional), `POST /v1/tasks/{taskId}/skip`
  (empty body), `PATCH /v1/tasks/{taskId}/note` (`note` required): answers not published; 400
  `4000 Failed to ...`, 500 (SN @~383,000, @~402,000, @~407,500).
- `POST /v1/tasks/bulk-skip` `{taskIds}`, at most 100 ids; answers 200 `{bulkActionId, message,
  statusCheckUrl}` and works asynchronously (SN @~378,000; SD bulk-skip).
- `GET /v1/tasks/bulk-status/{bulkActionId}` → `{bulkActionId, action, totalTasks, completed,
  failed, pending, status, createdAt, completedAt, csvDownloadLink}` (SD bulk-status).
- `GET /v1/tasks/{taskId}`: 404 "The requested task could not be found" (SN @~389,000); its
  answer is not published (`tasks.one_task` reads `payload.task` or `payload`).
- No bulk complete, reassign, due-date update or delete of tasks is documented (SN @~378,000-
  410,000; VENDOR-SPECS §2.2 last bullets).

The bulk answers are read flat (as SD shows them) or inside `payload` (the envelope of Saleshandy's
other answers), since no response schema is published. Every change is sent `idempotent=False`:
a lost answer or a 5xx raises `OutcomeUnknownError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sales_tasks.clients.core.client import ApiClient
from sales_tasks.clients.core.errors import BadRequestError, InvalidResponseError
from sales_tasks.clients.saleshandy.endpoints import TASKS, task_path
from sales_tasks.clients.saleshandy.tasks import one_task

BULK_SKIP_MAX = 100  # SD bulk-skip
BULK_SKIP = f"{TASKS}/bulk-skip"
BULK_STATUS = f"{TASKS}/bulk-status"
ONE = "v1/tasks/{taskId}"


def get_task(client: ApiClient, task_id: str) -> dict[str, Any] | None:
    """The task as Saleshandy holds it; None on 404."""
    try:
        body = client.request_json("GET", task_path(task_id), endpoint=ONE)
    except BadRequestError as exc:
        if exc.status == 404:
            return None
        raise
    return one_task(body)


def act(client: ApiClient, task_id: str, action: str, body: dict[str, Any] | None = None) -> Any:
    """`POST .../complete`, `POST .../skip` or `PATCH .../note` (`action`); the decoded answer.

    Raises:
        BadRequestError: 400 (`4000`, e.g. the task is not open), 404.
    """
    method = "PATCH" if action == "note" else "POST"
    return client.request_json(
        method,
        f"{task_path(task_id)}/{action}",
        json=body or {},
        idempotent=False,
        endpoint=f"{ONE}/{action}",
    )


def _flat(answer: Any) -> dict[str, Any]:
    if isinstance(answer, dict) and isinstance(answer.get("payload"), dict):
        return dict(answer["payload"])
    return dict(answer) if isinstance(answer, dict) else {}


def bulk_skip(client: ApiClient, task_ids: Sequence[str]) -> str:
    """`POST /v1/tasks/bulk-skip`; the `bulkActionId` to poll.

    Raises:
        ValueError: not 1..100 ids.
        InvalidResponseError: the answer has no `bulkActionId`.
    """
    if not 1 <= len(task_ids) <= BULK_SKIP_MAX:
        raise ValueError(
            f"a Saleshandy bulk-skip takes 1 to {BULK_SKIP_MAX} ids, got {len(task_ids)}"
        )
    endpoint = BULK_SKIP.lstrip("/")
    answer = client.request_json(
        "POST", BULK_SKIP, json={"taskIds": list(task_ids)}, idempotent=False, endpoint=endpoint
    )
    action_id = _flat(answer).get("bulkActionId")
    if not isinstance(action_id, str | int) or isinstance(action_id, bool) or action_id == "":
        raise InvalidResponseError(
            f"Saleshandy {endpoint} answered without a bulkActionId", endpoint=endpoint
        )
    return str(action_id)


def bulk_status(client: ApiClient, action_id: str) -> dict[str, Any]:
    """`GET /v1/tasks/bulk-status/{bulkActionId}`: `status`, `completed`, `failed`, `pending`..."""
    return _flat(
        client.request_json(
            "GET", f"{BULK_STATUS}/{action_id}", endpoint="v1/tasks/bulk-status/{bulkActionId}"
        )
    )
