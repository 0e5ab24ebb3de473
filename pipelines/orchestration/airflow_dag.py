"""Airflow DAG `apollo_tasks`: mirror Apollo tasks into the warehouse, then push rows back as tasks.

Airflow 3 (`pip install 'apollo-tasks[airflow]'`). Put this file, or a symlink to it, in the dags
folder. Settings come from dlt config (`pipelines.orchestration.settings`); API keys from
`SOURCES__APOLLO__API_KEY` / `DESTINATION__APOLLO_TASKS__API_KEY` (or `APOLLO_API_KEY`).

Plain TaskFlow tasks rather than dlt's `PipelineTasksGroup`: the helper needs the source built when
the file is parsed (the scheduler re-parses it every 30 seconds) and wipes the local pipeline
folder, and it would skip the extract's post-load step (removing tasks deleted in Apollo). Here
each task calls the CLI's factory inside the task and starts from an empty pipelines dir: dlt
restores its state from the warehouse and the push's ledger lives there, so retries and reruns
on any worker never duplicate a task. Progress lines and the run summary go to the task log; the
summary is also the task's XCom.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import dag, task
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from pipelines.orchestration import settings

log = logging.getLogger(__name__)

DAG_ID = "apollo_tasks"


@dag(
    dag_id=DAG_ID,
    schedule=settings.schedule(),
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,  # extract and push share one warehouse (DuckDB allows one writer)
    default_args={
        "retries": 3,
        "retry_delay": timedelta(minutes=5),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(hours=1),
    },
    tags=["apollo"],
    doc_md=__doc__,
)
def apollo_tasks() -> None:
    @task
    def extract() -> dict[str, Any]:
        """Mirror every Apollo task, with contacts and accounts, into the warehouse."""
        # Imported in the task: parsing the DAG file must stay cheap.
        from pipelines.extract import run_extract

        job = settings.JobSettings.load()
        with settings.fresh_pipelines_dir() as pipelines_dir:
            summary = run_extract(
                **job.extract_kwargs(), pipelines_dir=pipelines_dir, progress=True
            )
        log.info("%s", summary.format())
        return settings.summary_dict(summary)

    @task
    def push() -> dict[str, Any]:
        """Create one Apollo task per warehouse row, each exactly once (ledger in the warehouse)."""
        from pipelines.push import run_push

        job = settings.JobSettings.load()
        if not job.has_push_input:
            raise AirflowSkipException(
                "no push input configured: set APOLLO_TASKS__PUSH_TABLE or APOLLO_TASKS__PUSH_QUERY"
            )
        with settings.fresh_pipelines_dir() as pipelines_dir:
            summary = run_push(**job.push_kwargs(), pipelines_dir=pipelines_dir, progress=True)
        log.info("%s", summary.format())
        if summary.has_needs_review:
            # A retry cannot decide these rows: a person checks them in Apollo first.
            raise AirflowFailException(
                f"push: {summary.needs_review + summary.other_needs_review} row(s) need review;"
                " check them in Apollo, then run `apollo-tasks push --resend-unknown` for the"
                " missing ones"
            )
        if summary.rejected:
            # As the CLI's exit code 5: rows that never reached Apollo must not look green, and a
            # retry sends nothing new until the input is fixed.
            raise AirflowFailException(
                f"push: {summary.rejected} row(s) rejected and not sent; fix them in the input"
                " (reasons in the summary above), then run again"
            )
        return settings.summary_dict(summary)

    extract() >> push()


dag_object = apollo_tasks()
