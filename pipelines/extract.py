"""`apollo-tasks extract`: mirror Apollo tasks into DuckDB (default) or any dlt destination.

`run_extract` is the one entry point the CLI, the Airflow DAG and the Dagster job call. After a
complete scan, tasks deleted in Apollo are removed from `tasks` (see
`sources.apollo.current_state`); an incomplete scan loads what it reached, deletes nothing, says
so loudly, and with `strict` fails (`EXIT_INCOMPLETE` on the command line).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

import dlt
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

from pipelines.cli import EXIT_INCOMPLETE, EXIT_OK
from pipelines.stopping import stop_checked, stops_on_signals
from sources.apollo import (
    ScanReport,
    make_source,
    record_removed,
    remove_deleted_tasks,
)
from sources.apollo.settings import DEFAULT_CONCURRENCY, MAX_PER_PAGE

DEFAULT_DUCKDB_FILE = "apollo_tasks.duckdb"
# DuckDB's default limit (80% of RAM) let the load grow with the data: +0.27 GB over the extract's
# peak at 250,000 tasks. Past this limit it spills to `<file>.tmp` instead, at no measured cost in
# load time (bench/RESULTS.md, peak RSS). Only for the file this module opens: credentials given
# by the caller (or DESTINATION__DUCKDB__CREDENTIALS) keep their own settings.
DUCKDB_MEMORY_LIMIT = "128MB"
TABLE_ORDER = ("tasks", "contacts", "accounts", "contact_phone_numbers", "task_type_counts")


@dataclass
class ExtractSummary:
    """What one extract run did, for people (`format`) and orchestrators (the fields)."""

    run_id: str
    rows: dict[str, int]
    pages: int
    requests: int
    retries: int
    rate_limited: int
    duration_s: float
    complete: bool
    total_entries: int | None
    unreachable: int
    removed: int | None
    per_page_used: int
    destination: str
    warnings: list[str] = field(default_factory=list)

    def format(self) -> str:
        if self.complete:
            verdict = f"complete: all {self.total_entries} tasks in Apollo were read"
        else:
            reached = (self.total_entries or 0) - self.unreachable
            verdict = (
                f"INCOMPLETE: {self.unreachable} of {self.total_entries} tasks could not be"
                f" reached ({reached} loaded); nothing was deleted"
                if self.total_entries is not None
                else "INCOMPLETE: Apollo did not say how many tasks exist; nothing was deleted"
            )
        rows = ", ".join(
            f"{name} {self.rows.get(name, 0)}"
            for name in TABLE_ORDER
            if name in self.rows or name == "tasks"
        )
        removed = (
            f"{self.removed} task(s) deleted in Apollo removed from tasks"
            if self.removed is not None
            else "no rows removed (incomplete scan)"
        )
        lines = [
            f"Apollo extract {verdict}",
            f"  into {self.destination}",
            f"  rows: {rows}",
            f"  {self.pages} pages (per_page {self.per_page_used}), {self.requests} requests,"
            f" {self.retries} retries, {self.rate_limited} rate-limited (429),"
            f" {self.duration_s:.1f}s",
            f"  {removed}",
        ]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


class IncompleteExtractError(RuntimeError):
    """`strict` was asked and part of Apollo's tasks could not be reached (data was loaded)."""

    def __init__(self, summary: ExtractSummary) -> None:
        super().__init__(
            f"extract incomplete: {summary.unreachable} of {summary.total_entries} Apollo tasks"
            " could not be reached (see extract_runs.warnings)"
        )
        self.summary = summary


class ProgressDisplay:
    """One self-rewriting status line on a stream (stderr), at most every 0.2 s."""

    def __init__(self, stream: TextIO | None = None, interval: float = 0.2) -> None:
        self.stream = stream or sys.stderr
        self.interval = interval
        self._last = 0.0
        self._lock = threading.Lock()

    def __call__(self, report: ScanReport, final: bool = False) -> None:
        now = time.monotonic()
        with self._lock:
            if not final and now - self._last < self.interval:
                return
            self._last = now
            total = report.pages_planned or "?"
            line = (
                f"\rapollo: pages {report.pages}/{total}  tasks {report.tasks_seen}"
                f"/{report.total_entries if report.total_entries is not None else '?'}"
                f"  retries {report.retries}  429s {report.rate_limited}"
            )
            self.stream.write(line + ("\n" if final else ""))
            self.stream.flush()


