"""Saleshandy's `SourceSpec`: how `sales-tasks extract saleshandy` reads `GET /v1/tasks`, how its
tables feed the unified views, and its part of the demo.

A run is complete when `GET /v1/tasks/counts`, read before and after the list, agrees with the
ids read and every loaded task the list did not show answers 404 by id (`sales_tasks.sources.saleshandy.scan`).
Flags: `--page-size` (Saleshandy's `pageSize`, at most 100), `--concurrency`; settings resolve
flag > `SOURCES__SALESHANDY__*` > `SALESHANDY_*` > toml > default.
"""

from __future__ import annotations

from typing import Any

import httpx

from sales_tasks.clients.saleshandy.endpoints import task_path
from sales_tasks.clients.saleshandy.paging import MAX_PAGE_SIZE
from sales_tasks.sources.core.incremental import incremental_options, parse_full_every
from sales_tasks.sources.core.quota import quota_options
from sales_tasks.sources.core.spec import CliOption, DemoPart, SourceRun, SourceSpec, VendorView
from sales_tasks.sources.saleshandy import (
    SEEN_TASK_IDS_TABLE,
    SaleshandyScanReport,
    make_source,
    require_api_key,
)
from sales_tasks.sources.saleshandy.current_state import known_task_ids
from sales_tasks.sources.saleshandy.settings import DEFAULT_CONCURRENCY, source_settings

DEMO_FOLLOWUPS = 10


def configure(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    page_size: int | None = None,
    concurrency: int | None = None,
    incremental: bool | None = None,
    full_every: str | None = None,
    use_remaining_quota: bool | None = None,
    progress_options: dict[str, Any] | None = None,
) -> SourceRun:
    """One Saleshandy run's pieces; None reads dlt config.

    Raises:
        ValueError: page_size outside 1..100, concurrency below 1, or a `full_every` that is
            neither a number of runs nor a duration.
        MissingApiKeyError: no key anywhere.
    """
    settings = source_settings(
        api_key=api_key, base_url=base_url, page_size=page_size, concurrency=concurrency
    )
    if not 1 <= settings.page_size <= MAX_PAGE_SIZE:
        raise ValueError(
            f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {settings.page_size}"
        )
    if settings.concurrency < 1:
        raise ValueError(f"concurrency must be >= 1, got {settings.concurrency}")
    if full_every is not None:
        parse_full_every(full_every)
    require_api_key(settings.api_key)
    return SourceRun(
        api_key=str(settings.api_key),
        base_url=settings.base_url,
        new_report=lambda progress: SaleshandyScanReport(progress=progress),
        new_source=lambda report, pipeline: make_source(
            api_key=str(settings.api_key),
            base_url=settings.base_url,
            page_size=settings.page_size,
            concurrency=settings.concurrency,
            timeout=settings.timeout,
            max_attempts=settings.max_attempts,
            report=report,
            known_ids=known_task_ids(pipeline),
            incremental=incremental,
            full_every=full_every,
            use_remaining_quota=use_remaining_quota,
        ),
        progress_options=progress_options or {},
    )


def followups_sql(due_day: str, dataset: str) -> str:
    """A LinkedIn message for each prospect whose last finished call is 14+ days old and who has
    nothing open; request_id = the prospect and that date, so a rerun asks for the same tasks."""
    return f"""
WITH done AS (
    SELECT prospect_id, MAX(CAST(COALESCE(completed_at, skipped_at) AS DATE)) AS last_done
    FROM {dataset}.tasks
    WHERE task_type IN ('11', '12', '13', '14', '15') AND status IN ('completed', 'skipped')
    GROUP BY prospect_id
)
SELECT 'sh-followup-' || d.prospect_id || '-' || CAST(d.last_done AS VARCHAR) AS request_id,
       d.prospect_id,
       'linkedin_message' AS task_type,
       'high' AS priority,
       '{due_day}' AS due_date,
       'Follow-up: last call over 14 days ago' AS task_note
FROM done AS d
WHERE d.last_done < CURRENT_DATE - INTERVAL 14 DAY
  AND NOT EXISTS (
      SELECT 1 FROM {dataset}.tasks AS o
      WHERE o.prospect_id = d.prospect_id AND o.status IN ('upcoming', 'dueToday', 'overdue')
  )
ORDER BY d.prospect_id
LIMIT {DEMO_FOLLOWUPS}
""".strip()


def read_back(sb: Any, ids: list[str]) -> list[tuple[Any, ...]]:
    """The pushed tasks as Saleshandy's own `GET /v1/tasks/{id}` shows them."""
    out = []
    with httpx.Client(
        base_url=sb.base_url,
        headers={"x-api-key": sb.api_key},
        timeout=30.0,
        trust_env=False,
        verify=False,
    ) as http:
        for task_id in ids:
            resp = http.get(task_path(task_id))
            resp.raise_for_status()
            task = resp.json().get("payload", {})
            prospect = task.get("prospect") or {}
            out.append(
                (task.get("id"), prospect.get("email"), task.get("taskType"), task.get("dueDate"))
            )
    return out


SPEC = SourceSpec(
    name="saleshandy",
    title="Saleshandy",
    short="Saleshandy",
    help="mirror Saleshandy tasks (with prospects and assignees) into DuckDB or any dlt"
    " destination",
    description=(
        "Read every Saleshandy task through GET /v1/tasks and load tasks, prospects,"
        " assignees and a run report. The run is complete when GET /v1/tasks/counts, read"
        " before and after the list, agrees with the tasks read and every loaded task the"
        " list did not show answers 404 by id; then those are removed. An incomplete run"
        " deletes nothing."
    ),
    base_url_help="Saleshandy base URL (default open-api.saleshandy.com)",
    default_dataset="saleshandy",
    default_duckdb_file="saleshandy_tasks.duckdb",
    options=(
        CliOption(
            "--page-size",
            "page_size",
            f"pageSize asked for, at most {MAX_PAGE_SIZE} (default: config, else {MAX_PAGE_SIZE})",
            type=int,
            bounds=(1, MAX_PAGE_SIZE),
        ),
        CliOption(
            "--concurrency",
            "concurrency",
            f"pages fetched at once (default: config, else {DEFAULT_CONCURRENCY})",
            type=int,
            bounds=(1, None),
        ),
        *incremental_options(),
        *quota_options(),
    ),
    configure=configure,
    seen_table=SEEN_TASK_IDS_TABLE,
    # The order its summary has always listed them in (the tasks first, then as loaded).
    table_order=(
        "tasks",
        "contacts",
        "accounts",
        "contact_phone_numbers",
        "users",
        "task_type_counts",
        "extract_runs",
    ),
    view=VendorView(
        marker=SEEN_TASK_IDS_TABLE,
        contact_id="prospect_id",
        owner_id="assignee_id",
        type="task_type",
        due="due_date",
        due_cast="DATE",
        owners="assignees",
        contacts="prospects",
    ),
    demo=DemoPart(
        tasks=4_000,
        followups_sql=followups_sql,
        read_back=read_back,
        read_back_header=("task id", "prospect", "type", "due date"),
    ),
    order=10,
)
