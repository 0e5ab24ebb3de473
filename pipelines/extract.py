"""`apollo-tasks extract`: mirror Apollo tasks into DuckDB (default) or any dlt destination.

`run_extract` is the one entry point the CLI, the Airflow DAG and the Dagster job call. After a
complete scan, tasks deleted in Apollo are removed from `tasks` (see
`sources.core.current_state`); an incomplete scan loads what it reached, deletes nothing, says
so loudly, and with `strict` fails (`EXIT_INCOMPLETE` on the command line).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import dlt
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

from pipelines.accounts import (
    Account,
    DatasetOwnedError,
    DatasetOwner,
    add_account_argument,
    apply_account,
    claim_dataset,
    default_account_name,
    key_fingerprint,
    release_claim,
)
from pipelines.exit_codes import EXIT_INCOMPLETE, EXIT_OK
from pipelines.jobs import (
    JobIdentity,
    add_job_arguments,
    extract_identity,
    job_lock,
    pipeline_name_for,
    working_folder,
)
from pipelines.progress import ProgressDisplay
from pipelines.stopping import stop_checked, stops_on_signals
from sources.apollo import ScanReport, make_source, require_api_key
from sources.apollo.current_state import SEEN_TASK_IDS_TABLE
from sources.apollo.settings import DEFAULT_CONCURRENCY, MAX_PER_PAGE, source_settings
from sources.core.current_state import known_task_ids, remove_deleted_tasks

VENDOR = "apollo"
DEFAULT_DUCKDB_FILE = "apollo_tasks.duckdb"
DEFAULT_DATASET = "apollo"
# DuckDB's default limit (80% of RAM) let the load grow with the data: +0.27 GB over the extract's
# peak at 250,000 tasks. Past this limit it spills to `<file>.tmp` instead, at no measured cost in
# load time (bench/RESULTS.md, peak RSS). Only for the file this module opens: credentials given
# by the caller (or DESTINATION__DUCKDB__CREDENTIALS) keep their own settings.
DUCKDB_MEMORY_LIMIT = "128MB"
TABLE_ORDER = (
    "tasks",
    "contacts",
    "accounts",
    "contact_phone_numbers",
    "users",
    "task_type_counts",
    "extract_runs",
)


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
    vendor: str = "Apollo"  # the vendor's name in the summary's lines

    def shortfall(self) -> str:
        """What an incomplete run lacked, in words (the warnings say why)."""
        if self.total_entries is None:
            return f"{self.vendor} did not say how many tasks exist"
        if self.unreachable:
            return (
                f"{self.unreachable} of {self.total_entries} {self.vendor} tasks could not be"
                " reached"
            )
        return (
            f"the {self.vendor} scan could not be proved complete"
            f" ({self.rows.get('tasks', 0)} tasks read)"
        )

    def format(self) -> str:
        vendor = self.vendor
        if self.complete:
            verdict = f"complete: all {self.total_entries} tasks in {vendor} were read"
        elif self.total_entries is not None and self.unreachable:
            reached = self.total_entries - self.unreachable
            verdict = (
                f"INCOMPLETE: {self.unreachable} of {self.total_entries} tasks could not be"
                f" reached ({reached} loaded); nothing was deleted"
            )
        else:
            verdict = f"INCOMPLETE: {self.shortfall()}; nothing was deleted"
        # Apollo's tables in their order, another vendor's in the order they were first loaded,
        # the run report last.
        names = [n for n in TABLE_ORDER[:-1] if n in self.rows or n == "tasks"]
        names += [n for n in self.rows if n not in TABLE_ORDER]
        names += [n for n in TABLE_ORDER[-1:] if n in self.rows]
        rows = ", ".join(f"{name} {self.rows.get(name, 0)}" for name in names)
        removed = (
            f"{self.removed} task(s) deleted in {vendor} removed from tasks"
            if self.removed is not None
            else "no rows removed (incomplete scan)"
        )
        lines = [
            f"{vendor} extract {verdict}",
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
    """`strict` was asked and part of the vendor's tasks could not be reached (data was loaded)."""

    def __init__(self, summary: ExtractSummary) -> None:
        super().__init__(f"extract incomplete: {summary.shortfall()} (see extract_runs.warnings)")
        self.summary = summary


