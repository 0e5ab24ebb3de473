"""One config path: every documented setting, from every place, in one documented order.

    CLI flag (explicit argument) > dlt env var > short env var > .dlt/secrets.toml / config.toml
    > default

Each level is checked setting by setting, as a new process started in a temporary project folder
would resolve it (dlt reads `.dlt/` from the working directory once per process):
`tests.cli_runner.as_a_new_process` gives the block that environment, working directory and empty
dlt contexts, in this process (a child process per check cost about 1.4 s of CPU, mostly dlt's
import). dlt's telemetry switch is read at its first pipeline in a process, so that check starts
two.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli_runner import as_a_new_process, run_cli

ROOT = Path(__file__).resolve().parents[2]

TOML = """
[sources.apollo]
base_url = "http://toml-source.invalid"
per_page = 111
concurrency = 3

[destination.apollo_tasks]
base_url = "http://toml-push.invalid"
max_contacts_per_call = 77
calls_in_flight = 2
reconcile_wait_seconds = 12.5
ledger_schema = "toml_ledger"
"""
SECRETS = """
[sources.apollo]
api_key = "toml-source-key"

[destination.apollo_tasks]
api_key = "toml-push-key"
"""


def _clean_environ() -> dict[str, str]:
    """This environment without any Apollo setting (short or dlt's), as each check starts."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("APOLLO_", "SOURCES__", "DESTINATION__"))
    }


def _settings(project: Path, env: dict[str, str], explicit: dict[str, Any] | None = None) -> Any:
    """The source's and the push's settings, as text, resolved in `project` with `env` only."""
    from sales_tasks.destinations.apollo.settings import push_settings
    from sales_tasks.sources.apollo.settings import source_settings

    given = explicit or {}
    with as_a_new_process({**_clean_environ(), **env}, project):
        src = source_settings(**given.get("source", {}))
        dst = push_settings(**given.get("push", {}))
    return {
        side: {k: (str(v) if v is not None else None) for k, v in dict(settings).items()}
        for side, settings in (("source", src), ("push", dst))
    }


@pytest.fixture
def empty_project(tmp_path: Path) -> Path:
    (tmp_path / "empty").mkdir()
    return tmp_path / "empty"


@pytest.fixture
def toml_project(tmp_path: Path) -> Path:
    project = tmp_path / "with-toml"
    (project / ".dlt").mkdir(parents=True)
    (project / ".dlt" / "config.toml").write_text(TOML)
    (project / ".dlt" / "secrets.toml").write_text(SECRETS)
    return project


def test_defaults_without_any_config(empty_project: Path) -> None:
    got = _settings(empty_project, {})
    assert got["source"]["base_url"] == "https://api.apollo.io"
    assert got["source"]["per_page"] == "200" and got["source"]["api_key"] is None
    assert got["push"]["max_contacts_per_call"] == "100"
    assert got["push"]["calls_in_flight"] == "4"
    assert got["push"]["reconcile_wait_seconds"] == "30.0"
    assert got["push"]["ledger_schema"] == "apollo_push"


def test_toml_files_beat_defaults(toml_project: Path) -> None:
    got = _settings(toml_project, {})
    assert got["source"] == {
        **got["source"],
        "base_url": "http://toml-source.invalid",
        "per_page": "111",
        "concurrency": "3",
        "api_key": "toml-source-key",
    }
    assert got["push"]["base_url"] == "http://toml-push.invalid"
    assert got["push"]["api_key"] == "toml-push-key"
    assert got["push"]["max_contacts_per_call"] == "77"
    assert got["push"]["calls_in_flight"] == "2"
    assert got["push"]["reconcile_wait_seconds"] == "12.5"
    assert got["push"]["ledger_schema"] == "toml_ledger"


def test_short_env_vars_beat_the_toml_files(toml_project: Path) -> None:
    got = _settings(
        toml_project, {"APOLLO_BASE_URL": "http://short.invalid", "APOLLO_API_KEY": "short-key"}
    )
    for side in ("source", "push"):
        assert got[side]["base_url"] == "http://short.invalid"
        assert got[side]["api_key"] == "short-key"
    assert got["source"]["per_page"] == "111"  # no short name: the file still decides


def test_dlt_env_vars_beat_the_short_ones(toml_project: Path) -> None:
    env = {
        "APOLLO_BASE_URL": "http://short.invalid",
        "APOLLO_API_KEY": "short-key",
        "SOURCES__APOLLO__BASE_URL": "http://dlt-source.invalid",
        "SOURCES__APOLLO__API_KEY": "dlt-source-key",
        "SOURCES__APOLLO__PER_PAGE": "50",
        "DESTINATION__APOLLO_TASKS__BASE_URL": "http://dlt-push.invalid",
        "DESTINATION__APOLLO_TASKS__MAX_CONTACTS_PER_CALL": "9",
        "DESTINATION__APOLLO_TASKS__CALLS_IN_FLIGHT": "6",
        "DESTINATION__APOLLO_TASKS__LEDGER_SCHEMA": "env_ledger",
    }
    got = _settings(toml_project, env)
    assert got["source"]["base_url"] == "http://dlt-source.invalid"
    assert got["source"]["api_key"] == "dlt-source-key"
    assert got["source"]["per_page"] == "50"
    assert got["push"]["base_url"] == "http://dlt-push.invalid"
    assert got["push"]["api_key"] == "short-key"  # no DESTINATION__ key given: the short one
    assert got["push"]["max_contacts_per_call"] == "9"
    assert got["push"]["calls_in_flight"] == "6"
    assert got["push"]["ledger_schema"] == "env_ledger"


