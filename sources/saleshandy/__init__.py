"""The Saleshandy tasks dlt source: every task from `GET /v1/tasks`, as tables.

Tables (dataset `saleshandy` by default):
- `tasks`: one row per task (merge on `id`); codes and their names, embedded records' ids.
- `task_status_history`: each task's status versions over time (dlt scd2 on `id`), for
  time in status and reopen counts (`sales_tasks.sources.core.history`, `docs/task-history.md`).
- `prospects`, `assignees`: one row per id met in this run's tasks and, for assignees, in
  `GET /v1/tasks/assignee/list` (merge on `id`).
- `extract_runs`: one row per run: pages, requests, retries, 429s, the counts read before and
  after the list, complete or not, warnings.
- `_saleshandy_seen_task_ids`: ids seen by the last run, used to remove tasks deleted in
  Saleshandy after a complete run (`sales_tasks.sources.core.current_state`; each removal proved by id
  first, `sales_tasks.sources.saleshandy.current_state`).

Config (dlt section `sources.saleshandy`): `api_key` (`SOURCES__SALESHANDY__API_KEY`, falls back
to `SALESHANDY_API_KEY`) and `base_url` (`SOURCES__SALESHANDY__BASE_URL`, `SALESHANDY_BASE_URL`,
default `https://open-api.saleshandy.com`). No HTTP happens until the pipeline runs the source.
In a pipeline of your own: `docs/dlt-source.md` (`add_limit` counts pages of the task list).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import dlt
import pyarrow as pa
from dlt.common.typing import TSecretStrValue
from dlt.extract.resource import DltResource

from sales_tasks.clients.core import ActionableError, ApiClient, RetryPolicy
from sales_tasks.clients.core.config import register_short_env
from sales_tasks.clients.core.telemetry import dlt_telemetry_off_by_default
from sales_tasks.clients.saleshandy.endpoints import DEFAULT_BASE_URL
from sales_tasks.clients.saleshandy.paging import MAX_PAGE_SIZE
from sales_tasks.clients.saleshandy.profile import SALESHANDY_PROFILE
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
from sales_tasks.sources.core.schema import TColumns, arrow_schema, dlt_columns
from sales_tasks.sources.core.source import TaskSource, per_page_batches
from sales_tasks.sources.saleshandy.report import EXTRACT_RUN_COLUMNS, SaleshandyScanReport
from sales_tasks.sources.saleshandy.scan import Batch, TaskScan, TItem
from sales_tasks.sources.saleshandy.schema import (
    ASSIGNEE_COLUMNS,
    PROSPECT_COLUMNS,
    SEEN_TASK_ID_COLUMNS,
    TASK_COLUMNS,
)
from sales_tasks.sources.saleshandy.settings import (
    DEFAULT_CONCURRENCY,
    SECTION,
    SEEN_TASK_IDS_TABLE,
    SHORT_ENV,
)

dlt_telemetry_off_by_default()
# The vendor's short env vars answer in dlt's config from the moment the source can be called
# (a provider added to dlt's list, no I/O): `saleshandy_source()` run by a user's own pipeline reads
# them as the CLI does.
register_short_env(SECTION[-1], SHORT_ENV)

__all__ = [
    "SEEN_TASK_IDS_TABLE",
    "MissingApiKeyError",
    "SaleshandyScanReport",
    "make_source",
    "require_api_key",
    "saleshandy_source",
]


class MissingApiKeyError(ActionableError, ValueError):
    """No API key in any config place: said before any request is made."""


def require_api_key(api_key: str | None) -> None:
    """Refuse to run without a key (a request without one only earns a 400 Invalid token)."""
    if not api_key:
        raise MissingApiKeyError(
            "no Saleshandy API key configured: set SALESHANDY_API_KEY (or"
            " SOURCES__SALESHANDY__API_KEY, or api_key in [sources.saleshandy] of"
            " .dlt/secrets.toml)"
        )


def _batch_table(name: str, columns: TColumns) -> DltResource:
    """A transformer that merges on `id` one of each batch's Arrow tables (`Batch.<name>`);
    `tasks` also passes on the run's tombstones (`sales_tasks.sources.core.current_state`)."""
    hints = dlt_columns(columns, not_null=("id",))

    @dlt.transformer(
        name=name,
        columns=tombstone_hints(hints) if name == "tasks" else hints,
        write_disposition="merge",
        primary_key="id",
    )
    def table(item: TItem | Tombstones) -> Iterator[pa.Table]:
        if isinstance(item, Tombstones):
            if name == "tasks":
                yield item.tasks
            return
        part = getattr(item, name) if isinstance(item, Batch) else None
        if part is not None:
            yield live_tasks(part) if name == "tasks" else part

    # The scan yields each id once per run: dlt's merge may skip deduplicating the staging table.
    table.apply_hints(additional_table_hints={"x-stage-data-deduplicated": True})
    return table


def _table_resources(report: SaleshandyScanReport) -> list[DltResource]:
    @dlt.transformer(
        name=SEEN_TASK_IDS_TABLE,
        write_disposition="replace",
        columns=dlt_columns(SEEN_TASK_ID_COLUMNS, not_null=("run_id", "id")),
    )
    def seen_task_ids(item: TItem) -> Iterator[pa.Table]:
        if isinstance(item, Batch) and item.tasks is not None:
            ids = item.tasks.column("id")
            yield pa.Table.from_arrays(
                [pa.repeat(pa.scalar(report.run_id, pa.string()), len(ids)), ids],
                schema=arrow_schema(SEEN_TASK_ID_COLUMNS, not_null=("run_id", "id")),
            )

    @dlt.transformer(
        name=EXTRACT_RUNS_TABLE, write_disposition="append", columns=EXTRACT_RUN_COLUMNS
    )
    def extract_runs(item: TItem) -> Iterator[dict[str, Any]]:
        if isinstance(item, SaleshandyScanReport):
            item.count_rows(EXTRACT_RUNS_TABLE, 1)
            yield item.as_row()

    return [
        _batch_table("tasks", TASK_COLUMNS),
        status_history("saleshandy", report.started_at),
        _batch_table("prospects", PROSPECT_COLUMNS),
        _batch_table("assignees", ASSIGNEE_COLUMNS),
        seen_task_ids,
        extract_runs,
    ]


