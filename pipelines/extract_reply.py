"""`sales-tasks extract reply`: mirror Reply.io tasks into DuckDB (default) or any dlt destination.

`run_reply_extract` is the one entry point the CLI and the orchestrators call. It reuses the
extract machinery of `pipelines.extract` (the job and its lock, the destination checks, the
post-load step that removes deleted tasks) with Reply's source. After a complete scan (see
`sources.reply.scan`), tasks deleted in Reply are removed from `tasks`; an incomplete scan loads
what it read, deletes nothing, says so, and with `strict` fails (`EXIT_INCOMPLETE`).

Reply's limits (100 requests a minute, 3,000 an hour) are paced by the client; the progress line
and the summary say how long the run waited for them.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from typing import Any

from clients.reply.paging import MAX_TOP
from pipelines.accounts import add_account_argument, apply_account
from pipelines.exit_codes import EXIT_INCOMPLETE, EXIT_OK
from pipelines.extract import (
    ExtractSummary,
    IncompleteExtractError,
    add_destination_arguments,
    execute_extract,
    extract_job,
)
from pipelines.progress import DEFAULT_INTERVAL, RunProgress, TProgressSample, paced_seconds
from pipelines.stopping import stops_on_signals
from sources.reply import ReplyScanReport, check_options, make_source, require_api_key
from sources.reply.current_state import SEEN_TASK_IDS_TABLE, known_task_ids
from sources.reply.settings import LIST_ENDPOINTS, source_settings

VENDOR = "reply"
DEFAULT_DUCKDB_FILE = "reply_tasks.duckdb"
DEFAULT_DATASET = "reply"
TABLE_ORDER = ("tasks", "users", "extract_runs")
_LIST_ROUTES = {"get": "GET /v3/tasks", "filter": "POST /v3/tasks/filter"}


@dataclass
class ReplyExtractSummary(ExtractSummary):
    """What one Reply extract did. Reply has no task total: `total_entries` is the tasks read
    when the scan was complete (else None); `per_page_used` is the `top` asked for."""

    paced_seconds: float = 0.0
    list_endpoint: str = ""
    stale_has_more: bool = False
    tasks_seen: int = 0

    def format(self) -> str:
        if self.complete:
            verdict = f"complete: all {self.tasks_seen} tasks in Reply were read"
        else:
            verdict = (
                f"INCOMPLETE: {self.tasks_seen} tasks read and loaded, but not every task in"
                " Reply could be proven read; nothing was deleted"
            )
        rows = ", ".join(
            f"{name} {self.rows.get(name, 0)}"
            for name in TABLE_ORDER
            if name in self.rows or name == "tasks"
        )
        removed = (
            f"{self.removed} task(s) deleted in Reply removed from tasks"
            if self.removed is not None
            else "no rows removed (incomplete scan)"
        )
        stale = "; the last page still said hasMore (an empty page ended it)"
        lines = [
            f"Reply extract {verdict}",
            f"  into {self.destination}",
            f"  rows: {rows}",
            f"  {self.pages} pages (top {self.per_page_used},"
            f" {_LIST_ROUTES.get(self.list_endpoint, self.list_endpoint)}{stale if self.stale_has_more else ''}),"
            f" {self.requests} requests, {self.retries} retries, {self.rate_limited} rate-limited"
            f" (429), {self.paced_seconds:.1f}s paced by Reply's limits, {self.duration_s:.1f}s",
            f"  {removed}",
        ]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


class ReplyIncompleteError(IncompleteExtractError):
    """`strict` was asked and the scan could not be proven complete (data was loaded)."""

    def __init__(self, summary: ExtractSummary) -> None:
        RuntimeError.__init__(
            self,
            f"extract incomplete: {summary.rows.get('tasks', 0)} Reply tasks loaded but the scan"
            " could not be proven complete (see extract_runs.warnings)",
        )
        self.summary = summary


def progress_sample(report: ReplyScanReport) -> TProgressSample:
    """The counters of a Reply scan, with the seconds paced by Reply's limits so far."""
    stats = report.http_stats or report
    governor = report.governor
    paced = float(governor.waited_seconds) if governor is not None else report.paced_seconds
    return TProgressSample(
        done=report.tasks_seen,
        total=None,
        steps=f"pages {report.pages}, paced {paced:.0f}s by Reply's limits",
        retries=stats.retries,
        rate_limited=stats.rate_limited,
        paced_seconds=paced_seconds(governor),  # the "waiting on Reply's rate limit" line
    )


class ReplyProgress:
    """The extract's progress display (`pipelines.progress.RunProgress`), fed by the report."""

    def __init__(self, interval: float = DEFAULT_INTERVAL, **options: Any) -> None:
        self._options = {"interval": interval, **options}
        self._progress: RunProgress | None = None

    def __call__(self, report: ReplyScanReport, final: bool = False) -> None:
        if self._progress is None:
            self._progress = RunProgress(
                "reply extract", "tasks", lambda: progress_sample(report), **self._options
            ).start()
        if final:
            self._progress.stop()


def _no_models(pipeline: Any) -> list[str]:
    # Reply's tasks get no analyst views of their own (the cross-vendor model reads `tasks`).
    return []


