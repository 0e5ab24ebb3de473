"""Table design of the Saleshandy tasks source: `GET /v1/tasks` rows as typed columns.

Facts relied on: Saleshandy documents no task schema. The id is `taskId` (every documented
response, VENDOR-SPECS 0 fact 9), or `id`; the prospect is embedded or a flat `prospectId`
(`sales_tasks.clients.saleshandy.tasks`). The fields read here are the ones the create call names
(`taskType`, `priority`, `dueDate`, `taskNote`, `prospectId`), the list's
filters name (`status`, `sequenceId`, `taskAssignee`, `prospectOutcome`, `callOutcome`,
`completedAt`, `skippedAt`), and the shape the sandbox guesses from them (an embedded `prospect`,
`assignee` and `sequence`; `createdAt` / `updatedAt`). Re-check them against a live answer.

- Columns are snake_case; codes are kept as Saleshandy sends them (`task_type` "13",
  `priority` "3") next to their names from `sales_tasks.clients.saleshandy.enums` (`task_type_name`
  `call_follow_up`, `priority_name` `medium`), so an unknown code still lands.
- Embedded records keep only their ids (and the sequence its name and step) on the task; the
  prospect and the assignee land in their own tables.
- Ids are text (assignee ids come as numbers); `dueDate` is a date; timestamps are UTC.
- Any field not declared here lands, as JSON, in the table's `extra_fields`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from sales_tasks.clients.saleshandy.enums import TASK_TYPE_TITLES, priority_name, task_type_name
from sales_tasks.clients.saleshandy.lookups import prospect_email
from sales_tasks.clients.saleshandy.tasks import embedded_prospect, prospect_id_of, task_id_of
from sales_tasks.sources.core.schema import TColumns, records_table

TTask = dict[str, Any]

# (column, Saleshandy field, kind) of the task fields read as they come.
_TASK_FIELDS: tuple[tuple[str, str, Any], ...] = (
    ("task_type", "taskType", "text"),
    ("priority", "priority", "text"),
    ("status", "status", "text"),
    ("due_date", "dueDate", "date"),
    ("task_note", "taskNote", "text"),
    ("task_category", "taskCategory", "text"),
    ("prospect_outcome", "prospectOutcome", "text"),
    ("call_outcome", "callOutcome", "text"),
    ("created_at", "createdAt", "timestamp"),
    ("updated_at", "updatedAt", "timestamp"),
    ("completed_at", "completedAt", "timestamp"),
    ("skipped_at", "skippedAt", "timestamp"),
)
# Read into other columns (names from codes, embedded ids): not "extra".
_TASK_READ_ELSEWHERE = frozenset(
    {
        "taskId",
        "id",
        "taskTypeName",
        "prospect",
        "prospectId",
        "assignee",
        "assigneeId",
        "sequence",
        "sequenceId",
    }
)
_TASK_KNOWN = frozenset(field for _, field, _ in _TASK_FIELDS) | _TASK_READ_ELSEWHERE

TASK_COLUMNS: TColumns = (
    ("id", "text"),
    ("task_type", "text"),
    ("task_type_name", "text"),
    ("task_type_title", "text"),
    ("task_category", "text"),
    ("priority", "text"),
    ("priority_name", "text"),
    ("status", "text"),
    ("due_date", "date"),
    ("task_note", "text"),
    ("prospect_id", "text"),
    ("assignee_id", "text"),
    ("sequence_id", "text"),
    ("sequence_name", "text"),
    ("sequence_step", "bigint"),
    ("prospect_outcome", "text"),
    ("call_outcome", "text"),
    ("created_at", "timestamp"),
    ("updated_at", "timestamp"),
    ("completed_at", "timestamp"),
    ("skipped_at", "timestamp"),
    ("extra_fields", "json"),
)

PROSPECT_COLUMNS: TColumns = (
    ("id", "text"),
    ("email", "text"),
    ("first_name", "text"),
    ("last_name", "text"),
    ("extra_fields", "json"),
)
_PROSPECT_FIELDS = {"id": "id", "first_name": "firstName", "last_name": "lastName"}
_PROSPECT_KNOWN = frozenset(
    {"id", "prospectId", "email", "emailId", "emailAddress", "firstName", "lastName"}
)

ASSIGNEE_COLUMNS: TColumns = (
    ("id", "text"),
    ("name", "text"),
    ("first_name", "text"),
    ("last_name", "text"),
    ("email", "text"),
    ("extra_fields", "json"),
)
_ASSIGNEE_FIELDS = {
    "id": "id",
    "name": "name",
    "first_name": "firstName",
    "last_name": "lastName",
    "email": "email",
}

SEEN_TASK_ID_COLUMNS: TColumns = (("run_id", "text"), ("id", "text"))


def _id(value: Any) -> str | None:
    return None if value is None or isinstance(value, bool) else str(value)


def _embedded(task: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = task.get(key)
    return value if isinstance(value, Mapping) else {}


def _extra(row: Mapping[str, Any], known: frozenset[str]) -> dict[str, Any] | None:
    extra = row.keys() - known
    return {key: row[key] for key in sorted(extra)} if extra else None


_TASK_COLUMN_NAMES = tuple(column for column, _, _ in _TASK_FIELDS)
_TASK_FIELD_NAMES = tuple(field for _, field, _ in _TASK_FIELDS)


def task_row(task: Mapping[str, Any]) -> dict[str, Any]:
    """One task as the `tasks` table's columns (`extra_fields` as a dict, or None)."""
    return shape_task(task, task_id_of(task))[0]