def _destination(
    destination: str,
    duckdb_path: str | None,
    credentials: Any,
    dataset_name: str,
    default_duckdb_file: str = DEFAULT_DUCKDB_FILE,
) -> tuple[Any, str]:
    """The dlt destination and a description of where the data goes (no secrets in it).

    Raises:
        DestinationSetupError: before any request, for a name dlt does not know (listing the
            valid ones), missing packages, or a destination that cannot hold the mirror.
    """
    from pipelines.destinations import DestinationSetupError, check_destination

    if destination == "duckdb":
        if credentials is not None:
            return dlt.destinations.duckdb(credentials), "duckdb"
        if duckdb_path is None and os.environ.get("DESTINATION__DUCKDB__CREDENTIALS"):
            return "duckdb", "duckdb (DESTINATION__DUCKDB__CREDENTIALS)"
        path = os.path.abspath(duckdb_path or default_duckdb_file)
        if os.path.splitext(os.path.basename(path))[0] == dataset_name:
            # DuckDB names the catalog after the file: same name as the schema is ambiguous.
            raise DestinationSetupError(
                f"the DuckDB file {os.path.basename(path)!r} is named like the dataset"
                f" {dataset_name!r}; choose another file name or --dataset"
            )
        if not os.path.isdir(os.path.dirname(path)):
            raise DestinationSetupError(
                f"the folder of the DuckDB file {path} does not exist: create it or choose"
                " another --duckdb-path"
            )
        credentials = DuckDbCredentials(path, global_config={"memory_limit": DUCKDB_MEMORY_LIMIT})
        return dlt.destinations.duckdb(credentials), f"duckdb {path}"
    return check_destination(destination, credentials), destination


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


def finish_extract(
    pipeline: Any,
    report: Any,
    *,
    ids_loaded: bool = True,
    seen_table: str = SEEN_TASK_IDS_TABLE,
    create_models: Callable[[Any], Any] | None = None,
    account: Account | DatasetOwner | None = None,
) -> int | None:
    """The post-load step every runner (CLI, Airflow, Dagster) calls after `pipeline.run`.

    Tasks deleted at the vendor were removed by the load itself: a run that may delete
    (`report.may_delete`) emitted tombstones that dlt's merge applied (Iceberg's are deleted here,
    `sources.core.current_state.remove_deleted_tasks`). Then (re)creates the analyst views
    (`create_models`, default Apollo's). Returns the number removed (also in `extract_runs`), or
    None when the run could not delete. `seen_table` is no longer read.

    Args:
        report: the run's report; any vendor's, with `may_delete`, `removed` and `warn`.
        account: the run's account (`ExtractJob.owner`). The dataset's binding
            (`pipelines.accounts.claim_dataset`) is claimed for it when nobody holds it. A
            runner must claim it before the load (the CLI, Airflow and Dagster do): the load
            carries the tombstones. When another account holds it, the run says why and
            Iceberg's flagged rows are left for that account's next run.
    """
    from pipelines.models import create_models_for
    from pipelines.unified import create_unified_views_for

    owner = _owner(account)
    owned = True
    if owner is not None:
        try:
            claim_dataset(pipeline, owner, consequence="so no task was removed")
        except DatasetOwnedError as exc:
            report.warn(str(exc))
            owned = False
    # The run's tombstones went in with its load (`sources.core.current_state`); Iceberg's are
    # applied here.
    removed = remove_deleted_tasks(pipeline, report) if ids_loaded and owned else None
    (create_models or create_models_for)(pipeline)
    create_unified_views_for(pipeline)
    return removed


