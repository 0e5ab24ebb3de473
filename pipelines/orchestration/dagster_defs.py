"""Dagster definitions: the Apollo extract as dlt assets, the push as an asset downstream of them.

Dagster with dagster-dlt (`pip install 'apollo-tasks[dagster]'`), loaded with
`dagster dev -m pipelines.orchestration.dagster_defs`. Settings come from dlt config
(`pipelines.orchestration.settings`); API keys from `SOURCES__APOLLO__API_KEY` /
`DESTINATION__APOLLO_TASKS__API_KEY` (or `APOLLO_API_KEY`).

- `apollo_extract`: one asset per table of `sources.apollo.apollo_source` (`dlt_apollo_tasks`,
  `dlt_apollo_contacts`, ...), all fed by one scan of Apollo's task search (the external asset
  `apollo_task_search`). After a complete scan the run removes tasks deleted in Apollo, the same
  post-load step `run_extract` takes.
- `apollo_push`: `run_push` over `apollo_tasks.push_table` / `push_query`; it reads the extract's
  `tasks` and `contacts` tables, so it depends on those two assets.
- `apollo_tasks_job` (every asset, with retries) on `apollo_tasks_schedule`.

dagster-dlt drops the dlt pipeline's local state before every run, and each run here starts from
an empty pipelines dir anyway: dlt restores the extract's state from the warehouse and the push's
ledger lives there, so nothing is delivered twice. Definitions are built lazily (`@definitions`):
importing this module reads no config; building them reads config and makes the dlt pipeline that
describes the assets (a working dir under `~/.dlt/pipelines`), never a network call: the dlt source
makes no HTTP call until a run executes it.
"""

# No `from __future__ import annotations`: Dagster reads the `context` annotation at runtime.
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dagster as dg
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets

from pipelines.orchestration import settings

GROUP = "apollo"
TRANSLATOR = DagsterDltTranslator()


def _extract_job(job: settings.JobSettings, pipelines_dir: str | None = None) -> Any:
    """The CLI's extract job for these settings: same identity, pipeline name and lock."""
    from pipelines.extract import extract_job
    from sources.apollo.settings import source_settings

    target = job.extract_destination()
    return extract_job(
        base_url=source_settings().base_url,
        destination=target["destination"],
        duckdb_path=target.get("duckdb_path"),
        credentials=target.get("credentials"),
        dataset_name=job.dataset,
        pipelines_dir=pipelines_dir,
    )


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
    """While an asset runs, progress lines and `apollo_tasks.*` logs go to Dagster's event log."""
    logger = logging.getLogger("apollo_tasks")
    handler = _DagsterLogHandler(context.log)
    level = logger.level
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)  # retries and rate-limit waits are worth a line in a run
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _asset_key(source: Any, table: str) -> dg.AssetKey:
    """The key dagster-dlt gives the asset of `table` (the push's upstream)."""
    from dagster_dlt.translator import DltResourceTranslatorData

    data = DltResourceTranslatorData(resource=source.resources[table], pipeline=None)
    return TRANSLATOR.get_asset_spec(data).key


@dg.definitions
def defs() -> dg.Definitions:
    from pipelines.extract import finish_extract
    from pipelines.jobs import job_lock
    from pipelines.progress import ProgressDisplay
    from sources.apollo import ScanReport, make_source
    from sources.apollo.current_state import SEEN_TASK_IDS_TABLE

    # Built only to describe the assets: a dlt source does no HTTP until a pipeline runs it.
    spec_source = make_source()
    seen_ids_key = _asset_key(spec_source, SEEN_TASK_IDS_TABLE)
    push_reads = [_asset_key(spec_source, table) for table in ("tasks", "contacts")]

    @dlt_assets(
        dlt_source=spec_source,
        dlt_pipeline=_extract_job(settings.JobSettings.load()).make_pipeline(),
        name="apollo_extract",
        group_name=GROUP,
        dagster_dlt_translator=TRANSLATOR,
    )
    def apollo_extract(context: dg.AssetExecutionContext, dlt: DagsterDltResource) -> Iterator[Any]:
        job = settings.JobSettings.load()
        progress = ProgressDisplay(emit=context.log.info)
        report = ScanReport(progress=progress)
        with _logs_to_dagster(context), settings.fresh_pipelines_dir() as pipelines_dir:
            extract = _extract_job(job, pipelines_dir)
            with job_lock(extract.identity, extract.working_folder):
                pipeline = extract.make_pipeline()
                try:
                    yield from dlt.run(
                        context=context,
                        dlt_source=make_source(report=report),
                        dlt_pipeline=pipeline,
                    )
                finally:
                    progress(report, final=True)
                # Deleted tasks can only be told apart when this run loaded the ids it saw.
                ids_loaded = seen_ids_key in context.selected_asset_keys
                removed = finish_extract(pipeline, report, ids_loaded=ids_loaded)
        context.log.info(
            f"extract run {report.run_id}: {report.tasks_seen} tasks read,"
            f" complete={report.complete}, removed={removed}"
        )
        if job.strict and not report.complete:
            raise dg.Failure(
                description=f"extract incomplete: {report.unreachable} of"
                f" {report.total_entries} Apollo tasks could not be reached (loaded what was read)"
            )

    @dg.asset(name="apollo_push", group_name=GROUP, deps=push_reads)
    def apollo_push(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        """Apollo tasks created from warehouse rows, each exactly once (ledger in the warehouse)."""
        from pipelines.push import run_push

        job = settings.JobSettings.load()
        if not job.has_push_input:
            context.log.warning(
                "push skipped: set APOLLO_TASKS__PUSH_TABLE or APOLLO_TASKS__PUSH_QUERY"
            )
            return dg.MaterializeResult(metadata={"skipped": True})
        with _logs_to_dagster(context), settings.fresh_pipelines_dir() as pipelines_dir:
            summary = run_push(
                **job.push_kwargs(), pipelines_dir=pipelines_dir, progress=context.log.info
            )
        context.log.info(summary.format())
        counts = {
            name: getattr(summary, name)
            for name in ("rows_in", "created", "rejected", "already_delivered", "needs_review")
        }
        if summary.has_needs_review:
            # A retry cannot decide these rows: a person checks them in Apollo first.
            raise dg.Failure(
                description="push: some rows need review; check them in Apollo, then run"
                " `apollo-tasks push --resend-unknown` for the missing ones",
                metadata=counts,
                allow_retries=False,
            )
        if summary.rejected:
            # As the CLI's exit code 5: rows that never reached Apollo must not look green.
            raise dg.Failure(
                description=f"push: {summary.rejected} row(s) rejected and not sent; fix them in"
                " the input (reasons in the summary), then run again",
                metadata=counts,
                allow_retries=False,
            )
        return dg.MaterializeResult(metadata={**counts, "calls": summary.calls})

    job = dg.define_asset_job(
        "apollo_tasks_job",
        selection=dg.AssetSelection.groups(GROUP),
        op_retry_policy=dg.RetryPolicy(
            max_retries=3, delay=300, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
        ),
    )
    return dg.Definitions(
        assets=[apollo_extract, apollo_push],
        jobs=[job],
        schedules=[
            dg.ScheduleDefinition(
                name="apollo_tasks_schedule", job=job, cron_schedule=settings.schedule()
            )
        ],
        resources={"dlt": DagsterDltResource()},
    )
