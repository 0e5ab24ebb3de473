"""`sales-tasks extract VENDOR` (and the alias command's `extract`): mirror one vendor's tasks into
DuckDB (default) or any dlt destination. One command for every vendor: the vendor's
`SourceSpec` (`sources/<vendor>/spec.py`) declares its flags, its source and its summary.

`run_extract(vendor, ...)` is the one entry point the CLI, the Airflow DAG and the Dagster job
call. After a complete scan, tasks deleted at the vendor are removed from `tasks` (see
`sales_tasks.sources.core.current_state`); an incomplete scan loads what it reached, deletes nothing, says
so loudly, and with `strict` fails (`EXIT_INCOMPLETE` on the command line).

Flags: the shared ones are here (`--destination`, `--duckdb-path`, `--dataset`, the job flags,
`--account`, `--base-url`, `--strict`, `--progress/--no-progress`); a vendor's own are the
`CliOption` values of its spec, checked against their bounds before the run (exit 2), and passed
to its `configure` by name.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import dlt
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

from sales_tasks.pipelines.accounts import (
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
from sales_tasks.pipelines.exit_codes import EXIT_INCOMPLETE, EXIT_OK, EXIT_USAGE
from sales_tasks.pipelines.jobs import (
    JobIdentity,
    add_job_arguments,
    extract_identity,
    job_lock,
    pipeline_name_for,
    release_pipeline_name,
    working_folder,
)
from sales_tasks.pipelines.progress import ProgressDisplay
from sales_tasks.pipelines.run_settings import run_defaults
from sales_tasks.pipelines.stopping import stop_checked, stops_on_signals
from sales_tasks.pipelines.vendors import (
    alias_spec,
    source_spec,
    source_spec_named,
)
from sales_tasks.sources.core.budget import QuotaBudget, ledger_folder
from sales_tasks.sources.core.current_state import remove_deleted_tasks
from sales_tasks.sources.core.spec import ExtractSummary, SourceRun, SourceSpec

__all__ = [
    "ExtractSummary",
    "IncompleteExtractError",
    "extract_job",
    "finish_extract",
    "print_extract_result",
    "register",
    "run",
    "run_extract",
]

# DuckDB's default limit (80% of RAM) let the load grow with the data: +0.27 GB over the extract's
# peak at 250,000 tasks. Past this limit it spills to `<file>.tmp` instead, at no measured cost in
# load time (bench/RESULTS.md, peak RSS). Only for the file this module opens: credentials given
# by the caller (or DESTINATION__DUCKDB__CREDENTIALS) keep their own settings.
DUCKDB_MEMORY_LIMIT = "128MB"

# dlt's loader runs up to 20 jobs at once (`[load] workers`) and every running job holds its own
# working set under the one limit above: at 500,000 tasks five or six jobs failed with DuckDB's
# "Out of Memory Error" and were retried (three with 4 workers, none with 2 or 1). DuckDB already
# spreads each statement over its threads: one job at a time loaded 200,000 tasks in the same
# time as two, with 80 MB less peak (docs/benchmarks.md, "Memory"). A user's own `load.workers`
# wins (`sales_tasks.pipelines.run_settings`).
DUCKDB_LOAD_WORKERS = 1

# dlt's pipe iterator takes one item per source round robin, so the fork after the scan holds
# every batch the transformers have not finished: the newest source first ("fifo") finishes each
# before the scan goes on (docs/benchmarks.md, "Memory"). Our runs' pipelines only.
EXTRACT_SETTINGS: dict[str, Any] = {"extract.next_item_mode": "fifo"}


def _spec(vendor: str | None) -> SourceSpec:
    """The spec of `vendor`; None is the alias command's vendor (`SourceSpec.alias`)."""
    spec: SourceSpec = source_spec(vendor) if vendor is not None else alias_spec()
    return spec


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
    default_duckdb_file: str,
    vendor: str = "the vendor",
) -> tuple[Any, str, dict[str, Any]]:
    """The dlt destination, a description of where the data goes (no secrets in it) and the dlt
    settings a run into it uses (`sales_tasks.pipelines.run_settings`).

    Raises:
        DestinationSetupError: before any request, for a name dlt does not know (listing the
            valid ones), missing packages, or a destination that cannot hold the mirror.
    """
    from sales_tasks.pipelines.destinations import DestinationSetupError, check_destination

    if destination == "duckdb":
        if credentials is not None:
            return dlt.destinations.duckdb(credentials), "duckdb", EXTRACT_SETTINGS
        if duckdb_path is None and os.environ.get("DESTINATION__DUCKDB__CREDENTIALS"):
            return "duckdb", "duckdb (DESTINATION__DUCKDB__CREDENTIALS)", EXTRACT_SETTINGS
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
        settings = {**EXTRACT_SETTINGS, "load.workers": DUCKDB_LOAD_WORKERS}
        return dlt.destinations.duckdb(credentials), f"duckdb {path}", settings
    destination_ref = check_destination(destination, credentials, vendor)
    return destination_ref, destination, EXTRACT_SETTINGS


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
    vendor: str | None = None,
    account: Account | DatasetOwner | None = None,
    claimed: bool = False,
) -> int | None:
    """The post-load step every runner (CLI, Airflow, Dagster) calls after `pipeline.run`.

    Tasks deleted at the vendor were removed by the load itself: a run that may delete
    (`report.may_delete`) emitted tombstones that dlt's merge applied (Iceberg's are deleted here,
    `sales_tasks.sources.core.current_state.remove_deleted_tasks`). Then (re)creates the vendor's analyst
    views (`SourceSpec.models`) and the unified views. Returns the number removed (also in
    `extract_runs`), or None when the run could not delete.

    Args:
        report: the run's report; any vendor's, with `may_delete`, `removed` and `warn`.
        vendor: whose run it is (None: the alias command's vendor).
        account: the run's account (`ExtractJob.owner`). The dataset's binding
            (`sales_tasks.pipelines.accounts.claim_dataset`) is claimed for it when nobody holds it. A
            runner must claim it before the load (the CLI, Airflow and Dagster do): the load
            carries the tombstones. When another account holds it, the run says why and
            Iceberg's flagged rows are left for that account's next run.
        claimed: the runner claimed the dataset for `account` before the load, holding the job's
            lock to the end (`execute_extract`): no other account can hold it now (a claim
            refuses a bound dataset), so it is not read again.
    """
    from sales_tasks.pipelines.destinations import is_filesystem
    from sales_tasks.pipelines.models import create_models_for
    from sales_tasks.pipelines.unified import create_unified_views_for

    spec = _spec(vendor)
    owner = _owner(account)
    owned = True
    with contextlib.ExitStack() as phase:
        # One SQL client for the claim and the views (each `pipeline.sql_client()` resolves dlt's
        # configuration and opens the warehouse again); on `filesystem` each step opens its own,
        # as its SQL client is an in-memory DuckDB over the files.
        client = None if is_filesystem(pipeline) else phase.enter_context(pipeline.sql_client())
        if owner is not None and not claimed:
            try:
                claim_dataset(pipeline, owner, consequence="so no task was removed", client=client)
            except DatasetOwnedError as exc:
                report.warn(str(exc))
                owned = False
        # The run's tombstones went in with its load (`sales_tasks.sources.core.current_state`);
        # Iceberg's are applied here.
        removed = remove_deleted_tasks(pipeline, report) if ids_loaded and owned else None
        create_models_for(pipeline, spec, client)
        create_unified_views_for(pipeline, client)
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
    vendor: str
    base_url: str = ""
    account_name: str | None = None  # a named account (`--account`), None for the base URL's
    key_fingerprint: str | None = (
        None  # `sales_tasks.pipelines.accounts.key_fingerprint`, never the key
    )
    # dlt settings for this job's pipeline only, unless the user set them (`run_settings`).
    dlt_settings: dict[str, Any] = field(default_factory=lambda: dict(EXTRACT_SETTINGS))

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

    def quota_budget(self, api_key: str) -> QuotaBudget:
        """The budget of the job's vendor key, shared by every run on it whose pipelines live
        in the same folder (`sales_tasks.sources.core.budget`)."""
        pipelines = os.path.dirname(self.working_folder)
        return QuotaBudget(ledger_folder(pipelines), self.vendor, api_key, self.identity.digest)

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
    line (`sales_tasks.pipelines.messages`) as for a failed load.
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
    dataset_name: str | None = None,
    pipeline_name: str | None = None,
    pipelines_dir: str | None = None,
    vendor: str | None = None,
    default_duckdb_file: str | None = None,
    account: str | None = None,
    api_key: str | None = None,
) -> ExtractJob:
    """The extract job these arguments describe (see `sales_tasks.pipelines.jobs`); reads config only.

    Its pipeline name is derived from the job (vendor, base URL, destination, dataset) unless
    `pipeline_name` is given. `vendor` (None: the alias command's) gives the defaults of
    `dataset_name` and `default_duckdb_file`; `account`, a named account, is part of the job.
    `api_key` is kept only as its fingerprint, for the dataset's binding (not the job's identity).
    """
    spec = _spec(vendor)
    dataset_name = dataset_name or spec.default_dataset
    dest, where, settings = _destination(
        destination,
        duckdb_path,
        credentials,
        dataset_name,
        default_duckdb_file or spec.default_duckdb_file,
        spec.short,
    )
    identity = extract_identity(
        vendor=spec.name,
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
        spec.name,
        base_url,
        account,
        key_fingerprint(api_key),
        dict(settings),
    )


