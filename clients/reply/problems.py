"""Reply.io's error bodies: `application/problem+json` (RFC 9457) with Reply's own fields.

Facts relied on (VENDOR-SPECS.md §1.2, RS @9,000-26,500):
- Problem Details: `title`, `status`, `detail`; a business problem adds a stable `code`
  (`resource.variant`, e.g. `task.notFound`); a validation problem adds `errors[]` of
  `{pointer, detail}` (`/taskType` for a body field, `top` for a query parameter, `""` for the
  whole body). No `type` member is declared (read if sent).
- 401 has an empty body.

The core's error message already holds `title: detail (code)` and the `errors[]`; this module
gives the fields one by one (for the sink's per-row reasons), read from the error's response.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sales_tasks.clients.core import VendorApiError


@dataclass(frozen=True)
class ProblemBody:
    """One problem+json body, each field empty when absent."""

    status: int | None = None
    code: str = ""
    title: str = ""
    detail: str = ""
    type: str = ""
    errors: list[dict[str, Any]] = field(default_factory=list)


def problem_of(error: VendorApiError) -> ProblemBody:
    """The problem+json fields of the response `error` came from (empty fields when none)."""
    response = error.response
    body: Any = None
    if response is not None:
        try:
            body = response.json()
        except ValueError:
            body = None
    if not isinstance(body, dict):
        return ProblemBody(status=error.status)

    def text(key: str) -> str:
        value = body.get(key)
        return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""

    errors = body.get("errors")
    return ProblemBody(
        status=error.status,
        code=text("code"),
        title=text("title"),
        detail=text("detail"),
        type=text("type"),
        errors=[e for e in errors if isinstance(e, dict)] if isinstance(errors, list) else [],
    )
