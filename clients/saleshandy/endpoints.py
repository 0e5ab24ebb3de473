"""Saleshandy Open API endpoints, each written once.

Facts relied on (Saleshandy's Open API reference, "Create Task"; its OpenAPI file as a generated
client uses it):
- Base URL `https://open-api.saleshandy.com`; every endpoint lives under `/v1/`.
- Tasks: `POST /v1/tasks/create`, `GET /v1/tasks` (paged list, no totals), `GET /v1/tasks/{id}`
  (404 "The requested task could not be found"), `GET /v1/tasks/counts` (counts per status),
  `GET /v1/tasks/assignee/list`.
- Prospects: `GET /v1/prospects?search=<text>` (a search, not an exact lookup).
- Which calls share one rate window is not documented: each path is its own bucket here.
"""

from __future__ import annotations

DEFAULT_BASE_URL = "https://open-api.saleshandy.com"

TASKS_CREATE = "/v1/tasks/create"
TASKS = "/v1/tasks"
TASKS_COUNTS = "/v1/tasks/counts"
TASK_ASSIGNEES = "/v1/tasks/assignee/list"
PROSPECTS = "/v1/prospects"


def task_path(task_id: str) -> str:
    """`GET /v1/tasks/{taskId}` for one task (the id is path-quoted)."""
    from urllib.parse import quote

    return f"{TASKS}/{quote(str(task_id), safe='')}"
