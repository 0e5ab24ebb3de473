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

from sales_tasks.sandbox import Sandbox
from tests.orchestration.checks import (
    ACCOUNT_PUSH_QUERY,
    ACCOUNT_SEEDS,
    ACCOUNT_TASKS,
    ACCOUNTS,
    PUSH_QUERY,
    account_key,
)

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


@pytest.fixture
def account_sandboxes(make_sandbox: Callable[..., Sandbox]) -> dict[str, Sandbox]:
    """One sandbox per account, each with its own key and its own tasks."""
    return {
        name: make_sandbox(
            subprocess=True,
            tasks=ACCOUNT_TASKS[name],
            seed=ACCOUNT_SEEDS[name],
            master_keys=[account_key(name)],
        )
        for name in ACCOUNTS
    }


@pytest.fixture
def accounts_env(
    account_sandboxes: dict[str, Sandbox], warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Three Apollo accounts configured as a user would, and no default Apollo key at all: a run
    that fell back to the vendor's own key would fail."""
    for name in list(os.environ):
        if name.startswith(("APOLLO_", "SOURCES__", "DESTINATION__", "ACCOUNTS__")):
            monkeypatch.delenv(name)
    for name, sb in account_sandboxes.items():
        monkeypatch.setenv(f"ACCOUNTS__APOLLO__{name.upper()}__API_KEY", account_key(name))
        monkeypatch.setenv(f"ACCOUNTS__APOLLO__{name.upper()}__BASE_URL", sb.base_url)
    monkeypatch.setenv("APOLLO_TASKS__WAREHOUSE", str(warehouse))
    monkeypatch.setenv("APOLLO_TASKS__PUSH_QUERY", ACCOUNT_PUSH_QUERY)
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
    yield


@pytest.fixture
def served(account_sandboxes: dict[str, Sandbox]) -> dict[str, set[str]]:
    """Each account's task ids as its sandbox serves them before any run."""
    from tests.source.helpers import served_tasks

    return {
        name: {str(t["id"]) for t in served_tasks(sb)} for name, sb in account_sandboxes.items()
    }
