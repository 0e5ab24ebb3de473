"""Fixtures for the orchestrator tests: a sandbox, and the environment a scheduled run reads.

Each orchestrator runs in its own environment (`.ci/test-orchestration` syncs `.venv-airflow`
and `.venv-dagster`), so a test module whose orchestrator is not installed is left out of
collection, unless `APOLLO_TASKS_ORCHESTRATORS` (comma-separated) says it must run: then a
missing install fails loudly instead of passing by skipping.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sandbox import Sandbox
from tests.orchestration.checks import PUSH_QUERY

_required = {n.strip() for n in os.environ.get("APOLLO_TASKS_ORCHESTRATORS", "").split(",")}


def pytest_configure(config: pytest.Config) -> None:
    # dagster's pydantic v1 compatibility shim warns on every model; not our code.
    config.addinivalue_line(
        "filterwarnings", "ignore::DeprecationWarning:dagster_shared.dagster_model.*"
    )


collect_ignore = [
    f"test_{name}.py"
    for name in ("airflow", "dagster")
    if name not in _required and importlib.util.find_spec(name) is None
]


@pytest.fixture
def orchestration_sandbox(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    # A child process: the orchestrator under test owns this process's logging and signals.
    return make_sandbox(subprocess=True)


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def job_env(
    orchestration_sandbox: Sandbox, warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """The configuration a user gives a scheduled run, all through environment variables."""
    sb = orchestration_sandbox
    for name in (
        "APOLLO_API_KEY",
        "APOLLO_BASE_URL",
        "DESTINATION__DUCKDB__CREDENTIALS",
        "APOLLO_TASKS__PUSH_TABLE",
        "APOLLO_TASKS__SCHEDULE",
    ):
        monkeypatch.delenv(name, raising=False)
    env = {
        "SOURCES__APOLLO__API_KEY": sb.master_key,
        "SOURCES__APOLLO__BASE_URL": sb.base_url,
        "DESTINATION__APOLLO_TASKS__API_KEY": sb.master_key,
        "DESTINATION__APOLLO_TASKS__BASE_URL": sb.base_url,
        "APOLLO_TASKS__WAREHOUSE": str(warehouse),
        "APOLLO_TASKS__PUSH_QUERY": PUSH_QUERY,
        "RUNTIME__DLTHUB_TELEMETRY": "false",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    yield
