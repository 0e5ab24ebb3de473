"""Settings of the Apollo tasks source: its dlt configuration and how the scan uses the API.

Apollo's API facts (endpoints, page sizes, the display cap, enums) live in `sales_tasks.clients.apollo`, shared
with the sink; this module adds only the source's choices (concurrency, the sort orders tried on
a search over the display cap) and its configuration section.
"""

from __future__ import annotations

from typing import Any

from dlt.common.configuration import resolve_configuration
from dlt.common.configuration.specs import BaseConfiguration, configspec
from dlt.common.typing import TSecretStrValue

from sales_tasks.clients.apollo.endpoints import DEFAULT_BASE_URL
from sales_tasks.clients.apollo.enums import SORT_BY_DUE_AT, SORT_BY_PRIORITY
from sales_tasks.clients.apollo.paging import DISPLAY_CAP_RECORDS, MAX_PER_PAGE
from sales_tasks.clients.core.config import register_short_env

DEFAULT_CONCURRENCY = 4

# Alternative orders tried on a slice that is over the cap and cannot be split further: each
# reaches a different window of `max_records` rows. `None` is Apollo's default order.
# (sort_by_field, sort_ascending)
SORT_ORDERS: tuple[tuple[str | None, bool | None], ...] = (
    (None, None),
    (SORT_BY_DUE_AT, None),
    (SORT_BY_DUE_AT, True),
    (SORT_BY_PRIORITY, None),
    (SORT_BY_PRIORITY, True),
)


# --- configuration (dlt section `sources.apollo`) ---------------------------------------------

SECTION = ("sources", "apollo")
# The short names Apollo users know; see `sales_tasks.clients.core.config` for where they rank.
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