def _owner(account: Account | DatasetOwner | None) -> DatasetOwner | None:
    """The binding of `account` (an `Account` names its key by name only)."""
    if isinstance(account, DatasetOwner) or account is None or not account.base_url:
        return account if isinstance(account, DatasetOwner) else None
    return DatasetOwner(account.vendor, account.name, account.base_url, None, named=True)


def _location(dest: Any) -> str | None:
    """Where a dlt destination writes (a file, a database URL without password), if it says."""
    from dlt.common.destination import Destination

    try:
        resolved: Any = Destination.from_reference(dest) if isinstance(dest, str) else dest
        config = resolved.configuration(resolved.spec(), accept_partial=True)
    except Exception:  # noqa: BLE001 - a misconfigured destination fails later, with its reason
        return None
    credentials = getattr(config, "credentials", None)
    if credentials is not None and hasattr(credentials, "to_url"):
        with contextlib.suppress(Exception):
            return str(credentials.to_url().render_as_string(hide_password=True)).split("?")[0]
    bucket = getattr(config, "bucket_url", None)
    return str(bucket) if bucket else None


@dataclass
class ExtractJob:
    """One extract job: its identity, its dlt pipeline's name and folder, where data goes."""

    identity: JobIdentity
    pipeline_name: str
    pipelines_dir: str | None
    destination: Any
    dataset_name: str
    where: str
    vendor: str = VENDOR
    base_url: str = ""
    account_name: str | None = None  # a named account (`--account`), None for the base URL's
    key_fingerprint: str | None = None  # `pipelines.accounts.key_fingerprint`, never the key

    @property
    def account(self) -> Account:
        """The job's account (no key in it)."""
        name = self.account_name or default_account_name(self.base_url)
        return Account(self.vendor, name, None, self.base_url)

    @property
    def owner(self) -> DatasetOwner:
        """The job's account as the dataset's binding records it (`claim_dataset`)."""
        return DatasetOwner(
            self.vendor,
            self.account.name,
            self.base_url,
            self.key_fingerprint,
            named=self.account_name is not None,
        )

    @property
    def working_folder(self) -> str:
        return working_folder(self.pipeline_name, self.pipelines_dir)

    def make_pipeline(self) -> Any:
        """The job's dlt pipeline (take the job's lock first when it is going to run)."""
        options: dict[str, Any] = (
            {"pipelines_dir": self.pipelines_dir} if self.pipelines_dir else {}
        )
        return dlt.pipeline(
            pipeline_name=self.pipeline_name,
            destination=self.destination,
            dataset_name=self.dataset_name,
            **options,
        )


def _claim(pipeline: Any, owner: DatasetOwner) -> bool:
    """`claim_dataset`, its destination failures reported as dlt's `sync` step reports them.

    The claim is the run's first contact with the destination, so a wrong password or a closed
    port shows here: wrapped as the step dlt would have failed in, the CLI gives the same one
    line (`pipelines.messages`) as before the claim existed.
    """
    from dlt.pipeline.exceptions import PipelineStepFailed

    try:
        return claim_dataset(pipeline, owner)
    except DatasetOwnedError:
        raise
    except Exception as exc:
        raise PipelineStepFailed(pipeline, "sync", None, exc) from exc  # type: ignore[arg-type]


