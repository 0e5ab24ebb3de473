"""Request fields as Reply.io reads them, each refusal an `errors[]` entry of a 400.

Facts relied on (seed 004, NOTES.md section 3): `taskType` is one of the seven types,
`startAt` on or after 2015-01-01, `dueTo` after `startAt`, `template.body` required,
`contactId` an integer, `linkedInTaskType` only on LinkedIn tasks; `top` at most 1000.

Guesses: enums arrive as codes or names (`enum_requests`); a JSON string holding digits is not
an integer (System.Text.Json refuses it); a time without an offset is UTC; `skip` must be >= 0
and `top` >= 1; a filter field takes one value or a list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.reply import enums as E
from sandbox.reply.problems import field_error
from sandbox.reply.times import EARLIEST_MS, parse_ms

TErrors = list[dict[str, str]]


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _missing(value: Any, name: str, errors: TErrors, required: bool) -> bool:
    """True when `value` is absent (null counts as absent); an error if it was required."""
    if value is None and required:
        errors.append(field_error(name, f"{name} is required.", "required"))
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
            field_error(name, f"{name} {value!r} is not valid; use {E.accepted(table, accept)}.")
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
    errors.append(field_error(name, f"{name} {value!r} is not an ISO 8601 date-time."))
    return None


def integer(data: Mapping[str, Any], name: str, errors: TErrors) -> int | None:
    value: Any = data.get(name)
    if _missing(value, name, errors, True):
        return None
    if not is_int(value):
        errors.append(field_error(name, f"{name} must be an integer; got {value!r}."))
        return None
    return int(value)


def create(data: Mapping[str, Any], accept: str) -> tuple[dict[str, Any], TErrors]:
    """The fields of a create request and what is wrong with them."""
    errors: TErrors = []
    task_type = enum(data, "taskType", E.TASK_TYPES, accept, errors)
    start = instant(data, "startAt", errors)
    due = instant(data, "dueTo", errors)
    if start is not None and start < EARLIEST_MS:
        errors.append(field_error("startAt", "startAt must be on or after 2015-01-01.", "range"))
    if start is not None and due is not None and due <= start:
        errors.append(field_error("dueTo", "dueTo must be after startAt.", "range"))
    template = data.get("template")
    body = subject = None
    if not isinstance(template, dict):
        errors.append(field_error("template.body", "template.body is required.", "required"))
    else:
        body, subject = template.get("body"), template.get("subject")
        if not isinstance(body, str) or not body.strip():
            errors.append(field_error("template.body", "template.body is required.", "required"))
        if subject is not None and not isinstance(subject, str):
            errors.append(field_error("template.subject", "template.subject must be a string."))
    contact_id = integer(data, "contactId", errors)
    linkedin = enum(data, "linkedInTaskType", E.LINKEDIN_TASK_TYPES, accept, errors, False)
    if data.get("linkedInTaskType") is not None and task_type not in (None, E.LINKEDIN):
        errors.append(
            field_error("linkedInTaskType", "linkedInTaskType is only for LinkedIn tasks.")
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
    """`top` and `skip` of a list request."""
    errors: TErrors = []
    values = {"top": default_top, "skip": 0}
    for name, low in (("top", 1), ("skip", 0)):
        raw = query.get(name)
        if raw is None or raw == "":
            continue
        try:
            values[name] = int(raw)
        except (TypeError, ValueError):
            errors.append(field_error(name, f"{name} must be an integer; got {raw!r}."))
            continue
        if values[name] < low:
            errors.append(field_error(name, f"{name} must be >= {low}.", "range"))
    if values["top"] > cap:
        if clamp:
            values["top"] = cap
        else:
            errors.append(field_error("top", f"top must be at most {cap}.", "range"))
    return values["top"], values["skip"], errors


def many(data: Mapping[str, Any], name: str) -> list[Any] | None:
    value = data.get(name)
    if value is None:
        return None
    return value if isinstance(value, list) else [value]


def enum_set(
    data: Mapping[str, Any], name: str, table: Mapping[int, str], accept: str, errors: TErrors
) -> set[int] | None:
    values = many(data, name)
    if values is None:
        return None
    codes = set()
    for value in values:
        code = enum({name: value}, name, table, accept, errors)
        if code is not None:
            codes.add(code)
    return codes


def int_set(data: Mapping[str, Any], name: str, errors: TErrors) -> set[int] | None:
    values = many(data, name)
    if values is None:
        return None
    if not all(is_int(v) for v in values):
        errors.append(field_error(name, f"{name} must be an integer or a list of integers."))
        return None
    return set(values)
