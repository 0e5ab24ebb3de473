"""The Apollo.io tasks dlt source: every task from `POST /api/v1/tasks/search`, as tables.

Tables (dataset `apollo` by default):
- `tasks`: one row per task (merge on `id`); embedded contact/account keep only their ids.
- `task_status_history`: each task's status versions over time (dlt scd2 on `id`), for
  time in status and reopen counts (`sales_tasks.sources.core.history`, `docs/task-history.md`).
- `contacts`, `accounts`: one row per id met in this run's tasks (merge on `id`).
- `contact_phone_numbers`: child table of `contacts.phone_numbers`, keyed by `contact_id`.
- `users`: the team's users from `GET /api/v1/users/search` (replace), to name task owners.
- `task_type_counts`: the `faceting.task_types` counts of each run (append: history).
- `extract_runs`: one row per run: pages, retries, 429s, per_page used, complete or not.
- `_apollo_seen_task_ids`: ids seen by the last run, used to remove tasks deleted in Apollo
  (see `sales_tasks.sources.apollo.current_state`).

Config (dlt section `sources.apollo`): `api_key` (`SOURCES__APOLLO__API_KEY`, falls back to
`APOLLO_API_KEY`) and `base_url` (`SOURCES__APOLLO__BASE_URL`, `APOLLO_BASE_URL`, default
`https://api.apollo.io`). No HTTP happens until the pipeline runs the source. In a pipeline of
your own: `docs/dlt-source.md` (`add_limit` counts pages of the task list).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

import dlt
import pyarrow as pa
from dlt.common.typing import TSecretStrValue
from dlt.extract.resource import DltResource

from sales_tasks.clients.apollo.endpoints import DEFAULT_BASE_URL
from sales_tasks.clients.apollo.lookups import list_users
from sales_tasks.clients.apollo.paging import DISPLAY_CAP_RECORDS, MAX_PER_PAGE
from sales_tasks.clients.apollo.profile import APOLLO_PROFILE
from sales_tasks.clients.core import ActionableError, ApiClient, PermissionDeniedError
from sales_tasks.clients.core.config import register_short_env
from sales_tasks.clients.core.telemetry import dlt_telemetry_off_by_default
from sales_tasks.sources.apollo.batch import Batch
from sales_tasks.sources.apollo.current_state import (
    EXTRACT_RUNS_TABLE,
    SEEN_TASK_IDS_TABLE,
    remove_deleted_tasks,
)
from sales_tasks.sources.apollo.quota import ApolloQuota
from sales_tasks.sources.apollo.report import EXTRACT_RUN_COLUMNS, ScanReport
from sales_tasks.sources.apollo.scan import TaskScanner, TItem
from sales_tasks.sources.apollo.schema import (
    ACCOUNT_COLUMNS,
    CONTACT_COLUMNS,
    PHONE_NUMBER_COLUMNS,
    SEEN_TASK_ID_COLUMNS,
    TASK_COLUMNS,
    TASK_TYPE_COUNT_COLUMNS,
    USER_COLUMNS,
    arrow_schema,
    dlt_columns,
    records_table,
)
from sales_tasks.sources.apollo.settings import DEFAULT_CONCURRENCY, SECTION, SHORT_ENV
from sales_tasks.sources.core.current_state import (
    ChildTombstones,
    TKnownIds,
    TKnownRows,
    Tombstones,
    live_tasks,
    tombstone_hints,
    with_tombstones,
)
from sales_tasks.sources.core.history import status_history
from sales_tasks.sources.core.source import TaskSource, per_page_batches

dlt_telemetry_off_by_default()
# The vendor's short env vars answer in dlt's config from the moment the source can be called
# (a provider added to dlt's list, no I/O): `apollo_source()` run by a user's own pipeline reads
# them as the CLI does.
register_short_env(SECTION[-1], SHORT_ENV)

logger = logging.getLogger("apollo_tasks.source")


class MissingApiKeyError(ActionableError, ValueError):
    """No API key in any config place: said before any request is made."""


def require_api_key(api_key: str | None) -> None:
    """Refuse to run without a key (a request without one only earns a 401)."""
    if not api_key:
        raise MissingApiKeyError(
            "no Apollo API key configured: set APOLLO_API_KEY (or SOURCES__APOLLO__API_KEY, or"
            " api_key in [sources.apollo] of .dlt/secrets.toml)"
        )


__all__ = [
    "ScanReport",
    "apollo_source",
    "make_source",
    "remove_deleted_tasks",
]


def _batch_table(
    name: str, columns: Any, attribute: str, not_null: tuple[str, ...], **hints: Any
) -> DltResource:
    """A transformer that passes on one of each batch's Arrow tables (`Batch.<attribute>`)."""

    @dlt.transformer(name=name, columns=dlt_columns(columns, not_null=not_null), **hints)
    def table(item: TItem) -> Iterator[pa.Table]:
        part = getattr(item, attribute) if isinstance(item, Batch) else None
        if part is not None:
            yield part

    return table


