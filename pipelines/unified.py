"""One task model in SQL across vendors and accounts: the `sales_tasks` views.

After every extract the views are (re)built over whatever the warehouse holds: every dataset
(schema) that a vendor's extract loaded (recognised by its seen-ids table, e.g.
`_apollo_seen_task_ids`) contributes its `tasks`, mapped to the shared vocabulary of
`clients.vocabulary`. The same SQL runs on DuckDB and PostgreSQL.

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

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from clients import vocabulary

SCHEMA = "sales_tasks"
ACCOUNT_TABLE = "_sales_tasks_account"
TEXT = "VARCHAR"
TIME = "TIMESTAMP WITH TIME ZONE"

TExecute = Callable[..., Any]


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class TLoaded:
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

    def __init__(self, loaded: TLoaded, alias: str = "t") -> None:
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


def _account_sql(loaded: TLoaded) -> str:
    if loaded.has(ACCOUNT_TABLE, "account"):
        return f"(SELECT MIN(CAST(account AS {TEXT})) FROM {loaded.ref(ACCOUNT_TABLE)})"
    return _literal(loaded.dataset)


def _select(
    loaded: TLoaded,
    p: Projection,
    *,
    joins: str,
    task_id: str,
    contact_id: str,
    contact_email: str,
    owner_id: str,
    owner_name: str,
    owner_email: str,
    vendor_type: str,
    vendor_status: str,
    vendor_priority: str,
    due_at: str,
    created_at: str,
    completed_at: str,
) -> str:
    return f"""
SELECT
    {_literal(loaded.vendor)} AS vendor,
    {_account_sql(loaded)} AS account,
    {task_id} AS task_id,
    {contact_id} AS contact_id,
    {contact_email} AS contact_email,
    {owner_id} AS owner_id,
    {owner_name} AS owner_name,
    {owner_email} AS owner_email,
    {p.shared("type", vendor_type)} AS type,
    {p.shared("status", vendor_status)} AS status,
    {p.shared("priority", vendor_priority)} AS priority,
    {due_at} AS due_at,
    {created_at} AS created_at,
    {completed_at} AS completed_at,
    {vendor_type} AS vendor_type,
    {vendor_status} AS vendor_status,
    {vendor_priority} AS vendor_priority