def _destination(
    destination: str, duckdb_path: str | None, credentials: Any, dataset_name: str
) -> tuple[Any, str]:
    """The dlt destination and a description of where the data goes (no secrets in it)."""
    if destination == "duckdb":
        if credentials is not None:
            return dlt.destinations.duckdb(credentials), "duckdb"
        if duckdb_path is None and os.environ.get("DESTINATION__DUCKDB__CREDENTIALS"):
            return "duckdb", "duckdb (DESTINATION__DUCKDB__CREDENTIALS)"
        path = os.path.abspath(duckdb_path or DEFAULT_DUCKDB_FILE)
        if os.path.splitext(os.path.basename(path))[0] == dataset_name:
            # DuckDB names the catalog after the file: same name as the schema is ambiguous.
            raise ValueError(
                f"the DuckDB file {os.path.basename(path)!r} is named like the dataset"
                f" {dataset_name!r}; choose another file name or --dataset"
            )
        credentials = DuckDbCredentials(path, global_config={"memory_limit": DUCKDB_MEMORY_LIMIT})
        return dlt.destinations.duckdb(credentials), f"duckdb {path}"
    if credentials is not None:
        from dlt.common.destination import Destination

        return Destination.from_reference(destination, credentials=credentials), destination
    return destination, destination


@contextmanager
def _fewer_gc_passes(threshold: int = 100_000) -> Iterator[None]:
    """Run the cyclic garbage collector less often while a run decodes and converts pages.

    A decoded page is thousands of short-lived dicts that reference counting frees; with the
    default threshold (700 allocations) the collector also walked every live object (dlt, pyarrow,
    the batch) thousands of times per run: ~2x the decoding time in the 100,000-task benchmark.
    Objects alive before the run are frozen (never scanned) and everything is restored after.
    """
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(previous[0], threshold), *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()


def finish_extract(pipeline: Any, report: ScanReport, *, ids_loaded: bool = True) -> int | None:
    """The post-load step every runner (CLI, Airflow, Dagster) calls after `pipeline.run`.

    Removes tasks deleted in Apollo (only after a complete scan whose seen ids were loaded),
    records how many in `extract_runs`, and (re)creates the analyst views. Returns the number
    removed, or None when nothing could be decided.
    """
    from pipelines.models import create_models_for

    removed = (
        remove_deleted_tasks(pipeline, report.run_id) if report.complete and ids_loaded else None
    )
    record_removed(pipeline, report.run_id, removed)
    create_models_for(pipeline)
    return removed