def extract_job(
    *,
    base_url: str,
    destination: str = "duckdb",
    duckdb_path: str | None = None,
    credentials: Any = None,
    dataset_name: str = DEFAULT_DATASET,
    pipeline_name: str | None = None,
    pipelines_dir: str | None = None,
    vendor: str = VENDOR,
    default_duckdb_file: str = DEFAULT_DUCKDB_FILE,
    account: str | None = None,
    api_key: str | None = None,
) -> ExtractJob:
    """The extract job these arguments describe (see `pipelines.jobs`); reads config only.

    Its pipeline name is derived from the job (vendor, base URL, destination, dataset) unless
    `pipeline_name` is given. `vendor` and `default_duckdb_file` let every vendor's extract
    share this (Apollo's are the defaults); `account`, a named account, is part of the job.
    `api_key` is kept only as its fingerprint, for the dataset's binding (not the job's identity).
    """
    dest, where = _destination(
        destination, duckdb_path, credentials, dataset_name, default_duckdb_file
    )
    identity = extract_identity(
        vendor=vendor,
        base_url=base_url,
        destination=destination,
        location=_location(dest),
        dataset=dataset_name,
        account=account,
    )
    name = pipeline_name or pipeline_name_for(identity, pipelines_dir)
    return ExtractJob(
        identity,
        name,
        pipelines_dir,
        dest,
        dataset_name,
        where,
        vendor,
        base_url,
        account,
        key_fingerprint(api_key),
    )


def execute_extract(
    job: ExtractJob,
    *,
    vendor: str,
    new_report: Callable[[Callable[..., None]], Any],
    new_source: Callable[[Any, Any], Any],
    seen_table: str,
    create_models: Callable[[Any], Any] | None = None,
    progress: bool = False,
    wait_seconds: float = 0.0,
    started: float | None = None,
    new_display: Callable[[], Any] | None = None,
    summary_type: type[ExtractSummary] = ExtractSummary,
    summary_fields: Callable[[Any], dict[str, Any]] | None = None,
) -> Any:
    """Run one vendor's extract job: lock, claim the dataset, load, remove deleted tasks,
    summarise.

    The part every vendor's `run_*_extract` shares (Apollo's is `run_extract`). The job's lock is
    taken first and held to the end, so the seen ids a run's deletion relies on are its own; the
    dataset is then claimed for the job's account (`pipelines.accounts.claim_dataset`) before
    the vendor is asked for anything, and a dataset of another account stops the run there.

    Args:
        vendor: the vendor's name in the summary and the progress line (`Saleshandy`).
        new_report: makes the run's report from the progress callback it must call per page.
        new_source: makes the dlt source from that report and the job's pipeline (lazy: no
            HTTP until the load runs; the pipeline lets a source read what is loaded already).
        seen_table: the source's seen-ids table, for removing deleted tasks.
        create_models: (re)creates the vendor's analyst views after the load (default
            Apollo's, `pipelines.models`).
        progress: show progress on stderr (see `pipelines.progress`).
        wait_seconds: how long to wait for another run of the same job (0: refuse).
        started: `time.monotonic()` when the run began (default: now).
        new_display: makes the progress display (default `ProgressDisplay`); it is called with
            the report per page and at the end, and started with `start(report)` if it has one.
        summary_type, summary_fields: the vendor's summary class and the fields it reads from
            the report on top of (or instead of) the shared ones.
    """
    started = time.monotonic() if started is None else started
    with job_lock(job.identity, job.working_folder, wait_seconds=wait_seconds):
        pipeline = job.make_pipeline()
        owner = job.owner
        claimed = _claim(pipeline, owner)
        display: Any = None
        if progress:
            display = (
                new_display() if new_display else ProgressDisplay(title=f"{vendor.lower()} extract")
            )
        report = new_report(stop_checked(display))
        source = new_source(report, pipeline)
        if display is not None:
            display.start(report) if hasattr(display, "start") else display(report)
        try:
            with _fewer_gc_passes():
                pipeline.run(source)
        except BaseException:
            if claimed:  # a run that loaded nothing (a wrong key) leaves the dataset unbound
                with contextlib.suppress(Exception):
                    release_claim(pipeline, owner)
            raise
        finally:
            if display is not None:
                display(report, final=True)
        removed = finish_extract(
            pipeline,
            report,
            seen_table=seen_table,
            create_models=create_models,
            account=owner,
        )
    fields: dict[str, Any] = {
        "run_id": report.run_id,
        "rows": dict(report.rows),
        "pages": report.pages,
        "requests": report.requests,
        "retries": report.retries,
        "rate_limited": report.rate_limited,
        "duration_s": time.monotonic() - started,
        "complete": report.complete,
        "total_entries": report.total_entries,
        "unreachable": report.unreachable,
        "removed": removed,
        "per_page_used": getattr(report, "per_page_used", 0),
        "destination": f"{job.where}, dataset {job.dataset_name}",
        "warnings": list(report.warnings),
        "vendor": vendor,
    }
    if summary_fields is not None:
        fields.update(summary_fields(report))
    return summary_type(**fields)


