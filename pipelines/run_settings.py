"""dlt settings for one of our runs' pipelines only, never for a user's own pipelines.

Some of dlt's settings are read only from its configuration: the pipe iterator's
`extract.next_item_mode` (`PipeIterator.PipeIteratorConfiguration`, resolved by `with_config`
when `pipeline.extract` runs) and the loader's `load.workers` (`LoaderConfiguration`, resolved
when `pipeline.load` makes its `Load` step). An environment variable or `dlt.config[...]` would
change every pipeline in the process (a notebook, an Airflow worker running a user's DAGs too).

`run_defaults(pipeline_name, settings)` instead adds, for the duration of a `with` block, a
config provider that answers these keys only while dlt resolves a configuration of the pipeline
named `pipeline_name` (the `ConfigSectionContext` dlt injects around each step carries the
pipeline's name), and removes it after. It is the last of dlt's providers and answers only
dlt's unscoped lookup (`extract.next_item_mode`, not `<pipeline_name>.extract.next_item_mode`),
so whatever the user set in any provider (environment, `config.toml`, a vault), scoped or not,
is found before it: a user's explicit setting wins.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from dlt.common.configuration.container import Container
from dlt.common.configuration.providers.provider import ConfigProvider
from dlt.common.configuration.specs.config_section_context import ConfigSectionContext
from dlt.common.configuration.specs.pluggable_run_context import PluggableRunContext

__all__ = ["PROVIDER_NAME", "RunDefaultsProvider", "run_defaults"]

PROVIDER_NAME = "sales-tasks run defaults"
"""The provider's name, as dlt's trace (`pipeline.last_trace.resolved_config_values`) shows it."""


class RunDefaultsProvider(ConfigProvider):
    """Answers `settings` (`"section.key"` -> value) for the pipeline named `pipeline_name` only."""

    def __init__(self, pipeline_name: str, settings: Mapping[str, Any]) -> None:
        self.pipeline_name = pipeline_name
        self._settings: dict[tuple[str, ...], Any] = {
            tuple(path.split(".")): value for path, value in settings.items()
        }

    def get_value(
        self, key: str, hint: type[Any], pipeline_name: str | None, *sections: str
    ) -> tuple[Any | None, str]:
        full_key = ".".join((*sections, key))
        # The pipeline-scoped lookup (`<name>.extract.next_item_mode`) is the user's to answer:
        # dlt tries it in every provider before the unscoped one, so ours would beat theirs.
        if pipeline_name is not None:
            return None, full_key
        value = self._settings.get((*sections, key))
        if value is None:
            return None, full_key
        context = Container()[ConfigSectionContext]
        if context.pipeline_name != self.pipeline_name:
            return None, full_key
        return value, full_key

    @property
    def supports_secrets(self) -> bool:
        return False

    @property
    def supports_sections(self) -> bool:
        return True

    @property
    def name(self) -> str:
        return PROVIDER_NAME


@contextlib.contextmanager
def run_defaults(pipeline_name: str, settings: Mapping[str, Any]) -> Iterator[RunDefaultsProvider]:
    """dlt reads `settings` for pipeline `pipeline_name` inside the block, unless the user set them.

    Args:
        pipeline_name: the pipeline the settings are for; any other pipeline (a user's own, in
            the same process and even at the same time) resolves as if they did not exist.
        settings: `"section.key"` to value, e.g. `{"extract.next_item_mode": "fifo"}`.
    """
    providers = Container()[PluggableRunContext].providers.providers
    provider = RunDefaultsProvider(pipeline_name, settings)
    providers.append(provider)
    try:
        yield provider
    finally:
        # dlt may have reloaded its providers meanwhile (then ours is already gone).
        with contextlib.suppress(ValueError):
            providers.remove(provider)