def execute_extract(
    job: ExtractJob,
    *,
    spec: SourceSpec,
    run: SourceRun,
    progress: bool = False,
    wait_seconds: float = 0.0,
    started: float | None = None,
) -> Any:
    """Run one vendor's extract job: lock, claim the dataset, load, remove deleted tasks,
    summarise.

    The job's lock is taken first and held to the end, so the seen ids a run's deletion relies
    on are its own; the dataset is then claimed for the job's account
    (`sales_tasks.pipelines.accounts.claim_dataset`) before the vendor is asked for anything, and a dataset
    of another account stops the run there.

    Args:
        spec: the vendor's source spec (its summary class, seen table, progress line).
        run: the run's pieces from `spec.configure` (report, source, summary fields).
        progress: show progress on stderr (see `sales_tasks.pipelines.progress`).
        wait_seconds: how long to wait for another run of the same job (0: refuse).
        started: `time.monotonic()` when the run began (default: now).
    """
    started = time.monotonic() if started is None else started
    with job_lock(job.identity, job.working_folder, wait_seconds=wait_seconds):
        first_run = not os.path.isdir(job.working_folder)
        owner = job.owner
        try:
            pipeline = job.make_pipeline()
            claimed = _claim(pipeline, owner)
        except BaseException:
            # Refused before anything was read (a destination without credentials, a dataset
            # of another account): a new job leaves no folder and holds no pipeline name.
            if first_run:
                shutil.rmtree(job.working_folder, ignore_errors=True)
                release_pipeline_name(job.identity, job.pipeline_name, job.pipelines_dir)
            raise
        display: ProgressDisplay | None = None
        if progress:
            display = ProgressDisplay(
                title=f"{spec.name} extract",
                vendor=spec.short,
                sample=spec.progress_sample,
                **dict(run.progress_options),
            )
        report = run.new_report(stop_checked(display))
        budget = job.quota_budget(run.api_key)
        report.quota_budget = budget
        source = run.new_source(report, pipeline)
        if display is not None:
            display.start(report)
        finished = False
        try:
            with _fewer_gc_passes(), run_defaults(pipeline.pipeline_name, job.dlt_settings):
                pipeline.run(source)
            finished = True
        except BaseException:
            if claimed:  # a run that loaded nothing (a wrong key) leaves the dataset unbound
                with contextlib.suppress(Exception):
                    release_claim(pipeline, owner)
            raise
        finally:
            if display is not None:
                display(report, final=True)
            budget.release(
                report.run_id,
                calls=report.requests,
                full_scan=report.full_scan,
                finished=finished,
            )
        removed = finish_extract(pipeline, report, vendor=spec.name, account=owner, claimed=True)
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
        "vendor": spec.short,
        "table_order": spec.table_order,
        "full_scan": report.full_scan,
        "scan_plan": report.scan_plan,
        "full_scan_requests": report.full_scan_requests,
        "calls_estimated": report.calls_estimated,
        "calls_left": report.calls_left,
    }
    if run.summary_fields is not None:
        fields.update(run.summary_fields(report))
    return spec.summary_type(**fields)


