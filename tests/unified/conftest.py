"""Fixtures of the unified-view tests: a warehouse (DuckDB, or PostgreSQL) and reading it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    """The extract's destination arguments and a SQLAlchemy URL of the same warehouse."""
    if request.param == "duckdb":
        path = tmp_path / "warehouse.duckdb"
        return {"extract": {"duckdb_path": str(path)}, "url": f"duckdb:///{path}"}
    url = request.getfixturevalue("postgres_url")
    return {"extract": {"destination": "postgres", "credentials": url}, "url": url}


def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql)).fetchall()]
    finally:
        engine.dispose()