@stops_on_signals("extract")
def run_reply_extract(
    *,
    destination: str = "duckdb",
    duckdb_path: str | None = None,
    dataset_name: str | None = None,
    pipeline_name: str | None = None,
    account: str | None = None,
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
    strict: bool = False,
    progress: bool = False,
    pipelines_dir: str | None = None,
    credentials: Any = None,
    wait_seconds: float = 0.0,
    progress_options: dict[str, Any] | None = None,
    on_page: Any = None,
) -> ReplyExtractSummary:
    """Extract every Reply task and load it; return the summary.

    Args:
        destination: a dlt destination name (`duckdb`, `postgres`, ...); credentials from dlt
            config/env unless `credentials` is given.
        duckdb_path: DuckDB file (default `reply_tasks.duckdb` in the working directory, unless
            `DESTINATION__DUCKDB__CREDENTIALS` is set).
        dataset_name: default `reply`, or `reply_<account>` with an account.
        pipeline_name: the dlt pipeline; default derived from the job (`pipelines.jobs`).
        account: a configured account (`pipelines.accounts`): its key and base URL fill what
            `api_key` / `base_url` leave out, and it is part of the job.
        api_key / base_url / auth_scheme / user_id / user_email / top / list_endpoint /
            rate_limits / max_pages / verify_deletions: None reads dlt config
            (`sources.reply.settings`: argument > `SOURCES__REPLY__*` > `REPLY_*` > toml >
            default).
        strict: raise `IncompleteExtractError` (after loading) when the scan was incomplete.
        progress: show progress on stderr (live on a terminal, a line every 10 s otherwise).
        progress_options: passed to `RunProgress` (`emit`, `console`, `interval`).
        wait_seconds: how long to wait for another run of the same job to end (0: refuse).
        on_page: a test's hook called after each list page (`sources.reply.scan.TaskScan`).

    Raises:
        MissingApiKeyError: no key anywhere (before any request).
        ValueError: a setting Reply would refuse (`top` past 1000, an unknown scheme).
        dlt.pipeline.exceptions.PipelineStepFailed: wrapping a `VendorApiError` (401, 403,
            unreachable, retries exhausted) or a destination error.
        IncompleteExtractError: with `strict`, when the scan was incomplete.
        JobBusyError: another run of the same job is going (and did not end in `wait_seconds`).
        DatasetOwnedError: the dataset belongs to another account (nothing was read).
    """
    api_key, base_url, dataset, account = apply_account(
        VENDOR, account, api_key=api_key, base_url=base_url, dataset=dataset_name
    )
    dataset_name = dataset or DEFAULT_DATASET
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
    summary: ReplyExtractSummary = execute_extract(
        job,
        vendor="Reply",
        new_report=lambda progress_callback: ReplyScanReport(progress=progress_callback),
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
        ),
        seen_table=SEEN_TASK_IDS_TABLE,
        create_models=_no_models,
        progress=progress,
        wait_seconds=wait_seconds,
        started=started,
        new_display=lambda: ReplyProgress(**(progress_options or {})),
        summary_type=ReplyExtractSummary,
        summary_fields=lambda report: {
            # Reply has no task total: the tasks read, when the scan was complete.
            "total_entries": report.tasks_seen if report.complete else None,
            "unreachable": 0,
            "per_page_used": report.top,
            "paced_seconds": report.paced_seconds,
            "list_endpoint": report.list_endpoint,
            "stale_has_more": report.stale_has_more,
            "tasks_seen": report.tasks_seen,
        },
    )
    if strict and not summary.complete:
        raise ReplyIncompleteError(summary)
    return summary


def register(sub: Any, name: str = "reply") -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help="mirror Reply.io tasks into DuckDB or any dlt destination",
        description=(
            "Read every Reply.io task (GET /v3/tasks, paged by hasMore) and load tasks and a run"
            " report. Tasks deleted in Reply are removed after a complete run; an incomplete run"
            " deletes nothing."
        ),
    )
    add_destination_arguments(parser, DEFAULT_DUCKDB_FILE, DEFAULT_DATASET)
    add_account_argument(parser)
    parser.add_argument("--base-url", default=None, help="Reply base URL (default api.reply.io)")
    parser.add_argument(
        "--auth-scheme",
        choices=("bearer", "x-api-key"),
        default=None,
        help="how the key is sent: Authorization: Bearer (default) or the X-API-Key header",
    )
    parser.add_argument(
        "--top",
        type=int,
        default=None,
        help=f"rows per page, at most {MAX_TOP} (default: config, else {MAX_TOP})",
    )
    parser.add_argument(
        "--list-endpoint",
        choices=LIST_ENDPOINTS,
        default=None,
        help="list through GET /v3/tasks (default) or POST /v3/tasks/filter",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help=f"exit {EXIT_INCOMPLETE} when the scan cannot be proven complete",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show progress (default: only on a terminal)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.top is not None and not 1 <= args.top <= MAX_TOP:
        print(f"error: --top must be between 1 and {MAX_TOP}", file=sys.stderr)
        return 2
    try:
        summary = run_reply_extract(
            destination=args.destination,
            duckdb_path=args.duckdb_path,
            dataset_name=args.dataset,
            account=args.account,
            pipeline_name=args.pipeline_name,
            base_url=args.base_url,
            auth_scheme=args.auth_scheme,
            top=args.top,
            list_endpoint=args.list_endpoint,
            strict=args.strict,
            progress=sys.stderr.isatty() if args.progress is None else args.progress,
            pipelines_dir=args.pipelines_dir,
            wait_seconds=args.wait,
        )
    except IncompleteExtractError as exc:
        print(exc.summary.format())
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INCOMPLETE
    print(summary.format())
    if not summary.complete:
        print(
            "warning: the Reply scan could not be proven complete; nothing was deleted"
            " (use --strict to fail the run)",
            file=sys.stderr,
        )
    return EXIT_OK
