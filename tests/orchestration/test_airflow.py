"""The Airflow DAG, run for real: `dag.test()` on a fresh SQLite metadata DB, twice.

Airflow reads its settings when first imported, so the session fixture points AIRFLOW_HOME at a
temporary directory (metadata in SQLite there) before anything imports `airflow`. The dags folder holds a symlink to the DAG
file, as the README tells users to do, because `dag.test()` serializes the DAG from there.
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sales_tasks.sandbox import Sandbox
from tests.orchestration.checks import (
    OTHER_PUSH_ROWS,
    PUSH_ROWS,
    assert_other_vendor_run,
    assert_run,
    other_vendor_env,
)

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


AIRFLOW_VARIABLES = "Airflow Secrets TOML Provider"  # dlt's provider, by its name


def _dlt_providers() -> list[str]:
    from dlt.common.configuration.container import Container
    from dlt.common.configuration.specs.pluggable_run_context import PluggableRunContext

    return [p.name for p in Container()[PluggableRunContext].providers.providers]


@pytest.fixture(autouse=True)
def dlt_reads_airflow_variables(
    airflow_home: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[bool]:
    """Whether dlt looks up every configuration key in Airflow Variables too, during this test.

    Installed beside Airflow, dlt adds a provider that asks for each key it resolves as an
    Airflow Variable: in `dag.test()` every lookup is a call to the in-process execution API,
    about 1,100 per run of the Apollo DAG, 40% of its time, and none finds anything here (these
    tests configure through the environment, as the docs say). A default install keeps it on, so
    the tests that ask for this fixture by name run with it (and check it is there); the others
    run with dlt's switch `PROVIDERS__ENABLE_AIRFLOW_SECRETS=false`. dlt builds its providers
    once per process, so they are rebuilt for every test, both ways.
    """
    from dlt.common.configuration.container import Container
    from dlt.common.configuration.specs.pluggable_run_context import PluggableRunContext

    keep = "dlt_reads_airflow_variables" in inspect.signature(request.function).parameters
    if keep:
        monkeypatch.delenv("PROVIDERS__ENABLE_AIRFLOW_SECRETS", raising=False)
    else:
        monkeypatch.setenv("PROVIDERS__ENABLE_AIRFLOW_SECRETS", "false")
    Container()[PluggableRunContext].reload_providers()
    assert (AIRFLOW_VARIABLES in _dlt_providers()) == keep, _dlt_providers()
    yield keep


TASKS = ["accounts", "account.extract", "account.push"]


def _run_dag(capfd: pytest.CaptureFixture[str]) -> tuple[dict[str, Any], str]:
    """Run the Apollo DAG once; the state of each task, by id (and account, when mapped)."""
    from sales_tasks.pipelines.orchestration.airflow_dag import dag_object

    dag_run = dag_object.test()
    states = {
        ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.rendered_map_index}]": str(ti.state)
        for ti in dag_run.get_task_instances()
    }
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
    from sales_tasks.pipelines.orchestration.airflow_dag import dag_object

    assert dag_object.dag_id == "apollo_tasks"
    assert [t.task_id for t in dag_object.topological_sort()] == TASKS
    assert dag_object.default_args["retries"] > 0
    assert dag_object.max_active_tasks == 1  # a DuckDB warehouse takes one writer at a time

    states, log = _run_dag(capfd)
    # No account configured: one extract and one push, for the default account.
    default = {
        "accounts": "success",
        "account.extract[default]": "success",
        "account.push[default]": "success",
    }
    assert states == default
    assert_run(warehouse, orchestration_sandbox, run=1)
    # Progress lines and the run summaries reach the task log.
    assert "apollo extract: 300/300 tasks (100%)" in log, log[-4000:]
    assert "\r" not in log  # plain lines: one per entry in the task log, none run together
    assert "apollo push: read 5 row(s)" in log, log[-4000:]
    assert "Apollo extract complete" in log, log[-4000:]
    assert f"{PUSH_ROWS} created" in log, log[-4000:]

    orchestration_sandbox.clear_requests()
    states, log = _run_dag(capfd)
    assert states == default
    assert_run(warehouse, orchestration_sandbox, run=2)
    assert f"0 created + 0 rejected + {PUSH_ROWS} already delivered" in log, log[-4000:]


def test_push_with_rejected_rows_fails_the_task(
    airflow_home: Path,
    dlt_reads_airflow_variables: bool,
    job_env: None,
    orchestration_sandbox: Sandbox,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As the CLI's exit code 5: rows that never reached Apollo must not look green. Run with
    dlt's Airflow Variables provider on, as a default install has it (the extract before the
    push resolves its configuration through it)."""
    from sales_tasks.pipelines.orchestration.airflow_dag import dag_object

    assert dlt_reads_airflow_variables
    from tests.orchestration.checks import REJECTED_QUERY

    monkeypatch.setenv("APOLLO_TASKS__PUSH_QUERY", REJECTED_QUERY)
    dag_run = dag_object.test()
    states = {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}
    out, err = capfd.readouterr()
    assert states["account.push"] == "failed", (states, err[-3000:])
    assert "1 row(s) rejected and not sent" in out + err
    assert orchestration_sandbox.created() == []


