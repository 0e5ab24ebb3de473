"""Fixtures of the reverse-ETL sink tests: a warehouse URL, input tables, pushes, the ledger.

`warehouse_url` is parametrised: every end-to-end test runs against DuckDB and against the
session's real PostgreSQL server (a fresh database per test), where the ledger lives too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sales_tasks.destinations.core.contract import CONTRACT_COLUMNS
from sales_tasks.destinations.core.warehouse import dispose_engine
from sales_tasks.pipelines.push import PushSummary, run_push

ROOT = Path(__file__).resolve().parents[2]
INPUT_TABLE = "push_input"


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where input and ledger live: a DuckDB file, or an empty PostgreSQL database."""
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return f"duckdb:///{tmp_path / 'warehouse.duckdb'}"


def subprocess_env(**extra: str) -> dict[str, str]:
    """This environment for a child process, plus `extra`.

    Bytecode writing is allowed again: with PYTHONDONTWRITEBYTECODE every child recompiles dlt
    from source (several seconds each); this way only the first one does.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **extra}


def write_input(url: str, rows: list[dict[str, Any]], table: str = INPUT_TABLE) -> None:
    """(Re)create the input table with text columns and the rows given."""
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    t = sa.Table(table, meta, *(sa.Column(c, sa.Text) for c in CONTRACT_COLUMNS))
    with engine.begin() as conn:
        t.drop(conn, checkfirst=True)
        t.create(conn)
        if rows:
            conn.execute(t.insert(), [{c: r.get(c) for c in CONTRACT_COLUMNS} for r in rows])
    engine.dispose()


def ledger(url: str, schema: str = "apollo_push") -> dict[str, dict[str, Any]]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT * FROM {schema}.delivery_ledger")).mappings().all()
    engine.dispose()
    return {r["request_id"]: dict(r) for r in rows}


@pytest.fixture
def push(warehouse_url: str, tmp_path: Path) -> Callable[..., PushSummary]:
    """run_push against a sandbox, with a wiped pipelines dir every time (Apollo's master key
    unless `api_key` is given; another vendor's push passes `sink` and its key)."""

    def run(sb: Any, **kwargs: Any) -> PushSummary:
        pipelines = tmp_path / "pipelines"
        shutil.rmtree(pipelines, ignore_errors=True)
        kwargs.setdefault("table", INPUT_TABLE)
        kwargs.setdefault("reconcile_wait_seconds", 1.0)
        try:
            return run_push(
                warehouse=warehouse_url,
                api_key=kwargs.pop("api_key") if "api_key" in kwargs else sb.master_key,
                base_url=sb.base_url,
                pipelines_dir=str(pipelines),
                **kwargs,
            )
        finally:
            dispose_engine(warehouse_url)

    return run


@pytest.fixture
def cli_push(warehouse_url: str, tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """`apollo-tasks push`, in this process (`tests/cli_runner.py`); with `crash=(point, n)` a real
    process run by `tests/sink/crash_runner.py`, which SIGKILLs it at the n-th pass of that
    checkpoint."""

    def run(
        sb: Any,
        *args: str,
        env: dict[str, str] | None = None,
        key: str | None = None,
        crash: tuple[str, int] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        from tests.cli_runner import run_cli  # it imports this module

        pipelines = tmp_path / "cli-pipelines"
        shutil.rmtree(pipelines, ignore_errors=True)
        full_env = subprocess_env(
            APOLLO_API_KEY=key or sb.master_key,
            APOLLO_BASE_URL=sb.base_url,
            DESTINATION__APOLLO_TASKS__RECONCILE_WAIT_SECONDS="1",
            **(env or {}),
        )
        crasher = None
        if crash:
            crasher = [sys.executable, "-m", "tests.sink.crash_runner", crash[0], str(crash[1])]
        argv = ["push", "--table", INPUT_TABLE, "--warehouse", warehouse_url]
        argv += ["--pipelines-dir", str(pipelines), *args]
        return run_cli(argv, program="apollo-tasks", env=full_env, cwd=ROOT, command=crasher)

    return run


def created_by_request(sb: Any, rows: list[dict[str, Any]]) -> Counter[str]:
    """How many sandbox tasks exist for each request (rows have distinct contacts)."""
    by_contact = Counter(t["contact_id"] for t in sb.created())
    return Counter({r["request_id"]: by_contact[r["contact_id"]] for r in rows})


def task_rows(sb: Any, n: int, **common: Any) -> list[dict[str, Any]]:
    """n valid rows for distinct sandbox contacts, one user, one group."""
    user = sb.users()[0]
    contacts = sb.contacts(n)
    return [
        {
            "request_id": f"req-{i}",
            "user_id": user["id"],
            "contact_id": c["id"],
            "type": "call",
            "due_at": "2025-07-01T09:00:00Z",
            "note": "follow up",
            **common,
        }
        for i, c in enumerate(contacts)
    ]
