"""Saleshandy lookups: prospects by email (`GET /v1/prospects?search=`) and the task assignees
(`GET /v1/tasks/assignee/list`), for the sink (emails to prospect ids) and the source.

Facts relied on (Saleshandy's OpenAPI file, third-party clients):
- Prospects search's `search` is a text search over names and emails, answering `payload` as an
  array: answers are compared to the email exactly (case-insensitively) here, so `ann@x.io`
  never matches `joann@x.io`, and `Ann@X.io` matches `ann@x.io`.
- Lists page with `page`/`pageSize` and end on a short page (`paging`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sales_tasks.clients.core.paginators import JsonRequester, paginate
from sales_tasks.clients.saleshandy.endpoints import PROSPECTS, TASK_ASSIGNEES
from sales_tasks.clients.saleshandy.paging import MAX_PAGE_SIZE, payload_items, saleshandy_paginator

TProspect = dict[str, Any]
TAssignee = dict[str, Any]

# Stop guards: one email has few matches; a team has few assignees.
MAX_PROSPECT_PAGES = 10
MAX_ASSIGNEE_PAGES = 100


def prospect_email(prospect: Mapping[str, Any]) -> str:
    """A prospect's email as the API spells it (`email`, else `emailId`), or ""."""
    for key in ("email", "emailId", "emailAddress"):
        value = prospect.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def prospect_ids_with_email(client: JsonRequester, email: str) -> list[str]:
    """Ids of the prospects whose email is exactly `email` (case-insensitively), sorted, unique."""
    wanted = email.strip().lower()
    ids: set[str] = set()
    for page in paginate(
        client,
        "GET",
        PROSPECTS,
        saleshandy_paginator(MAX_PAGE_SIZE, maximum_page=MAX_PROSPECT_PAGES),
        items_path=lambda body: payload_items(body, ("prospects", "contacts")),
        params={"search": wanted},
    ):
        for prospect in page.items:
            if prospect_email(prospect).lower() == wanted and prospect.get("id"):
                ids.add(str(prospect["id"]))
    return sorted(ids)


def list_assignees(client: JsonRequester) -> list[TAssignee]:
    """Every task assignee (user) of the account, each once, in Saleshandy's order."""
    assignees: list[TAssignee] = []
    seen: set[str] = set()
    for page in paginate(
        client,
        "GET",
        TASK_ASSIGNEES,
        saleshandy_paginator(MAX_PAGE_SIZE, maximum_page=MAX_ASSIGNEE_PAGES),
        items_path=lambda body: payload_items(body, ("assignees", "users")),
    ):
        fresh = [a for a in page.items if a.get("id") is not None and str(a["id"]) not in seen]
        if not fresh:  # a repeated page (or one the endpoint does not page): stop, never loop
            break
        seen.update(str(a["id"]) for a in fresh)
        assignees.extend(fresh)
    return assignees