def test_dag_file_parses_without_job_config(airflow_home: Path) -> None:
    """What the scheduler does every 30 s: parse the file, with no keys or warehouse set."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    assert bag.import_errors == {}
    # One DAG per vendor of `settings.VENDOR_EXTRACTS`, all of the same shape.
    assert set(bag.dag_ids) == {"apollo_tasks", "saleshandy_tasks", "reply_tasks"}
    for dag_id in bag.dag_ids:
        assert set(bag.dags[dag_id].task_ids) == set(TASKS)


def test_dag_maps_one_extract_and_push_per_account_over_three_accounts(
    airflow_home: Path,
    accounts_env: None,
    account_sandboxes: dict[str, Sandbox],
    served: dict[str, set[str]],
    warehouse: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """Dynamic task mapping: each account is its own extract and push task, own job, own data."""
    from tests.orchestration.checks import ACCOUNTS, account_key, assert_accounts_run

    expected = {"accounts": "success"} | {
        f"account.{step}[{name}]": "success" for name in ACCOUNTS for step in ("extract", "push")
    }
    states, log = _run_dag(capfd)
    assert states == expected
    assert_accounts_run(warehouse, account_sandboxes, served, run=1)
    assert "dataset apollo_north" in log and "dataset apollo_west" in log
    for name in ACCOUNTS:
        assert account_key(name) not in log

    for sb in account_sandboxes.values():
        sb.clear_requests()
    states, log = _run_dag(capfd)
    assert states == expected
    assert_accounts_run(warehouse, account_sandboxes, served, run=2)
    assert log.count(f"0 created + 0 rejected + {PUSH_ROWS} already delivered") == 3, log[-4000:]


def test_a_vendor_whose_extract_is_missing_fails_alone_with_one_line(
    airflow_home: Path,
    job_env: None,
    orchestration_sandbox: Sandbox,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sales_tasks.pipelines.orchestration import settings
    from sales_tasks.pipelines.orchestration.airflow_dag import dags

    monkeypatch.setitem(settings.VENDOR_EXTRACTS, "apollo", "pipelines.no_such_extract:run")
    dag_run = dags["apollo"].test()
    states = {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}
    out, err = capfd.readouterr()
    assert states["account.extract"] == "failed", states
    assert states["account.push"] != "success", states
    assert "the apollo extract (pipelines.no_such_extract:run) cannot be loaded" in out + err
    assert orchestration_sandbox.requests() == []


@pytest.mark.parametrize("vendor", ["saleshandy", "reply"])
def test_saleshandy_and_reply_dags_extract_then_push_once_over_two_runs(
    vendor: str,
    airflow_home: Path,
    make_saleshandy_sandbox: Any,
    make_reply_sandbox: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    from sales_tasks.pipelines.orchestration.airflow_dag import dags

    make = make_saleshandy_sandbox if vendor == "saleshandy" else make_reply_sandbox
    sb = make(tasks=200, subprocess=True)
    warehouse = tmp_path / f"{vendor}_warehouse.duckdb"
    other_vendor_env(vendor, sb, warehouse, monkeypatch)
    dag = dags[vendor]
    assert dag.dag_id == f"{vendor}_tasks"
    for run in (1, 2):
        dag_run = dag.test()
        states = {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}
        out, err = capfd.readouterr()
        assert str(dag_run.state) == "success", (run, states, err[-4000:])
        assert_other_vendor_run(vendor, sb, warehouse, tasks=200, run=run)
        created = OTHER_PUSH_ROWS if run == 1 else 0
        assert f"{created} created" in out + err, (out + err)[-4000:]
