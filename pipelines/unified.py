"""One task model in SQL across vendors and accounts: the `sales_tasks` views.

After every extract the views are (re)built over whatever the warehouse holds: every dataset
(schema) that a vendor's extract loaded (recognised by its seen-ids table, `VendorView.marker`)
contributes its `tasks`, mapped to the shared vocabulary of `sales_tasks.clients.vocabulary`. Where each
vendor's tables hold each column is its `SourceSpec.view` (`sources/<vendor>/spec.py`). The same SQL runs on DuckDB and PostgreSQL.

Views (schema `sales_tasks`; columns in the README, "Across vendors"):
- `all_tasks`: one row per task of every vendor and account: vendor, account, task_id,
  contact_id, contact_email, owner_id, owner_name, owner_email, type, status, priority, due_at,
  created_at, completed_at, the vendor's own codes (vendor_type, vendor_status,
  vendor_priority), is_open and is_overdue.
- `open_by_owner`: per vendor, account and owner: open tasks, overdue tasks and the overdue share
  of the owner's open work — "which follow-ups are open or overdue, per owner, wherever they live".

The account is the dataset's `_sales_tasks_account` row (`--account`, else the base URL's host
and port); a dataset loaded before accounts existed has none and is named by the dataset.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sales_tasks.clients import vocabulary
from sales_tasks.sources.core.spec import TIME, VendorView

logger = logging.getLogger("sales_tasks.views")

SCHEMA = "sales_tasks"
ACCOUNT_TABLE = "_sales_tasks_account"
TEXT = "VARCHAR"

TExecute = Callable[..., Any]


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class LoadedDataset:
    """One vendor's dataset found in the warehouse, with the columns of its tables."""

    vendor: str
    dataset: str
    columns: Mapping[str, frozenset[str]]  # table -> its columns

    def has(self, table: str, column: str | None = None) -> bool:
        cols = self.columns.get(table)
        return cols is not None and (column is None or column in cols)

    def ref(self, table: str) -> str:
        return f"{quote(self.dataset)}.{quote(table)}"


class Projection:
    """SQL pieces that map one vendor's tables to the unified columns."""

    def __init__(self, loaded: LoadedDataset, alias: str = "t") -> None:
        self.loaded = loaded
        self.alias = alias

    def col(self, column: str, cast: str = TEXT, table: str = "tasks", alias: str = "") -> str:
        """`alias.column` cast, or a typed NULL when the table has no such column."""
        if not self.loaded.has(table, column):
            return f"CAST(NULL AS {cast})"
        return f"CAST({alias or self.alias}.{quote(column)} AS {cast})"

    def shared(self, kind: vocabulary.TKind, code_sql: str) -> str:
        """A CASE mapping the vendor's codes (as text, any case) to the shared names."""
        pairs = vocabulary.reading_table(self.loaded.vendor, kind)
        empty = pairs.pop("", None)
        whens = (
            [f"WHEN {code_sql} IS NULL OR {code_sql} = '' THEN {_literal(empty)}"] if empty else []
        )
        whens += [
            f"WHEN LOWER({code_sql}) = {_literal(code.lower())} THEN {_literal(name)}"
            for code, name in sorted(pairs.items())
        ]
        return f"CASE {' '.join(whens)} END"


def _account_sql(loaded: LoadedDataset) -> str:
    if loaded.has(ACCOUNT_TABLE, "account"):
        return f"(SELECT MIN(CAST(account AS {TEXT})) FROM {loaded.ref(ACCOUNT_TABLE)})"
    return _literal(loaded.dataset)


# The columns of `all_tasks` before `is_open` / `is_overdue`, in order.
COLUMNS = (
    "vendor",
    "account",
    "task_id",
    "contact_id",
    "contact_email",
    "owner_id",
    "owner_name",
    "owner_email",
    "type",
    "status",
    "priority",
    "due_at",
    "created_at",
    "completed_at",
    "vendor_type",
    "vendor_status",
    "vendor_priority",
)
_TIMES = ("due_at", "created_at", "completed_at")
# The moment an open task becomes overdue; each projection has it, `all_tasks` does not show it.
OVERDUE_FROM = "overdue_from"


def _joined(loaded: LoadedDataset, table: str | None, on: str, alias: str) -> str:
    if table is None or not loaded.has(table, "id"):
        return ""
    return f"\nLEFT JOIN {loaded.ref(table)} AS {alias} ON {alias}.id = t.{quote(on)}"


def _project(loaded: LoadedDataset, view: VendorView) -> str:
    """The SELECT mapping one vendor dataset's tables to the unified columns."""
    p = Projection(loaded)
    null = f"CAST(NULL AS {TEXT})"
    owners = _joined(loaded, view.owners, view.owner_id, "u")
    contacts = _joined(loaded, view.contacts, view.contact_id, "c")
    vendor_type = p.col(view.type)
    if view.vendor_type is not None:
        vendor_type = view.vendor_type(p, vendor_type)
    if contacts:
        contact_email = p.col("email", table=view.contacts or "", alias="c")
    else:
        contact_email = p.col(view.contact_email) if view.contact_email else null
    due = p.col(view.due, view.due_cast)
    values = {
        "vendor": _literal(loaded.vendor),
        "account": _account_sql(loaded),
        "task_id": p.col("id"),
        "contact_id": p.col(view.contact_id),
        "contact_email": contact_email,
        "owner_id": p.col(view.owner_id),
        "owner_name": p.col("name", table=view.owners or "", alias="u") if owners else null,
        "owner_email": p.col("email", table=view.owners or "", alias="u") if owners else null,
        "due_at": due if view.due_cast == TIME else f"CAST({due} AS {TIME})",
        # A task due on a day (a DATE: its start, in UTC) is not late until that day has ended.
        OVERDUE_FROM: due if view.due_cast == TIME else f"CAST({due} AS {TIME}) + INTERVAL '1 day'",
        "created_at": p.col("created_at", TIME),
        "completed_at": p.col("completed_at", TIME),
        "vendor_type": vendor_type,
        "vendor_status": p.col("status"),
        "vendor_priority": p.col(view.priority) if view.priority else null,
    }
    for kind in ("type", "status", "priority"):
        values[kind] = p.shared(kind, values[f"vendor_{kind}"])
    columns = ",\n    ".join(f"{values[c]} AS {c}" for c in (*COLUMNS, OVERDUE_FROM))
    return f"SELECT\n    {columns}\nFROM {loaded.ref('tasks')} AS t{owners}{contacts}"


