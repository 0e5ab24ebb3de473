"""Settings of the Reply.io tasks source: its dlt configuration (`[sources.reply]`).

Reply's API facts (endpoints, paging, enums, auth, limits) live in `sales_tasks.clients.reply`, shared with
the push; this module adds only the source's choices and its configuration section.
"""

from __future__ import annotations

from typing import Any

from dlt.common.configuration import resolve_configuration
from dlt.common.configuration.specs import BaseConfiguration, configspec
from dlt.common.typing import TSecretStrValue

from sales_tasks.clients.core.config import register_short_env
from sales_tasks.clients.reply.endpoints import DEFAULT_BASE_URL
from sales_tasks.clients.reply.paging import MAX_PAGES, MAX_TOP
from sales_tasks.clients.reply.profile import BEARER, DOCUMENTED_LIMITS, format_limits

# How tasks are listed: `GET /v3/tasks` (what the one real extractor uses) or the filter endpoint.
LIST_GET = "get"
LIST_FILTER = "filter"
LIST_ENDPOINTS = (LIST_GET, LIST_FILTER)

# Loaded tasks the list no longer shows are read one by one before anything is deleted; more
# than this many make a run incomplete. 1,000 reads take 10 minutes at 100 requests a minute.
VERIFY_DELETIONS = 1_000

SECTION = ("sources", "reply")
# The short names Reply users know; see `sales_tasks.clients.core.config` for where they rank.
SHORT_ENV = {"api_key": "REPLY_API_KEY", "base_url": "REPLY_BASE_URL"}


@configspec
class ReplySourceConfiguration(BaseConfiguration):
    """Settings of the Reply tasks source, resolved by dlt (`[sources.reply]`).

    `SOURCES__REPLY__<KEY>` or `.dlt/*.toml`; `api_key` and `base_url` also from
    `REPLY_API_KEY` / `REPLY_BASE_URL` (below the `SOURCES__` names, above the files).

    Attributes:
        auth_scheme: `bearer` (`Authorization: Bearer`, the default) or `x-api-key`.
        user_id / user_email: the user an organization key acts for (`X-User-Id` /
            `X-User-Email`).
        top: rows asked for per page (at most 1000).
        list_endpoint: `get` (`GET /v3/tasks`) or `filter` (`POST /v3/tasks/filter`).
        rate_limits: the plan's limits as `REQUESTS/SECONDS,...` (Reply documents 100 a minute
            and 3,000 an hour per user), paced on our side.
        max_pages: the stop guard of one scan.
        verify_deletions: loaded tasks the list no longer shows are read one by one
            (`GET /v3/tasks/{id}`) before they are removed; more than this many make the run
            incomplete (nothing is ever removed on the list's word).
    """

    api_key: TSecretStrValue | None = None
    base_url: str = DEFAULT_BASE_URL
    auth_scheme: str = BEARER
    user_id: str | None = None
    user_email: str | None = None
    top: int = MAX_TOP
    list_endpoint: str = LIST_GET
    rate_limits: str = format_limits(DOCUMENTED_LIMITS)
    max_pages: int = MAX_PAGES
    verify_deletions: int = VERIFY_DELETIONS
    timeout: float = 30.0


def source_settings(**explicit: Any) -> ReplySourceConfiguration:
    """The source's settings: `explicit` values that are not None win over every config place."""
    register_short_env(SECTION[-1], SHORT_ENV)
    config = resolve_configuration(ReplySourceConfiguration(), sections=SECTION)
    for key, value in explicit.items():
        if value is not None:
            setattr(config, key, value)
    config.base_url = str(config.base_url).rstrip("/")
    return config
