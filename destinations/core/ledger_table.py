"""The ledger table's definition, and the migration of ledgers keyed by request_id alone.

Key (vendor, account, request_id). A ledger without the account (key `request_id` alone, a
`vendor` column) is migrated in place: neither DuckDB nor PostgreSQL can change a primary key in
place on both, so the rows are copied into a table with the three-column key, each given the
migrating run's account, and that table is swapped in, all in the
caller's transaction (all or nothing). `ledger.py` runs it under the run lock.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

LEDGER_TABLE = "delivery_ledger"
_STAGING = f"{LEDGER_TABLE}_migrating"


def keyed_table(name: str, schema: str | None, *columns: sa.Column[Any]) -> sa.Table:
    """A push table keyed like the delivery ledger: (vendor, account, request_id), then `columns`."""
    return sa.Table(
        name,
        sa.MetaData(),
        sa.Column("vendor", sa.String, primary_key=True),
        sa.Column("account", sa.String, primary_key=True),
        sa.Column("request_id", sa.String, primary_key=True),
        *columns,
        schema=schema,
    )


def ledger_table(schema: str | None, name: str = LEDGER_TABLE) -> sa.Table:
    return keyed_table(
        name,
        schema,
        sa.Column("row_hash", sa.String, nullable=False),
        sa.Column("state", sa.String, nullable=False),
        sa.Column("task_id", sa.String),
        sa.Column("batch_id", sa.String),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("payload", sa.Text),
        sa.Column("run_id", sa.String),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
    )


def keyed_by_request_id_alone(engine: sa.Engine, schema: str | None) -> bool:
    """Whether the existing ledger table predates accounts (it has no `account` column)."""
    # information_schema: both databases have it (duckdb-engine's reflection does not work on
    # every DuckDB version).
    query = sa.text(
        "SELECT column_name FROM information_schema.columns WHERE table_name = :table"
        " AND table_schema = COALESCE(:schema, current_schema())"
    )
    with engine.connect() as conn:
        names = {r[0] for r in conn.execute(query, {"table": LEDGER_TABLE, "schema": schema})}
    return bool(names) and "account" not in names


def migrate(conn: sa.Connection, schema: str | None, *, account: str) -> int:
    """Re-key the ledger in `schema` by (vendor, account, request_id); returns the rows kept."""
    target = f'"{schema}".{LEDGER_TABLE}' if schema else LEDGER_TABLE
    staged = f'"{schema}".{_STAGING}' if schema else _STAGING
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {staged}")
    new = ledger_table(schema, _STAGING)
    new.create(conn)
    names = ", ".join(f'"{c.name}"' for c in new.columns if c.name != "account")
    conn.execute(
        sa.text(
            f'INSERT INTO {staged} ("account", {names}) SELECT :account, {names} FROM {target}'
        ),
        {"account": account},
    )
    kept = conn.execute(sa.text(f"SELECT count(*) FROM {staged}")).scalar()
    conn.exec_driver_sql(f"DROP TABLE {target}")
    conn.exec_driver_sql(f"ALTER TABLE {staged} RENAME TO {LEDGER_TABLE}")
    return int(kept or 0)
