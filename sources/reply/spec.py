"""Reply.io's `SourceSpec`: how `sales-tasks extract reply` reads `GET /v3/tasks` (or `POST
/v3/tasks/filter`), its summary, how its tables feed the unified views, and its part of the demo.

Reply has no task total: a run is complete when the list ended (`hasMore` false, or an empty
page) and the loaded tasks it did not show answer 404 by id (`sales_tasks.sources.reply.scan`). Its limits
(100 requests a minute, 3,000 an hour) are paced by the client; the progress line and the
summary say how long the run waited for them. Flags: `--auth-scheme`, `--top` (at most 1000),
`--list-endpoint`; settings resolve argument > `SOURCES__REPLY__*` > `REPLY_*` > toml > default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from sales_tasks.clients.reply.endpoints import task_path
from sales_tasks.clients.reply.paging import MAX_TOP
from sales_tasks.sources.core.incremental import incremental_options, parse_full_every
from sales_tasks.sources.core.quota import quota_options
from sales_tasks.sources.core.spec import (
    CliOption,
    DemoPart,
    ExtractSummary,
    SourceRun,
    SourceSpec,
    VendorView,
)
from sales_tasks.sources.reply import ReplyScanReport, check_options, make_source, require_api_key
from sales_tasks.sources.reply.current_state import SEEN_TASK_IDS_TABLE, known_task_ids
from sales_tasks.sources.reply.settings import LIST_ENDPOINTS, source_settings

DEMO_FOLLOWUPS = 10
_LIST_ROUTES = {"get": "GET /v3/tasks", "filter": "POST /v3/tasks/filter"}


@dataclass
class ReplyExtractSummary(ExtractSummary):
    """What one Reply extract did. Reply has no task total: `total_entries` is the tasks read
    when the scan was complete (else None); `per_page_used` is the `top` asked for."""

    paced_seconds: float = 0.0
    list_endpoint: str = ""
    stale_has_more: bool = False
    tasks_seen: int = 0

    def shortfall(self) -> str:
        return (
            f"{self.rows.get('tasks', 0)} Reply tasks loaded but the scan could not be proven"
            " complete"
        )

    def verdict(self) -> str:
        if self.complete and not self.full_scan:
            return super().verdict()
        if self.complete:
            return f"complete: all {self.tasks_seen} tasks in Reply were read"
        return (
            f"INCOMPLETE: {self.tasks_seen} tasks read and loaded, but not every task in"
            " Reply could be proven read; nothing was deleted"
        )

    def traffic_line(self) -> str:
        stale = "; the last page still said hasMore (an empty page ended it)"
        route = _LIST_ROUTES.get(self.list_endpoint, self.list_endpoint)
        return (
            f"{self.pages} pages (top {self.per_page_used},"
            f" {route}{stale if self.stale_has_more else ''}),"
            f" {self.requests} requests, {self.retries} retries, {self.rate_limited} rate-limited"
            f" (429), {self.paced_seconds:.1f}s paced by Reply's limits, {self.duration_s:.1f}s"
        )


def progress_sample(report: ReplyScanReport) -> dict[str, Any]:
    """The counters of a Reply scan, with the seconds paced by Reply's limits so far."""
    stats = report.http_stats or report
    governor = report.governor
    paced = float(governor.waited_seconds) if governor is not None else report.paced_seconds
    return {
        "done": report.tasks_seen,
        "total": None,
        "steps": f"pages {report.pages}, paced {paced:.0f}s by Reply's limits",
        "retries": stats.retries,
        "rate_limited": stats.rate_limited,
        # the "waiting on Reply's rate limit" line
        "paced_seconds": float(getattr(governor, "paced_seconds", 0.0) or 0.0),
    }


def configure(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    auth_scheme: str | None = None,
    user_id: str | None = None,
    user_email: str | None = None,
    top: int | None = None,
    list_endpoint: str | None = None,
    rate_limits: str | None = None,
    max_pages: int | None = None,
    verify_deletions: int | None = None,
    on_page: Any = None,
    incremental: bool | None = None,
    full_every: str | None = None,
    use_remaining_quota: bool | None = None,
    progress_options: dict[str, Any] | None = None,
) -> SourceRun:
    """One Reply run's pieces; None reads dlt config. `on_page` is a test's hook called after
    each list page (`sales_tasks.sources.reply.scan.TaskScan`).

    Raises:
        MissingApiKeyError: no key anywhere.
        ValueError: a setting Reply would refuse (`top` past 1000, an unknown scheme), or a
            `full_every` that is neither a number of runs nor a duration.
    """
    if full_every is not None:
        parse_full_every(full_every)
    settings = source_settings(
        api_key=api_key,
        base_url=base_url,
        auth_scheme=auth_scheme,
        user_id=user_id,
        user_email=user_email,
        top=top,
        list_endpoint=list_endpoint,
        rate_limits=rate_limits,
        max_pages=max_pages,
        verify_deletions=verify_deletions,
    )
    require_api_key(settings.api_key)
    check_options(settings.top, settings.list_endpoint, settings.rate_limits)
    return SourceRun(
        api_key=str(settings.api_key),
        base_url=settings.base_url,
        new_report=lambda progress: ReplyScanReport(progress=progress),
        new_source=lambda report, pipeline: make_source(
            report,
            api_key=str(settings.api_key),
            base_url=settings.base_url,
            auth_scheme=settings.auth_scheme,
            user_id=settings.user_id,
            user_email=settings.user_email,
            top=settings.top,
            list_endpoint=settings.list_endpoint,
            rate_limits=settings.rate_limits,
            max_pages=settings.max_pages,
            verify_deletions=settings.verify_deletions,
            timeout=settings.timeout,
            known_ids=known_task_ids(pipeline),
            on_page=on_page,
            incremental=incremental,
            full_every=full_every,
            use_remaining_quota=use_remaining_quota,
        ),
        summary_fields=lambda report: {
            # Reply has no task total: the tasks read, when the scan was complete.
            "total_entries": report.tasks_seen if report.complete and report.full_scan else None,
            "unreachable": 0,
            "per_page_used": report.top,
            "paced_seconds": report.paced_seconds,
            "list_endpoint": report.list_endpoint,
            "stale_has_more": report.stale_has_more,
            "tasks_seen": report.tasks_seen,
        },
        progress_options=progress_options or {},
    )


