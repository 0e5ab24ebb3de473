"""Apollo.io helper endpoints: users search, contacts search, API usage stats.

Facts relied on (OpenAPI subset, NOTES.md section 1):
- `GET /api/v1/users/search?page=&per_page=` -> `{pagination, users, num_fetch_result}`; the spec
  example has `page` and `per_page` as strings, `total_entries`/`total_pages` as integers.
- `POST /api/v1/contacts/search`: `q_keywords` is a keyword match over names, titles, employers
  and emails (case-insensitive; every word must match); `sort_by_field` in
  `contact_created_at | contact_updated_at | contact_last_activity_date |
  contact_email_last_opened_at | contact_email_last_clicked_at`, newest first unless
  `sort_ascending`; `per_page` max 100 (larger values are clamped); 50,000-record display limit.
- `POST /api/v1/usage_stats/api_usage_stats` -> `{'["api/v1/tasks", "search"]': {day|hour|minute:
  {limit, consumed, left_over}}, ...}`; a master key only (VENDOR-SPECS 3.5, switch
  `usage_stats_keys`). The spec's example gives `left_over` equal to `limit` with `consumed` > 0:
  switch `usage_left_over` ("computed": limit - consumed; "limit": as that example).
"""

from __future__ import annotations

from math import ceil
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

from sales_tasks.sandbox.apollo import params as P
from sales_tasks.sandbox.apollo import ratelimit
from sales_tasks.sandbox.core.http import Response

if TYPE_CHECKING:
    from sales_tasks.sandbox.apollo.state import ApolloState

USERS_MAX_PER_PAGE = 100
CONTACTS_DISPLAY_LIMIT = 50_000


def users_search(app: ApolloState, params: dict[str, Any]) -> Response:
    page = P.int_param(params, "page", 1)
    per_page = min(P.int_param(params, "per_page", 25), USERS_MAX_PER_PAGE)
    n = app.ds.n_users
    start = (page - 1) * per_page
    users = [app.renderer.user(u) for u in range(start, min(n, start + per_page))]
    body = {
        "pagination": {
            "page": str(page),
            "per_page": str(per_page),
            "total_entries": n,
            "total_pages": ceil(n / per_page),
        },
        "users": users,
        "num_fetch_result": None,
    }
    return Response(200, orjson.dumps(body))


def contacts_search(app: ApolloState, params: dict[str, Any]) -> Response:
    page = P.int_param(params, "page", 1)
    per_page = min(P.int_param(params, "per_page", 25), app.cfg.contacts_max_per_page)
    keywords = params.get("q_keywords")
    if keywords is not None and not isinstance(keywords, str):
        raise P.BadInput(f"q_keywords must be a string; got {keywords!r}")
    matches = app.contact_matches(keywords or "")
    ds = app.ds
    sort_field = str(params.get("sort_by_field") or "")
    key = ds.c_updated if sort_field == "contact_updated_at" else ds.c_created
    ascending = P.bool_param(params.get("sort_ascending")) and bool(sort_field)
    order = matches[np.lexsort((matches, key[matches]))]
    if not ascending:
        order = order[::-1]
    total = int(order.size)
    start = (page - 1) * per_page
    end = min(start + per_page, total, CONTACTS_DISPLAY_LIMIT)
    contacts = (
        [app.renderer.contact_with_account(int(c)) for c in order[start:end]] if end > start else []
    )
    crumbs = []
    if keywords:
        crumbs.append(
            {
                "label": "Contains Keywords",
                "signal_field_name": "q_keywords",
                "value": keywords,
                "display_name": keywords,
            }
        )
    body = {
        "contacts": contacts,
        "breadcrumbs": crumbs,
        "partial_results_only": False,
        "has_join": False,
        "disable_eu_prospecting": False,
        "partial_results_limit": 10000,
        "pagination": {
            "page": page,
            "per_page": per_page,
            "total_entries": total,
            "total_pages": ceil(total / per_page),
        },
        "num_fetch_result": None,
    }
    return Response(200, orjson.dumps(body))


def usage_stats(app: ApolloState, params: dict[str, Any]) -> Response:
    stats = ratelimit.usage_stats(app.limiter, app.cfg)
    if app.cfg.usage_left_over == "limit":
        for windows in stats.values():
            for figures in windows.values():
                figures["left_over"] = figures["limit"]
    return Response(200, orjson.dumps(stats))
