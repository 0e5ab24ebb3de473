"""`make demo` twice: every demo serves its sandbox on a new port, yet it is the same account (same
tasks, seed and day), so the second demo finds its follow-ups delivered and creates nothing."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb

from sales_tasks.pipelines.demo import run_demo


def test_a_second_demo_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "demo.duckdb"
    first, second = io.StringIO(), io.StringIO()
    run_demo(duckdb_path=str(path), tasks=2_000, out=first)
    run_demo(duckdb_path=str(path), tasks=2_000, out=second)
    assert "10 row(s) in = 10 created" in first.getvalue(), first.getvalue()
    assert "= 0 created + 0 rejected + 10 already delivered" in second.getvalue(), second.getvalue()
    assert "Nothing new to create" in second.getvalue()
    with duckdb.connect(str(path), read_only=True) as con:
        accounts = con.sql("SELECT DISTINCT account FROM apollo_push.delivery_ledger").fetchall()
    assert len(accounts) == 1 and accounts[0][0].startswith("sandbox-apollo-2000-seed42-")
