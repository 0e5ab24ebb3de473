"""Reply.io API v3 endpoints, each written once.

Facts relied on (VENDOR-SPECS.md §1.3, §1.5, §1.6; RS = Reply's OpenAPI 3.1 bundle):
- Base URL `https://api.reply.io`; every endpoint of API v3 lives under `/v3` (RS @0).
- `POST /v3/tasks` creates one task and answers 201 with the full task detail (RS @1,697,000).
- `GET /v3/tasks?top=&skip=` lists tasks, no filters and no date window (RS @1,690,500);
  `POST /v3/tasks/filter?top=&skip=` lists them with filters in the body, whose `from`/`to`
  window on `startAt` defaults to [2000-01-01, now + 1 year] (RS @1,708,800, @1,710,000).
- `GET /v3/tasks/{id}` reads one task's detail; 404 `task.notFound` when it does not exist or
  the caller may not see it (RS @1,714,800).
- `GET /v3/contacts?email=` finds contacts by exact email (RS @597,500).
- `GET /v3/whoami/team-users` (no scope) is the only mapping of user ids to names and emails
  (RS @1,750,000).
- Reply's limits count per user over all endpoints, not per endpoint, so the client paces every
  endpoint together (`profile.documented_limits`); `quota_key` only names a call in messages.
"""

from __future__ import annotations

DEFAULT_BASE_URL = "https://api.reply.io"

TASKS = "/v3/tasks"
TASKS_FILTER = "/v3/tasks/filter"
CONTACTS = "/v3/contacts"
TEAM_USERS = "/v3/whoami/team-users"


def task_path(task_id: int | str) -> str:
    """The path of one task (`/v3/tasks/{id}`)."""
    return f"{TASKS}/{task_id}"


def quota_key(path: str) -> str:
    """How a call to `path` is named in messages and counted by the client (`v3/tasks`).

    One task's path is named by its template (`v3/tasks/{id}`), so reading many tasks is one name.
    """
    name = path.lstrip("/")
    head, _, tail = name.rpartition("/")
    if head == TASKS.lstrip("/") and tail and tail != "filter":
        return f"{head}/{{id}}"
    return name