@stops_on_signals("extract")
def run_extract(
    vendor: str | None = None,
    *,
    destination: str = "duckdb",
    duckdb_path: str | None = None,
    dataset_name: str | None = None,
    pipeline_name: str | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    account: str | None = None,
    strict: bool = False,
    progress: bool = False,
    pipelines_dir: str | None = None,
    credentials: Any = None,
    wait_seconds: float = 0.0,
    **options: Any,
) -> Any:
    """Extract every task of `vendor` and load it; return the run's summary.

    Args:
        vendor: the vendor's name (`sales-tasks extract VENDOR`); None is the alias command's
            vendor (`SourceSpec.alias`), what that command's `extract` reads.
        destination: a dlt destination name (`duckdb`, `postgres`, ...); credentials from dlt
            config/env unless `credentials` is given.
        duckdb_path: DuckDB file (default the spec's `default_duckdb_file` in the working
            directory, unless `DESTINATION__DUCKDB__CREDENTIALS` is set).
        dataset_name: default the spec's `default_dataset`, or `<vendor>_<account>` with one.
        pipeline_name: the dlt pipeline; default derived from the job (`sales_tasks.pipelines.jobs`).
        account: a configured account (`sales_tasks.pipelines.accounts`): its key and base URL fill what
            `api_key` / `base_url` leave out, and it is part of the job.
        api_key / base_url: None reads dlt config (`SOURCES__<VENDOR>__*` > `<VENDOR>_*` > toml).
        strict: raise `IncompleteExtractError` (after loading) when tasks could not be reached.
        progress: show progress on stderr: live on a terminal, a plain line every 10 s
            otherwise (see `sales_tasks.pipelines.progress`).
        wait_seconds: how long to wait for another run of the same job to end (0: refuse).
        **options: the vendor's own settings, by the names its `configure` takes (a page
            size, a list endpoint, ...), plus `progress_options` for the display.

    Raises:
        ValueError: no such vendor, or a setting the vendor would refuse (before any request).
        TypeError: an option the vendor does not have.
        MissingApiKeyError: no key anywhere (before any request).
        dlt.pipeline.exceptions.PipelineStepFailed: wrapping a `VendorApiError` (401, 403,
            retries exhausted) or a destination error. Nothing is loaded when extraction fails.
        IncompleteExtractError: with `strict`, when the scan was incomplete.
        JobBusyError: another run of the same job is going (and did not end in `wait_seconds`).
        AccountConfigError: `account` is not configured, or has no key.
        DatasetOwnedError: the dataset belongs to another account (nothing was read).
    """
    spec = _spec(vendor)
    api_key, base_url, dataset, account = apply_account(
        spec.name, account, api_key=api_key, base_url=base_url, dataset=dataset_name
    )
    run = spec.configure(api_key=api_key, base_url=base_url, **options)
    started = time.monotonic()
    job = extract_job(
        base_url=run.base_url,
        destination=destination,
        duckdb_path=duckdb_path,
        credentials=credentials,
        dataset_name=dataset or spec.default_dataset,
        pipeline_name=pipeline_name,
        pipelines_dir=pipelines_dir,
        vendor=spec.name,
        account=account,
        api_key=run.api_key,
    )
    summary = execute_extract(
        job, spec=spec, run=run, progress=progress, wait_seconds=wait_seconds, started=started
    )
    if strict and not summary.complete:
        raise IncompleteExtractError(summary)
    return summary


