"""Toy's dlt source: every task through `GET /v1/tasks` (paged by `page`/`per_page`), with the
run's seen ids and its report.

The scan is complete when every page stated the same `total` and the distinct ids read are that
many: a task deleted or added while the scan runs moves the pages under it (one task skipped or
read twice), changes the total, and leaves the run incomplete, so it deletes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import dlt

from sales_tasks.clients.core import ApiClient
from sales_tasks.clients.core.values import utc_now
from sales_tasks.clients.toy import TASKS, TOY_PROFILE
from sales_tasks.sources.core.current_state import (
    DELETED_COLUMN,
    EXTRACT_RUNS_TABLE,
    tombstone_hints,
)
from sales_tasks.sources.core.report import RunReport, run_columns

SEEN_TASK_IDS_TABLE = "_toy_seen_task_ids"
MAX_PAGES = 10_000  # the stop guard of the page loop


@dataclass
class ToyReport(RunReport):
    RUN_COLUMNS = run_columns(
        ("total_entries", "bigint"), ("tasks_seen", "bigint"), ("pages", "bigint")
    )
    per_page_used: int = 0


@dataclass
class _Gone:
    """Ids loaded before that a complete scan did not see: deleted at Toy."""

    ids: list[str]


def _scan(
    client: ApiClient,
    report: ToyReport,
    per_page: int,
    known_ids: Callable[[], Iterable[str]] | None,
) -> Iterator[Any]:
    known = {str(i) for i in known_ids()} if known_ids is not None else None
    totals: set[int] = set()
    ids: set[str] = set()
    for page in range(1, MAX_PAGES + 1):
        body = client.request_json("GET", TASKS, params={"page": page, "per_page": per_page})
        tasks = list(body.get("tasks") or [])
        report.total_entries = int(body["total"])
        totals.add(report.total_entries)
        ids.update(str(t["id"]) for t in tasks)
        report.pages += 1
        report.tasks_seen += len(tasks)
        report.requests, report.retries = client.stats.requests, client.stats.retries
        report.rate_limited = client.stats.rate_limited
        if tasks:
            yield tasks
        if report.progress is not None:
            report.progress(report)
        if len(tasks) < per_page or report.tasks_seen >= report.total_entries:
            break
    report.complete = len(totals) == 1 and len(ids) == report.total_entries
    if report.may_delete and known is not None:
        gone = sorted(known - ids)
        report.removed = len(gone)
        if gone:
            yield _Gone(gone)
    report.finished_at = utc_now()
    yield report


@dlt.source(name="toy", max_table_nesting=0)
def toy_source(
    api_key: str,
    base_url: str,
    per_page: int,
    report: ToyReport,
    known_ids: Callable[[], Iterable[str]] | None = None,
) -> Any:
    """`known_ids`: the ids loaded before (`current_state.known_task_ids`); after a complete
    scan those not seen get a tombstone (`_sales_tasks_deleted`), which dlt's merge removes."""

    def task_list() -> Iterator[Any]:
        with ApiClient(base_url, api_key, profile=TOY_PROFILE) as client:
            yield from _scan(client, report, per_page, known_ids)

    scan = dlt.resource(task_list, name="task_list", selected=False)

    @dlt.transformer(
        name="tasks", write_disposition="merge", primary_key="id", columns=tombstone_hints({})
    )
    def tasks(item: Any) -> Iterator[Any]:
        if isinstance(item, list):
            report.count_rows("tasks", len(item))
            yield item
        elif isinstance(item, _Gone):
            yield [{"id": task_id, DELETED_COLUMN: True} for task_id in item.ids]

    @dlt.transformer(name=SEEN_TASK_IDS_TABLE, write_disposition="replace")
    def seen(item: Any) -> Iterator[Any]:
        if isinstance(item, list):
            yield [{"run_id": report.run_id, "id": t["id"]} for t in item]

    @dlt.transformer(
        name=EXTRACT_RUNS_TABLE, write_disposition="append", columns=ToyReport.run_table_columns()
    )
    def runs(item: Any) -> Iterator[Any]:
        if isinstance(item, ToyReport):
            item.count_rows(EXTRACT_RUNS_TABLE, 1)
            yield item.as_row()

    return [scan | tasks, scan | seen, scan | runs]