def test_explicit_arguments_beat_everything(toml_project: Path) -> None:
    env = {"SOURCES__APOLLO__PER_PAGE": "50", "DESTINATION__APOLLO_TASKS__CALLS_IN_FLIGHT": "6"}
    explicit = {
        "source": {"per_page": 20, "base_url": "http://flag.invalid"},
        "push": {"calls_in_flight": 1, "base_url": "http://flag.invalid"},
    }
    got = _settings(toml_project, env, explicit)
    assert got["source"]["per_page"] == "20"
    assert got["source"]["base_url"] == got["push"]["base_url"] == "http://flag.invalid"
    assert got["push"]["calls_in_flight"] == "1"


def test_the_committed_config_never_names_a_base_url() -> None:
    text = (ROOT / ".dlt" / "config.toml").read_text()
    assert not [line for line in text.splitlines() if line.strip().startswith("base_url")], (
        "a committed base_url would send a run meant for the sandbox to that URL"
    )


def test_the_readme_sandbox_recipe_reaches_the_sandbox_from_the_project_root(
    sandbox: Any, tmp_path: Path
) -> None:
    """`APOLLO_BASE_URL=... APOLLO_API_KEY=... apollo-tasks extract` from the project root (in
    process: the alias command's `main`, `.dlt/` of the project root read as by a new process)."""
    env = {
        **_clean_environ(),
        "APOLLO_BASE_URL": sandbox.base_url,
        "APOLLO_API_KEY": sandbox.master_key,
        "SOURCES__APOLLO__PER_PAGE": "50",
    }
    argv = ["extract", "--duckdb-path", str(tmp_path / "r.duckdb")]
    run = run_cli(argv, program="apollo-tasks", env=env, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    searches = [r for r in sandbox.requests("/api/v1/tasks/search") if r["method"] == "POST"]
    assert len(searches) >= 6  # 300 tasks at per_page 50, from the dlt env var
    assert "complete: all 300 tasks" in run.stdout


def test_dlt_telemetry_is_off_in_code_and_a_user_can_opt_in(empty_project: Path) -> None:
    probe = (
        "import sales_tasks.pipelines.push, dlt\n"
        "from dlt.common.runtime import anon_tracker\n"
        "dlt.pipeline('telemetry_probe', destination='duckdb', pipelines_dir='p')\n"
        "print(anon_tracker._ANON_TRACKER_ENDPOINT)\n"
    )

    def endpoint(**env: str) -> str:
        clean = {k: v for k, v in os.environ.items() if k != "RUNTIME__DLTHUB_TELEMETRY"}
        run = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=empty_project,
            env={**clean, "PYTHONPATH": str(ROOT), **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 0, run.stderr[-2000:]
        return run.stdout.strip()

    assert endpoint() == "None"  # run from a folder without .dlt/config.toml
    assert endpoint(RUNTIME__DLTHUB_TELEMETRY="true") != "None"


def test_push_honours_max_contacts_per_call_from_the_dlt_env_var(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sales_tasks.destinations.core.warehouse import dispose_engine
    from sales_tasks.pipelines.push import run_push
    from tests.sink.conftest import task_rows, write_input

    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    rows = task_rows(sandbox, 40)
    write_input(url, rows)
    monkeypatch.setenv("DESTINATION__APOLLO_TASKS__MAX_CONTACTS_PER_CALL", "7")
    monkeypatch.setenv("APOLLO_BASE_URL", sandbox.base_url)
    monkeypatch.setenv("APOLLO_API_KEY", sandbox.master_key)
    try:
        summary = run_push(table="push_input", warehouse=url, pipelines_dir=str(tmp_path / "p"))
    finally:
        dispose_engine(url)
    assert summary.created == 40
    bulk = [r for r in sandbox.requests("/api/v1/tasks/bulk_create") if r["method"] == "POST"]
    assert len(bulk) == 6  # ceil(40 / 7)


def test_orchestration_settings_come_through_dlt_config(monkeypatch: pytest.MonkeyPatch) -> None:
    from sales_tasks.pipelines.orchestration.settings import JobSettings, schedule

    monkeypatch.setenv("APOLLO_TASKS__WAREHOUSE", "/data/w.duckdb")
    monkeypatch.setenv("APOLLO_TASKS__DATASET", "apollo_eu")
    monkeypatch.setenv("APOLLO_TASKS__STRICT", "false")
    monkeypatch.setenv("APOLLO_TASKS__PUSH_TABLE", "marts.followups")
    monkeypatch.setenv("APOLLO_TASKS__SCHEDULE", "0 6 * * *")
    job = JobSettings.load()
    assert (job.warehouse, job.dataset, job.strict, job.push_table) == (
        "/data/w.duckdb",
        "apollo_eu",
        False,
        "marts.followups",
    )
    assert job.extract_kwargs() == {
        "destination": "duckdb",
        "duckdb_path": "/data/w.duckdb",
        "dataset_name": "apollo_eu",
        "strict": False,
    }
    assert schedule() == "0 6 * * *"
    monkeypatch.delenv("APOLLO_TASKS__WAREHOUSE")
    assert JobSettings.load().warehouse == "apollo_tasks.duckdb"
