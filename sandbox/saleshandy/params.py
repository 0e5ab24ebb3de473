"""Request parameters as the Saleshandy emulator reads them: the query string of the lists, the
JSON body of the create. Bad input raises `BadInput`; the endpoints answer it 400
`{"message": "..."}` (Saleshandy documents no validation answer: a guess).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sales_tasks.sandbox.core.params import BadInput
from sales_tasks.sandbox.core.params import (
    int_param as int_param,  # re-exported: the endpoints use P.int_param
)

# Where a careless client could put the key; never logged.
SECRETS = ("apiKey", "api_key", "x-api-key")


def choice(params: dict[str, Any], name: str, options: tuple[str, ...]) -> str | None:
    """An optional enum parameter: None when absent, else one of `options` (exact case)."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if value not in options:
        raise BadInput(f"{name} must be one of {', '.join(options)}; got {value!r}")
    return str(value)


def text(params: dict[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadInput(f"{name} must be a string; got {value!r}")
    return value


def int_list(params: dict[str, Any], name: str) -> tuple[int, ...] | None:
    """`name=1,2` or `name=1&name=2` or `name[]=1`: integers, or None when absent."""
    value = params.get(name)
    if value is None or value == "":
        return None
    parts = value if isinstance(value, list) else str(value).split(",")
    try:
        return tuple(int(str(p).strip()) for p in parts if str(p).strip())
    except ValueError:
        raise BadInput(f"{name} must be user ids (integers); got {value!r}") from None


def due_date(params: dict[str, Any], today: str) -> str:
    """`dueDate` as YYYY-MM-DD (today when absent)."""
    value = params.get("dueDate")
    if value is None or value == "":
        return today
    if not isinstance(value, str) or len(value) != 10:
        raise BadInput(f"dueDate must be a date in YYYY-MM-DD format; got {value!r}")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise BadInput(f"dueDate must be a date in YYYY-MM-DD format; got {value!r}") from None


def date_time(params: dict[str, Any], name: str) -> str:
    """A required ISO 8601 date-time (`2026-05-01T09:00:00Z`), as sent."""
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise BadInput(f"{name} is required")
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"{name} must be an ISO 8601 date-time; got {value!r}") from None
    return value


def prospect_ids(params: dict[str, Any]) -> list[str]:
    """`prospectIds` (or a lone `prospectId`, which the seed's prose mentions)."""
    ids = params.get("prospectIds")
    if ids is None and isinstance(params.get("prospectId"), str):
        ids = [params["prospectId"]]
    if not isinstance(ids, list) or not ids:
        raise BadInput("prospectIds must be a non-empty array of prospect ids")
    if not all(isinstance(i, str) and i for i in ids):
        raise BadInput("prospectIds must hold prospect ids as non-empty strings")
    return ids
