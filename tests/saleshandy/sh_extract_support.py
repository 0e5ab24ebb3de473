"""Helpers of the Saleshandy extract tests: run an extract, read DuckDB, read the sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import httpx

from sales_tasks.pipelines.extract import ExtractSummary, run_extract
from tests.cli_runner import child_env, run_cli

ROOT = Path(__file__).resolve().parents[2]
TASKS = "/v1/tasks"
COUNTS = "/v1/tasks/counts"
ASSIGNEES = "/v1/tasks/assignee/list"


def extract(sb: Any, tmp_path: Path, **kwargs: Any) -> ExtractSummary:
    """`run_extract("saleshandy")` into `tmp_path/sh.duckdb` against the sandbox."""
    options: dict[str, Any] = {
        "duckdb_path": str(tmp_path / "sh.duckdb"),
        "pipelines_dir": str(tmp_path / "pipelines"),
        "api_key": sb.api_key,
        "base_url": sb.base_url,
        **kwargs,
    }
    summary: ExtractSummary = run_extract("saleshandy", **options)
    return summary


def query(tmp_path: Path, sql: str, file: str = "sh.duckdb") -> list[tuple[Any, ...]]:
    with duckdb.connect(str(tmp_path / file), read_only=True) as con:
        return con.sql(sql).fetchall()


def served_tasks(sb: Any, page_size: int = 100) -> list[dict[str, Any]]:
    """Every task as the sandbox serves it, read with plain httpx (no code under test); each
    also under `id` when keyed `taskId` (the documented name, the sandbox's default)."""
    tasks: list[dict[str, Any]] = []
    with httpx.Client(
        verify=False, base_url=sb.base_url, headers={"x-api-key": sb.api_key}
    ) as http:
        page = 1
        while True:
            resp = http.get(TASKS, params={"page": page, "pageSize": page_size})
            resp.raise_for_status()
            payload = resp.json()["payload"]
            batch = payload if isinstance(payload, list) else payload["tasks"]
            tasks.extend({"id": t.get("taskId"), **t} for t in batch)
            if len(batch) < page_size:
                return tasks
            page += 1


def list_calls(sb: Any) -> list[dict[str, Any]]:
    return [r for r in sb.requests(TASKS) if r["method"] == "GET"]


def cli(
    sb: Any | None, tmp_path: Path, *args: str, process: bool = False, **env: str
) -> tuple[int, str, str]:
    """`sales-tasks extract saleshandy ...` in `tmp_path`, in this process (`tests/cli_runner.py`)
    or with `process=True` as a real process; (exit code, stdout, stderr)."""
    environment = child_env()
    environment.pop("SALESHANDY_API_KEY", None)
    environment.pop("SOURCES__SALESHANDY__API_KEY", None)
    if sb is not None:
        environment["SALESHANDY_API_KEY"] = sb.api_key
    environment.update(env)
    base = ["--base-url", sb.base_url] if sb is not None else []
    done = run_cli(
        ["extract", "saleshandy", *base, "--duckdb-path", str(tmp_path / "sh.duckdb"),
         "--pipelines-dir", str(tmp_path / "pipelines"), *args],
        env=environment, cwd=tmp_path, process=process,
    )  # fmt: skip
    return done.returncode, done.stdout, done.stderr