def reply_type(p: Any, code: str) -> str:
    """A LinkedIn task (5) is told apart by its subtype: `5.N`, as the vocabulary writes it."""
    if not p.loaded.has("tasks", "linkedin_task_type"):
        return code
    return (
        f"CASE WHEN {code} = '5' AND t.linkedin_task_type IS NOT NULL"
        f" THEN '5.' || {p.col('linkedin_task_type')} ELSE {code} END"
    )


def followups_sql(due_day: str, dataset: str) -> str:
    """A call for each contact whose last finished task is 14+ days old and who has nothing
    new; the template's handlebars reach Reply verbatim."""
    return f"""
WITH done AS (
    SELECT contact_id, MAX(CAST(completed_at AS DATE)) AS last_done
    FROM {dataset}.tasks WHERE status = 1 GROUP BY contact_id
)
SELECT 'reply-followup-' || CAST(d.contact_id AS VARCHAR) || '-' || CAST(d.last_done AS VARCHAR)
           AS request_id,
       d.contact_id,
       'call' AS task_type,
       '{due_day}T09:00:00Z' AS start_at,
       '{due_day}T10:00:00Z' AS due_to,
       'Hi {{{{firstName}}}}, a quick follow-up call' AS body
FROM done AS d
WHERE d.last_done < CURRENT_DATE - INTERVAL 14 DAY
  AND NOT EXISTS (SELECT 1 FROM {dataset}.tasks AS o WHERE o.contact_id = d.contact_id AND o.status = 0)
ORDER BY d.contact_id
LIMIT {DEMO_FOLLOWUPS}
""".strip()


def read_back(sb: Any, ids: list[str]) -> list[tuple[Any, ...]]:
    """The pushed tasks as Reply's own `GET /v3/tasks/{id}` shows them."""
    out = []
    headers = {"Authorization": f"Bearer {sb.api_key}"}
    with httpx.Client(
        base_url=sb.base_url, headers=headers, timeout=30.0, trust_env=False, verify=False
    ) as http:
        for task_id in ids:
            resp = http.get(task_path(task_id))
            resp.raise_for_status()
            task = resp.json()
            template = task.get("template") or {}
            out.append(
                (task.get("id"), task.get("contactId"), task.get("taskType"), template.get("body"))
            )
    return out


SPEC = SourceSpec(
    name="reply",
    title="Reply.io",
    short="Reply",
    help="mirror Reply.io tasks into DuckDB or any dlt destination",
    description=(
        "Read every Reply.io task (GET /v3/tasks, paged by hasMore) and load tasks and a run"
        " report. Tasks deleted in Reply are removed after a complete run; an incomplete run"
        " deletes nothing."
    ),
    base_url_help="Reply base URL (default api.reply.io)",
    default_dataset="reply",
    default_duckdb_file="reply_tasks.duckdb",
    options=(
        CliOption(
            "--auth-scheme",
            "auth_scheme",
            "how the key is sent: Authorization: Bearer (default) or the X-API-Key header",
            choices=("bearer", "x-api-key"),
        ),
        CliOption(
            "--top",
            "top",
            f"rows per page, at most {MAX_TOP} (default: config, else {MAX_TOP})",
            type=int,
            bounds=(1, MAX_TOP),
        ),
        CliOption(
            "--list-endpoint",
            "list_endpoint",
            "list through GET /v3/tasks (default) or POST /v3/tasks/filter",
            choices=LIST_ENDPOINTS,
        ),
        *incremental_options(),
        *quota_options(),
    ),
    configure=configure,
    seen_table=SEEN_TASK_IDS_TABLE,
    summary_type=ReplyExtractSummary,
    table_order=("tasks", "users", "extract_runs"),
    progress_sample=progress_sample,
    strict_help="exit 3 when the scan cannot be proven complete",
    view=VendorView(
        marker=SEEN_TASK_IDS_TABLE,
        contact_id="contact_id",
        owner_id="assigned_user_id",
        type="task_type",
        due="due_to",
        priority=None,  # Reply tasks have no priority
        # Names and emails from `whoami/team-users`; a list item carries no contact email.
        owners="users",
        vendor_type=reply_type,
    ),
    demo=DemoPart(
        tasks=3_000,
        followups_sql=followups_sql,
        read_back=read_back,
        read_back_header=("task id", "contact id", "type", "body"),
    ),
    order=20,
)
