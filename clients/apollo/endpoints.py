"""Apollo.io API endpoints, each written once.

Facts relied on (Apollo's API reference, "Search for Tasks", "Create a Task", "Bulk Create Tasks",
"Search for Users", "Search for Contacts"):
- Base URL `https://api.apollo.io`; every endpoint lives under `/api/v1/`.
- Apollo names an endpoint without the leading slash in its 429 texts (`The maximum number of
  api calls allowed for api/v1/tasks/search is ...`) and in its usage stats, and counts each
  endpoint's calls on its own: that name is the client's rate-limit bucket (`quota_key`).
"""

from __future__ import annotations

DEFAULT_BASE_URL = "https://api.apollo.io"

TASKS_CREATE = "/api/v1/tasks"
TASKS_BULK_CREATE = "/api/v1/tasks/bulk_create"
TASKS_SEARCH = "/api/v1/tasks/search"
USERS_SEARCH = "/api/v1/users/search"
CONTACTS_SEARCH = "/api/v1/contacts/search"
# Per endpoint `{minute|hour|day: {limit, consumed, left_over}}`; master key (VENDOR-SPECS 3.5).
USAGE_STATS = "/api/v1/usage_stats/api_usage_stats"


def quota_key(path: str) -> str:
    """The name Apollo counts `path`'s calls under (`api/v1/tasks/search`): the rate-limit bucket."""
    return path.lstrip("/")
