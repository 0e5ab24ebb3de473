"""Settings of the Saleshandy tasks source: its dlt configuration (section `sources.saleshandy`).

Saleshandy's API facts (endpoints, page sizes, enums) live in `sales_tasks.clients.saleshandy`, shared with the
sink; this module adds only the source's configuration.
"""

from __future__ import annotations

from typing import Any

from dlt.common.configuration import resolve_configuration
from dlt.common.configuration.specs import BaseConfiguration, configspec
from dlt.common.typing import TSecretStrValue

from sales_tasks.clients.core.config import register_short_env
from sales_tasks.clients.saleshandy.endpoints import DEFAULT_BASE_URL
from sales_tasks.clients.saleshandy.paging import MAX_PAGE_SIZE

SECTION = ("sources", "saleshandy")
# The short names Saleshandy users know; see `sales_tasks.clients.core.config` for where they rank.
SHORT_ENV = {"api_key": "SALESHANDY_API_KEY", "base_url": "SALESHANDY_BASE_URL"}
SEEN_TASK_IDS_TABLE = "_saleshandy_seen_task_ids"
# Pages in flight at once once the counts tell how many there are.
DEFAULT_CONCURRENCY = 4


@configspec
class SaleshandySourceConfiguration(BaseConfiguration):
    """Settings of the Saleshandy tasks source, resolved by dlt (`[sources.saleshandy]`).

    `SOURCES__SALESHANDY__<KEY>` or `.dlt/*.toml`; `api_key` and `base_url` also from
    `SALESHANDY_API_KEY` / `SALESHANDY_BASE_URL` (below the `SOURCES__` names, above the files).
    """

    api_key: TSecretStrValue | None = None
    base_url: str = DEFAULT_BASE_URL
    page_size: int = MAX_PAGE_SIZE
    concurrency: int = DEFAULT_CONCURRENCY
    timeout: float = 30.0
    # Tries of one request before a page counts as failed (429s, 5xx, dropped connections).
    max_attempts: int = 6


def source_settings(**explicit: Any) -> SaleshandySourceConfiguration:
    """The source's settings: `explicit` values that are not None win over every config place."""
    register_short_env(SECTION[-1], SHORT_ENV)
    config = resolve_configuration(SaleshandySourceConfiguration(), sections=SECTION)
    for key, value in explicit.items():
        if value is not None:
            setattr(config, key, value)
    config.base_url = str(config.base_url).rstrip("/")
    return config
