"""The Airflow DAG, run for real: `dag.test()` on a fresh SQLite metadata DB, twice.

Airflow reads its settings when first imported, so the session fixture points AIRFLOW_HOME at a
temporary directory (metadata in SQLite there) before anything imports `airflow`. The dags folder holds a symlink to the DAG
file, as the README tells users to do, because `dag.test()` serializes the DAG from there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox import Sandbox
from tests.orchestration.checks import PUSH_ROWS, assert_run

DAG_FILE = Path(__file__).resolve().parents[2] / "pipelines" / "orchestration" / "airflow_dag.py"


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    assert "airflow" not in sys.modules, "airflow was imported before AIRFLOW_HOME was set"
    home = tmp_path_factory.mktemp("airflow_home")
    dags = home / "dags"
    dags.mkdir()
    (dags / "apollo_tasks.py").symlink_to(DAG_FILE)
    env = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
    }
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        # In a child process: migrating in-process would leave alembic's logging config (root
        # logger at WARNING) behind, hiding the task log lines this test looks for.
        subprocess.run(
            [sys.executable, "-m", "airflow", "db", "migrate"],
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=300,
        )
        yield home


def _run_dag(capfd: pytest.CaptureFixture[str]) -> tuple[dict[str, Any], str]:
    from pipelines.orchestration.airflow_dag import dag_object

    dag_run = dag_object.test()
    states = {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}
    out, err = capfd.readouterr()
    assert str(dag_run.state) == "success", (states, err[-4000:])
    return states, out + err


def test_dag_runs_extract_then_push_twice_without_duplicates(
    airflow_home: Path,
    job_env: None,
    orchestration_sandbox: Sandbox,
    warehouse: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    from pipelines.orchestration.airflow_dag import dag_object

    assert dag_object.dag_id == "apollo_tasks"
    assert [t.task_id for t in dag_object.topological_sort()] == ["extract", "push"]
    assert dag_object.default_args["retries"] > 0

    states, log = _run_dag(capfd)
    assert states == {"extract": "success", "push": "success"}
    assert_run(warehouse, orchestration_sandbox, run=1)
    # Progress lines and the run summaries reach the task log.
    assert "apollo extract: 300/300 tasks (100%)" in log, log[-4000:]
    assert "\r" not in log  # plain lines: one per entry in the task log, none run together
    assert "apollo push: read 5 row(s)" in log, log[-4000:]
    assert "Apollo extract complete" in log, log[-4000:]
    assert f"{PUSH_ROWS} created" in log, log[-4000:]

    orchestration_sandbox.clear_requests()
    states, log = _run_dag(capfd)
    assert states == {"extract": "success", "push": "success"}
    assert_run(warehouse, orchestration_sandbox, run=2)
    assert f"0 created + 0 rejected + {PUSH_ROWS} already delivered" in log, log[-4000:]


def test_push_with_rejected_rows_fails_the_task(
    airflow_home: Path,
    job_env: None,
    orchestration_sandbox: Sandbox,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As the CLI's exit code 5: rows that never reached Apollo must not look green."""
    from pipelines.orchestration.airflow_dag import dag_object
    from tests.orchestration.checks import REJECTED_QUERY

    monkeypatch.setenv("APOLLO_TASKS__PUSH_QUERY", REJECTED_QUERY)
    dag_run = dag_object.test()
    states = {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}
    out, err = capfd.readouterr()
    assert states["push"] == "failed", (states, err[-3000:])
    assert "1 row(s) rejected and not sent" in out + err
    assert orchestration_sandbox.created() == []


def test_dag_file_parses_without_job_config(airflow_home: Path) -> None:
    """What the scheduler does every 30 s: parse the file, with no keys or warehouse set."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    assert bag.import_errors == {}
    assert set(bag.dag_ids) == {"apollo_tasks"}
    assert set(bag.dags["apollo_tasks"].task_ids) == {"extract", "push"}
