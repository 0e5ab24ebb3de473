"""Which dlt destinations can hold the extract's current-state mirror, checked before any request.

The mirror merges rows on their keys and removes tasks deleted at the vendor with tombstone rows
that dlt's merge applies (`sales_tasks.sources.core.current_state`), so it needs a destination that merges:
every SQL destination (`SqlJobClientBase`: duckdb, postgres, sqlalchemy with SQLite or
MySQL/MariaDB, ...) and `filesystem` with an open table format, `delta` or `iceberg`, chosen with
dlt's config `[destination.filesystem] table_format` (`DESTINATION__FILESYSTEM__TABLE_FORMAT`).
Plain files (parquet, jsonl) only append, so `filesystem` without a table format is refused, as
are vector databases and dlt's custom `destination`. Tested end to end: duckdb, postgres, SQLite
and MariaDB through sqlalchemy, filesystem with delta and with iceberg (docs/destinations.md).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sales_tasks.clients.core.errors import ActionableError

TESTED = ("duckdb", "postgres", "sqlalchemy", "filesystem")
TABLE_FORMATS = ("delta", "iceberg")
# dlt destinations that cannot hold the mirror (no SQL UPDATE/DELETE on the loaded data).
NOT_A_MIRROR = {
    "dummy": "it stores nothing",
    "destination": "a custom sink receives rows but cannot be queried",
    "qdrant": "a vector database has no SQL to remove deleted tasks",
    "weaviate": "a vector database has no SQL to remove deleted tasks",
    "lancedb": "a vector database has no SQL to remove deleted tasks",
    "lance": "a vector database has no SQL to remove deleted tasks",
}


class DestinationSetupError(ActionableError, ValueError):
    """The destination asked for cannot be used as given; the message says what to change."""


def mirror_destinations() -> list[str]:
    """dlt's destination names that can hold the mirror (installed or not)."""
    import dlt.destinations

    return sorted(set(dlt.destinations.__all__) - set(NOT_A_MIRROR))


def check_destination(name: str, credentials: Any = None, vendor: str = "the vendor") -> Any:
    """The dlt `Destination` for `name`, or a `DestinationSetupError` saying what to change.

    Resolves dlt's destination names and named destinations (`DESTINATION__<NAME>__DESTINATION_TYPE`),
    and imports the destination's client, so missing packages are reported here and not after the
    first page. Credentials are checked by dlt when the pipeline syncs, before any extraction.
    """
    from dlt.common.destination import Destination
    from dlt.common.destination.exceptions import UnknownDestinationModule
    from dlt.common.exceptions import MissingDependencyException
    from dlt.destinations.job_client_impl import SqlJobClientBase

    try:
        destination = Destination.from_reference(name, credentials=credentials)
    except UnknownDestinationModule:
        destination = None
    if destination is None:
        raise DestinationSetupError(unknown_destination_message(name))
    kind = destination.destination_name
    try:
        client_class = destination.client_class
    except (MissingDependencyException, ModuleNotFoundError):
        raise DestinationSetupError(
            f"destination {kind!r} needs packages that are not installed here: run"
            f' `uv pip install "dlt[{destination.destination_type.rsplit(".", 1)[-1]}]"`'
            " in this environment, or choose another --destination"
        ) from None
    if destination.destination_type.endswith(".sqlalchemy"):
        _check_driver(destination)
    if destination.destination_type.endswith(".filesystem"):
        return _with_table_format(destination)
    if not issubclass(client_class, SqlJobClientBase):
        why = NOT_A_MIRROR.get(destination.destination_type.rsplit(".", 1)[-1])
        raise DestinationSetupError(
            f"destination {kind!r} cannot hold the current-state mirror of {vendor} tasks"
            f" ({why or 'it is not a SQL destination'}; the extract deletes tasks removed in"
            f" {vendor} by merging tombstone rows): choose a SQL destination such as duckdb or"
            " postgres, or filesystem with table_format delta or iceberg"
        )
    return destination


def _with_table_format(destination: Any) -> Any:
    """The `filesystem` destination writing every table of the mirror as Delta or Iceberg (dlt's
    `preferred_table_format`), from `[destination.<name>] table_format` in dlt's config."""
    import dlt

    name = destination.destination_name
    fmt = dlt.config.get(f"destination.{name}.table_format", str)
    if fmt not in TABLE_FORMATS:
        given = f" (it is {fmt!r})" if fmt else ""
        raise DestinationSetupError(
            f"destination {name!r} needs a table format to hold the mirror{given}: plain files"
            " only append, so tasks would repeat and deleted ones would stay; set"
            f" DESTINATION__{name.upper()}__TABLE_FORMAT=delta or iceberg (or table_format in"
            f" [destination.{name}] of .dlt/config.toml)"
        )
    destination.caps_params["preferred_table_format"] = fmt
    return destination


# The driver package to install for a DBAPI module SQLAlchemy could not import, and the URL scheme
# that uses it (SQLAlchemy's default MySQL driver, MySQLdb, needs a C compiler to install).
DRIVERS = {
    "MySQLdb": ("pymysql", "mysql+pymysql"),
    "pymysql": ("pymysql", "mysql+pymysql"),
    "pyodbc": ("pyodbc", "mssql+pyodbc"),
}


