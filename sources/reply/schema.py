"""The `tasks` table of the Reply.io source: columns, and a task as one row.

Facts relied on (seed 004, the task detail of `GET /v3/tasks`, `GET /v3/tasks/{id}` and the
create's answer): integer ids; `taskType`, `status`, `linkedInTaskType` and how the task was
created arrive as numbers (seed) or as names (beta docs), so each is stored as its code AND
Reply's name (`task_type` 2, `task_type_name` "call"), whichever form came; `template {subject,
body}` is raw for active tasks and the final content for finished ones; `content` (rendered) is
only sent with `includeContent=true`. The field names of how a task was created (`source`) and of
the delivery target (`delivery {email | phone | linkedInUrl}`) are guesses [?]: both are read,
and anything else Reply sends lands, as JSON, in `extra_fields`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from clients.core.values import lenient_int
from clients.reply.enums import (
    LINKEDIN_TASK_TYPES,
    TASK_SOURCES,
    TASK_STATUSES,
    TASK_TYPES,
    code_of,
    name_of,
)
from sources.core.schema import TColumns, records_table

TASK_COLUMNS: TColumns = (
    ("id", "bigint"),
    ("contact_id", "bigint"),
    ("task_type", "bigint"),
    ("task_type_name", "text"),
    ("status", "bigint"),
    ("status_name", "text"),
    ("linkedin_task_type", "bigint"),
    ("linkedin_task_type_name", "text"),
    ("source", "bigint"),
    ("source_name", "text"),
    ("assigned_user_id", "bigint"),
    ("sequence_id", "bigint"),
    ("sequence_step_id", "bigint"),
    ("sequence_step_name", "text"),
    ("created_at", "timestamp"),
    ("start_at", "timestamp"),
    ("due_to", "timestamp"),
    ("completed_at", "timestamp"),
    ("is_failed", "bool"),
    ("is_scheduled", "bool"),
    ("subject", "text"),
    ("body", "text"),
    ("content", "json"),
    ("delivery_email", "text"),
    ("delivery_phone", "text"),
    ("delivery_url", "text"),
    ("delivery", "json"),
    ("extra_fields", "json"),
)

SEEN_TASK_ID_COLUMNS: TColumns = (("run_id", "text"), ("id", "bigint"))

# Reply's field -> our column, for the fields copied as they come (typed by `records_table`).
_PLAIN = {
    "id": "id",
    "contactId": "contact_id",
    "assignedUserId": "assigned_user_id",
    "sequenceId": "sequence_id",
    "sequenceStepId": "sequence_step_id",
    "sequenceStepName": "sequence_step_name",
    "createdAt": "created_at",
    "startAt": "start_at",
    "dueTo": "due_to",
    "completedAt": "completed_at",
    "isFailed": "is_failed",
    "isScheduled": "is_scheduled",
    "content": "content",
    "delivery": "delivery",
}
# Reply's enum field -> (our code column, our name column, the enum).
ENUM_FIELDS: dict[str, tuple[str, str, Mapping[int, str]]] = {
    "taskType": ("task_type", "task_type_name", TASK_TYPES),
    "status": ("status", "status_name", TASK_STATUSES),
    "linkedInTaskType": ("linkedin_task_type", "linkedin_task_type_name", LINKEDIN_TASK_TYPES),
    "source": ("source", "source_name", TASK_SOURCES),
}
_KNOWN = frozenset({*_PLAIN, *ENUM_FIELDS, "template"})
_DELIVERY = {"email": "delivery_email", "phone": "delivery_phone"}


def enum_value(enum: Mapping[int, str], value: Any) -> tuple[int | None, str | None, bool]:
    """(code, name, known) of an enum value sent as a number or a name.

    An unknown number keeps its code (no name), an unknown name keeps its name (no code), so a
    value Reply adds later is never lost; `known` says whether `enum` holds it.
    """
    if value is None or value == "":
        return None, None, True
    code = code_of(enum, value)
    if code is not None:
        return code, name_of(enum, code), True
    number = lenient_int(value)
    if number is not None and not isinstance(value, bool):
        return number, None, False
    return None, str(value), False


def task_row(task: Mapping[str, Any], unknown: set[str] | None = None) -> dict[str, Any]:
    """One `tasks` row of one task as Reply answers it; unknown enum values go into `unknown`
    (`"taskType=10"`) for a warning."""
    row: dict[str, Any] = {column: task.get(field) for field, column in _PLAIN.items()}
    for field, (code_column, name_column, enum) in ENUM_FIELDS.items():
        value = task.get(field)
        code, name, known = enum_value(enum, value)
        row[code_column], row[name_column] = code, name
        if not known and unknown is not None:
            unknown.add(f"{field}={value}")
    template = task.get("template")
    if isinstance(template, Mapping):
        row["subject"], row["body"] = template.get("subject"), template.get("body")
    else:
        row["subject"], row["body"] = None, template
    delivery = task.get("delivery")
    if isinstance(delivery, Mapping):
        for key, column in _DELIVERY.items():
            row[column] = delivery.get(key)
        row["delivery_url"] = delivery.get("linkedInUrl") or delivery.get("url")
    else:
        row["delivery_email"] = row["delivery_phone"] = row["delivery_url"] = None
    extra = {key: task[key] for key in sorted(task.keys() - _KNOWN)}
    row["extra_fields"] = extra or None
    return row


def tasks_table(rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """The Arrow table of `task_row`s (their `extra_fields` as they were gathered)."""
    extra = [row.get("extra_fields") for row in rows]
    return records_table(rows, TASK_COLUMNS, computed={"extra_fields": extra})
