"""Fixtures and helpers of the Saleshandy push tests: warehouses, input tables, pushes, ledger.

Imported by the `test_sh_push_*` modules (not a conftest, so other Saleshandy tests in this
folder keep theirs). `sh_warehouse` is parametrised: every end-to-end test runs against DuckDB
and against the session's real PostgreSQL server (a fresh database per test).
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sales_tasks.destinations.core.warehouse import dispose_engine
from sales_tasks.destinations.saleshandy import SALESHANDY_SINK
from sales_tasks.pipelines.push import PushSummary, run_push
from tests.cli_runner import push_cli
from tests.sink.conftest import ledger, subprocess_env

INPUT_TABLE = "sh_push_input"
LEDGER_SCHEMA = "saleshandy_push"
CREATE = "/v1/tasks/create"
# Saleshandy's input column names, as a user's table has them.
COLUMNS = (
    "request_id",
    "prospect_id",
    "prospect_email",
    "task_type",
    "priority",
    "due_date",
    "task_note",
)


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def sh_warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where input and ledger live: a DuckDB file, or an empty PostgreSQL database."""
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return f"duckdb:///{tmp_path / 'warehouse.duckdb'}"


def write_input(
    url: str,
    rows: list[dict[str, Any]],
    table: str = INPUT_TABLE,
    columns: tuple[str, ...] = COLUMNS,
) -> None:
    """(Re)create the input table with text columns and the rows given."""
    engine = sa.create_engine(url)
    t = sa.Table(table, sa.MetaData(), *(sa.Column(c, sa.Text) for c in columns))
    with engine.begin() as conn:
        t.drop(conn, checkfirst=True)
        t.create(conn)
        if rows:
            conn.execute(t.insert(), [{c: r.get(c) for c in columns} for r in rows])
    engine.dispose()


def sh_ledger(url: str) -> dict[str, dict[str, Any]]:
    return ledger(url, schema=LEDGER_SCHEMA)


def prospect_ids(sb: Any, n: int) -> list[str]:
    """n distinct prospect ids of the sandbox."""
    found = [p["id"] for p in sb.prospects(limit=n)]
    assert len(found) == n, f"the sandbox has only {len(found)} prospects"
    return found


def rows_for(prospects: list[str], prefix: str = "r", **common: Any) -> list[dict[str, Any]]:
    """One valid row per prospect, one task definition."""
    return [
        {
            "request_id": f"{prefix}-{i}",
            "prospect_id": p,
            "task_type": "13",
            "priority": "3",
            "due_date": "2026-04-22",
            "task_note": "follow up",
            **common,
        }
        for i, p in enumerate(prospects)
    ]


def creates(sb: Any) -> list[dict[str, Any]]:
    """The create calls the sandbox received (their logged entries, oldest first)."""
    return sb.requests(CREATE)


def tasks_by_request(sb: Any, rows: list[dict[str, Any]]) -> Counter[str]:
    """How many sandbox tasks exist for each row's prospect (rows have distinct prospects)."""
    by_prospect = Counter(t["prospect"]["id"] for t in sb.created())
    return Counter({r["request_id"]: by_prospect[r["prospect_id"]] for r in rows})


@pytest.fixture
def sh_push(sh_warehouse: str, tmp_path: Path) -> Callable[..., PushSummary]:
    """`run_push(sink=SALESHANDY_SINK)` against a sandbox, with a wiped pipelines dir each time."""

    def run(sb: Any, **kwargs: Any) -> PushSummary:
        pipelines = tmp_path / "pipelines"
        shutil.rmtree(pipelines, ignore_errors=True)
        if "query" not in kwargs:
            kwargs.setdefault("table", INPUT_TABLE)
        kwargs.setdefault("reconcile_wait_seconds", 2.0)
        try:
            return run_push(
                sink=SALESHANDY_SINK,
                warehouse=sh_warehouse,
                api_key=kwargs.pop("api_key", sb.api_key),
                base_url=sb.base_url,
                pipelines_dir=str(pipelines),
                **kwargs,
            )
        finally:
            dispose_engine(sh_warehouse)

    return run


@pytest.fixture
def sh_cli_push(
    sh_warehouse: str, tmp_path: Path
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """`sales-tasks push saleshandy` in this process (`tests/cli_runner.py`), or as a real process
    with `process=True`; with `crash=(point, n)` a real process run by
    `tests/sink/crash_runner.py`, which SIGKILLs it at the n-th pass of that checkpoint."""

    def run(
        sb: Any,
        *args: str,
        key: str | None = None,
        crash: tuple[str, int] | None = None,
        process: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        env = subprocess_env(
            SALESHANDY_API_KEY=key or sb.api_key,
            SALESHANDY_BASE_URL=sb.base_url,
            DESTINATION__SALESHANDY_TASKS__RECONCILE_WAIT_SECONDS="2",
        )
        return push_cli(
            "saleshandy", args, table=INPUT_TABLE, warehouse=sh_warehouse,
            pipelines=tmp_path / "cli-pipelines", env=env, crash=crash, process=process,
        )  # fmt: skip

    return run
