"""The Reply.io tasks dlt source: every task from `GET /v3/tasks` (or `POST /v3/tasks/filter`).

Tables (dataset `reply` by default):
- `tasks`: one row per task (merge on `id`), what the list item carries: typed columns, the
  contact's id and name, each enum as its code and Reply's name (`task_type` 2,
  `task_type_name` "call"), the finish time, and unknown fields as JSON in `extra_fields` (see
  `sales_tasks.sources.reply.schema`).
- `task_status_history`: each task's status versions over time (dlt scd2 on `id`), for
  time in status and reopen counts (`sales_tasks.sources.core.history`, `docs/task-history.md`).
- `users`: the team's users from `GET /v3/whoami/team-users` (merge on `id`): the names and
  emails behind `tasks.assigned_user_id`.
- `extract_runs`: one row per run: pages, requests, retries, 429s, seconds paced by Reply's
  limits, complete or not, warnings.
- `_reply_seen_task_ids`: ids seen by the last run, used to remove tasks deleted in Reply
  (see `sales_tasks.sources.reply.current_state`).

Config (dlt section `sources.reply`, see `sales_tasks.sources.reply.settings`): `api_key`
(`SOURCES__REPLY__API_KEY`, falls back to `REPLY_API_KEY`), `base_url` (`REPLY_BASE_URL`, default
`https://api.reply.io`), `auth_scheme` (`bearer` or `x-api-key`), ... No HTTP happens until the
pipeline runs the source. In a pipeline of your own: `docs/dlt-source.md` (`add_limit` counts
pages of the task list).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

import dlt
import pyarrow as pa
from dlt.common.typing import TSecretStrValue
from dlt.extract.resource import DltResource

from sales_tasks.clients.core import ActionableError, ApiClient
from sales_tasks.clients.core.config import register_short_env
from sales_tasks.clients.core.telemetry import dlt_telemetry_off_by_default
from sales_tasks.clients.reply.endpoints import DEFAULT_BASE_URL
from sales_tasks.clients.reply.paging import MAX_PAGES, MAX_TOP
from sales_tasks.clients.reply.profile import (
    BEARER,
    DOCUMENTED_LIMITS,
    REPLY_PROFILE,
    format_limits,
    parse_limits,
    reply_auth,
)
from sales_tasks.sources.core.current_state import (
    EXTRACT_RUNS_TABLE,
    Tombstones,
    live_tasks,
    tombstone_hints,
    with_tombstones,
)
from sales_tasks.sources.core.history import status_history
from sales_tasks.sources.core.incremental import (
    parse_full_every,
    plan_run,
    record_run,
    source_state,
)
from sales_tasks.sources.core.schema import arrow_schema, dlt_columns
from sales_tasks.sources.core.source import TaskSource, per_page_batches
from sales_tasks.sources.reply.current_state import SEEN_TASK_IDS_TABLE
from sales_tasks.sources.reply.quota import ReplyQuota
from sales_tasks.sources.reply.report import EXTRACT_RUN_COLUMNS, ReplyScanReport
from sales_tasks.sources.reply.scan import LISTED_AT, TaskBatch, TaskScan, TItem, TOnPage, UserBatch
from sales_tasks.sources.reply.schema import SEEN_TASK_ID_COLUMNS, TASK_COLUMNS, USER_COLUMNS
from sales_tasks.sources.reply.settings import (
    LIST_ENDPOINTS,
    LIST_GET,
    SECTION,
    SHORT_ENV,
    VERIFY_DELETIONS,
)

dlt_telemetry_off_by_default()
# The vendor's short env vars answer in dlt's config from the moment the source can be called
# (a provider added to dlt's list, no I/O): `reply_source()` run by a user's own pipeline reads
# them as the CLI does.
register_short_env(SECTION[-1], SHORT_ENV)

__all__ = ["MissingApiKeyError", "ReplyScanReport", "make_source", "reply_client", "reply_source"]


class MissingApiKeyError(ActionableError, ValueError):
    """No API key in any config place: said before any request is made."""


def require_api_key(api_key: str | None) -> None:
    """Refuse to run without a key (a request without one only earns a 401)."""
    if not api_key:
        raise MissingApiKeyError(
            "no Reply API key configured: set REPLY_API_KEY (or SOURCES__REPLY__API_KEY, or"
            " api_key in [sources.reply] of .dlt/secrets.toml)"
        )


def check_options(top: int, list_endpoint: str, rate_limits: str) -> None:
    """Refuse settings Reply would refuse or that cannot work, before any request.

    Raises:
        ValueError: one line naming the setting and what is allowed.
    """
    if not 1 <= int(top) <= MAX_TOP:
        raise ValueError(f"top must be between 1 and {MAX_TOP} (Reply's page cap), got {top}")
    if list_endpoint not in LIST_ENDPOINTS:
        raise ValueError(
            f"list_endpoint must be one of {', '.join(LIST_ENDPOINTS)}, got {list_endpoint!r}"
        )
    parse_limits(rate_limits)


def reply_client(
    api_key: str,
    base_url: str,
    *,
    auth_scheme: str = BEARER,
    user_id: str | None = None,
    user_email: str | None = None,
    rate_limits: str = format_limits(DOCUMENTED_LIMITS),
    timeout: float = 30.0,
) -> ApiClient:
    """An `ApiClient` for Reply with the configured auth and the plan's limits (paced)."""
    require_api_key(api_key)
    profile = REPLY_PROFILE
    limits = parse_limits(rate_limits)
    if limits != profile.documented_limits:
        profile = replace(profile, documented_limits=limits)
    auth = reply_auth(api_key, auth_scheme, user_id=user_id, user_email=user_email)
    return ApiClient(base_url, auth=auth, profile=profile, timeout=timeout, max_connections=2)