def _table_resources(report: ScanReport, known_phones: TKnownRows | None) -> list[DltResource]:
    """One transformer per table, all fed by the single task scan (made per source instance)."""
    merge_on_id: dict[str, Any] = {"write_disposition": "merge", "primary_key": "id"}

    @dlt.transformer(
        name="tasks", columns=tombstone_hints(dlt_columns(TASK_COLUMNS, ("id",))), **merge_on_id
    )
    def tasks(item: TItem | Tombstones) -> Iterator[pa.Table]:
        if isinstance(item, Tombstones):
            yield item.tasks
        elif isinstance(item, Batch) and item.tasks is not None:
            yield live_tasks(item.tasks)

    contacts = _batch_table("contacts", CONTACT_COLUMNS, "contacts", ("id",), **merge_on_id)
    accounts = _batch_table("accounts", ACCOUNT_COLUMNS, "accounts", ("id",), **merge_on_id)
    # Keyed by (contact, position), which every merging destination accepts (Delta and Iceberg
    # upsert need a primary key). Where dlt merges by delete-insert (the SQL destinations), the
    # merge key also replaces a contact's numbers as a whole when it is seen again; a number the
    # contact no longer has gets a tombstone, which every destination applies (Delta and Iceberg
    # keep it otherwise, and so does every destination when the list became empty).
    phone_schema = arrow_schema(PHONE_NUMBER_COLUMNS, not_null=("contact_id", "position"))

    @dlt.transformer(
        name="contact_phone_numbers",
        columns=tombstone_hints(
            dlt_columns(PHONE_NUMBER_COLUMNS, not_null=("contact_id", "position"))
        ),
        write_disposition="merge",
        primary_key=("contact_id", "position"),
        merge_key="contact_id",
    )
    def contact_phone_numbers(item: TItem) -> Iterator[pa.Table]:
        if isinstance(item, Batch) and (item.phone_owners or item.contact_phone_numbers):
            yield from phones.rows(item.contact_phone_numbers, item.phone_owners or ())

    phones = ChildTombstones(
        "contact_phone_numbers", "contact_id", "position", phone_schema, known_phones
    )

    @dlt.transformer(
        name="task_type_counts",
        write_disposition="append",
        columns=dlt_columns(TASK_TYPE_COUNT_COLUMNS, not_null=("run_id",)),
    )
    def task_type_counts(item: TItem) -> Iterator[pa.Table]:
        if isinstance(item, Batch) and item.facets:
            n = len(item.facets)
            yield records_table(
                item.facets,
                TASK_TYPE_COUNT_COLUMNS,
                computed={"run_id": [report.run_id] * n, "counted_at": [report.started_at] * n},
                not_null=("run_id",),
            )

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
        name=EXTRACT_RUNS_TABLE,
        write_disposition="append",
        columns=EXTRACT_RUN_COLUMNS,
    )
    def extract_runs(item: TItem) -> Iterator[dict[str, Any]]:
        if isinstance(item, ScanReport):
            item.count_rows(EXTRACT_RUNS_TABLE, 1)
            yield item.as_row()

    for merged_on_id in (tasks, contacts, accounts):
        # The scan yields each id once per run (`sales_tasks.sources.apollo.dedup`): dlt's merge may skip its
        # ROW_NUMBER() dedup of the staging table (~1/3 of the load time on 100,000 tasks).
        merged_on_id.apply_hints(additional_table_hints={"x-stage-data-deduplicated": True})
    return [
        tasks,
        status_history("apollo", report.started_at),
        contacts,
        contact_phone_numbers,
        accounts,
        task_type_counts,
        seen_task_ids,
        extract_runs,
    ]