def extract_function(vendor: str) -> Callable[..., Any]:
    """`run_extract` bound to `vendor` (the orchestrators' factory).

    Raises:
        ValueError: no vendor of that name has a source.
    """
    source_spec(vendor)

    def run_vendor_extract(**kwargs: Any) -> Any:
        return run_extract(vendor, **kwargs)

    run_vendor_extract.__name__ = f"run_{vendor}_extract"
    return run_vendor_extract


def add_destination_arguments(
    parser: argparse.ArgumentParser, default_duckdb_file: str, default_dataset: str
) -> None:
    """Where every vendor's extract loads (`--destination`, `--duckdb-path`, `--dataset`) and
    the job flags (`sales_tasks.pipelines.jobs.add_job_arguments`)."""
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
    # Push's flag, which people carry over: refused in one line (`warehouse_flag_problem`).
    parser.add_argument("--warehouse", default=None, help=argparse.SUPPRESS)
    add_job_arguments(parser)


def warehouse_flag_problem(value: str) -> str:
    """The one line for `extract --warehouse VALUE`: extract has none, what to give instead."""
    instead = (
        "--destination postgres with DESTINATION__POSTGRES__CREDENTIALS="
        "postgresql://user:password@host:5432/database"
        if value.lower().startswith("postgres")
        else f"--duckdb-path {value}"
        if "://" not in value
        else "--destination and its credentials (DESTINATION__<NAME>__CREDENTIALS)"
    )
    return (
        "extract has no --warehouse (push reads from a warehouse; extract loads into a dlt"
        f" destination): give {instead}; nothing was created"
    )


