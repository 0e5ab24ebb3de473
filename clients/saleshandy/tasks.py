"""How a Saleshandy task names itself and its prospect, written once for the source and the sink.

Facts relied on (`shared/api-docs/VENDOR-SPECS.md` section 0 fact 9, 2.2, 5):
- Task ids are opaque strings, and every documented response names them **`taskId`** (create
  results `payload.results[].taskId`, the snooze answer `payload.task.taskId`). The shape of a
  `GET /v1/tasks` item is not published anywhere found, so an item keyed `id` is read too;
  `taskId` wins when an item has both.
- The create results name the prospect `prospectId`; whether list items carry a flat
  `prospectId` or embed the prospect (`prospect: {id | prospectId, ...}`) is not published:
  both are read.
- The answer of `GET /v1/tasks/{taskId}` is not published (VENDOR-SPECS 5); the only documented
  single-task answer (snooze) holds the task at `payload.task`, so that is read, else a bare
  `payload` object.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TASK_ID_KEYS: tuple[str, ...] = ("taskId", "id")
PROSPECT_ID_KEYS: tuple[str, ...] = ("prospectId", "id")
PROSPECT = "prospect"
PROSPECT_ID = "prospectId"


def _text_id(value: Any) -> str | None:
    """An id as text: a non-empty string or a whole number; anything else is no id."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def task_id_of(task: Mapping[str, Any]) -> str | None:
    """A listed or fetched task's id: `taskId` (the documented name), else `id`; None if neither
    holds an id (the caller counts such an item as unreadable, never drops it silently)."""
    for key in TASK_ID_KEYS:
        if key in task and task[key] is not None:
            return _text_id(task[key])
    return None


def embedded_prospect(task: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The prospect object a task embeds, or None (a flat `prospectId` embeds none)."""
    prospect = task.get(PROSPECT)
    return prospect if isinstance(prospect, Mapping) else None


def prospect_id_of(task: Mapping[str, Any]) -> str | None:
    """A task's prospect id: the embedded `prospect`'s `prospectId` / `id`, else `prospectId`."""
    prospect = embedded_prospect(task)
    if prospect is not None:
        for key in PROSPECT_ID_KEYS:
            found = _text_id(prospect.get(key))
            if found is not None:
                return found
    return _text_id(task.get(PROSPECT_ID))


def one_task(body: Any) -> dict[str, Any] | None:
    """The task of a single-task answer: `payload.task`, else a `payload` object with an id."""
    payload = body.get("payload") if isinstance(body, Mapping) else None
    if not isinstance(payload, dict):
        return None
    inner = payload.get("task")
    if isinstance(inner, dict):
        return inner
    return payload if task_id_of(payload) is not None else None