@stops_on_signals("extract")
def run_extract(
    *,
    destination: str = "duckdb",
    duckdb_path: str | None = None,
    dataset_name: str | None = None,
    pipeline_name: str | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    account: str | None = None,
    per_page: int | None = None,
    concurrency: int | None = None,
    max_records: int | None = None,
    strict: bool = False,
    progress: bool = False,
    pipelines_dir: str | None = None,
    credentials: Any = None,
    wait_seconds: float = 0.0,
) -> ExtractSummary:
    """Extract every Apollo task (with contacts and accounts) and load it; return the summary.

    Args:
        destination: a dlt destination name (`duckdb`, `postgres`, ...); credentials from dlt
            config/env unless `credentials` is given.
        duckdb_path: DuckDB file (default `apollo_tasks.duckdb` in the working directory, unless
            `DESTINATION__DUCKDB__CREDENTIALS` is set).
        dataset_name: default `apollo`, or `apollo_<account>` with an account.
        pipeline_name: the dlt pipeline; default derived from the job (`pipelines.jobs`).
        account: a configured account (`pipelines.accounts`): its key and base URL fill what
            `api_key` / `base_url` leave out, and it is part of the job.
        api_key / base_url / per_page / concurrency / max_records: None reads dlt config
            (`sources.apollo.settings`: flag > `SOURCES__APOLLO__*` > `APOLLO_*` > toml >
            default). per_page is at most 200, stepped down to 100 when Apollo refuses it;
            max_records is Apollo's display cap per search (50,000).
        strict: raise `IncompleteExtractError` (after loading) when tasks could not be reached.
        progress: show progress on stderr: live on a terminal, a plain line every 10 s
            otherwise (see `pipelines.progress`).
        wait_seconds: how long to wait for another run of the same job to end (0: refuse).

    Raises:
        dlt.pipeline.exceptions.PipelineStepFailed: wrapping a `VendorApiError` (401, 403, 422,
            retries exhausted) or a destination error. Nothing is loaded when extraction fails.
        IncompleteExtractError: with `strict`, when the scan was incomplete.
        JobBusyError: another run of the same job is going (and did not end in `wait_seconds`).
        AccountConfigError: `account` is not configured, or has no key.
        DatasetOwnedError: the dataset belongs to another account (nothing was read).
    """
    api_key, base_url, dataset, account = apply_account(
        VENDOR, account, api_key=api_key, base_url=base_url, dataset=dataset_name
    )
    dataset_name = dataset or DEFAULT_DATASET
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
    started = time.monotonic()
    job = extract_job(
        base_url=settings.base_url,
        destination=destination,
        duckdb_path=duckdb_path,
        credentials=credentials,
        dataset_name=dataset_name,
        pipeline_name=pipeline_name,
        pipelines_dir=pipelines_dir,
        account=account,
        api_key=str(settings.api_key),
    )
    summary = execute_extract(
        job,
        vendor="Apollo",
        new_report=lambda progress_callback: ScanReport(progress=progress_callback),
        new_source=lambda report, pipeline: make_source(
            known_ids=known_task_ids(pipeline),
            api_key=str(settings.api_key),
            base_url=settings.base_url,
            per_page=settings.per_page,
            concurrency=settings.concurrency,
            max_records=settings.max_records,
            report=report,
        ),
        seen_table=SEEN_TASK_IDS_TABLE,
        progress=progress,
        wait_seconds=wait_seconds,
        started=started,
    )
    if strict and not summary.complete:
        raise IncompleteExtractError(summary)
    return summary


