"""Settings of the Apollo task sink, resolved by dlt (section `destination.apollo_tasks`).

One precedence for every setting (see `sales_tasks.clients.core.config`): an explicit argument (CLI flag),
then `DESTINATION__APOLLO_TASKS__<KEY>`, then the short `APOLLO_API_KEY` / `APOLLO_BASE_URL`, then
`.dlt/secrets.toml` and `.dlt/config.toml` (`[destination.apollo_tasks]`), then the default. No
committed file holds a base URL, so a run pointed at the sandbox by an environment variable can
never be sent to the real API by a file.

`account` (`DESTINATION__APOLLO_TASKS__ACCOUNT`) names the Apollo account in the ledger's key;
default: the base URL's host (`api.apollo.io`). Give each Apollo team its own name when several
push into one ledger schema through the same host.
"""

from __future__ import annotations

from typing import Any

from dlt.common.configuration.specs import configspec

from sales_tasks.destinations.core.settings import TaskSinkConfiguration, resolve_sink_settings

DEFAULT_BASE_URL = "https://api.apollo.io"
DESTINATION_NAME = "apollo_tasks"
SECTION = ("destination", DESTINATION_NAME)
SHORT_ENV = {"api_key": "APOLLO_API_KEY", "base_url": "APOLLO_BASE_URL"}
DEFAULT_RECONCILE_WAIT_SECONDS = 30.0
DEFAULT_CALLS_IN_FLIGHT = 4
DEFAULT_MAX_CONTACTS_PER_CALL = 100
DEFAULT_LEDGER_SCHEMA = "apollo_push"


@configspec
class ApolloPushConfiguration(TaskSinkConfiguration):
    """What a push to Apollo reads from config (every field also a `run_push` argument)."""

    base_url: str = DEFAULT_BASE_URL
    max_contacts_per_call: int = DEFAULT_MAX_CONTACTS_PER_CALL
    reconcile_wait_seconds: float = DEFAULT_RECONCILE_WAIT_SECONDS
    calls_in_flight: int = DEFAULT_CALLS_IN_FLIGHT
    ledger_schema: str = DEFAULT_LEDGER_SCHEMA


def push_settings(**explicit: Any) -> ApolloPushConfiguration:
    """The push's settings: `explicit` values that are not None win over every config place."""
    return resolve_sink_settings(ApolloPushConfiguration(), DESTINATION_NAME, SHORT_ENV, explicit)
