"""Analyst models: SQL views created in the extract's dataset after every load.

The same SQL runs on DuckDB and PostgreSQL (and is plain enough for most warehouses): only
standard joins, CASE, COALESCE, CURRENT_TIMESTAMP and EXTRACT(EPOCH FROM interval).

Views (columns are documented in the README, "Analyst models"):
- `open_tasks`: tasks still to do (`status = 'scheduled'`), with owner and contact.
- `overdue_tasks`: open tasks whose `due_at` has passed, with owner and days overdue.
- `task_outcomes`: finished tasks (completed or skipped) and the hours from creation to outcome.
- `tasks_enriched`: every task with its contact's name, email, title and its account's name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


def create_models_for(pipeline: Any) -> list[str]:
    """Create the views in the dataset a dlt pipeline just loaded (none on a dialect without
    them, e.g. SQLite: `pipelines.destinations.views_skipped_note`)."""
    from pipelines.destinations import views_skipped_note

    with pipeline.sql_client() as client:
        # The note is the unified views' to print: they are built after these, for every vendor.
        if not client.has_dataset() or views_skipped_note(client):
            return []
        has_users = bool(
            client.execute_sql(
                "SELECT count(*) FROM information_schema.tables"
                " WHERE table_schema = %s AND table_name = 'users'",
                client.dataset_name,
            )[0][0]
        )
        return create_models(client.execute_sql, client.dataset_name, has_users=has_users)


def weekly_flow_sql(dataset: str, as_of: object) -> str:
    """Tasks created, completed and skipped per week in `dataset`, with whether the week is
    complete (starts on or after the first task and ends before `as_of`, the last extract).

    DuckDB SQL (the notebook's); counts are integers. A skipped task is finished work too: leaving
    it out would show a backlog growing that is in fact handled.
    """
    ds = '"' + dataset.replace('"', '""') + '"'
    return f"""
    WITH flows AS (
        SELECT date_trunc('week', created_at) AS week, 'created' AS flow FROM {ds}.tasks
        UNION ALL
        SELECT date_trunc('week', completed_at), 'completed' FROM {ds}.tasks
        WHERE completed_at IS NOT NULL
        UNION ALL
        SELECT date_trunc('week', skipped_at), 'skipped' FROM {ds}.tasks
        WHERE skipped_at IS NOT NULL
    )
    SELECT week,
           CAST(count(*) FILTER (WHERE flow = 'created') AS BIGINT) AS created,
           CAST(count(*) FILTER (WHERE flow = 'completed') AS BIGINT) AS completed,
           CAST(count(*) FILTER (WHERE flow = 'skipped') AS BIGINT) AS skipped,
           week >= (SELECT date_trunc('day', min(created_at)) FROM {ds}.tasks)
           AND week < date_trunc('week', TIMESTAMPTZ '{as_of}') AS complete
    FROM flows
    GROUP BY week
    ORDER BY week
    """
