"""Shapes of what `POST /api/v1/tasks/search` and `GET /api/v1/users/search` answer.

Facts relied on: the sample response on Apollo's older task search page and the OpenAPI
example. Pagination numbers may be strings (users search example), so they are typed loosely
here and parsed leniently (`sales_tasks.clients.core.values.lenient_int`).
"""

from __future__ import annotations

from typing import Any, TypedDict

TTask = dict[str, Any]
TContact = dict[str, Any]
TAccount = dict[str, Any]
TUser = dict[str, Any]
TFilters = dict[str, list[str]]


class TPagination(TypedDict, total=False):
    page: int | str
    per_page: int | str
    total_entries: int | str
    total_pages: int | str


class TFacetCount(TypedDict, total=False):
    value: str
    display_name: str
    count: int | str


class TFaceting(TypedDict, total=False):
    task_types: list[TFacetCount]


class TSearchPage(TypedDict, total=False):
    tasks: list[TTask]
    breadcrumbs: list[Any]
    pagination: TPagination
    faceting: TFaceting
    pipeline_total: int | str | None
    num_fetch_result: Any


class TUsersPage(TypedDict, total=False):
    users: list[TUser]
    pagination: TPagination
