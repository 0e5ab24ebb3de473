"""Reading the rows to push from a warehouse, and where the delivery ledger lives.

The input can be read from any SQLAlchemy URL; the delivery ledger lives in PostgreSQL or DuckDB
only (`ledger.py` refuses others). DuckDB goes through duckdb-engine (`duckdb:///path`), and a
plain file path means DuckDB. Input is a table (`table` or `schema.table`) or one SQL query
that reads (SELECT, WITH, VALUES, TABLE, or DuckDB's FROM-first); anything else, and any error
the database gives while reading, is one `InputError` line before anything is sent. The whole
input is read before anything is sent, because duplicate request_ids can only be found over all
of it. Values are carried as text (timestamps as ISO 8601, so a naive timestamp is later
reported as taken for UTC); a value whose type is not what its column means (a boolean title,
a NaN, binary data) marks its row rejected here, while the type is still known.

Dates Python cannot hold (PostgreSQL `infinity`, years past 9999 or BC) arrive as their text,
so they reject one row instead of failing the read (psycopg raises on them by default).
"""

from __future__ import annotations

import functools
import os
import re
import threading
from typing import Any

import sqlalchemy as sa

from sales_tasks.clients.core.errors import ActionableError
from sales_tasks.destinations.core.contract import (
    CONTRACT_COLUMNS,
    INPUT_REJECTION,
    ROW_NUMBER,
    InputRules,
    OutOfRangeDateTime,
    mark_duplicates,
    show,
    to_input_value,
    value_problem,
)

_DUCKDB_LOCKED = re.compile(r"Could not set lock on file[^(]*(\(PID \d+\))?")
_READING_STATEMENTS = frozenset({"SELECT", "WITH", "VALUES", "TABLE", "FROM"})
_WRITING_WORDS = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE|COPY)\b", re.IGNORECASE)
_DOLLAR_QUOTE = re.compile(r"\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$")
_MAX_ERROR_CHARS = 300


class WarehouseBusyError(ActionableError, RuntimeError):
    """The DuckDB warehouse file is held by another process (DuckDB allows one writer)."""

    exit_code = 75  # `sales_tasks.pipelines.exit_codes.EXIT_BUSY` (EX_TEMPFAIL): try again later


class InputError(ActionableError, ValueError):
    """The push input (`--table` / `--query`) cannot be read; nothing was sent."""


_engines: dict[str, sa.Engine] = {}
_lock = threading.Lock()


def warehouse_url(value: str, *, must_exist: bool = False) -> str:
    """A SQLAlchemy URL from a URL or a DuckDB file path, refusing what would create a stray file.

    A bare word that names no file (`postgres`, `snowflake`) is a destination name, not a
    warehouse: DuckDB would silently create a file of that name. With `must_exist` (the push
    reads its input rows from the warehouse), a DuckDB file that does not exist is refused too,
    before it is created.

    Raises:
        InputError: one line saying what to give instead.
    """
    value = value.strip()
    if "://" not in value:
        if not os.path.exists(value) and "/" not in value and "." not in value:
            raise InputError(
                f"--warehouse {value} is neither a SQLAlchemy URL nor a DuckDB file: give"
                " postgresql://user:password@host:5432/database, duckdb:///path/file.duckdb or"
                " the path of an existing DuckDB file"
            )
        value = f"duckdb:///{os.path.abspath(value)}"
    if must_exist and value.startswith("duckdb:///"):
        path = value[len("duckdb:///") :].split("?", 1)[0]
        if path and path != ":memory:" and not path.startswith("md:") and not os.path.exists(path):
            raise InputError(
                f"the DuckDB warehouse {path} does not exist: the push reads its rows from it"
                " (run the extract first, or check the path)"
            )
    return value


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
    name = table.strip()
    if not name:
        raise InputError("--table is empty: give a table name such as marts.followups")
    parts = [p.strip() for p in name.split(".")]
    if len(parts) > 2 or not all(parts):
        raise InputError(
            f"--table {show(name)} is not a table name: give table or schema.table"
            " (or use --query for anything else)"
        )
    schema = parts[0] if len(parts) == 2 else None
    return sa.select(sa.text("*")).select_from(sa.table(parts[-1], schema=schema))


