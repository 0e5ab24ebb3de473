"""Apollo's analyst views: SQL views created in the extract's dataset after every load.

The same SQL runs on DuckDB and PostgreSQL (and is plain enough for most warehouses): only
standard joins, CASE, COALESCE, CURRENT_TIMESTAMP and EXTRACT(EPOCH FROM interval).

Views (columns are documented in the README, "Analyst models"):
- `open_tasks`: tasks still to do (`status = 'scheduled'`), with owner and contact.
- `overdue_tasks`: open tasks whose `due_at` has passed, with owner and days overdue.
- `task_outcomes`: finished tasks (completed or skipped) and the hours from creation to outcome.
- `tasks_enriched`: every task with its contact's name, email, title and its account's name.

Declared in `sales_tasks.sources.apollo.spec.SPEC.models`; run by `sales_tasks.pipelines.models.create_models_for`.
"""

from __future__ import annotations

from collections.abc import Callable

# `{ds}` is replaced by the quoted dataset (schema) name.
_ENRICHED = """
CREATE OR REPLACE VIEW {ds}.tasks_enriched AS
SELECT
    t.id AS task_id,
    t.type,
    t.status,
    t.priority,
    t.due_at,
    t.created_at,
    t.completed_at,
    t.skipped_at,
    t.note,
    t.title,
    t.created_from,
    t.user_id AS owner_id,
    u.email AS owner_email,
    u.name AS owner_name,
    t.contact_id,
    c.name AS contact_name,
    c.email AS contact_email,
    c.title AS contact_title,
    t.account_id,
    a.name AS account_name
FROM {ds}.tasks AS t
LEFT JOIN {ds}.contacts AS c ON c.id = t.contact_id
LEFT JOIN {ds}.accounts AS a ON a.id = t.account_id
LEFT JOIN {users} AS u ON u.id = t.user_id
"""

# Without users search access (a key that gets 403 there) no `users` table exists: owners are
# then known by id only.
_NO_USERS = (
    "(SELECT CAST(NULL AS VARCHAR) AS id, CAST(NULL AS VARCHAR) AS email,"
    " CAST(NULL AS VARCHAR) AS name WHERE 1 = 0)"
)

_OPEN = """
CREATE OR REPLACE VIEW {ds}.open_tasks AS
SELECT
    task_id, type, priority, due_at, created_at, note, title,
    owner_id, owner_email, owner_name,
    contact_id, contact_name, contact_email, account_name
FROM {ds}.tasks_enriched
WHERE status = 'scheduled'
"""

_OVERDUE = """
CREATE OR REPLACE VIEW {ds}.overdue_tasks AS
SELECT
    task_id, type, priority, due_at,
    CAST(FLOOR(EXTRACT(EPOCH FROM (CURRENT_TIMESTAMP - due_at)) / 86400.0) AS INTEGER)
        AS days_overdue,
    owner_id, owner_email, owner_name,
    contact_id, contact_name, contact_email, account_name
FROM {ds}.open_tasks
WHERE due_at < CURRENT_TIMESTAMP
"""

_OUTCOMES = """
CREATE OR REPLACE VIEW {ds}.task_outcomes AS
SELECT
    task_id, type, priority, owner_id, owner_email, contact_id,
    status AS outcome,
    created_at,
    due_at,
    COALESCE(completed_at, skipped_at) AS finished_at,
    EXTRACT(EPOCH FROM (COALESCE(completed_at, skipped_at) - created_at)) / 3600.0
        AS hours_to_outcome,
    CASE WHEN COALESCE(completed_at, skipped_at) > due_at THEN TRUE ELSE FALSE END
        AS finished_late
FROM {ds}.tasks_enriched
WHERE status IN ('completed', 'skipped')
"""

MODELS: dict[str, str] = {
    # Order matters: a view is created after the views it reads.
    "tasks_enriched": _ENRICHED,
    "open_tasks": _OPEN,
    "overdue_tasks": _OVERDUE,
    "task_outcomes": _OUTCOMES,
}


def model_statements(dataset: str, *, has_users: bool = True) -> list[str]:
    """The CREATE VIEW statements for `dataset`, in dependency order."""
    ds = '"' + dataset.replace('"', '""') + '"'
    users = f"{ds}.users" if has_users else _NO_USERS
    return [sql.format(ds=ds, users=users).strip() for sql in MODELS.values()]


def create_models(execute: Callable[[str], object], dataset: str, *, has_users: bool) -> list[str]:
    """Create (or replace) every view through `execute(sql)`; returns the view names.

    `execute` is e.g. a dlt `sql_client().execute_sql` or a DuckDB connection's `execute`, so the
    same code serves the CLI and the orchestrators.
    """
    for statement in model_statements(dataset, has_users=has_users):
        execute(statement)
    return list(MODELS)


def create_views(
    execute: Callable[..., object], dataset: str, has_table: Callable[[str], bool]
) -> list[str]:
    """`SourceSpec.models`: the views, with owners from `users` when the dataset has it."""
    return create_models(execute, dataset, has_users=has_table("users"))
