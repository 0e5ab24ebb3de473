"""Toy's `SourceSpec`: what `sales-tasks extract toy` reads and how it shows."""

from __future__ import annotations

import os
from typing import Any

from sales_tasks.clients.toy import MAX_PER_PAGE
from sales_tasks.sources.core.current_state import known_task_ids
from sales_tasks.sources.core.spec import CliOption, SourceRun, SourceSpec, VendorView
from sales_tasks.sources.toy import SEEN_TASK_IDS_TABLE, ToyReport, toy_source


def configure(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    per_page: int | None = None,
    progress_options: dict[str, Any] | None = None,
) -> SourceRun:
    key = api_key or os.environ.get("TOY_API_KEY", "")
    url = base_url or os.environ.get("TOY_BASE_URL", "https://api.toy.invalid")
    size = per_page or MAX_PER_PAGE
    if not key:
        raise ValueError("no Toy API key: set TOY_API_KEY")
    return SourceRun(
        api_key=key,
        base_url=url,
        new_report=lambda progress: ToyReport(progress=progress, per_page_used=size),
        new_source=lambda report, pipeline: toy_source(
            key, url, size, report, known_task_ids(pipeline)
        ),
        progress_options=progress_options or {},
    )


SPEC = SourceSpec(
    name="toy",
    title="Toy",
    short="Toy",
    help="mirror Toy tasks into DuckDB or any dlt destination",
    description="Read every Toy task through GET /v1/tasks.",
    base_url_help="Toy base URL",
    default_dataset="toy",
    default_duckdb_file="toy_tasks.duckdb",
    options=(CliOption("--per-page", "per_page", "page size", type=int, bounds=(1, MAX_PER_PAGE)),),
    configure=configure,
    seen_table=SEEN_TASK_IDS_TABLE,
    view=VendorView(
        marker=SEEN_TASK_IDS_TABLE,
        contact_id="contact_id",
        owner_id="owner_id",
        type="type",
        due="due_at",
        priority=None,
    ),
    order=1000,
)
