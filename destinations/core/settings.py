"""Settings every task sink shares, resolved by dlt in the sink's section `destination.<name>`.

One precedence for every setting (see `sales_tasks.clients.core.config`): an explicit argument (CLI flag),
then `DESTINATION__<NAME>__<KEY>`, then the vendor's short environment variables, then
`.dlt/secrets.toml` and `.dlt/config.toml`, then the default. A vendor subclasses
`TaskSinkConfiguration` to add its own settings and defaults (its base URL, its ledger schema).

`account` is part of every ledger key: two accounts (or two vendors) may share one ledger schema
without seeing each other's rows. It defaults to the host of the base URL (with its port when one
is given), so pushes to one API host share their deliveries and pushes to another do not.
"""

# No `from __future__ import annotations`: dlt evaluates inherited field hints in the
# subclass's module, where these names may not be imported.
import re
from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

from dlt.common.configuration import resolve_configuration
from dlt.common.configuration.specs import BaseConfiguration, configspec
from dlt.common.typing import TSecretStrValue

from sales_tasks.clients.core.config import register_short_env
from sales_tasks.clients.core.errors import ActionableError
from sales_tasks.clients.core.values import account_name

DESTINATION_SECTION = "destination"
# A schema name every warehouse takes unquoted, so it never reaches SQL as anything else.
_SCHEMA = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


class SettingError(ActionableError, ValueError):
    """A push setting is not usable as given (one line saying what it may hold)."""


@configspec
class TaskSinkConfiguration(BaseConfiguration):
    """What every push reads from config (each field also a `run_push` argument)."""

    api_key: TSecretStrValue | None = None
    base_url: str | None = None
    account: str | None = None  # default: the base URL's host (`default_account`)
    warehouse: str | None = None  # SQLAlchemy URL or DuckDB file of input and ledger
    ledger_schema: str | None = None
    reconcile_wait_seconds: float = 30.0
    calls_in_flight: int = 4
    max_attempts: int = 6  # HTTP attempts per request (the client's retry budget)


TConfig = TypeVar("TConfig", bound=TaskSinkConfiguration)


def default_account(base_url: str | None) -> str:
    """The account a base URL stands for when none is configured: its host (and port)."""
    parts = urlsplit(base_url or "")
    host = (parts.hostname or "").lower()
    if not host:
        raise ValueError(f"base URL {base_url!r} names no host: give one such as https://host")
    return f"{host}:{parts.port}" if parts.port else host


def resolve_sink_settings(
    config: TConfig, section: str, short_env: Mapping[str, str], explicit: Mapping[str, Any]
) -> TConfig:
    """`config` resolved by dlt in `destination.<section>`; `explicit` values not None win."""
    register_short_env(section, dict(short_env))
    config = resolve_configuration(config, sections=(DESTINATION_SECTION, section))
    for key, value in explicit.items():
        if value not in (None, ""):
            setattr(config, key, value)
    if config.base_url:
        config.base_url = str(config.base_url).rstrip("/")
    if not config.account:
        config.account = default_account(config.base_url)
    else:
        try:
            config.account = account_name(str(config.account))
        except ValueError as exc:
            raise SettingError(str(exc)) from None
    if config.ledger_schema and not _SCHEMA.match(str(config.ledger_schema)):
        raise SettingError(
            f"ledger schema {config.ledger_schema!r}: use letters, digits and '_' (at most 63,"
            " not starting with a digit)"
        )
    return config
