"""What a scheduled run reads from dlt config: the vendor's extract, its accounts, where the
warehouse is and what to push.

Each vendor's settings live in its section `[<vendor>_tasks]` of `.dlt/config.toml` /
`.dlt/secrets.toml`, or in environment variables `<VENDOR>_TASKS__<KEY>` (dlt's usual lookup;
the environment wins):

- `warehouse`: a DuckDB file path or a SQLAlchemy URL (`duckdb:///path`, `postgresql://...`). The
  extract loads into it and the push reads from it and keeps its delivery ledger there. Default:
  `[destination.duckdb] credentials` when set, else `<vendor>_tasks.duckdb` in the working directory
  (give an absolute path under a scheduler: a worker's working directory is arbitrary).
- `dataset`: the extract's dataset (schema) for the vendor's default account, default the vendor's
  name. A named account always lands in its own `<vendor>_<name>`.
- `push_table` or `push_query`: the rows the push sends (columns: see `sales_tasks.destinations.core.contract`).
  Neither set: the push step is skipped, so a schedule never creates tasks nobody asked for.
  `{dataset}` and `{account}` in them become each run's dataset and account name, so one query
  serves every account (`SELECT ... FROM {dataset}.tasks`).
- `strict`: fail the extract when part of the vendor could not be read (default true), so the push does
  not run on a partial mirror and the orchestrator retries.
- `schedule`: a cron expression or preset (default `@daily`), read when the DAG or the
  definitions load.

Accounts (`sales_tasks.pipelines.accounts`): with accounts configured for the vendor
(`[accounts.<vendor>.<name>]`), a run fans out to one extract and one push per account, each its
own job; with none, one run for the vendor's default account (its key from the vendor's config).

API keys and base URLs are read by the factories themselves, exactly as on the command line:
the account's (`ACCOUNTS__<VENDOR>__<NAME>__API_KEY`), else `SOURCES__<VENDOR>__API_KEY` /
`DESTINATION__<VENDOR>_TASKS__API_KEY` (or `<VENDOR>_API_KEY`), and the matching `..._BASE_URL`.
Nothing here does I/O beyond reading config.

The vendors are discovered: `VENDOR_EXTRACTS` names each vendor's source spec
(`sources/<vendor>/spec.py`, found by its file, not imported), imported only when that vendor's
run starts: a vendor whose module is missing fails its own tasks, with one line, and no other's.
`VENDOR`, the default, is the vendor of the alias command (`SourceSpec.alias`).
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import json
import os
import pkgutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import dlt
from dlt.common.configuration import resolve_configuration
from dlt.common.configuration.specs import BaseConfiguration, configspec

from sales_tasks.clients.core.errors import ActionableError

DEFAULT_SCHEDULE = "@daily"


def _vendor_extracts() -> dict[str, str]:
    """`{vendor: "sales_tasks.sources.<vendor>.spec:SPEC"}` for every vendor folder with a source spec, read
    from the file system (nothing imported), in name order."""
    from sales_tasks.clients.core.discovery import vendor_packages

    found = {}
    for vendor in vendor_packages("sources"):
        package = importlib.util.find_spec(f"sales_tasks.sources.{vendor}")
        paths = list(package.submodule_search_locations or []) if package else []
        if any(info.name == "spec" for info in pkgutil.iter_modules(paths)):
            found[vendor] = f"sales_tasks.sources.{vendor}.spec:SPEC"
    return found


# Each vendor's extract, `module:attribute`: a `SourceSpec` (run by the generic extract) or a
# function called with `run_extract`'s keyword arguments.
VENDOR_EXTRACTS: dict[str, str] = _vendor_extracts()


def _alias_vendor() -> str:
    from sales_tasks.pipelines.vendors import alias_spec

    return str(alias_spec().name)


VENDOR = _alias_vendor()  # the default vendor: the alias command's
SECTION = f"{VENDOR}_tasks"  # every vendor's is `<vendor>_tasks`
DEFAULT_DATASET = VENDOR
DEFAULT_WAREHOUSE = f"{VENDOR}_tasks.duckdb"


class OrchestrationSetupError(ActionableError, RuntimeError):
    """A vendor's extract cannot be found (a missing module or an unknown vendor)."""


def section(vendor: str) -> str:
    """The dlt config section of a vendor's scheduled runs: `<vendor>_tasks`."""
    return f"{vendor}_tasks"


def extract_function(vendor: str) -> Callable[..., Any]:
    """The vendor's extract factory from `VENDOR_EXTRACTS`, imported now (a source spec is run by
    `sales_tasks.pipelines.extract.run_extract` for that vendor).

    Raises:
        OrchestrationSetupError: the vendor is unknown, or its module or function is missing.
    """
    try:
        path = VENDOR_EXTRACTS[vendor]
    except KeyError:
        known = ", ".join(VENDOR_EXTRACTS)
        raise OrchestrationSetupError(
            f"no extract for vendor {vendor!r}: choose one of {known}"
        ) from None
    module, _, name = path.partition(":")
    try:
        found: Any = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise OrchestrationSetupError(
            f"the {vendor} extract ({path}) cannot be loaded: {exc}; install a version that has"
            f" it, or fix the vendor's folder"
        ) from exc
    if callable(getattr(found, "configure", None)):
        from sales_tasks.pipelines.extract import extract_function as spec_extract

        return spec_extract(vendor)
    function: Callable[..., Any] = found
    return function


