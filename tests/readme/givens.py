"""Preparations a README block names with `<!-- given: name -->`: what a person's own warehouse
would already hold before they run the block. Each takes the working folder and checks that it
made something, so a block that depends on it cannot pass on an empty input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from sales_tasks.sources.apollo.demo import followups_sql


def followups(workspace: Path) -> None:
    """`marts.followups` in `apollo_tasks.duckdb`: follow-up calls built from the extracted tasks."""
    with duckdb.connect(str(workspace / "apollo_tasks.duckdb")) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS marts")
        con.execute(f"CREATE OR REPLACE TABLE marts.followups AS {followups_sql(limit=5)}")
        rows = con.sql("SELECT count(*) FROM marts.followups").fetchall()[0][0]
    assert rows > 0, "given followups: the extracted tasks gave no follow-up rows to push"


GIVENS: dict[str, Callable[[Path], None]] = {"followups": followups}
