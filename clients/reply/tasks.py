"""Reply.io's two task shapes and the filter window, written once for the source and the sink.

Facts relied on (VENDOR-SPECS.md §1.4; RS = Reply's OpenAPI 3.1 bundle):
- List and filter items are a *summary* (`TaskListItemResponse`, RS @1,691,500): `id`,
  `taskType`, `status`, `linkedInTaskType`, `assignedUserId`, `contact {id, fullName} | null`,
  `startAt`, `dueTo`, `finishedAt` (null while active), `isScheduled`, `sequenceId`,
  `sequenceStepId`. No `contactId`, `createdAt`, `creationSource`, `template`, `deliveryInfo`.
- The detail (`Task`, RS @1,700,500: GET by id, create, update) carries `contactId` (no
  `contact` object), `creationSource`, `createdAt`, `sequenceStepDisplayName`, `isFailed`,
  `template {body, subject, attachmentIdList}`, `content` (only with `includeContent=true`) and
  `deliveryInfo {email, phoneNumber, linkedInUrl}` (null for toDo, meeting, whatsApp).
- `POST /v3/tasks/filter` keeps only tasks whose `startAt` is within `from`/`to`; omitted, they
  are 2000-01-01 and now + 1 year (RS @1,710,000), so a task started later than a year from now
  is invisible unless `to` is sent. `to` must be >= `from`. A task's `startAt` is never before
  2015-01-01 (create and update refuse it, RS @1,697,800), so `FILTER_FROM` loses nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sales_tasks.clients.core.values import lenient_int

# Sent on every filter request, so no task is outside the window whatever its start: the
# documented default floor, and a ceiling far past any start a person or our push can give
# (the push accepts up to 2099). Midnight, so a server converting to a time zone stays in range.
FILTER_FROM = "2000-01-01T00:00:00Z"
FILTER_TO = "9999-12-31T00:00:00Z"

# The fields of a list item (RS @1,691,500), and those only the detail has (RS @1,700,500).
LIST_ITEM_FIELDS = frozenset(
    {
        "id",
        "taskType",
        "status",
        "linkedInTaskType",
        "assignedUserId",
        "contact",
        "startAt",
        "dueTo",
        "finishedAt",
        "isScheduled",
        "sequenceId",
        "sequenceStepId",
    }
)
DETAIL_ONLY_FIELDS = frozenset(
    {
        "contactId",
        "creationSource",
        "createdAt",
        "sequenceStepDisplayName",
        "isFailed",
        "template",
        "content",
        "deliveryInfo",
    }
)


def filter_body(**filters: Any) -> dict[str, Any]:
    """A `POST /v3/tasks/filter` body with the window always sent wide, plus `filters`
    (`contactId=...`; None values are left out)."""
    body: dict[str, Any] = {"from": FILTER_FROM, "to": FILTER_TO}
    body.update({k: v for k, v in filters.items() if v is not None})
    return body


def task_id_of(task: Mapping[str, Any]) -> int | None:
    """A task's integer id, or None when it has none Reply could have sent."""
    value = task.get("id")
    return None if isinstance(value, bool) else lenient_int(value)


def contact_of(task: Mapping[str, Any]) -> tuple[int | None, str | None]:
    """(contact id, full name) of a list item (`contact {id, fullName}`) or a detail
    (`contactId`, no name); (None, None) for a task without a contact."""
    contact = task.get("contact")
    if isinstance(contact, Mapping):
        name = contact.get("fullName")
        return lenient_int(contact.get("id")), name if isinstance(name, str) else None
    return lenient_int(task.get("contactId")), None
