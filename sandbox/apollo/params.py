"""Request parameters as Apollo.io reads them: query string and/or JSON body, body wins.

The generic reading (lists, bodies, redaction) is `sales_tasks.sandbox.core.params`; this module adds
Apollo's field rules.

Facts relied on (NOTES.md section 1, spec): list parameters arrive as `name[]=a&name[]=b` in the
query string (also plain `name=a`) or as JSON arrays; numbers may arrive as strings. Any bad input
answers 422 `{"error": "..."}`.
"""

from __future__ import annotations

from typing import Any

from sales_tasks.sandbox.apollo.data import PRIORITIES, STATUSES, TASK_TYPES
from sales_tasks.sandbox.apollo.util import parse_iso
from sales_tasks.sandbox.core.params import BadInput
from sales_tasks.sandbox.core.params import (
    int_param as int_param,  # re-exported: the endpoints use P.int_param
)

# Apollo's key, wherever a client puts it, never reaches the request log.
SECRETS = ("api_key",)


def as_list(value: Any) -> list[Any] | None:
    """A list parameter; a lone string counts as a one-element list; missing -> None."""
    if value is None:
        return None
    if isinstance(value, list):
        return value
    return [value]


def bool_param(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def _choice(params: dict[str, Any], name: str, options: tuple[str, ...]) -> int:
    value = params.get(name)
    if value not in options:
        raise BadInput(f"{name} must be one of {', '.join(options)}; got {value!r}")
    return options.index(value)


def task_type(params: dict[str, Any]) -> int:
    return _choice(params, "type", TASK_TYPES)


NO_STATUS = len(STATUSES)  # the code of a task created without a status (rendered null)


def task_status(params: dict[str, Any], required: bool = True) -> int:
    if blank(params.get("status")):
        if not required:
            return NO_STATUS
        raise BadInput("status can not be blank")
    return _choice(params, "status", STATUSES)


def task_priority(params: dict[str, Any]) -> int:
    if blank(params.get("priority")):
        return PRIORITIES.index("medium")
    return _choice(params, "priority", PRIORITIES)


def due_at(params: dict[str, Any]) -> int:
    """`due_at` as epoch ms, whole seconds (Apollo echoes `.000+00:00`); GMT unless offset."""
    value = params.get("due_at")
    if blank(value):
        raise BadInput("due_at can not be blank")
    if not isinstance(value, str):
        raise BadInput(f"due_at must be an ISO 8601 date-time string; got {value!r}")
    try:
        ms = parse_iso(value)
    except ValueError:
        raise BadInput(f"due_at {value!r} is not an ISO 8601 date-time") from None
    return ms - ms % 1000


def optional_text(params: dict[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadInput(f"{name} must be a string; got {value!r}")
    return value


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str | list) and len(value) == 0)
