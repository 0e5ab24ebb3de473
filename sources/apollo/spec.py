"""Apollo.io's `SourceSpec`: how `sales-tasks extract apollo` (and `apollo-tasks extract`) reads
Apollo's tasks search, and how its tables feed the unified views.

Flags: `--per-page` (at most 200, stepped down to 100 when Apollo refuses it), `--concurrency`,
and the hidden `--max-records` (Apollo's display cap per search, 50,000). Settings resolve as
`sales_tasks.sources.apollo.settings` says: flag > `SOURCES__APOLLO__*` > `APOLLO_*` > toml > default.
"""

from __future__ import annotations

from typing import Any

from sales_tasks.sources.apollo import ScanReport, make_source, require_api_key
from sales_tasks.sources.apollo.current_state import SEEN_TASK_IDS_TABLE, known_task_ids
from sales_tasks.sources.apollo.demo import READ_BACK_HEADER, demo_followups, read_back, summarise
from sales_tasks.sources.apollo.settings import DEFAULT_CONCURRENCY, MAX_PER_PAGE, source_settings
from sales_tasks.sources.apollo.views import create_views
from sales_tasks.sources.core.quota import quota_options
from sales_tasks.sources.core.spec import CliOption, DemoPart, SourceRun, SourceSpec, VendorView


def configure(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    per_page: int | None = None,
    concurrency: int | None = None,
    max_records: int | None = None,
    use_remaining_quota: bool | None = None,
    progress_options: dict[str, Any] | None = None,
) -> SourceRun:
    """One Apollo run's pieces; None reads dlt config.

    Raises:
        ValueError: per_page outside 1..200 or concurrency below 1.
        MissingApiKeyError: no key anywhere.
    """
    settings = source_settings(
        api_key=api_key,
        base_url=base_url,
        per_page=per_page,
        concurrency=concurrency,
        max_records=max_records,
    )
    if settings.per_page < 1 or settings.per_page > MAX_PER_PAGE:
        raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}, got {settings.per_page}")
    if settings.concurrency < 1:
        raise ValueError(f"concurrency must be >= 1, got {settings.concurrency}")
    require_api_key(settings.api_key)
    return SourceRun(
        api_key=str(settings.api_key),
        base_url=settings.base_url,
        new_report=lambda progress: ScanReport(progress=progress),
        new_source=lambda report, pipeline: make_source(
            known_ids=known_task_ids(pipeline),
            api_key=str(settings.api_key),
            base_url=settings.base_url,
            per_page=settings.per_page,
            concurrency=settings.concurrency,
            max_records=settings.max_records,
            report=report,
            use_remaining_quota=use_remaining_quota,
        ),
        progress_options=progress_options or {},
    )


SPEC = SourceSpec(
    name="apollo",
    title="Apollo.io",
    short="Apollo",
    help="mirror Apollo tasks (with contacts and accounts) into DuckDB or any dlt destination",
    description=(
        "Read every Apollo task through task search and load tasks, contacts, accounts,"
        " phone numbers, task-type counts and a run report. Tasks deleted in Apollo are"
        " removed after a complete run; an incomplete run deletes nothing."
    ),
    base_url_help="Apollo base URL (default api.apollo.io)",
    default_dataset="apollo",
    default_duckdb_file="apollo_tasks.duckdb",
    options=(
        CliOption(
            "--per-page",
            "per_page",
            f"page size, at most {MAX_PER_PAGE} (default: config, else {MAX_PER_PAGE})",
            type=int,
            bounds=(1, MAX_PER_PAGE),
        ),
        CliOption(
            "--concurrency",
            "concurrency",
            f"pages fetched at once (default: config, else {DEFAULT_CONCURRENCY})",
            type=int,
            bounds=(1, None),
        ),
        CliOption("--max-records", "max_records", "", type=int, hidden=True),
        *quota_options(),
    ),
    configure=configure,
    seen_table=SEEN_TASK_IDS_TABLE,
    table_order=(
        "tasks",
        "contacts",
        "accounts",
        "contact_phone_numbers",
        "users",
        "task_type_counts",
        "extract_runs",
    ),
    models=create_views,
    strict_help="exit 3 when some tasks could not be reached",
    view=VendorView(
        marker=SEEN_TASK_IDS_TABLE,
        contact_id="contact_id",
        owner_id="user_id",
        type="type",
        due="due_at",
        owners="users",
        contacts="contacts",
    ),
    demo=DemoPart(
        tasks=20_000,
        followups_sql=demo_followups,
        read_back=read_back,
        read_back_header=READ_BACK_HEADER,
        summarise=summarise,
    ),
    describe=make_source,
    alias="apollo-tasks",
    order=0,
)
