"""What a scheduled run reads from dlt config: where the warehouse is and what to push.

Keys live in the `[apollo_tasks]` section of `.dlt/config.toml` / `.dlt/secrets.toml`, or in
environment variables `APOLLO_TASKS__<KEY>` (dlt's usual lookup; the environment wins):

- `warehouse`: a DuckDB file path or a SQLAlchemy URL (`duckdb:///path`, `postgresql://...`). The
  extract loads into it and the push reads from it and keeps its delivery ledger there. Default:
  `[destination.duckdb] credentials` when set, else `apollo_tasks.duckdb` in the working directory
  (give an absolute path under a scheduler: a worker's working directory is arbitrary).
- `dataset`: the extract's dataset (schema), default `apollo`.
- `push_table` or `push_query`: the rows the push sends (columns: see `destinations.core.contract`).
  Neither set: the push step is skipped, so a schedule never creates tasks nobody asked for.
- `strict`: fail the extract when part of Apollo could not be read (default true), so the push does
  not run on a partial mirror and the orchestrator retries.
- `schedule`: a cron expression or preset (default `@daily`), read when the DAG or the
  definitions load.

API keys and base URLs are read by the factories themselves, exactly as on the command line:
`SOURCES__APOLLO__API_KEY` / `DESTINATION__APOLLO_TASKS__API_KEY` (or `APOLLO_API_KEY`), and the
matching `..._BASE_URL`. Nothing here does I/O beyond reading config.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dlt
from dlt.common.configuration import resolve_configuration
from dlt.common.configuration.specs import BaseConfiguration, configspec

SECTION = "apollo_tasks"
DEFAULT_SCHEDULE = "@daily"
DEFAULT_DATASET = "apollo"
DEFAULT_WAREHOUSE = "apollo_tasks.duckdb"


@configspec
class JobSettings(BaseConfiguration):
    """One scheduled run's settings, resolved by dlt (`[apollo_tasks]`, `APOLLO_TASKS__*`)."""

    warehouse: str | None = None
    dataset: str = DEFAULT_DATASET
    push_table: str | None = None
    push_query: str | None = None
    strict: bool = True
    schedule: str = DEFAULT_SCHEDULE

    @classmethod
    def load(cls) -> JobSettings:
        """Read the settings when a run starts (never at import)."""
        job = resolve_configuration(cls(), sections=(SECTION,))
        if not job.warehouse:
            duckdb_credentials: Any = dlt.secrets.get("destination.duckdb.credentials")
            job.warehouse = str(duckdb_credentials or DEFAULT_WAREHOUSE)
        return job

    @property
    def has_push_input(self) -> bool:
        return bool(self.push_table or self.push_query)

    def extract_destination(self) -> dict[str, Any]:
        """`run_extract` destination arguments for the warehouse (DuckDB or PostgreSQL)."""
        warehouse = str(self.warehouse or DEFAULT_WAREHOUSE)
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
            f"apollo_tasks.warehouse: unsupported warehouse type {dialect!r}; use a DuckDB file"
            " path or a postgresql:// URL"
        )

    def extract_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `pipelines.extract.run_extract`."""
        return {**self.extract_destination(), "dataset_name": self.dataset, "strict": self.strict}

    def push_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `pipelines.push.run_push`."""
        return {"warehouse": self.warehouse, "table": self.push_table, "query": self.push_query}


def schedule() -> str:
    """The cron expression or preset both orchestrators schedule the job with."""
    return JobSettings.load().schedule


@contextmanager
def fresh_pipelines_dir() -> Iterator[str]:
    """An empty dlt pipelines dir for one run, removed afterwards.

    Nothing about delivery may depend on local state (workers lose their disks, dlt's Airflow
    helper wipes it, dagster-dlt drops it): dlt restores the extract's state from the warehouse
    and the push's ledger lives there. Starting empty every time makes that the tested path.
    """
    with tempfile.TemporaryDirectory(prefix="apollo_tasks_dlt_") as path:
        yield path


def summary_dict(summary: Any) -> dict[str, Any]:
    """A run summary as plain JSON-able values (an Airflow XCom, Dagster metadata)."""
    plain: dict[str, Any] = json.loads(json.dumps(dataclasses.asdict(summary), default=str))
    return plain
