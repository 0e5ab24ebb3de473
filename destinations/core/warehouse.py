"""Reading the rows to push from a warehouse, and where the delivery ledger lives.

Any SQLAlchemy URL works (PostgreSQL first); DuckDB through duckdb-engine (`duckdb:///path`), and
a plain file path means DuckDB. Input is a table (`schema.table` allowed) or a SQL query; the
whole input is read before anything is sent, because duplicate request_ids can only be found
over all of it. Values are carried as text (timestamps as ISO 8601, so a naive timestamp is
later reported as taken for UTC).
"""

from __future__ import annotations

import os
import re
import threading
from typing import Any

import sqlalchemy as sa

from destinations.core.contract import (
    CONTRACT_COLUMNS,
    ROW_NUMBER,
    mark_duplicates,
    to_input_value,
)
from sources.core.errors import ActionableError

DEFAULT_WAREHOUSE = "apollo_tasks.duckdb"
_DUCKDB_LOCKED = re.compile(r"Could not set lock on file[^(]*(\(PID \d+\))?")


class WarehouseBusyError(ActionableError, RuntimeError):
    """The DuckDB warehouse file is held by another process (DuckDB allows one writer)."""


_engines: dict[str, sa.Engine] = {}
_lock = threading.Lock()


def warehouse_url(value: str | None) -> str:
    """A SQLAlchemy URL from a URL or a DuckDB file path (default `apollo_tasks.duckdb`)."""
    value = value or DEFAULT_WAREHOUSE
    if "://" in value:
        return value
    return f"duckdb:///{os.path.abspath(value)}"


def get_engine(url: str) -> sa.Engine:
    """One engine per URL per process (DuckDB allows one writer process per file)."""
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = sa.create_engine(url, pool_pre_ping=not url.startswith("duckdb"))
            _engines[url] = engine
        return engine


def dispose_engine(url: str) -> None:
    """Close the engine's connections, releasing a DuckDB file for other processes."""
    with _lock:
        engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


def connect(engine: sa.Engine) -> sa.Connection:
    """`engine.connect()`, with DuckDB's lock conflict as one line a person can act on.

    A DuckDB file opened read-write is locked by the opening process until the engine is
    disposed (at the end of a push), which is also what keeps two pushes off one DuckDB ledger.
    """
    try:
        return engine.connect()
    except sa.exc.DBAPIError as exc:
        found = _DUCKDB_LOCKED.search(str(exc))
        if engine.dialect.name != "duckdb" or found is None:
            raise
        holder = f" {found.group(1)}" if found.group(1) else ""
        raise WarehouseBusyError(
            f"the DuckDB warehouse {engine.url.database} is open in another process{holder},"
            " e.g. another push or a notebook: DuckDB allows one writing process per file; wait"
            " for it to finish (or close it) and run again"
        ) from None


def _table_query(table: str) -> sa.Select[Any]:
    # No reflection (duckdb-engine cannot reflect under SQLAlchemy 2.1); names are quoted.
    schema, _, name = table.rpartition(".")
    return sa.select(sa.text("*")).select_from(sa.table(name, schema=schema or None))


def read_input(url: str, *, table: str | None = None, query: str | None = None) -> list[dict]:
    """Every input row as a contract dict with `_row` (1-based) and duplicates flagged.

    Raises:
        ValueError: neither or both of table and query given.
    """
    if (table is None) == (query is None):
        raise ValueError("give exactly one of --table or --query")
    engine = get_engine(url)
    statement: Any = _table_query(table) if table else sa.text(query or "")
    rows: list[dict[str, Any]] = []
    with connect(engine) as conn:
        result = conn.execute(statement)
        names = result.keys()  # a Result is iterated for rows, not names
        columns = [str(c).lower() for c in names]
        wanted = [(i, c) for i, c in enumerate(columns) if c in CONTRACT_COLUMNS]
        for number, record in enumerate(result, start=1):
            row: dict[str, Any] = {c: to_input_value(record[i]) for i, c in wanted}
            row[ROW_NUMBER] = number
            rows.append(row)
    mark_duplicates(rows)
    return rows