def views_by_vendor() -> dict[str, VendorView]:
    """Each vendor's projection (`SourceSpec.view`), in the vendors' order."""
    from sales_tasks.pipelines.vendors import source_specs

    return {name: spec.view for name, spec in source_specs().items()}


def _rows(execute: TExecute, sql: str, *args: Any) -> Sequence[Sequence[Any]]:
    return execute(sql, *args) or []


def find_loaded(execute: TExecute) -> list[LoadedDataset]:
    """Every vendor dataset in the warehouse, in vendor then dataset order."""
    views = views_by_vendor()
    markers = {view.marker: vendor for vendor, view in views.items()}
    found = _rows(
        execute,
        "SELECT table_schema, table_name, column_name FROM information_schema.columns"
        " WHERE table_schema <> %s",
        SCHEMA,
    )
    by_schema: dict[str, dict[str, set[str]]] = {}
    for schema, table, column in found:
        by_schema.setdefault(str(schema), {}).setdefault(str(table), set()).add(str(column))
    loaded = []
    for schema, tables in sorted(by_schema.items()):
        vendors = [markers[t] for t in tables if t in markers]
        if len(vendors) == 1 and "tasks" in tables:
            frozen = {t: frozenset(c) for t, c in tables.items()}
            loaded.append(LoadedDataset(vendors[0], schema, frozen))
    order = list(views)
    return sorted(loaded, key=lambda x: (order.index(x.vendor), x.dataset))


_EMPTY = (
    "SELECT "
    + ", ".join(
        f"CAST(NULL AS {TIME if c in (*_TIMES, OVERDUE_FROM) else TEXT}) AS {c}"
        for c in (*COLUMNS, OVERDUE_FROM)
    )
    + " WHERE 1 = 0"
)


def view_statements(loaded: Iterable[LoadedDataset]) -> list[str]:
    """The CREATE statements of the `sales_tasks` views over these datasets."""
    views = views_by_vendor()
    parts = [_project(item, views[item.vendor]) for item in loaded] or [_EMPTY]
    union = "\nUNION ALL\n".join(f"({part})" for part in parts)
    schema = quote(SCHEMA)
    return [
        f"CREATE SCHEMA IF NOT EXISTS {schema}",
        # Dropped first: PostgreSQL refuses to replace a view whose columns changed.
        f"DROP VIEW IF EXISTS {schema}.open_by_owner",
        f"DROP VIEW IF EXISTS {schema}.all_tasks",
        f"""CREATE OR REPLACE VIEW {schema}.all_tasks AS
SELECT {", ".join(f"u.{c}" for c in COLUMNS)},
    u.status = 'open' AS is_open,
    (u.status = 'open' AND u.{OVERDUE_FROM} < CURRENT_TIMESTAMP) AS is_overdue
FROM (
{union}
) AS u""",
        f"""CREATE OR REPLACE VIEW {schema}.open_by_owner AS
SELECT
    vendor,
    account,
    COALESCE(owner_email, owner_name, owner_id, '(no owner)') AS owner,
    COUNT(*) AS open_tasks,
    -- Cast: DuckDB sums integers as HUGEINT, which pandas reads as floats.
    CAST(SUM(CASE WHEN is_overdue THEN 1 ELSE 0 END) AS BIGINT) AS overdue_tasks,
    ROUND(CAST(SUM(CASE WHEN is_overdue THEN 1 ELSE 0 END) AS NUMERIC) / COUNT(*), 3)
        AS overdue_share
FROM {schema}.all_tasks
WHERE is_open
GROUP BY vendor, account, COALESCE(owner_email, owner_name, owner_id, '(no owner)')""",
    ]


VIEWS = ("all_tasks", "open_by_owner")


def create_unified_views(execute: TExecute) -> list[LoadedDataset]:
    """Find the vendor datasets and (re)create the views through `execute(sql, *args)` (a dlt
    `sql_client().execute_sql`); returns what the views cover."""
    loaded = find_loaded(execute)
    for statement in view_statements(loaded):
        execute(statement)
    return loaded


def create_unified_views_for(pipeline: Any, client: Any = None) -> list[LoadedDataset]:
    """Rebuild the views in the warehouse a dlt pipeline just loaded; on a dialect without them
    (e.g. SQLite) log one note instead, so a good load never ends in a failed run. `client`: the
    pipeline's SQL client when the caller holds one open (`phase_sql_client`)."""
    from sales_tasks.pipelines.destinations import phase_sql_client, views_skipped_note

    with phase_sql_client(pipeline, client) as client:
        note = views_skipped_note(client)
        if note:
            logger.warning(note)
            return []
        return create_unified_views(client.execute_sql)