def add_destination_arguments(
    parser: argparse.ArgumentParser, default_duckdb_file: str, default_dataset: str
) -> None:
    """Where every vendor's extract loads (`--destination`, `--duckdb-path`, `--dataset`) and
    the job flags (`pipelines.jobs.add_job_arguments`)."""
    parser.add_argument("--destination", default="duckdb", help="dlt destination (default duckdb)")
    parser.add_argument(
        "--duckdb-path", help=f"DuckDB file (default ./{default_duckdb_file})", default=None
    )
    parser.add_argument(
        "--dataset",
        default=None,
        help=f"dataset / schema name (default {default_dataset}; with --account NAME:"
        f" {default_dataset}_NAME)",
    )
    add_job_arguments(parser)


def register(sub: Any, name: str = "extract") -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help="mirror Apollo tasks (with contacts and accounts) into DuckDB or any dlt destination",
        description=(
            "Read every Apollo task through task search and load tasks, contacts, accounts,"
            " phone numbers, task-type counts and a run report. Tasks deleted in Apollo are"
            " removed after a complete run; an incomplete run deletes nothing."
        ),
    )
    add_destination_arguments(parser, DEFAULT_DUCKDB_FILE, DEFAULT_DATASET)
    add_account_argument(parser)
    parser.add_argument("--base-url", default=None, help="Apollo base URL (default api.apollo.io)")
    parser.add_argument(
        "--per-page",
        type=int,
        default=None,
        help=f"page size, at most {MAX_PER_PAGE} (default: config, else {MAX_PER_PAGE})",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=None,
        help=f"pages fetched at once (default: config, else {DEFAULT_CONCURRENCY})",
    )
    parser.add_argument("--max-records", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument(
        "--strict",
        action="store_true",
        help=f"exit {EXIT_INCOMPLETE} when some tasks could not be reached",
    )
    parser.add_argument("--progress", action="store_true", help="show progress even without a TTY")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.per_page is not None and not 1 <= args.per_page <= MAX_PER_PAGE:
        print(f"error: --per-page must be between 1 and {MAX_PER_PAGE}", file=sys.stderr)
        return 2
    return print_extract_result(
        lambda: run_extract(
            destination=args.destination,
            duckdb_path=args.duckdb_path,
            dataset_name=args.dataset,
            pipeline_name=args.pipeline_name,
            base_url=args.base_url,
            account=args.account,
            per_page=args.per_page,
            concurrency=args.concurrency,
            max_records=args.max_records,
            strict=args.strict,
            progress=args.progress or sys.stderr.isatty(),
            pipelines_dir=args.pipelines_dir,
            wait_seconds=args.wait,
        )
    )


def print_extract_result(run_it: Callable[[], ExtractSummary]) -> int:
    """Run an extract for the command line: the summary on stdout, the verdict's exit code.

    An incomplete run prints its summary, then one line on stderr: a warning (exit 0), or with
    `--strict` an error (`EXIT_INCOMPLETE`). Other errors propagate to the CLI's one-line handler.
    """
    try:
        summary = run_it()
    except IncompleteExtractError as exc:
        print(exc.summary.format())
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INCOMPLETE
    print(summary.format())
    if not summary.complete:
        shortfall = (
            f"{summary.unreachable} {summary.vendor} tasks could not be reached"
            if summary.total_entries is not None and summary.unreachable
            else summary.shortfall()
        )
        print(
            f"warning: {shortfall}; the data is incomplete (use --strict to fail the run)",
            file=sys.stderr,
        )
    return EXIT_OK