FROM {loaded.ref("tasks")} AS t{joins}""".strip()


def _apollo(loaded: TLoaded) -> str:
    p = Projection(loaded)
    joins, owner_name, owner_email, contact_email = "", "", "", ""
    if loaded.has("users", "id"):
        joins += f"\nLEFT JOIN {loaded.ref('users')} AS u ON u.id = t.user_id"
        owner_name = p.col("name", table="users", alias="u")
        owner_email = p.col("email", table="users", alias="u")
    if loaded.has("contacts", "id"):
        joins += f"\nLEFT JOIN {loaded.ref('contacts')} AS c ON c.id = t.contact_id"
        contact_email = p.col("email", table="contacts", alias="c")
    null = f"CAST(NULL AS {TEXT})"
    return _select(
        loaded,
        p,
        joins=joins,
        task_id=p.col("id"),
        contact_id=p.col("contact_id"),
        contact_email=contact_email or null,
        owner_id=p.col("user_id"),
        owner_name=owner_name or null,
        owner_email=owner_email or null,
        vendor_type=p.col("type"),
        vendor_status=p.col("status"),
        vendor_priority=p.col("priority"),
        due_at=p.col("due_at", TIME),
        created_at=p.col("created_at", TIME),
        completed_at=p.col("completed_at", TIME),
    )


def _saleshandy(loaded: TLoaded) -> str:
    p = Projection(loaded)
    joins, owner_name, owner_email, contact_email = "", "", "", ""
    if loaded.has("assignees", "id"):
        joins += f"\nLEFT JOIN {loaded.ref('assignees')} AS a ON a.id = t.assignee_id"
        owner_name = p.col("name", table="assignees", alias="a")
        owner_email = p.col("email", table="assignees", alias="a")
    if loaded.has("prospects", "id"):
        joins += f"\nLEFT JOIN {loaded.ref('prospects')} AS c ON c.id = t.prospect_id"
        contact_email = p.col("email", table="prospects", alias="c")
    null = f"CAST(NULL AS {TEXT})"
    return _select(
        loaded,
        p,
        joins=joins,
        task_id=p.col("id"),
        contact_id=p.col("prospect_id"),
        contact_email=contact_email or null,
        owner_id=p.col("assignee_id"),
        owner_name=owner_name or null,
        owner_email=owner_email or null,
        vendor_type=p.col("task_type"),
        vendor_status=p.col("status"),
        vendor_priority=p.col("priority"),
        # A due date has no time: the start of that day, in UTC.
        due_at=f"CAST({p.col('due_date', 'DATE')} AS {TIME})",
        created_at=p.col("created_at", TIME),
        completed_at=p.col("completed_at", TIME),
    )


def _reply(loaded: TLoaded) -> str:
    p = Projection(loaded)
    vendor_type = p.col("task_type")
    if loaded.has("tasks", "linkedin_task_type"):
        # A LinkedIn task (5) is told apart by its subtype: `5.N`, as the vocabulary writes it.
        vendor_type = (
            f"CASE WHEN {vendor_type} = '5' AND t.linkedin_task_type IS NOT NULL"
            f" THEN '5.' || {p.col('linkedin_task_type')} ELSE {vendor_type} END"
        )
    null = f"CAST(NULL AS {TEXT})"
    return _select(
        loaded,
        p,
        joins="",
        task_id=p.col("id"),
        contact_id=p.col("contact_id"),
        # Reply's task names the contact's email only as a manual email's delivery address.
        contact_email=p.col("delivery_email"),
        owner_id=p.col("assigned_user_id"),
        owner_name=null,
        owner_email=null,
        vendor_type=vendor_type,
        vendor_status=p.col("status"),
        vendor_priority=null,
        due_at=p.col("due_to", TIME),
        created_at=p.col("created_at", TIME),
        completed_at=p.col("completed_at", TIME),
    )


# vendor -> (its seen-ids table, which marks a dataset it loaded; its projection)
PROJECTIONS: dict[str, tuple[str, Callable[[TLoaded], str]]] = {
    "apollo": ("_apollo_seen_task_ids", _apollo),
    "saleshandy": ("_saleshandy_seen_task_ids", _saleshandy),
    "reply": ("_reply_seen_task_ids", _reply),
}


def _rows(execute: TExecute, sql: str, *args: Any) -> Sequence[Sequence[Any]]:
    return execute(sql, *args) or []


def find_loaded(execute: TExecute) -> list[TLoaded]:
    """Every vendor dataset in the warehouse, in vendor then dataset order."""
    markers = {marker: vendor for vendor, (marker, _) in PROJECTIONS.items()}
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
            loaded.append(TLoaded(vendors[0], schema, frozen))
    order = list(PROJECTIONS)
    return sorted(loaded, key=lambda x: (order.index(x.vendor), x.dataset))


_EMPTY = f"""
SELECT {
    ", ".join(
        f"CAST(NULL AS {TIME if c in ('due_at', 'created_at', 'completed_at') else TEXT}) AS {c}"
        for c in (
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
    )
}
WHERE 1 = 0"""


def view_statements(loaded: Iterable[TLoaded]) -> list[str]:
    """The CREATE statements of the `sales_tasks` views over these datasets."""
    parts = [PROJECTIONS[item.vendor][1](item) for item in loaded] or [_EMPTY.strip()]
    union = "\nUNION ALL\n".join(f"({part})" for part in parts)
    schema = quote(SCHEMA)
    return [
        f"CREATE SCHEMA IF NOT EXISTS {schema}",
        # Dropped first: PostgreSQL refuses to replace a view whose columns changed.
        f"DROP VIEW IF EXISTS {schema}.open_by_owner",
        f"DROP VIEW IF EXISTS {schema}.all_tasks",
        f"""CREATE OR REPLACE VIEW {schema}.all_tasks AS
SELECT u.*,
    u.status = 'open' AS is_open,
    (u.status = 'open' AND u.due_at < CURRENT_TIMESTAMP) AS is_overdue
FROM (
{union}
) AS u""",
        f"""CREATE OR REPLACE VIEW {schema}.open_by_owner AS
SELECT
    vendor,
    account,
    COALESCE(owner_email, owner_name, owner_id, '(no owner)') AS owner,
    COUNT(*) AS open_tasks,
    SUM(CASE WHEN is_overdue THEN 1 ELSE 0 END) AS overdue_tasks,
    ROUND(CAST(SUM(CASE WHEN is_overdue THEN 1 ELSE 0 END) AS NUMERIC) / COUNT(*), 3)
        AS overdue_share
FROM {schema}.all_tasks
WHERE is_open
GROUP BY vendor, account, COALESCE(owner_email, owner_name, owner_id, '(no owner)')""",
    ]


VIEWS = ("all_tasks", "open_by_owner")


def create_unified_views(execute: TExecute) -> list[TLoaded]:
    """Find the vendor datasets and (re)create the views through `execute(sql, *args)` (a dlt
    `sql_client().execute_sql`); returns what the views cover."""
    loaded = find_loaded(execute)
    for statement in view_statements(loaded):
        execute(statement)
    return loaded


def create_unified_views_for(pipeline: Any) -> list[TLoaded]:
    """Rebuild the views in the warehouse a dlt pipeline just loaded (any SQL destination)."""
    with pipeline.sql_client() as client:
        return create_unified_views(client.execute_sql)
