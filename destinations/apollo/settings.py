"""Where the Apollo task sink finds its settings.

Order: an explicit argument, then `DESTINATION__APOLLO_TASKS__<NAME>`, then the plain
`APOLLO_API_KEY` / `APOLLO_BASE_URL` environment variables, then dlt's config and secrets files
(`[destination.apollo_tasks]`), then the default. The environment wins over the committed
`.dlt/config.toml` so that pointing a run at the sandbox needs only an environment variable.
"""

from __future__ import annotations

import os
from typing import Any

import dlt

DEFAULT_BASE_URL = "https://api.apollo.io"
SECTION = "destination.apollo_tasks"
DEFAULT_RECONCILE_WAIT_SECONDS = 30.0
DEFAULT_CALLS_IN_FLIGHT = 4


def _setting(name: str, explicit: Any, fallback_env: str | None, *, secret: bool) -> Any:
    if explicit not in (None, ""):
        return explicit
    value = os.environ.get(f"DESTINATION__APOLLO_TASKS__{name.upper()}")
    if not value and fallback_env:
        value = os.environ.get(fallback_env)
    if value:
        return value
    accessor = dlt.secrets if secret else dlt.config
    try:
        return accessor.get(f"{SECTION}.{name}")
    except Exception:  # an unreadable config file must not hide the env fallbacks above
        return None


def resolve_api_key(explicit: str | None = None) -> str | None:
    value = _setting("api_key", explicit, "APOLLO_API_KEY", secret=True)
    return str(value) if value else None


def resolve_base_url(explicit: str | None = None) -> str:
    value = _setting("base_url", explicit, "APOLLO_BASE_URL", secret=False)
    return str(value or DEFAULT_BASE_URL).rstrip("/")


def resolve_reconcile_wait(explicit: float | None = None) -> float:
    value = _setting("reconcile_wait_seconds", explicit, None, secret=False)
    return float(value) if value not in (None, "") else DEFAULT_RECONCILE_WAIT_SECONDS


def resolve_max_attempts(explicit: int | None = None) -> int:
    """HTTP attempts per request (the client's retry budget)."""
    value = _setting("max_attempts", explicit, None, secret=False)
    return int(value) if value not in (None, "") else 6


def resolve_calls_in_flight(explicit: int | None = None) -> int:
    """Create calls sent at once (the ledger still records each before and after it)."""
    value = _setting("calls_in_flight", explicit, None, secret=False)
    return int(value) if value not in (None, "") else DEFAULT_CALLS_IN_FLIGHT