def _skeleton(sql: str) -> str:
    """`sql` with string literals emptied and comments blanked, so `;` and keywords are real."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"`":
            j = i + 1
            while True:  # a doubled quote is an escaped quote
                j = sql.find(ch, j)
                if j < 0 or not sql.startswith(ch, j + 1):
                    break
                j += 2
            out.append(ch * 2)
            i = n if j < 0 else j + 1
        elif sql.startswith("--", i):
            j = sql.find("\n", i)
            out.append(" ")
            i = n if j < 0 else j + 1
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            out.append(" ")
            i = n if j < 0 else j + 2
        elif ch == "$" and (quote := _DOLLAR_QUOTE.match(sql, i)):
            j = sql.find(quote.group(), quote.end())
            out.append("''")
            i = n if j < 0 else j + len(quote.group())
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _query_statement(query: str) -> sa.TextClause:
    if not query.strip():
        raise InputError("--query is empty: give one SELECT that returns the rows to push")
    statements = [s.strip() for s in _skeleton(query).split(";") if s.strip()]
    if not statements:
        raise InputError("--query holds only comments: give one SELECT")
    if len(statements) > 1:
        raise InputError(
            f"--query holds {len(statements)} SQL statements: give exactly one SELECT (only one"
            " statement's rows could be pushed)"
        )
    first = re.match(r"[A-Za-z_]+", statements[0].lstrip("( \t\r\n"))
    keyword = first.group().upper() if first else statements[0][:10]
    if keyword not in _READING_STATEMENTS:
        raise InputError(
            f"--query starts with {show(keyword)}, not SELECT: give one query that reads the"
            " rows to push (SELECT or WITH ... SELECT)"
        )
    writes = _WRITING_WORDS.search(statements[0]) if keyword == "WITH" else None
    if writes:
        raise InputError(
            f"--query would {writes.group().upper()}: a push input only reads; write the rows"
            " to a table first"
        )
    # Colons are data here, never bind parameters (`'a :b'`, DuckDB `{'k': 1}`).
    return sa.text(query.replace(":", "\\:"))


def _read_failed(source: str, exc: sa.exc.SQLAlchemyError) -> InputError:
    origin = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(origin).splitlines() if line.strip()]
    first = lines[0] if lines else type(origin).__name__
    if len(first) > _MAX_ERROR_CHARS:
        first = first[:_MAX_ERROR_CHARS] + "..."
    return InputError(f"cannot read {source} from the warehouse: {first}")


@functools.cache
def _lenient_date_loaders() -> tuple[tuple[str, type], ...]:
    import psycopg
    from psycopg.types.datetime import DateLoader, TimestampLoader, TimestamptzLoader

    def lenient(base: type) -> type:
        class Lenient(base):
            def load(self, data: Any) -> Any:
                try:
                    return super().load(data)
                except psycopg.DataError:  # infinity, past 9999, BC: keep the text
                    return OutOfRangeDateTime(bytes(data).decode("utf-8", "replace"))

        return Lenient

    return (
        ("date", lenient(DateLoader)),
        ("timestamp", lenient(TimestampLoader)),
        ("timestamptz", lenient(TimestamptzLoader)),
    )


def _dates_python_cannot_hold_as_text(conn: sa.Connection) -> None:
    if conn.dialect.driver != "psycopg":
        return
    adapters = getattr(conn.connection.driver_connection, "adapters", None)
    if adapters is None:
        return
    for name, loader in _lenient_date_loaders():
        adapters.register_loader(name, loader)


def _row(
    record: Any, wanted: list[tuple[int, str]], number: int, rules: InputRules | None
) -> dict[str, Any]:
    row: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for i, column in wanted:
        value = record[i]
        if value is not None and type(value) is not str:  # text is checked by validate_row
            problem = value_problem(column, value, rules)
            if problem is not None:
                problems.append((column, problem))
        row[column] = to_input_value(value)
    if problems:
        # The first in full, the others by name: one line of bounded length.
        others = ", ".join(column for column, _ in problems[1:])
        row[INPUT_REJECTION] = problems[0][1] + (f" (also check {others})" if others else "")
    row[ROW_NUMBER] = number
    return row


def read_input(
    url: str,
    *,
    table: str | None = None,
    query: str | None = None,
    rules: InputRules | None = None,
) -> list[dict]:
    """Every input row as a contract dict with `_row` (1-based) and duplicates flagged.

    `rules` (the vendor's contract) names the columns read: the contract's, their aliases and
    the vendor's own; without it, the contract's columns.

    Raises:
        InputError (a ValueError): neither or both of table and query given, a bad table name
            or query, or the database could not read it. Nothing has been sent.
    """
    if (table is None) == (query is None):
        raise InputError("give exactly one of --table or --query")
    statement: Any = _table_query(table) if table is not None else _query_statement(query or "")
    source = f"--table {show(table)}" if table is not None else "--query"
    engine = get_engine(url)
    rows: list[dict[str, Any]] = []
    with connect(engine) as conn:
        _dates_python_cannot_hold_as_text(conn)
        try:
            result = conn.execute(statement)
            names = result.keys()  # a Result is iterated for rows, not names
            columns = [str(c).lower() for c in names]
            known = frozenset(rules.input_columns() if rules is not None else CONTRACT_COLUMNS)
            twice = sorted({c for c in columns if c in known and columns.count(c) > 1})
            if twice:
                raise InputError(
                    f"{source} has column {twice[0]} more than once: keep one (the push could"
                    " not tell which is meant)"
                )
            wanted = [(i, c) for i, c in enumerate(columns) if c in known]
            rows = [_row(record, wanted, n, rules) for n, record in enumerate(result, start=1)]
        except sa.exc.SQLAlchemyError as exc:
            raise _read_failed(source, exc) from None
    mark_duplicates(rows)
    return rows
