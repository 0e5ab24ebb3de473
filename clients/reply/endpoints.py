"""Reply.io API 3.0 endpoints, each written once.

Facts relied on (NOTES.md §3, seed 004, and the one public extractor of Reply tasks):
- Base URL `https://api.reply.io`; every endpoint of API 3.0 lives under `/v3`.
- `POST /v3/tasks` creates one task (path inferred from its sibling endpoints [?]).
- `GET /v3/tasks?top=&skip=` lists tasks (what the one real extractor uses);
  `POST /v3/tasks/filter?top=&skip=` lists them with filters in the body.
- `GET /v3/tasks/{id}` reads one task (the full task detail, like the create's answer).
- Contacts by email: nothing is documented for v3 [?]; `GET /v3/contacts?email=` is the guess
  the sandbox emulates.
- Reply's limits count per user over all endpoints, not per endpoint, so the client paces every
  endpoint together (`profile.documented_limits`); `quota_key` only names a call in messages.
"""

from __future__ import annotations

DEFAULT_BASE_URL = "https://api.reply.io"

TASKS = "/v3/tasks"
TASKS_FILTER = "/v3/tasks/filter"
CONTACTS = "/v3/contacts"


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
