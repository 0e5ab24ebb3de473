"""Dagster definitions: each vendor's extract and push as assets, one partition per account.

Dagster with dagster-dlt (the project's `dagster` extra), loaded with
`dagster dev -m sales_tasks.pipelines.orchestration.dagster_defs`. Settings come from dlt config
(`sales_tasks.pipelines.orchestration.settings`); API keys from the accounts
(`ACCOUNTS__<VENDOR>__<NAME>__API_KEY`) or the vendor's own (`SOURCES__<VENDOR>__API_KEY` /
`DESTINATION__<VENDOR>_TASKS__API_KEY`, or `<VENDOR>_API_KEY`).

- `<vendor>_extract` for a vendor whose spec can describe its source (`SourceSpec.describe`):
  one asset per table of its dlt source (`dlt_<vendor>_tasks`, `dlt_<vendor>_contacts`, ...),
  all fed by one scan of the vendor's task list. After a complete scan the run removes tasks
  deleted at the vendor, the same step `run_extract` takes.
- `<vendor>_extract` for every other vendor of `settings.VENDOR_EXTRACTS`: one asset calling that
  vendor's extract (imported when it runs: a missing module fails only that asset).
- `<vendor>_push`: `run_push` over `<vendor>_tasks.push_table` / `push_query`, downstream of the
  extract's tables it reads.
- `<vendor>_tasks_job` (the vendor's assets, with retries) on `<vendor>_tasks_schedule`.

Accounts: with accounts configured for a vendor (`[accounts.<vendor>.<name>]`, read when the
definitions load), its assets have one partition per account and the schedule asks for one run
per account, so Dagster spreads accounts over its run workers; each partition is its own job
(dataset `<vendor>_<name>`, pipeline name, lock and ledger key). With none, the assets are not
partitioned and a run is the vendor's default account (its key from the vendor's config). Every asset
is in the pool `sales_tasks_warehouse`: with a DuckDB warehouse (one writer), limit it to 1.

dagster-dlt drops the dlt pipeline's local state before every run, and each run here starts from
an empty pipelines dir anyway: dlt restores the extract's state from the warehouse and the push's
ledger lives there, so nothing is delivered twice. Definitions are built lazily (`@definitions`):
importing this module reads no config; building them reads config and makes the dlt pipeline that
describes the assets (a working dir under `~/.dlt/pipelines`), never a network call: the dlt source
makes no HTTP call until a run executes it.
"""

# No `from __future__ import annotations`: Dagster reads the `context` annotation at runtime.
import contextlib
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import dagster as dg
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets

from sales_tasks.pipelines.orchestration import settings

POOL = "sales_tasks_warehouse"
TRANSLATOR = DagsterDltTranslator()
# One resource object for every vendor's definitions, so merging them is not a conflict.
DLT_RESOURCE = DagsterDltResource()


# Describing assets needs the run's base URL, not its key: the vendor's `configure` resolves the
# settings with this stand-in, which no request ever carries (`configure` sends none).
_DESCRIBE_ONLY_KEY = "describe-only"


def _extract_job(
    spec: Any,
    job: settings.JobSettings,
    pipelines_dir: str | None = None,
    account: str | None = None,
    *,
    with_key: bool = False,
) -> tuple[Any, Any]:
    """The CLI's extract job of `spec`'s vendor for `account`: same identity, pipeline name and
    lock; and the run's pieces (`SourceRun`, from the vendor's `configure`).

    `with_key` (in a run, never at import) resolves the key from config too, so the job knows
    its fingerprint and can claim the dataset (`sales_tasks.pipelines.accounts.claim_dataset`) as the CLI
    does; without it the job carries no key.
    """
    from sales_tasks.pipelines.accounts import apply_account
    from sales_tasks.pipelines.extract import extract_job

    api_key, base_url, _, named = apply_account(spec.name, account)
    run = spec.configure(
        api_key=api_key or (None if with_key else _DESCRIBE_ONLY_KEY), base_url=base_url
    )
    target = job.extract_destination()
    extract = extract_job(
        api_key=run.api_key if with_key else None,
        base_url=run.base_url,
        destination=target["destination"],
        duckdb_path=target.get("duckdb_path"),
        credentials=target.get("credentials"),
        dataset_name=job.dataset_of(named),
        pipelines_dir=pipelines_dir,
        account=named,
    )
    return extract, run


def _account(context: dg.AssetExecutionContext) -> str | None:
    """The account this run is for: its partition, or None (the vendor's default account)."""
    return context.partition_key if context.has_partition_key else None


def _partitions(vendor: str) -> dg.StaticPartitionsDefinition | None:
    from sales_tasks.pipelines.accounts import account_names

    names = account_names(vendor)
    return dg.StaticPartitionsDefinition(names) if names else None


class _DagsterLogHandler(logging.Handler):
    """Sends this project's log records (retries, waits, warnings) to a run's `context.log`."""

    def __init__(self, log: Any) -> None:
        super().__init__(logging.INFO)
        self._log = log

    def emit(self, record: logging.LogRecord) -> None:
        level = record.levelname.lower()
        method = getattr(self._log, level if level in ("info", "warning", "error") else "info")
        method(f"{record.name}: {record.getMessage()}")