def _table_resources(report: ReplyScanReport) -> list[DltResource]:
    """One transformer per table, all fed by the single task scan (made per source instance)."""

    @dlt.transformer(
        name="tasks",
        write_disposition="merge",
        primary_key="id",
        columns=tombstone_hints(dlt_columns(TASK_COLUMNS, not_null=("id",))),
    )
    def tasks(item: TItem | Tombstones) -> Iterator[pa.Table]:
        if isinstance(item, Tombstones):
            yield item.tasks
        elif isinstance(item, TaskBatch):
            yield live_tasks(item.tasks)

    @dlt.transformer(
        name="users",
        write_disposition="merge",
        primary_key="id",
        columns=dlt_columns(USER_COLUMNS, not_null=("id",)),
    )
    def users(item: TItem) -> Iterator[pa.Table]:
        if isinstance(item, UserBatch):
            yield item.users

    @dlt.transformer(
        name=SEEN_TASK_IDS_TABLE,
        write_disposition="replace",
        columns=dlt_columns(SEEN_TASK_ID_COLUMNS, not_null=("run_id", "id")),
    )
    def seen_task_ids(item: TItem) -> Iterator[pa.Table]:
        if isinstance(item, TaskBatch):
            ids = item.tasks.column("id")
            yield pa.Table.from_arrays(
                [pa.repeat(pa.scalar(report.run_id, pa.string()), len(ids)), ids],
                schema=arrow_schema(SEEN_TASK_ID_COLUMNS, not_null=("run_id", "id")),
            )

    @dlt.transformer(
        name=EXTRACT_RUNS_TABLE, write_disposition="append", columns=EXTRACT_RUN_COLUMNS
    )
    def extract_runs(item: TItem) -> Iterator[dict[str, Any]]:
        if isinstance(item, ReplyScanReport):
            item.count_rows(EXTRACT_RUNS_TABLE, 1)
            yield item.as_row()

    # The scan yields each id once per run: dlt's merge may skip deduplicating its staging table.
    tasks.apply_hints(additional_table_hints={"x-stage-data-deduplicated": True})
    history = status_history(
        "reply",
        report.started_at,
        id_type="bigint",
        status_column="status_name",
        code_column="status",
    )
    return [tasks, history, users, seen_task_ids, extract_runs]


