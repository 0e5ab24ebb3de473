"""Constants of Apollo's task search (`POST /api/v1/tasks/search`) and users search.

Facts relied on (../shared/api-docs/NOTES.md, section 1; seed 002):
- Base URL `https://api.apollo.io`; endpoints live under `/api/v1/`.
- `per_page` is at most 200 (seed 002) or 100 (current docs: larger answers 422
  `Per page not supported`).
- Display cap: 50,000 records, at most 500 pages, per search (whatever the filters).
- `open_factor_names[]=task_types` is required by the older contract and adds facet counts.
- Sort orders: `task_due_at` (most future first), `task_priority` (highest first).
"""

from __future__ import annotations

from typing import Any

from dlt.common.configuration import resolve_configuration
from dlt.common.configuration.specs import BaseConfiguration, configspec
from dlt.common.typing import TSecretStrValue

from clients.core.config import register_short_env

DEFAULT_BASE_URL = "https://api.apollo.io"
TASKS_SEARCH_PATH = "/api/v1/tasks/search"
USERS_SEARCH_PATH = "/api/v1/users/search"

MAX_PER_PAGE = 200
FALLBACK_PER_PAGE = 100
PER_PAGE_REJECTED = "per page not supported"

DISPLAY_CAP_RECORDS = 50_000
DISPLAY_CAP_PAGES = 500

TASK_TYPES_FACET = "task_types"
DEFAULT_CONCURRENCY = 4
USERS_PER_PAGE = 100

# Alternative orders tried on a slice that is over the cap and cannot be split further: each
# reaches a different window of `max_records` rows. `None` is Apollo's default order.
# (sort_by_field, sort_ascending)
SORT_ORDERS: tuple[tuple[str | None, bool | None], ...] = (
    (None, None),
    ("task_due_at", None),
    ("task_due_at", True),
    ("task_priority", None),
    ("task_priority", True),
)

# Facet values of `task_types` and the task `type` they count. Used only to check that rows of a
# filtered slice really match the filter; an unknown facet is checked by its count alone.
FACET_TO_TASK_TYPE = {
    "contact_call": "call",
    "outreach_manual_email": "outreach_manual_email",
    "contact_action_item": "action_item",
    "linkedin_step_connect": "linkedin_step_connect",
    "linkedin_step_message": "linkedin_step_message",
    "linkedin_step_view_profile": "linkedin_step_view_profile",
    "linkedin_step_interact_post": "linkedin_step_interact_post",
}


# --- configuration (dlt section `sources.apollo`) ---------------------------------------------

SECTION = ("sources", "apollo")
# The short names Apollo users know; see `clients.core.config` for where they rank.
SHORT_ENV = {"api_key": "APOLLO_API_KEY", "base_url": "APOLLO_BASE_URL"}


@configspec
class ApolloSourceConfiguration(BaseConfiguration):
    """Settings of the Apollo tasks source, resolved by dlt (`[sources.apollo]`).

    `SOURCES__APOLLO__<KEY>` or `.dlt/*.toml`; `api_key` and `base_url` also from
    `APOLLO_API_KEY` / `APOLLO_BASE_URL` (below the `SOURCES__` names, above the files).
    """

    api_key: TSecretStrValue | None = None
    base_url: str = DEFAULT_BASE_URL
    per_page: int = MAX_PER_PAGE
    concurrency: int = DEFAULT_CONCURRENCY
    max_records: int = DISPLAY_CAP_RECORDS
    timeout: float = 30.0


def source_settings(**explicit: Any) -> ApolloSourceConfiguration:
    """The source's settings: `explicit` values that are not None win over every config place."""
    register_short_env(SECTION[-1], SHORT_ENV)
    given = {k: v for k, v in explicit.items() if v is not None}
    config = resolve_configuration(ApolloSourceConfiguration(), sections=SECTION)
    for key, value in given.items():
        setattr(config, key, value)
    config.base_url = str(config.base_url).rstrip("/")
    return config