@contextmanager
def _logs_to_dagster(context: dg.AssetExecutionContext) -> Iterator[None]:
    """While an asset runs, progress lines and every vendor's `<vendor>_tasks.*` logs go to
    Dagster's event log."""
    handler = _DagsterLogHandler(context.log)
    loggers = [logging.getLogger(f"{vendor}_tasks") for vendor in settings.VENDOR_EXTRACTS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)  # retries and rate-limit waits are worth a line in a run
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


def _asset_key(source: Any, table: str) -> dg.AssetKey:
    """The key dagster-dlt gives the asset of `table` (the push's upstream)."""
    from dagster_dlt.translator import DltResourceTranslatorData

    data = DltResourceTranslatorData(resource=source.resources[table], pipeline=None)
    return TRANSLATOR.get_asset_spec(data).key


def _dlt_extract(
    spec: Any, partitions: dg.PartitionsDefinition | None
) -> tuple[Any, list[dg.AssetKey]]:
    """A vendor's extract as dagster-dlt assets (one per table of the source its spec
    describes, `SourceSpec.describe`), and the keys its push reads."""
    from sales_tasks.pipelines.accounts import claim_dataset, release_claim
    from sales_tasks.pipelines.extract import finish_extract
    from sales_tasks.pipelines.jobs import job_lock
    from sales_tasks.pipelines.progress import ProgressDisplay
    from sales_tasks.pipelines.run_settings import run_defaults

    # Built only to describe the assets: a dlt source does no HTTP until a pipeline runs it.
    spec_source = spec.describe()
    seen_ids_key = _asset_key(spec_source, spec.seen_table)
    push_reads = [
        _asset_key(spec_source, table)
        for table in ("tasks", spec.view.contacts)
        if table in spec_source.resources
    ]
    load = settings.JobSettings.load

    @dlt_assets(
        dlt_source=spec_source,
        dlt_pipeline=_extract_job(spec, load(spec.name))[0].make_pipeline(),
        name=f"{spec.name}_extract",
        group_name=spec.name,
        dagster_dlt_translator=TRANSLATOR,
        partitions_def=partitions,
        pool=POOL,
    )
    def extract_assets(context: dg.AssetExecutionContext, dlt: DagsterDltResource) -> Iterator[Any]:
        job = load(spec.name)
        progress = ProgressDisplay(emit=context.log.info, title=f"{spec.name} extract")
        with _logs_to_dagster(context), settings.fresh_pipelines_dir() as pipelines_dir:
            extract, run = _extract_job(spec, job, pipelines_dir, _account(context), with_key=True)
            report = run.new_report(progress)
            # One quota budget per vendor key, shared with the other accounts' runs on it.
            report.quota_budget = extract.quota_budget(run.api_key)
            with job_lock(extract.identity, extract.working_folder):
                pipeline = extract.make_pipeline()
                # A dataset of another account stops the run before the vendor is asked anything.
                claimed = claim_dataset(pipeline, extract.owner)
                finished = False
                try:
                    # The run's own dlt settings (fifo items, DuckDB's load workers), as
                    # `execute_extract` sets them: for this pipeline only.
                    with run_defaults(pipeline.pipeline_name, extract.dlt_settings):
                        yield from dlt.run(
                            context=context,
                            dlt_source=run.new_source(report, pipeline),
                            dlt_pipeline=pipeline,
                        )
                    finished = True
                except BaseException:
                    if claimed:  # a run that loaded nothing (a wrong key) leaves it unbound
                        with contextlib.suppress(Exception):
                            release_claim(pipeline, extract.owner)
                    raise
                finally:
                    progress(report, final=True)
                    report.quota_budget.release(
                        report.run_id,
                        calls=report.requests,
                        full_scan=report.full_scan,
                        finished=finished,
                    )
                # Deleted tasks can only be told apart when this run loaded the ids it saw.
                ids_loaded = seen_ids_key in context.selected_asset_keys
                removed = finish_extract(
                    pipeline, report, ids_loaded=ids_loaded, account=extract.account
                )
        context.log.info(
            f"extract run {report.run_id} ({extract.account.name} into {extract.dataset_name}):"
            f" {report.tasks_seen} tasks read, complete={report.complete}, removed={removed}"
        )
        if job.strict and not report.complete:
            raise dg.Failure(
                description=f"extract incomplete: {report.unreachable} of"
                f" {report.total_entries} {spec.short} tasks could not be reached (loaded what"
                " was read)"
            )

    return extract_assets, push_reads


def _describable_spec(vendor: str) -> Any:
    """The vendor's `SourceSpec` when it can describe its source table by table, else None
    (imported here: a vendor whose module is missing fails only its own asset, when it runs)."""
    import importlib

    module, _, name = settings.VENDOR_EXTRACTS.get(vendor, "").partition(":")
    try:
        found = getattr(importlib.import_module(module), name) if module else None
    except (ImportError, AttributeError):
        return None
    return found if getattr(found, "describe", None) is not None else None