def task_prospect(task: Mapping[str, Any]) -> dict[str, Any] | None:
    """The `prospects` row of the prospect a task embeds (None when it carries only an id)."""
    return shape_task(task, task_id_of(task))[1]


def shape_task(
    task: Mapping[str, Any], task_id: str | None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """`task_row` and `task_prospect` of one task at once (the scan's hot path: the prospect's
    id and the task's id are read once, the plain fields in one C-level pass; `strict=False`:
    both sides come from `_TASK_FIELDS`, and a strict zip costs 3x per row)."""
    row: dict[str, Any] = dict(
        zip(_TASK_COLUMN_NAMES, map(task.get, _TASK_FIELD_NAMES), strict=False)
    )
    row["id"] = task_id
    code = task.get("taskType")
    assignee = _embedded(task, "assignee")
    sequence = _embedded(task, "sequence")
    prospect_id = prospect_id_of(task)
    row["task_type"] = _id(code)
    row["priority"] = _id(row["priority"])
    row["task_type_name"] = task_type_name(code)
    row["task_type_title"] = task.get("taskTypeName") or TASK_TYPE_TITLES.get(str(code))
    row["priority_name"] = priority_name(task.get("priority"))
    row["prospect_id"] = prospect_id
    row["assignee_id"] = _id(assignee.get("id", task.get("assigneeId")))
    row["sequence_id"] = _id(sequence.get("id", task.get("sequenceId")))
    row["sequence_name"] = sequence.get("name")
    row["sequence_step"] = sequence.get("stepNumber")
    row["extra_fields"] = _extra(task, _TASK_KNOWN)
    prospect = embedded_prospect(task)
    if prospect is None or prospect_id is None:
        return row, None
    prospect_row_ = prospect_row(prospect)
    prospect_row_["id"] = prospect_id
    return row, prospect_row_


def prospect_row(prospect: Mapping[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {
        column: prospect.get(field) for column, field in _PROSPECT_FIELDS.items()
    }
    row["id"] = _id(prospect.get("prospectId", row["id"]))
    row["email"] = prospect_email(prospect) or None
    row["extra_fields"] = _extra(prospect, _PROSPECT_KNOWN)
    return row


def assignee_row(assignee: Mapping[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {column: assignee.get(f) for column, f in _ASSIGNEE_FIELDS.items()}
    row["id"] = _id(row["id"])
    if not row["name"] and (row["first_name"] or row["last_name"]):
        row["name"] = " ".join(p for p in (row["first_name"], row["last_name"]) if p)
    row["extra_fields"] = _extra(assignee, frozenset(_ASSIGNEE_FIELDS.values()))
    return row


def table_of(rows: Sequence[Mapping[str, Any]], columns: TColumns) -> pa.Table:
    """Arrow table of rows already in the table's columns (`extra_fields` given as a dict)."""
    return records_table(
        rows, columns, computed={"extra_fields": [row.get("extra_fields") for row in rows]}
    )
