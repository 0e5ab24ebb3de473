"""Settings of the Apollo task sink, resolved by dlt (section `destination.apollo_tasks`).

One precedence for every setting (see `clients.core.config`): an explicit argument (CLI flag),
then `DESTINATION__APOLLO_TASKS__<KEY>`, then the short `APOLLO_API_KEY` / `APOLLO_BASE_URL`, then
`.dlt/secrets.toml` and `.dlt/config.toml` (`[destination.apollo_tasks]`), then the default. No
committed file holds a base URL, so a run pointed at the sandbox by an environment variable can
never be sent to the real API by a file.
"""

from __future__ import annotations

from typing import Any

from dlt.common.configuration import resolve_configuration
from dlt.common.configuration.specs import BaseConfiguration, configspec
from dlt.common.typing import TSecretStrValue

from clients.core.config import register_short_env

DEFAULT_BASE_URL = "https://api.apollo.io"
SECTION = ("destination", "apollo_tasks")
SHORT_ENV = {"api_key": "APOLLO_API_KEY", "base_url": "APOLLO_BASE_URL"}
DEFAULT_RECONCILE_WAIT_SECONDS = 30.0
DEFAULT_CALLS_IN_FLIGHT = 4
DEFAULT_MAX_CONTACTS_PER_CALL = 100
DEFAULT_LEDGER_SCHEMA = "apollo_push"


@configspec
class ApolloPushConfiguration(BaseConfiguration):
    """What a push to Apollo reads from config (every field also a `run_push` argument)."""

    api_key: TSecretStrValue | None = None
    base_url: str = DEFAULT_BASE_URL
    max_contacts_per_call: int = DEFAULT_MAX_CONTACTS_PER_CALL
    reconcile_wait_seconds: float = DEFAULT_RECONCILE_WAIT_SECONDS
    calls_in_flight: int = DEFAULT_CALLS_IN_FLIGHT
    max_attempts: int = 6  # HTTP attempts per request (the client's retry budget)
    ledger_schema: str = DEFAULT_LEDGER_SCHEMA


def push_settings(**explicit: Any) -> ApolloPushConfiguration:
    """The push's settings: `explicit` values that are not None win over every config place."""
    register_short_env(SECTION[-1], SHORT_ENV)
    config = resolve_configuration(ApolloPushConfiguration(), sections=SECTION)
    for key, value in explicit.items():
        if value not in (None, ""):
            setattr(config, key, value)
    config.base_url = str(config.base_url).rstrip("/")
    return config


def resolve_api_key(explicit: str | None = None) -> str | None:
    value = push_settings(api_key=explicit).api_key
    return str(value) if value else None


def resolve_base_url(explicit: str | None = None) -> str:
    return push_settings(base_url=explicit).base_url


def resolve_reconcile_wait(explicit: float | None = None) -> float:
    return float(push_settings(reconcile_wait_seconds=explicit).reconcile_wait_seconds)


def resolve_max_attempts(explicit: int | None = None) -> int:
    """HTTP attempts per request (the client's retry budget)."""
    return int(push_settings(max_attempts=explicit).max_attempts)


def resolve_calls_in_flight(explicit: int | None = None) -> int:
    """Create calls sent at once (the ledger still records each before and after it)."""
    return int(push_settings(calls_in_flight=explicit).calls_in_flight)