def _vendor_extract(vendor: str, partitions: dg.PartitionsDefinition | None) -> dg.AssetsDefinition:
    """Another vendor's extract as one asset calling its factory (`settings.VENDOR_EXTRACTS`)."""

    @dg.asset(name=f"{vendor}_extract", group_name=vendor, partitions_def=partitions, pool=POOL)
    def extract(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        try:
            run_extract = settings.extract_function(vendor)
        except settings.OrchestrationSetupError as exc:  # a retry cannot bring the module
            raise dg.Failure(description=str(exc), allow_retries=False) from exc
        job = settings.JobSettings.load(vendor)
        with _logs_to_dagster(context), settings.fresh_pipelines_dir() as pipelines_dir:
            summary = run_extract(
                **job.extract_kwargs(_account(context)), pipelines_dir=pipelines_dir
            )
        context.log.info(summary.format())
        return dg.MaterializeResult(metadata=settings.summary_dict(summary)["rows"])

    return extract


def _push(
    vendor: str, deps: Sequence[Any], partitions: dg.PartitionsDefinition | None
) -> dg.AssetsDefinition:
    @dg.asset(
        name=f"{vendor}_push", group_name=vendor, deps=deps, partitions_def=partitions, pool=POOL
    )
    def push(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        """Tasks created from warehouse rows, each exactly once (ledger in the warehouse)."""
        from sales_tasks.pipelines.push import run_push

        job = settings.JobSettings.load(vendor)
        account = _account(context)
        if not job.has_push_input:
            var = settings.section(vendor).upper()
            context.log.warning(f"push skipped: set {var}__PUSH_TABLE or {var}__PUSH_QUERY")
            return dg.MaterializeResult(metadata={"skipped": True})
        with _logs_to_dagster(context), settings.fresh_pipelines_dir() as pipelines_dir:
            summary = run_push(
                **job.push_kwargs(account), pipelines_dir=pipelines_dir, progress=context.log.info
            )
        context.log.info(summary.format())
        counts = {
            name: getattr(summary, name)
            for name in ("rows_in", "created", "rejected", "already_delivered", "needs_review")
        }
        again = f"sales-tasks push {vendor}" + (f" --account {account}" if account else "")
        if summary.has_needs_review:
            # A retry cannot decide these rows: a person checks them at the vendor first.
            raise dg.Failure(
                description=f"push: some rows need review; check them in {vendor}, then run"
                f" `{again} --resend-unknown` for the missing ones",
                metadata=counts,
                allow_retries=False,
            )
        if summary.rejected:
            # As the CLI's exit code 5: rows that never reached the vendor must not look green.
            raise dg.Failure(
                description=f"push: {summary.rejected} row(s) rejected and not sent; fix them in"
                " the input (reasons in the summary), then run again",
                metadata=counts,
                allow_retries=False,
            )
        return dg.MaterializeResult(metadata={**counts, "calls": summary.calls})

    return push


def _schedule(
    vendor: str, job: Any, partitions: dg.StaticPartitionsDefinition | None
) -> dg.ScheduleDefinition:
    name, cron = f"{settings.section(vendor)}_schedule", settings.schedule(vendor)
    if partitions is None:
        return dg.ScheduleDefinition(name=name, job=job, cron_schedule=cron)

    @dg.schedule(name=name, job=job, cron_schedule=cron)
    def every_account(context: dg.ScheduleEvaluationContext) -> Iterator[dg.RunRequest]:
        """One run per account: Dagster's run queue spreads them over its workers."""
        tick = context.scheduled_execution_time.isoformat()
        for account in partitions.get_partition_keys():
            # One run per account and tick: the key keeps a re-evaluated tick from doubling it.
            yield dg.RunRequest(run_key=f"{account}@{tick}", partition_key=account)

    return every_account


def build_definitions(vendor: str = settings.VENDOR) -> dg.Definitions:
    """One vendor's assets, job and schedule, one partition per configured account."""
    partitions = _partitions(vendor)
    assets: list[Any]
    spec = _describable_spec(vendor)
    if spec is not None:
        extract, push_reads = _dlt_extract(spec, partitions)
        assets = [extract, _push(vendor, push_reads, partitions)]
    else:
        extract = _vendor_extract(vendor, partitions)
        assets = [extract, _push(vendor, [extract.key], partitions)]
    job = dg.define_asset_job(
        f"{settings.section(vendor)}_job",
        selection=dg.AssetSelection.groups(vendor),  # partitioned as its assets are
        op_retry_policy=dg.RetryPolicy(
            max_retries=3, delay=300, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
        ),
    )
    return dg.Definitions(
        assets=assets,
        jobs=[job],
        schedules=[_schedule(vendor, job, partitions)],
        resources={"dlt": DLT_RESOURCE},
    )


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions.merge(*(build_definitions(v) for v in settings.VENDOR_EXTRACTS))