def _check_driver(destination: Any) -> None:
    """Refuse a SQLAlchemy URL whose database driver is not installed, naming the package, before
    anything is read (else the run ends in a `ModuleNotFoundError` after the extract)."""
    try:
        config = destination.configuration(destination.spec(), accept_partial=True)
        url = config.credentials.to_url()
    except Exception:  # noqa: BLE001 - missing credentials are reported by dlt, with their fix
        return
    try:
        url.get_dialect().import_dbapi()
    except ModuleNotFoundError as exc:
        module = exc.name or "its driver"
        package, scheme = DRIVERS.get(module, (module, url.drivername))
        raise DestinationSetupError(
            f"the SQLAlchemy URL {url.drivername}://... needs the driver package {package}, which"
            f" is not installed: run `uv pip install {package}` in this environment and write the"
            f" URL as {scheme}://user:password@host/database"
        ) from None
    except Exception:  # noqa: BLE001 - an unknown dialect is reported by dlt when it connects
        return


# SQLAlchemy dialects whose SQL the views are written in (the native duckdb and postgres
# destinations have no `dialect_name`, and hold them too).
VIEW_DIALECTS = ("duckdb", "postgresql")
# dlt SQL clients that answer through views over files: nothing they create outlives the run.
FILE_SQL_CLIENTS = ("FilesystemSqlClient",)


def views_skipped_note(sql_client: Any) -> str | None:
    """Why the analyst and `sales_tasks` views cannot be built through this dlt SQL client, or
    None when they can.

    The views need schemas that can see each other, `information_schema` and PostgreSQL's interval
    arithmetic. SQLite has none of these: dlt's `sqlalchemy` destination attaches each dataset as
    its own database file (`<file>__<dataset>.db`), and a SQLite view cannot read another database.
    """
    if type(sql_client).__name__ in FILE_SQL_CLIENTS:
        return (
            "the analyst views are not built on filesystem (a view there would live only in this"
            " run's in-memory DuckDB); every table is loaded as Delta or Iceberg: query the tables"
            " with DuckDB's delta/iceberg extensions, Spark, Trino or pipeline.dataset()"
        )
    dialect = getattr(sql_client, "dialect_name", None)
    if dialect is None or dialect in VIEW_DIALECTS:
        return None
    return (
        f"the analyst views are not built on {dialect} (only on duckdb and postgresql);"
        " every table is loaded: query the dataset's tables directly"
    )


def unknown_destination_message(name: str) -> str:
    valid = mirror_destinations()
    close = difflib.get_close_matches(name.lower(), valid, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return (
        f"unknown destination {name!r}{hint}: choose one of {', '.join(valid)}"
        f" (tested here: {', '.join(TESTED)}), or configure a named destination with"
        f" DESTINATION__{name.upper()}__DESTINATION_TYPE"
    )


@contextmanager
def phase_sql_client(pipeline: Any, client: Any = None) -> Iterator[Any]:
    """`client`, when the caller holds one open for its whole phase, else `pipeline.sql_client()`
    opened for this block only.

    Each `pipeline.sql_client()` resolves dlt's configuration and opens the warehouse anew (a
    DuckDB file is opened again each time): a phase of several steps (`finish_extract`) opens one
    and hands it to each. Held for one phase of one run, never kept beyond it.
    """
    if client is not None:
        yield client
        return
    with pipeline.sql_client() as opened:
        yield opened


def is_filesystem(pipeline: Any) -> bool:
    """Whether the pipeline loads into dlt's `filesystem` destination (Delta or Iceberg here)."""
    destination = getattr(pipeline, "destination", None)
    return destination is not None and destination.destination_type.endswith(".filesystem")


class FileBinding:
    """A dataset's binding rows (`sales_tasks.pipelines.accounts.claim_dataset`) on `filesystem`, as one JSON
    file beside its tables (`<bucket>/<dataset>/_sales_tasks_account.json`).

    A SQL table would not do there: the SQL client of `filesystem` is an in-memory DuckDB whose
    tables end with the run. The file is read and written through dlt's own fsspec client, so it
    lives wherever the bucket does (a local folder, S3, GCS, Azure).
    """

    COLUMNS = ("vendor", "account", "host", "base_url", "key_fingerprint")

    def __init__(self, pipeline: Any, table: str) -> None:
        import posixpath

        client = pipeline.destination_client()
        self.client = client
        self.fs = client.fs_client
        self.folder = client.dataset_path
        self.path = posixpath.join(self.folder, f"{table}.json")

    def read(self) -> list[dict[str, Any]]:
        import orjson

        if not self.fs.exists(self.path):
            return []
        rows = orjson.loads(self.fs.read_bytes(self.path))
        return [{c: row.get(c) for c in self.COLUMNS} for row in rows]

    def write(self, rows: list[dict[str, Any]]) -> None:
        import orjson

        if not self.client.is_storage_initialized():
            self.client.initialize_storage()  # the dataset folder, as dlt makes it
        self.fs.write_bytes(self.path, orjson.dumps(rows))