def accounts_to_run(vendor: str) -> list[str | None]:
    """What a run fans out over: the vendor's configured accounts, else its default (None)."""
    from sales_tasks.pipelines.accounts import account_names

    names: list[str | None] = list(account_names(vendor))
    return names or [None]


@configspec
class JobSettings(BaseConfiguration):
    """One scheduled run's settings, resolved by dlt (`[<vendor>_tasks]`, `<VENDOR>_TASKS__*`)."""

    warehouse: str | None = None
    dataset: str | None = None  # default: the vendor's name
    push_table: str | None = None
    push_query: str | None = None
    strict: bool = True
    schedule: str = DEFAULT_SCHEDULE
    vendor: str = VENDOR  # not read from config: the section it was loaded from

    @classmethod
    def load(cls, vendor: str = VENDOR) -> JobSettings:
        """Read the vendor's settings when a run starts (never at import)."""
        job = resolve_configuration(cls(), sections=(section(vendor),))
        job.vendor = vendor
        if not job.warehouse:
            duckdb_credentials: Any = dlt.secrets.get("destination.duckdb.credentials")
            job.warehouse = str(duckdb_credentials or f"{vendor}_tasks.duckdb")
        return job

    def dataset_of(self, account: str | None) -> str:
        """The extract's dataset for `account`: its own `<vendor>_<name>`, else `dataset`."""
        from sales_tasks.pipelines.accounts import account_dataset

        if account:
            return account_dataset(self.vendor, account)
        return self.dataset or self.vendor

    @property
    def has_push_input(self) -> bool:
        return bool(self.push_table or self.push_query)

    def extract_destination(self) -> dict[str, Any]:
        """`run_extract` destination arguments for the warehouse (DuckDB or PostgreSQL)."""
        warehouse = str(self.warehouse or f"{self.vendor}_tasks.duckdb")
        scheme, sep, rest = warehouse.partition("://")
        if not sep:  # a plain path is a DuckDB file
            return {"destination": "duckdb", "duckdb_path": os.path.abspath(warehouse)}
        dialect = scheme.split("+", 1)[0]
        if dialect == "duckdb":
            # `duckdb:///relative` and `duckdb:////absolute`, as SQLAlchemy spells them
            return {"destination": "duckdb", "duckdb_path": os.path.abspath(rest[1:])}
        if dialect in ("postgresql", "postgres"):
            return {"destination": "postgres", "credentials": f"postgresql://{rest}"}
        raise ValueError(
            f"{section(self.vendor)}.warehouse: unsupported warehouse type {dialect!r}; use a"
            " DuckDB file path or a postgresql:// URL"
        )

    @property
    def is_duckdb(self) -> bool:
        """Whether the warehouse is a DuckDB file (one writer at a time)."""
        return bool(self.extract_destination()["destination"] == "duckdb")

    def extract_kwargs(self, account: str | None = None) -> dict[str, Any]:
        """Keyword arguments for the vendor's extract factory (`run_extract`), for `account`."""
        kwargs = {
            **self.extract_destination(),
            "dataset_name": self.dataset_of(account),
            "strict": self.strict,
        }
        return {**kwargs, "account": account} if account else kwargs

    def push_kwargs(self, account: str | None = None) -> dict[str, Any]:
        """Keyword arguments for `sales_tasks.pipelines.push.run_push`, for `account`."""

        def bound(text: str | None) -> str | None:
            if text is None:
                return None
            dataset = self.dataset_of(account)
            return text.replace("{dataset}", dataset).replace("{account}", account or "")

        kwargs: dict[str, Any] = {
            "warehouse": self.warehouse,
            "table": bound(self.push_table),
            "query": bound(self.push_query),
        }
        if self.vendor != VENDOR:
            from sales_tasks.destinations.registry import sink

            kwargs["sink"] = sink(self.vendor)
        return {**kwargs, "account": account} if account else kwargs


def schedule(vendor: str = VENDOR) -> str:
    """The cron expression or preset both orchestrators schedule the vendor's job with."""
    return JobSettings.load(vendor).schedule


@contextmanager
def fresh_pipelines_dir() -> Iterator[str]:
    """An empty dlt pipelines dir for one run, removed afterwards.

    Nothing about delivery may depend on local state (workers lose their disks, dlt's Airflow
    helper wipes it, dagster-dlt drops it): dlt restores the extract's state from the warehouse
    and the push's ledger lives there. Starting empty every time makes that the tested path.
    """
    with tempfile.TemporaryDirectory(prefix="sales_tasks_dlt_") as path:
        yield path


def summary_dict(summary: Any) -> dict[str, Any]:
    """A run summary as plain JSON-able values (an Airflow XCom, Dagster metadata)."""
    plain: dict[str, Any] = json.loads(json.dumps(dataclasses.asdict(summary), default=str))
    return plain