@stops_on_signals("extract")
def run_extract(
    *,
    destination: str = "duckdb",
    duckdb_path: str | None = None,
    dataset_name: str = "apollo",
    pipeline_name: str = "apollo_tasks",
    api_key: str | None = None,
    base_url: str | None = None,
    per_page: int = MAX_PER_PAGE,
    concurrency: int = DEFAULT_CONCURRENCY,
    max_records: int = 50_000,
    strict: bool = False,
    progress: bool = False,
    pipelines_dir: str | None = None,
    credentials: Any = None,
) -> ExtractSummary:
    """Extract every Apollo task (with contacts and accounts) and load it; return the summary.

    Args:
        destination: a dlt destination name (`duckdb`, `postgres`, ...); credentials from dlt
            config/env unless `credentials` is given.
        duckdb_path: DuckDB file (default `apollo_tasks.duckdb` in the working directory, unless
            `DESTINATION__DUCKDB__CREDENTIALS` is set).
        api_key / base_url: override dlt config (`SOURCES__APOLLO__*`) and `APOLLO_*` env vars.
        per_page: at most 200; stepped down to 100 when Apollo refuses it.
        max_records: Apollo's display cap per search (50,000).
        strict: raise `IncompleteExtractError` (after loading) when tasks could not be reached.
        progress: show a progress line on stderr.

    Raises:
        dlt.pipeline.exceptions.PipelineStepFailed: wrapping a `VendorApiError` (401, 403, 422,
            retries exhausted) or a destination error. Nothing is loaded when extraction fails.
        IncompleteExtractError: with `strict`, when the scan was incomplete.
    """
    if per_page < 1 or per_page > MAX_PER_PAGE:
        raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}, got {per_page}")
    if concurrency < 1:
        raise ValueError(f"concurrency must be >= 1, got {concurrency}")
    started = time.monotonic()
    display = ProgressDisplay() if progress else None
    report = ScanReport(progress=stop_checked(display))
    dest, where = _destination(destination, duckdb_path, credentials, dataset_name)
    options: dict[str, Any] = {"pipelines_dir": pipelines_dir} if pipelines_dir else {}
    pipeline = dlt.pipeline(
        pipeline_name=pipeline_name, destination=dest, dataset_name=dataset_name, **options
    )
    source = make_source(
        api_key=api_key,
        base_url=base_url,
        per_page=per_page,
        concurrency=concurrency,
        max_records=max_records,
        report=report,
    )
    try:
        with _fewer_gc_passes():
            pipeline.run(source)
    finally:
        if display is not None:
            display(report, final=True)
    removed = finish_extract(pipeline, report)
    rows = dict(report.rows)
    summary = ExtractSummary(
        run_id=report.run_id,
        rows=rows,
        pages=report.pages,
        requests=report.requests,
        retries=report.retries,
        rate_limited=report.rate_limited,
        duration_s=time.monotonic() - started,
        complete=report.complete,
        total_entries=report.total_entries,
        unreachable=report.unreachable,
        removed=removed,
        per_page_used=report.per_page_used,
        destination=f"{where}, dataset {dataset_name}",
        warnings=list(report.warnings),
    )
    if strict and not summary.complete:
        raise IncompleteExtractError(summary)
    return summary


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "extract",
        help="mirror Apollo tasks (with contacts and accounts) into DuckDB or any dlt destination",
        description=(
            "Read every Apollo task through task search and load tasks, contacts, accounts,"
            " phone numbers, task-type counts and a run report. Tasks deleted in Apollo are"
            " removed after a complete run; an incomplete run deletes nothing."
        ),
    )
    parser.add_argument("--destination", default="duckdb", help="dlt destination (default duckdb)")
    parser.add_argument(
        "--duckdb-path", help=f"DuckDB file (default ./{DEFAULT_DUCKDB_FILE})", default=None
    )
    parser.add_argument("--dataset", default="apollo", help="dataset / schema name")
    parser.add_argument("--pipeline-name", default="apollo_tasks", help=argparse.SUPPRESS)
    parser.add_argument("--pipelines-dir", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--base-url", default=None, help="Apollo base URL (default api.apollo.io)")
    parser.add_argument(
        "--per-page", type=int, default=MAX_PER_PAGE, help="page size, at most 200 (default 200)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=DEFAULT_CONCURRENCY, help="pages fetched at once"
    )
    parser.add_argument("--max-records", type=int, default=50_000, help=argparse.SUPPRESS)
    parser.add_argument(
        "--strict",
        action="store_true",
        help=f"exit {EXIT_INCOMPLETE} when some tasks could not be reached",
    )
    parser.add_argument("--progress", action="store_true", help="show progress even without a TTY")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.per_page <= MAX_PER_PAGE:
        print(f"error: --per-page must be between 1 and {MAX_PER_PAGE}", file=sys.stderr)
        return 2
    try:
        summary = run_extract(
            destination=args.destination,
            duckdb_path=args.duckdb_path,
            dataset_name=args.dataset,
            pipeline_name=args.pipeline_name,
            base_url=args.base_url,
            per_page=args.per_page,
            concurrency=args.concurrency,
            max_records=args.max_records,
            strict=args.strict,
            progress=args.progress or sys.stderr.isatty(),
            pipelines_dir=args.pipelines_dir,
        )
    except IncompleteExtractError as exc:
        print(exc.summary.format())
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INCOMPLETE
    print(summary.format())
    if not summary.complete:
        print(
            f"warning: {summary.unreachable} Apollo tasks could not be reached; the data is"
            " incomplete (use --strict to fail the run)",
            file=sys.stderr,
        )
    return EXIT_OK
