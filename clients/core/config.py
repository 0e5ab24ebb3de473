"""Short environment variables (`VENDOR_API_KEY`) as a dlt config provider, not a second reader.

dlt resolves every setting through one ordered list of providers: environment variables
(`SOURCES__<SECTION>__<KEY>`), then `.dlt/secrets.toml`, then `.dlt/config.toml`. Users also expect
the short names a vendor's own tools use (`<VENDOR>_API_KEY`, `<VENDOR>_BASE_URL`), so this module adds
one provider that answers those, placed right after dlt's environment provider. The precedence is
then, for every setting of every source and destination, in one place:

    explicit argument (CLI flag) > dlt env var > short env var > secrets.toml > config.toml > default

Vendors register their short names per config section (`register_short_env`); nothing here names
a vendor. The provider is (re)inserted whenever a vendor registers or asks for it
(`ensure_short_env_provider`), because dlt rebuilds its provider list when a run context reloads.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from dlt.common.configuration.container import Container
from dlt.common.configuration.providers.provider import ConfigProvider
from dlt.common.configuration.specs.pluggable_run_context import PluggableRunContext

PROVIDER_NAME = "Short environment variables"
_DLT_ENV_PROVIDER = "Environment Variables"

_names: dict[tuple[str, str], str] = {}  # (config section, key) -> environment variable
_lock = threading.Lock()


class ShortEnvProvider(ConfigProvider):
    """Answers `key` in a registered section from its short environment variable."""

    def get_value(
        self, key: str, hint: type[Any], pipeline_name: str | None, *sections: str
    ) -> tuple[Any | None, str]:
        if pipeline_name:
            # dlt first looks every provider up under the pipeline's name
            # (`<PIPELINE>__SOURCES__...`); a short name is not pipeline-scoped, and answering
            # there would put it above dlt's own `SOURCES__...` env vars.
            return None, key
        for section in reversed(sections):
            env = _names.get((section, key))
            if env is not None:
                value = os.environ.get(env)
                return (value if value not in (None, "") else None), env
        return None, key

    @property
    def supports_secrets(self) -> bool:
        return True

    @property
    def supports_sections(self) -> bool:
        return True

    @property
    def name(self) -> str:
        return PROVIDER_NAME

    @property
    def is_empty(self) -> bool:
        return not _names


def ensure_short_env_provider() -> None:
    """Put the provider right after dlt's environment provider, once (no I/O)."""
    providers = Container()[PluggableRunContext].providers.providers
    with _lock:
        if any(p.name == PROVIDER_NAME for p in providers):
            return
        after = next((i for i, p in enumerate(providers) if p.name == _DLT_ENV_PROVIDER), -1)
        providers.insert(after + 1, ShortEnvProvider())


def register_short_env(section: str, names: dict[str, str]) -> None:
    """Let `names` (key -> environment variable) answer for config section `section`."""
    with _lock:
        for key, env in names.items():
            _names[(section, key)] = env
    ensure_short_env_provider()


def short_env_name(section: str, key: str) -> str | None:
    """The short environment variable registered for `section.key`, if any (for messages)."""
    return _names.get((section, key))
