"""Reply.io API v3 calls that change tasks that exist: update, reassign, complete, delete, and
their batch forms.

Facts relied on (VENDOR-SPECS.md §1.1-1.4; RS = Reply's OpenAPI 3.1 bundle):
- `PUT /v3/tasks/{id}`: TaskUpdateRequest, a **full replacement** (`taskType`, `startAt`,
  `dueTo`, `template` required, as on create); 200 Task; only status `new` is editable, else 400
  `task.unknown` (RS @1,718,500, @1,721,000).
- `DELETE /v3/tasks/{id}`: 204, no body; open → `cancelled`, finished → `archived`, both leave
  the lists; 400 `task.unknown` when it cannot be deleted (RS @1,723,000).
- `PUT /v3/tasks/{id}/assigned-user` `{userId}`: 200 Task; 403 for a user off the caller's team
  (RS @1,727,000).
- `POST /v3/tasks/{id}/complete` (`{}` ok): 200 Task; 409 `task.cannotComplete` when not open
  (RS @1,729,800).
- `POST /v3/tasks/batch/complete` `{ids}`, `POST /v3/tasks/batch/assign` `{ids, userId}`,
  `POST /v3/tasks/bulk-delete` `{ids}`: `ids` 1..100 integers; 200 with a map id →
  `{error, errorDetails}` of the ids **not** processed (`{}` = all were); `error` is
  `notFound` or (batch/complete) `cannotComplete` (RS @1,738,500-1,746,000; the field is
  `error`, not `code`, §1.2).
- Scopes: update, delete, reassign, bulk-delete, batch/assign need `tasks:write`; complete and
  batch/complete `tasks:operate` (§1.1).

Every call here changes state, so it is sent `idempotent=False`: a lost answer or a 5xx raises
`OutcomeUnknownError` instead of being resent blindly (the caller reads the task back).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

from sales_tasks.clients.core.client import ApiClient
from sales_tasks.clients.core.errors import BadRequestError, InvalidResponseError
from sales_tasks.clients.reply.endpoints import TASKS, task_path

BATCH_MAX = 100  # ids per batch/bulk call (RS @1,738,500, @1,741,500, @1,745,200)
BATCH_COMPLETE = f"{TASKS}/batch/complete"
BATCH_ASSIGN = f"{TASKS}/batch/assign"
BULK_DELETE = f"{TASKS}/bulk-delete"
ONE = "v3/tasks/{id}"  # how one task's calls are named in messages and counted


class TNotProcessed(TypedDict):
    """Why a batch did not process one id (`NotProcessedItemResult`, RS @536,000)."""

    error: str
    errorDetails: str | None


def get_task(client: ApiClient, task_id: int | str) -> dict[str, Any] | None:
    """`GET /v3/tasks/{id}`: the task's detail, None on 404 `task.notFound` (RS @1,714,800)."""
    try:
        found = client.request_json("GET", task_path(task_id), endpoint=ONE)
    except BadRequestError as exc:
        if exc.status == 404:
            return None
        raise
    return found if isinstance(found, dict) else None


def update_task(client: ApiClient, task_id: int | str, body: dict[str, Any]) -> dict[str, Any]:
    """`PUT /v3/tasks/{id}` with the full TaskUpdateRequest `body`; the Task answered."""
    return _task(client, "PUT", task_path(task_id), body, ONE)


def assign_task(client: ApiClient, task_id: int | str, user_id: int) -> dict[str, Any]:
    """`PUT /v3/tasks/{id}/assigned-user`; the Task answered."""
    path = f"{task_path(task_id)}/assigned-user"
    return _task(client, "PUT", path, {"userId": user_id}, f"{ONE}/assigned-user")


def complete_task(client: ApiClient, task_id: int | str) -> dict[str, Any]:
    """`POST /v3/tasks/{id}/complete` with `{}`; the Task answered (409 when not open)."""
    return _task(client, "POST", f"{task_path(task_id)}/complete", {}, f"{ONE}/complete")


def delete_task(client: ApiClient, task_id: int | str) -> None:
    """`DELETE /v3/tasks/{id}` (204)."""
    client.request_json("DELETE", task_path(task_id), idempotent=False, endpoint=ONE)


def batch_complete(client: ApiClient, ids: Sequence[int]) -> dict[str, TNotProcessed]:
    """`POST /v3/tasks/batch/complete`: the ids not completed, with why."""
    return _batch(client, BATCH_COMPLETE, {"ids": list(ids)})


def batch_assign(client: ApiClient, ids: Sequence[int], user_id: int) -> dict[str, TNotProcessed]:
    """`POST /v3/tasks/batch/assign`: the ids not reassigned, with why."""
    return _batch(client, BATCH_ASSIGN, {"ids": list(ids), "userId": user_id})


def bulk_delete(client: ApiClient, ids: Sequence[int]) -> dict[str, TNotProcessed]:
    """`POST /v3/tasks/bulk-delete`: the ids not deleted, with why."""
    return _batch(client, BULK_DELETE, {"ids": list(ids)})


def _task(
    client: ApiClient, method: str, path: str, body: dict[str, Any], endpoint: str
) -> dict[str, Any]:
    answer = client.request_json(method, path, json=body, idempotent=False, endpoint=endpoint)
    if not isinstance(answer, dict):
        raise InvalidResponseError(
            f"Reply {endpoint} answered JSON that is not a task", endpoint=endpoint
        )
    return answer


def _batch(client: ApiClient, path: str, body: dict[str, Any]) -> dict[str, TNotProcessed]:
    ids = body["ids"]
    if not 1 <= len(ids) <= BATCH_MAX:
        raise ValueError(f"a Reply batch takes 1 to {BATCH_MAX} ids, got {len(ids)}")
    endpoint = path.lstrip("/")
    answer = client.request_json("POST", path, json=body, idempotent=False, endpoint=endpoint)
    if not isinstance(answer, dict):
        raise InvalidResponseError(
            f"Reply {endpoint} answered JSON that is not a map of ids", endpoint=endpoint
        )
    failures: dict[str, TNotProcessed] = {}
    for key, value in answer.items():
        item = value if isinstance(value, dict) else {}
        error = item.get("error")
        details = item.get("errorDetails")
        failures[str(key)] = TNotProcessed(
            error=error if isinstance(error, str) else "unknown",
            errorDetails=details if isinstance(details, str) else None,
        )
    return failures
