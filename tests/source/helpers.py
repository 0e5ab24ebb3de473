"""Helpers for the source's end-to-end tests: run an extract, read DuckDB, read the sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import httpx

from sales_tasks.pipelines.extract import ExtractSummary, run_extract
from sales_tasks.sandbox import Sandbox

SEARCH = "/api/v1/tasks/search"


def extract(sb: Sandbox, tmp_path: Path, **kwargs: Any) -> ExtractSummary:
    """`run_extract` into `tmp_path/tasks.duckdb` against the sandbox."""
    options: dict[str, Any] = {
        "duckdb_path": str(tmp_path / "tasks.duckdb"),
        "pipelines_dir": str(tmp_path / "pipelines"),
        "api_key": sb.master_key,
        "base_url": sb.base_url,
        **kwargs,
    }
    return run_extract(**options)


def query(tmp_path: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(tmp_path / "tasks.duckdb"), read_only=True) as con:
        return con.sql(sql).fetchall()


def served_tasks(sb: Sandbox, per_page: int = 100) -> list[dict[str, Any]]:
    """Every task as the sandbox serves it, fetched with plain httpx (no code under test)."""
    tasks: list[dict[str, Any]] = []
    with httpx.Client(
        verify=False, base_url=sb.base_url, headers={"x-api-key": sb.master_key}
    ) as http:
        page = 1
        while True:
            resp = http.post(SEARCH, params={"page": page, "per_page": per_page})
            resp.raise_for_status()
            batch = resp.json()["tasks"]
            tasks.extend(batch)
            if len(batch) < per_page:
                return tasks
            page += 1


def search_calls(sb: Sandbox) -> list[dict[str, Any]]:
    return [r for r in sb.requests(SEARCH) if r["method"] == "POST"]
