"""`sales-tasks extract saleshandy`: mirror Saleshandy tasks into DuckDB (default) or any dlt
destination.

`run_saleshandy_extract` is the one entry point the CLI and the orchestrators call. The run's
lock, load, removal of deleted tasks and summary are the shared extract step
(`pipelines.extract.execute_extract`). After a complete scan (the task counts before and after
the list agree with the ids read, and every loaded task the list did not show answers 404 by id,
see `sources.saleshandy.scan`) tasks deleted in Saleshandy are removed from `tasks`; an incomplete scan loads what it read, deletes nothing, says so, and with
`strict` fails (`EXIT_INCOMPLETE` on the command line).
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from clients.saleshandy.paging import MAX_PAGE_SIZE
from pipelines.accounts import add_account_argument, apply_account
from pipelines.exit_codes import EXIT_INCOMPLETE, EXIT_USAGE
from pipelines.extract import (
    ExtractSummary,
    IncompleteExtractError,
    add_destination_arguments,
    execute_extract,
    extract_job,
    print_extract_result,
)
from pipelines.stopping import stops_on_signals
from sources.saleshandy import (
    SEEN_TASK_IDS_TABLE,
    SaleshandyScanReport,
    make_source,
    require_api_key,
)
from sources.saleshandy.current_state import known_task_ids
from sources.saleshandy.settings import DEFAULT_CONCURRENCY, source_settings

VENDOR = "saleshandy"
TITLE = "Saleshandy"
DEFAULT_DUCKDB_FILE = "saleshandy_tasks.duckdb"
DEFAULT_DATASET = "saleshandy"


def no_models(pipeline: Any) -> list[str]:
    """Saleshandy has no analyst views of its own (Apollo's name Apollo's columns)."""
    return []


@stops_on_signals("extract")
def run_saleshandy_extract(
    *,
    destination: str = "duckdb",
    duckdb_path: str | None = None,
    dataset_name: str | None = None,
    pipeline_name: str | None = None,
    account: str | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    page_size: int | None = None,
    concurrency: int | None = None,
    strict: bool = False,
    progress: bool = False,
    pipelines_dir: str | None = None,
    credentials: Any = None,
    wait_seconds: float = 0.0,
) -> ExtractSummary:
    """Extract every Saleshandy task (with prospects and assignees) and load it; the summary.

    Args:
        destination: a dlt destination name (`duckdb`, `postgres`, ...); credentials from dlt
            config/env unless `credentials` is given.
        duckdb_path: DuckDB file (default `saleshandy_tasks.duckdb` in the working directory,
            unless `DESTINATION__DUCKDB__CREDENTIALS` is set).
        dataset_name: default `saleshandy`, or `saleshandy_<account>` with an account.
        pipeline_name: the dlt pipeline; default derived from the job (`pipelines.jobs`).
        account: a configured account (`pipelines.accounts`): its key and base URL fill what
            `api_key` / `base_url` leave out, and it is part of the job.
        api_key / base_url / page_size / concurrency: None reads dlt config (`sources.saleshandy.settings`:
            flag > `SOURCES__SALESHANDY__*` > `SALESHANDY_*` > toml > default).
        strict: raise `IncompleteExtractError` (after loading) when the scan was incomplete.
        progress: show progress on stderr (see `pipelines.progress`).
        wait_seconds: how long to wait for another run of the same job to end (0: refuse).

    Raises:
        dlt.pipeline.exceptions.PipelineStepFailed: wrapping a `VendorApiError` (wrong key,
            unreachable, the first page failing past retries) or a destination error.
        IncompleteExtractError: with `strict`, when the scan was incomplete.
        JobBusyError: another run of the same job is going (and did not end in `wait_seconds`).
        DatasetOwnedError: the dataset belongs to another account (nothing was read).
    """
    api_key, base_url, dataset, account = apply_account(
        VENDOR, account, api_key=api_key, base_url=base_url, dataset=dataset_name
    )
    dataset_name = dataset or DEFAULT_DATASET
    settings = source_settings(
        api_key=api_key, base_url=base_url, page_size=page_size, concurrency=concurrency
    )
    if not 1 <= settings.page_size <= MAX_PAGE_SIZE:
        raise ValueError(
            f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {settings.page_size}"
        )
    if settings.concurrency < 1:
        raise ValueError(f"concurrency must be >= 1, got {settings.concurrency}")
    require_api_key(settings.api_key)
    started = time.monotonic()
    job = extract_job(
        base_url=settings.base_url,
        destination=destination,
        duckdb_path=duckdb_path,
        credentials=credentials,
        dataset_name=dataset_name,
        pipeline_name=pipeline_name,
        pipelines_dir=pipelines_dir,
        vendor=VENDOR,
        default_duckdb_file=DEFAULT_DUCKDB_FILE,
        account=account,
        api_key=str(settings.api_key),
    )
    summary = execute_extract(
        job,
        vendor=TITLE,
        new_report=lambda progress_callback: SaleshandyScanReport(progress=progress_callback),
        new_source=lambda report, pipeline: make_source(
            api_key=str(settings.api_key),
            base_url=settings.base_url,
            page_size=settings.page_size,
            concurrency=settings.concurrency,
            timeout=settings.timeout,
            max_attempts=settings.max_attempts,
            report=report,
            known_ids=known_task_ids(pipeline),
        ),
        seen_table=SEEN_TASK_IDS_TABLE,
        create_models=no_models,
        progress=progress,
        wait_seconds=wait_seconds,
        started=started,
    )
    if strict and not summary.complete:
        raise IncompleteExtractError(summary)
    return summary


def register(sub: Any, name: str = VENDOR) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help="mirror Saleshandy tasks (with prospects and assignees) into DuckDB or any dlt"
        " destination",
        description=(
            "Read every Saleshandy task through GET /v1/tasks and load tasks, prospects,"
            " assignees and a run report. The run is complete when GET /v1/tasks/counts, read"
            " before and after the list, agrees with the tasks read and every loaded task the"
            " list did not show answers 404 by id; then those are removed. An incomplete run"
            " deletes nothing."
        ),
    )
    add_destination_arguments(parser, DEFAULT_DUCKDB_FILE, DEFAULT_DATASET)
    add_account_argument(parser)
    parser.add_argument(
        "--base-url", default=None, help="Saleshandy base URL (default open-api.saleshandy.com)"
    )
    parser.add_argument(
        "--page-size",
        type=int,
        default=None,
        help=f"pageSize asked for, at most {MAX_PAGE_SIZE} (default: config, else {MAX_PAGE_SIZE})",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=None,
        help=f"pages fetched at once (default: config, else {DEFAULT_CONCURRENCY})",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help=f"exit {EXIT_INCOMPLETE} when the scan could not be proved complete",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show progress on stderr (default: only on a terminal)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.page_size is not None and not 1 <= args.page_size <= MAX_PAGE_SIZE:
        print(f"error: --page-size must be between 1 and {MAX_PAGE_SIZE}", file=sys.stderr)
        return EXIT_USAGE
    if args.concurrency is not None and args.concurrency < 1:
        print("error: --concurrency must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    return print_extract_result(
        lambda: run_saleshandy_extract(
            destination=args.destination,
            duckdb_path=args.duckdb_path,
            dataset_name=args.dataset,
            account=args.account,
            pipeline_name=args.pipeline_name,
            base_url=args.base_url,
            page_size=args.page_size,
            concurrency=args.concurrency,
            strict=args.strict,
            progress=sys.stderr.isatty() if args.progress is None else args.progress,
            pipelines_dir=args.pipelines_dir,
            wait_seconds=args.wait,
        )
    )
