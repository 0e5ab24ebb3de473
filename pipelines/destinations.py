"""Which dlt destinations can hold the extract's current-state mirror, checked before any request.

The extract merges tasks on `id`, then runs SQL on the loaded dataset: it deletes the tasks the vendor
no longer has, updates `extract_runs` and (re)creates the analyst views. That needs a destination
whose dlt job client is a SQL client (`SqlJobClientBase`). `filesystem` answers SQL through
read-only DuckDB views, and merging there needs a table format (delta or iceberg) whose packages
(`deltalake`, `pyiceberg`) are not in this project's lock: it is refused with the reason, as are
vector databases and dlt's custom `destination`. Tested end to end: duckdb and postgres.
"""

from __future__ import annotations

import difflib
from typing import Any

from clients.core.errors import ActionableError

TESTED = ("duckdb", "postgres")
# dlt destinations that cannot hold the mirror (no SQL UPDATE/DELETE on the loaded data).
NOT_A_MIRROR = {
    "filesystem": "it answers SQL through read-only views, and a merge there needs the delta or"
    " iceberg table format, whose packages (deltalake, pyiceberg) are not installed",
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
    if not issubclass(client_class, SqlJobClientBase):
        why = NOT_A_MIRROR.get(destination.destination_type.rsplit(".", 1)[-1])
        raise DestinationSetupError(
            f"destination {kind!r} cannot hold the current-state mirror of {vendor} tasks"
            f" ({why or 'it is not a SQL destination'}; the extract deletes tasks removed in"
            f" {vendor} with SQL after each load): choose a SQL destination such as duckdb or"
            " postgres"
        )
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


def views_skipped_note(sql_client: Any) -> str | None:
    """Why the analyst and `sales_tasks` views cannot be built through this dlt SQL client, or
    None when they can.

    The views need schemas that can see each other, `information_schema` and PostgreSQL's interval
    arithmetic. SQLite has none of these: dlt's `sqlalchemy` destination attaches each dataset as
    its own database file (`<file>__<dataset>.db`), and a SQLite view cannot read another database.
    """
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