@dlt.source(name="apollo", section="apollo", max_table_nesting=0, _impl_cls=TaskSource)
def apollo_source(
    api_key: TSecretStrValue | None = dlt.secrets.value,
    base_url: str = DEFAULT_BASE_URL,
    per_page: int = MAX_PER_PAGE,
    concurrency: int = DEFAULT_CONCURRENCY,
    max_records: int = DISPLAY_CAP_RECORDS,
    timeout: float = 30.0,
    report: ScanReport | None = None,
    known_ids: TKnownIds | None = None,
    known_phones: TKnownRows | None = None,
    use_remaining_quota: bool = False,
) -> Sequence[DltResource]:
    """Apollo tasks, with their contacts and accounts, and a report of the run.

    Args:
        api_key: Apollo master API key (task search needs one): `SOURCES__APOLLO__API_KEY`,
            `APOLLO_API_KEY` or `.dlt/secrets.toml`.
        base_url: `SOURCES__APOLLO__BASE_URL`, `APOLLO_BASE_URL`, config, default
            `https://api.apollo.io` (see `sales_tasks.sources.apollo.settings`).
        per_page: page size asked for, at most 200; stepped down to 100 if Apollo refuses it.
        concurrency: pages fetched at once after the first one.
        max_records: records one search can reach (Apollo's display cap, 50,000).
        timeout: seconds for every connect, read and write.
        report: receives the run's counters (and progress callbacks) as the scan goes.
        known_ids: the ids already loaded (`current_state.known_task_ids(pipeline)`): those a
            run that may delete did not see get a tombstone; without it nothing is deleted.
        known_phones: the (contact_id, position) pairs `contact_phone_numbers` holds; a number
            a contact read this run no longer has gets a tombstone. None: read from the
            pipeline running the source.
        use_remaining_quota: run even when the estimated search calls exceed what Apollo's usage
            stats (or rate headers) say is left (`sales_tasks.sources.apollo.quota`).
    """
    run_report = report if report is not None else ScanReport()
    key = str(api_key or "")
    url = str(base_url).rstrip("/")

    def task_search() -> Iterator[TItem]:
        # The client is made here, when the pipeline runs, never when the source is built.
        require_api_key(key)
        with ApiClient(
            url,
            key or "",
            profile=APOLLO_PROFILE,
            timeout=timeout,
            max_connections=concurrency + 1,
        ) as client:
            run_report.governor = client.governor  # progress shows its pacing waits
            scan = TaskScanner(
                client,
                run_report,
                per_page=per_page,
                concurrency=concurrency,
                max_records=max_records,
                quota=ApolloQuota(client, run_report, use_remaining=use_remaining_quota),
                **per_page_batches(),
            )
            yield from with_tombstones(
                scan, run_report, known_ids, arrow_schema(TASK_COLUMNS, ("id",))
            )

    @dlt.resource(
        name="users", write_disposition="replace", columns=dlt_columns(USER_COLUMNS, ("id",))
    )
    def users() -> Iterator[pa.Table]:
        require_api_key(key)
        with ApiClient(
            url, key or "", profile=APOLLO_PROFILE, timeout=timeout, max_connections=2
        ) as client:
            try:
                found = list_users(client)
            except PermissionDeniedError as exc:
                # Owners' names are a convenience: a key without users search still gets tasks.
                logger.warning("users not loaded: %s", client.safe_message(exc))
                return
        rows = [u for u in found if u.get("id")]
        run_report.count_rows("users", len(rows))
        if rows:
            yield records_table(rows, USER_COLUMNS)

    search = dlt.resource(task_search, name="task_search", selected=False)
    return [*(search | resource for resource in _table_resources(run_report, known_phones)), users]


def make_source(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    per_page: int | None = None,
    concurrency: int | None = None,
    max_records: int | None = None,
    timeout: float | None = None,
    report: ScanReport | None = None,
    known_ids: TKnownIds | None = None,
    use_remaining_quota: bool | None = None,
) -> Any:
    """The configured `apollo_source` (for dagster-dlt and other callers that run it themselves).

    Arguments left as None are read from dlt config / env vars (`sales_tasks.sources.apollo.settings`).
    """
    register_short_env(SECTION[-1], SHORT_ENV)
    given: dict[str, Any] = {
        "api_key": api_key,
        "base_url": base_url,
        "per_page": per_page,
        "concurrency": concurrency,
        "max_records": max_records,
        "timeout": timeout,
        "use_remaining_quota": use_remaining_quota,
    }
    return apollo_source(
        report=report, known_ids=known_ids, **{k: v for k, v in given.items() if v is not None}
    )
