"""The tables of the Reply.io source: `tasks` (a task as one row) and `users` (the team).

Facts relied on (VENDOR-SPECS.md §1.4, §1.6; `sales_tasks.clients.reply.tasks`): the task list answers the
*summary* item, so `tasks` holds what it carries: `contact {id, fullName}` (`contact_id`,
`contact_name`), `finishedAt` (`completed_at`), the enums as v3 camelCase strings (integers of
older pages are read too; each is stored as its code AND Reply's name: `task_type` 2,
`task_type_name` "call"), `assignedUserId`, `startAt`, `dueTo`, `isScheduled`, `sequenceId`,
`sequenceStepId`. A detail (read by id when the scan verifies a task) is stored the same way,
`contactId` standing for the contact; its detail-only fields (template, `createdAt`,
`creationSource`, `deliveryInfo`...) are not loaded, so every row holds the same columns whatever
endpoint it came from. Any field the list item does not document lands, as JSON, in
`extra_fields`. `users` is `whoami/team-users`: `id` (userId), `name`, `email`, `team_id`,
`team_name`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from sales_tasks.clients.core.values import lenient_int
from sales_tasks.clients.reply.enums import (
    LINKEDIN_TASK_TYPES,
    TASK_STATUSES,
    TASK_TYPES,
    code_of,
    name_of,
)
from sales_tasks.clients.reply.tasks import DETAIL_ONLY_FIELDS, contact_of
from sales_tasks.sources.core.schema import TColumns, records_table

TASK_COLUMNS: TColumns = (
    ("id", "bigint"),
    ("contact_id", "bigint"),
    ("contact_name", "text"),
    ("task_type", "bigint"),
    ("task_type_name", "text"),
    ("status", "bigint"),
    ("status_name", "text"),
    ("linkedin_task_type", "bigint"),
    ("linkedin_task_type_name", "text"),
    ("assigned_user_id", "bigint"),
    ("sequence_id", "bigint"),
    ("sequence_step_id", "bigint"),
    ("start_at", "timestamp"),
    ("due_to", "timestamp"),
    ("completed_at", "timestamp"),
    ("is_scheduled", "bool"),
    ("extra_fields", "json"),
)

USER_COLUMNS: TColumns = (
    ("id", "bigint"),
    ("name", "text"),
    ("email", "text"),
    ("team_id", "bigint"),
    ("team_name", "text"),
)

SEEN_TASK_ID_COLUMNS: TColumns = (("run_id", "text"), ("id", "bigint"))

# Reply's field -> our column, for the fields copied as they come (typed by `records_table`).
_PLAIN = {
    "id": "id",
    "assignedUserId": "assigned_user_id",
    "sequenceId": "sequence_id",
    "sequenceStepId": "sequence_step_id",
    "startAt": "start_at",
    "dueTo": "due_to",
    "finishedAt": "completed_at",
    "isScheduled": "is_scheduled",
}
# Reply's enum field -> (our code column, our name column, the enum).
ENUM_FIELDS: dict[str, tuple[str, str, Mapping[int, str]]] = {
    "taskType": ("task_type", "task_type_name", TASK_TYPES),
    "status": ("status", "status_name", TASK_STATUSES),
    "linkedInTaskType": ("linkedin_task_type", "linkedin_task_type_name", LINKEDIN_TASK_TYPES),
}
_KNOWN = frozenset({*_PLAIN, *ENUM_FIELDS, "contact", *DETAIL_ONLY_FIELDS})
_PLAIN_FIELDS = tuple(_PLAIN)
_PLAIN_COLUMNS = tuple(_PLAIN.values())
# The module's own enums (alive as long as the process): an answer cached by `id` stays right.
_CACHED_ENUMS = frozenset(id(enum) for _, _, enum in ENUM_FIELDS.values())


# enum_value's answers, by (enum, type, value): a list of 100,000 tasks holds a handful of
# distinct values, and reading a name scans the enum (it was ~40% of the scan's CPU).
_ENUM_ANSWERS: dict[tuple[int, type, Any], tuple[int | None, str | None, bool]] = {}
_ENUM_ANSWERS_MAX = 4_096


def enum_value(enum: Mapping[int, str], value: Any) -> tuple[int | None, str | None, bool]:
    """(code, name, known) of an enum value sent as a number or a name.

    An unknown number keeps its code (no name), an unknown name keeps its name (no code), so a
    value Reply adds later is never lost; `known` says whether `enum` holds it.
    """
    if id(enum) not in _CACHED_ENUMS or not isinstance(value, (str, int, float)):
        return _enum_value(enum, value)
    key = (id(enum), type(value), value)  # the type keeps True apart from 1
    found = _ENUM_ANSWERS.get(key)
    if found is None:
        found = _enum_value(enum, value)
        if len(_ENUM_ANSWERS) < _ENUM_ANSWERS_MAX:
            _ENUM_ANSWERS[key] = found
    return found


def _enum_value(enum: Mapping[int, str], value: Any) -> tuple[int | None, str | None, bool]:
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
    """One `tasks` row of one task (a list item or a detail); unknown enum values go into
    `unknown` (`"taskType=10"`) for a warning."""
    # The plain fields in one C-level pass (`strict=False`: both sides come from `_PLAIN`).
    row: dict[str, Any] = dict(zip(_PLAIN_COLUMNS, map(task.get, _PLAIN_FIELDS), strict=False))
    row["contact_id"], row["contact_name"] = contact_of(task)
    for field, (code_column, name_column, enum) in ENUM_FIELDS.items():
        value = task.get(field)
        code, name, known = enum_value(enum, value)
        row[code_column], row[name_column] = code, name
        if not known and unknown is not None:
            unknown.add(f"{field}={value}")
    extra = task.keys() - _KNOWN
    row["extra_fields"] = {key: task[key] for key in sorted(extra)} if extra else None
    return row


def tasks_table(rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """The Arrow table of `task_row`s (their `extra_fields` as they were gathered)."""
    extra = [row.get("extra_fields") for row in rows]
    return records_table(rows, TASK_COLUMNS, computed={"extra_fields": extra})


def users_table(users: Sequence[Mapping[str, Any]]) -> pa.Table:
    """The Arrow table of `sales_tasks.clients.reply.users.TTeamUser`s."""
    return records_table(users, USER_COLUMNS)