@dlt.source(name="reply", section="reply", max_table_nesting=0, _impl_cls=TaskSource)
def reply_source(
    api_key: TSecretStrValue | None = dlt.secrets.value,
    base_url: str = DEFAULT_BASE_URL,
    auth_scheme: str = BEARER,
    user_id: str | None = None,
    user_email: str | None = None,
    top: int = MAX_TOP,
    list_endpoint: str = LIST_GET,
    rate_limits: str = format_limits(DOCUMENTED_LIMITS),
    max_pages: int = MAX_PAGES,
    verify_deletions: int = VERIFY_DELETIONS,
    timeout: float = 30.0,
    report: ReplyScanReport | None = None,
    known_ids: Callable[[], Iterable[int]] | None = None,
    on_page: TOnPage | None = None,
    incremental: bool = False,
    full_every: str | None = None,
    lag_seconds: float = 3600.0,
    use_remaining_quota: bool = False,
) -> Sequence[DltResource]:
    """Reply tasks, and a report of the run.

    Args:
        api_key: Reply API key (scope `tasks:read`): `SOURCES__REPLY__API_KEY`, `REPLY_API_KEY`
            or `.dlt/secrets.toml`.
        base_url: `SOURCES__REPLY__BASE_URL`, `REPLY_BASE_URL`, config, default
            `https://api.reply.io`.
        auth_scheme: `bearer` (default) or `x-api-key`.
        user_id / user_email: the user an organization key acts for.
        top: rows per page, at most 1000.
        list_endpoint: `get` (`GET /v3/tasks`) or `filter` (`POST /v3/tasks/filter`).
        rate_limits: the plan's limits, `REQUESTS/SECONDS,...` (default `100/60,3000/3600`).
        max_pages: the stop guard of the scan.
        verify_deletions: loaded tasks the list no longer shows are read one by one before a
            run counts as complete; more than this many make the run incomplete (see
            `sales_tasks.sources.reply.scan`).
        timeout: seconds for every connect, read and write.
        report: receives the run's counters (and progress callbacks) as the scan goes.
        known_ids: the ids already loaded (`current_state.known_task_ids(pipeline)`); those a
            run that may delete did not see get a tombstone; without it nothing is deleted.
        on_page: a test's hook called after each list page (`sales_tasks.sources.reply.scan.TaskScan`).
        incremental: read the open statuses whole and `finished` tasks from a floor on
            `startAt` (kept in dlt's source state); a full scan still runs first and on
            schedule (`full_every`), and only a full scan deletes (`sales_tasks.sources.core.incremental`,
            `docs/quota-and-incremental.md`).
        full_every: incremental runs between full scans (`24`) or a duration (`12h`, `7d`).
        lag_seconds: how far below its floor an incremental run still reads.
        use_remaining_quota: run even when the last run's calls exceed what the documented hourly
            limit leaves (`sales_tasks.sources.reply.quota`).
    """
    schedule = parse_full_every(full_every)
    run_report = report if report is not None else ReplyScanReport()
    key = str(api_key or "")
    check_options(top, list_endpoint, rate_limits)

    def task_list() -> Iterator[TItem]:
        # The ids loaded before, read once as the run starts (the job's lock keeps them so to
        # its end): Reply gives no total, so their count is the progress display's estimate.
        known = list(known_ids()) if known_ids is not None else None
        if known:
            run_report.expected_total = len(known)
        # The client is made here, when the pipeline runs, never when the source is built.
        with reply_client(
            key,
            str(base_url).rstrip("/"),
            auth_scheme=auth_scheme,
            user_id=user_id,
            user_email=user_email,
            rate_limits=rate_limits,
            timeout=timeout,
        ) as client:
            state = source_state()
            plan = plan_run(
                state, incremental=incremental, full_every=schedule, now=run_report.started_at
            )
            run_report.scan_plan = plan.reason if incremental else ""
            run_report.full_scan_requests = plan.last_full_requests
            quota = ReplyQuota(run_report, rate_limits, use_remaining=use_remaining_quota)
            quota.before_list(plan)  # before the first call: a run that cannot finish refuses
            scan = TaskScan(
                client,
                run_report,
                top=top,
                list_endpoint=list_endpoint,
                max_pages=max_pages,
                known_ids=None if known is None else known.copy,
                verify_limit=verify_deletions,
                on_page=on_page,
                plan=plan,
                lag_seconds=lag_seconds,
                **per_page_batches(),
            )
            for item in with_tombstones(
                scan,
                run_report,
                None if known is None else known.copy,
                arrow_schema(TASK_COLUMNS, ("id",)),
            ):
                if item is run_report:  # the state is committed with this run's load
                    quota.after_scan()
                    record_run(
                        state,
                        plan,
                        complete=run_report.complete,
                        watermarks={LISTED_AT: run_report.started_at.isoformat()},
                        started_at=run_report.started_at,
                        requests=run_report.requests,
                        kept={"open": scan.open_starts},
                    )
                yield item

    scan = dlt.resource(task_list, name="task_list", selected=False)
    return [scan | resource for resource in _table_resources(run_report)]


def make_source(report: ReplyScanReport | None = None, **given: Any) -> Any:
    """The configured `reply_source` (for dagster-dlt and other callers that run it themselves).

    Arguments left out or None are read from dlt config / env vars (`sales_tasks.sources.reply.settings`).
    """
    register_short_env(SECTION[-1], SHORT_ENV)
    return reply_source(report=report, **{k: v for k, v in given.items() if v is not None})