def register(sub: Any, name: str = "extract") -> None:
    """Add the extract of vendor `name` (`sales-tasks extract NAME`), or, under any other name
    (the verb of the alias command), the alias's vendor's."""
    spec = source_spec_named(name) or alias_spec()  # imports vendor `name` only
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=spec.help, description=spec.description
    )
    add_destination_arguments(parser, spec.default_duckdb_file, spec.default_dataset)
    add_account_argument(parser)
    parser.add_argument("--base-url", default=None, help=spec.base_url_help)
    spec.add_arguments(parser)
    parser.add_argument(
        "--strict",
        action="store_true",
        help=spec.strict_help.replace("exit 3", f"exit {EXIT_INCOMPLETE}"),
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show progress on stderr (default: only on a terminal)",
    )
    parser.set_defaults(run=run, extract_vendor=spec.name)


def run(args: argparse.Namespace) -> int:
    spec = source_spec(args.extract_vendor)
    if args.warehouse is not None:
        print(f"error: {warehouse_flag_problem(args.warehouse)}", file=sys.stderr)
        return EXIT_USAGE
    problem = spec.usage_problem(args)
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    return print_extract_result(
        lambda: run_extract(
            spec.name,
            destination=args.destination,
            duckdb_path=args.duckdb_path,
            dataset_name=args.dataset,
            pipeline_name=args.pipeline_name,
            base_url=args.base_url,
            account=args.account,
            strict=args.strict,
            progress=sys.stderr.isatty() if args.progress is None else args.progress,
            pipelines_dir=args.pipelines_dir,
            wait_seconds=args.wait,
            **spec.options_from_args(args),
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
        print(f"warning: {summary.incomplete_warning()}", file=sys.stderr)
    return EXIT_OK
