"""Analyst views in a vendor's dataset, and the weekly flow query the notebook reads.

Each vendor declares the views it adds to its own dataset (`SourceSpec.models`, e.g. open and
overdue tasks with their owners); `create_models_for` runs them after every load. The same SQL
runs on DuckDB and PostgreSQL.
"""

from __future__ import annotations

from typing import Any


def create_models_for(pipeline: Any, spec: Any, client: Any = None) -> list[str]:
    """Create the views `spec` (a `SourceSpec`) declares in the dataset a dlt pipeline just
    loaded (none on a dialect without them, e.g. SQLite: `sales_tasks.pipelines.destinations.views_skipped_note`).
    `client`: the pipeline's SQL client when the caller holds one open (`phase_sql_client`).
    """
    from sales_tasks.pipelines.destinations import phase_sql_client, views_skipped_note

    if spec.models is None:
        return []
    with phase_sql_client(pipeline, client) as client:
        # The note is the unified views' to print: they are built after these, for every vendor.
        if not client.has_dataset() or views_skipped_note(client):
            return []
        dataset = client.dataset_name

        def has_table(table: str) -> bool:
            found = client.execute_sql(
                "SELECT count(*) FROM information_schema.tables"
                " WHERE table_schema = %s AND table_name = %s",
                dataset,
                table,
            )
            return bool(found[0][0])

        views: list[str] = spec.models(client.execute_sql, dataset, has_table)
        return views


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
