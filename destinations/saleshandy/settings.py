"""Settings of the Saleshandy task sink, resolved by dlt (section `destination.saleshandy_tasks`).

One precedence for every setting (see `sales_tasks.clients.core.config`): an explicit argument (CLI flag),
then `DESTINATION__SALESHANDY_TASKS__<KEY>`, then the short `SALESHANDY_API_KEY` /
`SALESHANDY_BASE_URL`, then `.dlt/secrets.toml` and `.dlt/config.toml`
(`[destination.saleshandy_tasks]`), then the default. No committed file holds a base URL.

Saleshandy's own settings:
- `max_prospects_per_call`: prospect ids per `POST /v1/tasks/create` (default 100: Saleshandy
  documents no maximum, and 100 is its largest page size elsewhere). A call refused as too large
  is split, and the smaller size is kept for the rest of the run (`vendor.py`).
- `time_zone`: the IANA zone in which a timestamp `due_date` becomes Saleshandy's `YYYY-MM-DD`
  and in which an empty one means "today" (default UTC; Saleshandy does not say which zone its
  dates are in, so set the account's).
- `list_lag_seconds`: the most seconds `GET /v1/tasks` takes to list a task after the create
  that made it answered, when you know it (default None: unknown). Saleshandy documents no such
  bound (VENDOR-SPECS.md section 2.2 publishes nothing about the list's freshness), so by
  default a lost create answer is proven "not created" only by a later create showing in the
  list (`sales_tasks.destinations.core.reconcile`, the witness). Given a bound, a list read begun that long
  after the lost call ended proves it by the task's absence, so the run's last call is settled in
  the run instead of waiting `reconcile_wait_seconds` and leaving its rows `sending`. A bound that
  is too low can make a duplicate: give it only when you know it.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dlt.common.configuration.specs import configspec

from sales_tasks.clients.saleshandy.endpoints import DEFAULT_BASE_URL
from sales_tasks.destinations.core.settings import (
    SettingError,
    TaskSinkConfiguration,
    resolve_sink_settings,
)

DESTINATION_NAME = "saleshandy_tasks"
SHORT_ENV = {"api_key": "SALESHANDY_API_KEY", "base_url": "SALESHANDY_BASE_URL"}
DEFAULT_MAX_PROSPECTS_PER_CALL = 100
DEFAULT_TIME_ZONE = "UTC"
DEFAULT_LEDGER_SCHEMA = "saleshandy_push"
DEFAULT_RECONCILE_WAIT_SECONDS = 30.0
DEFAULT_CALLS_IN_FLIGHT = 4


class SaleshandySettingError(SettingError):
    """A Saleshandy push setting has a value that cannot be used; the message says which."""


@configspec
class SaleshandyPushConfiguration(TaskSinkConfiguration):
    """What a push to Saleshandy reads from config (every field also a `run_push` argument)."""

    base_url: str = DEFAULT_BASE_URL
    max_prospects_per_call: int = DEFAULT_MAX_PROSPECTS_PER_CALL
    time_zone: str = DEFAULT_TIME_ZONE
    reconcile_wait_seconds: float = DEFAULT_RECONCILE_WAIT_SECONDS
    calls_in_flight: int = DEFAULT_CALLS_IN_FLIGHT
    ledger_schema: str = DEFAULT_LEDGER_SCHEMA
    list_lag_seconds: float | None = None


def time_zone(name: str) -> ZoneInfo:
    """The IANA zone `name`.

    Raises:
        SaleshandySettingError: not a zone this machine knows.
    """
    try:
        return ZoneInfo(str(name).strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise SaleshandySettingError(
            f"time_zone {str(name)[:60]!r} is not an IANA time zone: give one such as UTC or"
            " Europe/Berlin (--time-zone or DESTINATION__SALESHANDY_TASKS__TIME_ZONE)"
        ) from None


def push_settings(**explicit: Any) -> SaleshandyPushConfiguration:
    """The push's settings: `explicit` values that are not None win over every config place.

    Raises:
        SaleshandySettingError: a bad time zone or chunk size.
    """
    config = resolve_sink_settings(
        SaleshandyPushConfiguration(), DESTINATION_NAME, SHORT_ENV, explicit
    )
    time_zone(config.time_zone)
    if config.list_lag_seconds is not None and not float(config.list_lag_seconds) >= 0:
        raise SaleshandySettingError(
            f"list_lag_seconds is {config.list_lag_seconds}: give 0 or more seconds, or leave it"
            " unset when Saleshandy's list lag is not known"
        )
    if int(config.max_prospects_per_call) < 1:
        raise SaleshandySettingError(
            f"max_prospects_per_call is {config.max_prospects_per_call}: give 1 or more"
        )
    return config