@dlt.source(name="saleshandy", section="saleshandy", max_table_nesting=0, _impl_cls=TaskSource)
def saleshandy_source(
    api_key: TSecretStrValue | None = dlt.secrets.value,
    base_url: str = DEFAULT_BASE_URL,
    page_size: int = MAX_PAGE_SIZE,
    concurrency: int = DEFAULT_CONCURRENCY,
    timeout: float = 30.0,
    max_attempts: int = 6,
    report: SaleshandyScanReport | None = None,
    known_ids: Callable[[], Iterable[str]] | None = None,
    incremental: bool = False,
    full_every: str | None = None,
    lag_seconds: float = 3600.0,
    use_remaining_quota: bool = False,
) -> Sequence[DltResource]:
    """Saleshandy tasks, with their prospects and assignees, and a report of the run.

    Args:
        api_key: Saleshandy API key: `SOURCES__SALESHANDY__API_KEY`, `SALESHANDY_API_KEY` or
            `.dlt/secrets.toml`.
        base_url: `SOURCES__SALESHANDY__BASE_URL`, `SALESHANDY_BASE_URL`, config, default
            `https://open-api.saleshandy.com`.
        page_size: `pageSize` asked for, at most 100.
        concurrency: pages fetched at once once the counts tell how many there are.
        timeout: seconds for every connect, read and write.
        max_attempts: tries of one request (429s, 5xx, dropped connections) before it fails.
        report: receives the run's counters (and progress callbacks) as the scan goes.
        known_ids: the ids already loaded (`current_state.known_task_ids(pipeline)`): each one
            the list did not show is checked by id before the run may count as complete, and
            gets a tombstone when the run may delete; without it nothing is deleted.
        incremental: read the open tabs whole and the completed / skipped tasks newest first
            down to the last run's newest `completedAt` / `skippedAt` (kept in dlt's source
            state); a full scan still runs first and on schedule (`full_every`), and only a
            full scan deletes (`sales_tasks.sources.core.incremental`, `docs/quota-and-incremental.md`).
        full_every: incremental runs between full scans (`24`) or a duration (`12h`, `7d`).
        lag_seconds: how far below the watermarks an incremental run still reads.
        use_remaining_quota: run even when the estimated calls exceed what Saleshandy's rate
            headers say is left (otherwise `QuotaExceededError` before any task is read,
            `sales_tasks.sources.core.quota`).
    """
    schedule = parse_full_every(full_every)
    run_report = report if report is not None else SaleshandyScanReport()
    key = str(api_key or "")
    url = str(base_url).rstrip("/")

    def task_list() -> Iterator[TItem]:
        # The client is made here, when the pipeline runs, never when the source is built.
        require_api_key(key)
        with ApiClient(
            url,
            key,
            profile=SALESHANDY_PROFILE,
            timeout=timeout,
            max_connections=max(1, concurrency) + 1,
            retry=RetryPolicy(max_attempts=max(1, max_attempts)),
        ) as client:
            run_report.governor = client.governor  # progress shows its pacing waits
            state = source_state()
            plan = plan_run(
                state, incremental=incremental, full_every=schedule, now=run_report.started_at
            )
            run_report.scan_plan = plan.reason if incremental else ""
            run_report.full_scan_requests = plan.last_full_requests
            scan = TaskScan(
                client,
                run_report,
                page_size=page_size,
                concurrency=concurrency,
                known_ids=known_ids,
                plan=plan,
                lag_seconds=lag_seconds,
                use_remaining_quota=use_remaining_quota,
                **per_page_batches(),
            )
            for item in with_tombstones(
                scan, run_report, known_ids, arrow_schema(TASK_COLUMNS, ("id",))
            ):
                if item is run_report:  # the state is committed with this run's load
                    record_run(
                        state,
                        plan,
                        complete=run_report.complete,
                        watermarks=scan.watermarks,
                        started_at=run_report.started_at,
                        requests=run_report.requests,
                    )
                yield item

    scan = dlt.resource(task_list, name="task_list", selected=False)
    return [scan | resource for resource in _table_resources(run_report)]


def make_source(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    page_size: int | None = None,
    concurrency: int | None = None,
    timeout: float | None = None,
    max_attempts: int | None = None,
    report: SaleshandyScanReport | None = None,
    known_ids: Callable[[], Iterable[str]] | None = None,
    incremental: bool | None = None,
    full_every: str | None = None,
    lag_seconds: float | None = None,
    use_remaining_quota: bool | None = None,
) -> Any:
    """The configured `saleshandy_source` (for dagster-dlt and other callers that run it).

    Arguments left as None are read from dlt config / env vars (`sales_tasks.sources.saleshandy.settings`).
    """
    register_short_env(SECTION[-1], SHORT_ENV)
    given: dict[str, Any] = {
        "api_key": api_key,
        "base_url": base_url,
        "page_size": page_size,
        "concurrency": concurrency,
        "timeout": timeout,
        "max_attempts": max_attempts,
        "incremental": incremental,
        "full_every": full_every,
        "lag_seconds": lag_seconds,
        "use_remaining_quota": use_remaining_quota,
    }
    return saleshandy_source(
        report=report, known_ids=known_ids, **{k: v for k, v in given.items() if v is not None}
    )
