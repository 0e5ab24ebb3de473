"""Request fields as Reply.io reads them, each refusal an `errors[]` entry of a 400.

Facts relied on (VENDOR-SPECS.md §1.3-1.4; RS = Reply's OpenAPI 3.1 bundle):
- Create (RS @1,697,800): `taskType`, `startAt`, `dueTo`, `template` required; `startAt` on or
  after 2015-01-01, `dueTo` after `startAt`, `template.body` required; `contactId` an integer,
  needed for every type but toDo; `linkedInTaskType` only on LinkedIn tasks. Pointers are JSON
  Pointers into the body (`/taskType`, `/contactId`).
- Paging: `top` 1..1000 and `skip` >= 0, pointers `top` / `skip` (query parameters).
- Filter (RS @1,710,000): `from`/`to` date-times on `startAt`, `to` >= `from`; `taskType`,
  `status` one enum value each; `contactId`, `assignedUserId` one integer each; `sequenceIds`
  an array of integers.

Guesses: enums arrive as names or codes (`enum_requests`: ASP.NET's string-enum converter also
reads integers by default); a JSON string holding digits is not an integer (System.Text.Json
refuses it); a time without an offset is UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sales_tasks.sandbox.reply import enums as E
from sales_tasks.sandbox.reply.problems import field_error
from sales_tasks.sandbox.reply.times import EARLIEST_MS, parse_ms

TErrors = list[dict[str, str]]


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _missing(value: Any, name: str, errors: TErrors, required: bool) -> bool:
    """True when `value` is absent (null counts as absent); an error if it was required."""
    if value is None and required:
        errors.append(field_error(f"/{name}", f"'{name}' is required."))
    return value is None


def enum(
    data: Mapping[str, Any],
    name: str,
    table: Mapping[int, str],
    accept: str,
    errors: TErrors,
    required: bool = True,
) -> int | None:
    value = data.get(name)
    if _missing(value, name, errors, required):
        return None
    code = E.code_of(value, table, accept)
    if code is None:
        errors.append(
            field_error(
                f"/{name}", f"'{name}' {value!r} is not valid; use {E.accepted(table, accept)}."
            )
        )
    return code


def instant(
    data: Mapping[str, Any], name: str, errors: TErrors, required: bool = True
) -> int | None:
    value = data.get(name)
    if _missing(value, name, errors, required):
        return None
    if isinstance(value, str):
        try:
            return parse_ms(value)
        except ValueError:
            pass
    errors.append(field_error(f"/{name}", f"'{name}' {value!r} is not an ISO 8601 date-time."))
    return None


def integer(
    data: Mapping[str, Any], name: str, errors: TErrors, required: bool = True
) -> int | None:
    value: Any = data.get(name)
    if _missing(value, name, errors, required):
        return None
    if not is_int(value) or value < 1:
        errors.append(field_error(f"/{name}", f"'{name}' must be a positive integer."))
        return None
    return int(value)


def create(data: Mapping[str, Any], accept: str) -> tuple[dict[str, Any], TErrors]:
    """The fields of a create request and what is wrong with them."""
    errors: TErrors = []
    task_type = enum(data, "taskType", E.TASK_TYPES, accept, errors)
    start = instant(data, "startAt", errors)
    due = instant(data, "dueTo", errors)
    if start is not None and start < EARLIEST_MS:
        errors.append(field_error("/startAt", "'startAt' must be on or after 2015-01-01."))
    if start is not None and due is not None and due <= start:
        errors.append(field_error("/dueTo", "'dueTo' must be after 'startAt'."))
    template = data.get("template")
    body = subject = None
    if not isinstance(template, dict):
        errors.append(field_error("/template", "'template' is required."))
    else:
        body, subject = template.get("body"), template.get("subject")
        if not isinstance(body, str) or not body.strip():
            errors.append(field_error("/template/body", "'template.body' is required."))
        if subject is not None and not isinstance(subject, str):
            errors.append(field_error("/template/subject", "'template.subject' must be a string."))
    contact_id = integer(data, "contactId", errors, required=task_type not in (None, E.TODO))
    linkedin = enum(data, "linkedInTaskType", E.LINKEDIN_TASK_TYPES, accept, errors, False)
    if data.get("linkedInTaskType") is not None and task_type not in (None, E.LINKEDIN):
        errors.append(
            field_error("/linkedInTaskType", "'linkedInTaskType' is only for LinkedIn tasks.")
        )
    fields = {
        "task_type": task_type,
        "start_ms": start,
        "due_ms": due,
        "body": body,
        "subject": subject,
        "contact_id": contact_id,
        "linkedin_type": linkedin,
    }
    return fields, errors


def paging(
    query: Mapping[str, Any], cap: int, default_top: int, clamp: bool
) -> tuple[int, int, TErrors]:
    """`top` and `skip` of a list request (pointers name the query parameter)."""
    errors: TErrors = []
    values = {"top": default_top, "skip": 0}
    for name, low in (("top", 1), ("skip", 0)):
        raw = query.get(name)
        if raw is None or raw == "":
            continue
        try:
            values[name] = int(raw)
        except (TypeError, ValueError):
            errors.append(field_error(name, f"'{name}' must be an integer."))
            continue
        if values[name] < low:
            errors.append(field_error(name, f"'{name}' must be >= {low}."))
    if values["top"] > cap:
        if clamp:
            values["top"] = cap
        else:
            errors.append(field_error("top", f"'top' must be between 1 and {cap}."))
    return values["top"], values["skip"], errors


def int_list(data: Mapping[str, Any], name: str, errors: TErrors) -> set[int] | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(is_int(v) for v in value):
        errors.append(field_error(f"/{name}", f"'{name}' must be an array of integers."))
        return None
    return set(value)
