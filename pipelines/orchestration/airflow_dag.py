"""Airflow DAGs `<vendor>_tasks`: mirror a vendor's tasks into the warehouse, then push rows back
as tasks, once per account.

Airflow 3 (the project's `airflow` extra). Put this file, or a symlink to it, in the dags
folder. One DAG per vendor of `settings.VENDOR_EXTRACTS` (`<vendor>_tasks`); settings come from dlt config (`sales_tasks.pipelines.orchestration.settings`), API keys from
the accounts (`ACCOUNTS__<VENDOR>__<NAME>__API_KEY`) or the vendor's own
(`SOURCES__<VENDOR>__API_KEY` / `DESTINATION__<VENDOR>_TASKS__API_KEY`, or `<VENDOR>_API_KEY`).

Fan-out per account: the task `accounts` lists the vendor's configured accounts when the run
starts (on a worker, which has the keys; none configured: the default account alone), and the
task group `account` is mapped over them (dynamic task mapping), one `extract` then `push` per
account, so Airflow spreads accounts over its workers and retries each on its own. With a DuckDB
warehouse (one writer at a time) the DAG runs one task at a time.

Plain TaskFlow tasks rather than dlt's `PipelineTasksGroup`: the helper needs the source built when
the file is parsed (the scheduler re-parses it every 30 seconds) and wipes the local pipeline
folder, and it would skip the extract's post-load step (removing tasks deleted at the vendor).
Here each task calls the CLI's factory inside the task and starts from an empty pipelines dir:
dlt restores its state from the warehouse and the push's ledger lives there, so retries and
reruns on any worker never duplicate a task. Progress lines and the run summary go to the task
log; the summary is also the task's XCom.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import DAG, dag, task, task_group
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from sales_tasks.pipelines.orchestration import settings

log = logging.getLogger(__name__)

DAG_ID = settings.section(settings.VENDOR)  # the default vendor's DAG
# Airflow's own default for `max_active_tasks`, kept for warehouses that take several writers.
MAX_ACTIVE_TASKS = 16


def build_dag(vendor: str = settings.VENDOR) -> DAG:
    """The DAG `<vendor>_tasks`: per account, the vendor's extract, then its push."""
    parsed = settings.JobSettings.load(vendor)

    @dag(
        dag_id=settings.section(vendor),
        schedule=parsed.schedule,
        start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
        catchup=False,
        max_active_runs=1,
        # DuckDB allows one writer: the accounts' tasks take turns on a DuckDB warehouse.
        max_active_tasks=1 if parsed.is_duckdb else MAX_ACTIVE_TASKS,
        default_args={
            "retries": 3,
            "retry_delay": timedelta(minutes=5),
            "retry_exponential_backoff": True,
            "max_retry_delay": timedelta(hours=1),
        },
        tags=[vendor],
        doc_md=__doc__,
    )
    def vendor_tasks() -> None:
        @task
        def accounts() -> list[str | None]:
            """The accounts this run fans out over (read on the worker, from dlt config)."""
            names = settings.accounts_to_run(vendor)
            log.info("%s accounts: %s", vendor, ", ".join(n or "(default)" for n in names))
            return names

        @task(map_index_template="{{ account_label }}")
        def extract(account: str | None) -> dict[str, Any]:
            """Mirror the account's tasks, with their contacts, into the warehouse."""
            _name_map_index(account)
            try:
                # Imported in the task: parsing the DAG file stays cheap, and a vendor whose
                # module is missing fails here, alone, without retries that cannot help.
                run_extract = settings.extract_function(vendor)
            except settings.OrchestrationSetupError as exc:
                raise AirflowFailException(str(exc)) from exc
            job = settings.JobSettings.load(vendor)
            with settings.fresh_pipelines_dir() as pipelines_dir:
                summary = run_extract(
                    **job.extract_kwargs(account), pipelines_dir=pipelines_dir, progress=True
                )
            log.info("%s", summary.format())
            return settings.summary_dict(summary)

        @task(map_index_template="{{ account_label }}")
        def push(account: str | None) -> dict[str, Any]:
            """Create one task per warehouse row for the account, each exactly once."""
            from sales_tasks.pipelines.push import run_push

            _name_map_index(account)
            job = settings.JobSettings.load(vendor)
            if not job.has_push_input:
                var = settings.section(vendor).upper()
                raise AirflowSkipException(
                    f"no push input configured: set {var}__PUSH_TABLE or {var}__PUSH_QUERY"
                )
            with settings.fresh_pipelines_dir() as pipelines_dir:
                summary = run_push(
                    **job.push_kwargs(account), pipelines_dir=pipelines_dir, progress=True
                )
            log.info("%s", summary.format())
            again = f"sales-tasks push {vendor}" + (f" --account {account}" if account else "")
            if summary.has_needs_review:
                # A retry cannot decide these rows: a person checks them at the vendor first.
                raise AirflowFailException(
                    f"push: {summary.needs_review + summary.other_needs_review} row(s) need"
                    f" review; check them in {vendor}, then run `{again} --resend-unknown` for"
                    " the missing ones"
                )
            if summary.rejected:
                # As the CLI's exit code 5: rows that never reached the vendor must not look
                # green, and a retry sends nothing new until the input is fixed.
                raise AirflowFailException(
                    f"push: {summary.rejected} row(s) rejected and not sent; fix them in the input"
                    " (reasons in the summary above), then run again"
                )
            return settings.summary_dict(summary)

        @task_group(group_id="account")
        def per_account(account: str | None) -> None:
            extract(account) >> push(account)

        per_account.expand(account=accounts())

    built: DAG = vendor_tasks()
    return built


def _name_map_index(account: str | None) -> None:
    """Show the account, not 0, 1, 2, as the mapped task's name in the UI and logs."""
    from airflow.sdk import get_current_context

    get_current_context()["account_label"] = account or "default"


# One DAG per vendor (Airflow registers each one the decorator builds).
dags = {vendor: build_dag(vendor) for vendor in settings.VENDOR_EXTRACTS}
dag_object = dags[settings.VENDOR]
