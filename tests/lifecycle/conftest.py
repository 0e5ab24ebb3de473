"""Fixtures of the lifecycle tests: the toy vendor (from its folders), its sandbox, and a model
table in a real warehouse (DuckDB, or PostgreSQL for tests marked `postgres`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.kit.vendor import tree_files

TREE = Path(__file__).resolve().parents[1] / "toy" / "vendor"
CHANGE_ENDPOINTS = ("update", "complete", "cancel")


def model_rows(n: int, *, owner: str = "u1") -> list[dict[str, Any]]:
    """n follow-ups, one per contact, all open."""
    return [
        {
            "request_id": f"r{i}",
            "contact_id": f"c9{i:03d}",
            "user_id": owner,
            "type": "call",
            "status": None,
            "due_at": f"2030-01-{1 + i % 28:02d}T09:00:00Z",
            "note": f"follow-up {i}",
        }
        for i in range(n)
    ]


class Model:
    """The model table `followups` in the warehouse, rewritten whole by `write`."""

    COLUMNS = ("request_id", "contact_id", "user_id", "type", "status", "due_at", "note")

    def __init__(self, url: str) -> None:
        self.url = url

    def write(self, rows: list[dict[str, Any]]) -> None:
        from sales_tasks.destinations.core.warehouse import dispose_engine

        engine = sa.create_engine(self.url)
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE IF EXISTS followups")
                columns = ", ".join(f"{c} VARCHAR" for c in self.COLUMNS)
                conn.exec_driver_sql(f"CREATE TABLE followups ({columns})")
                if rows:
                    conn.execute(
                        sa.text(
                            f"INSERT INTO followups ({', '.join(self.COLUMNS)}) VALUES"
                            f" ({', '.join(':' + c for c in self.COLUMNS)})"
                        ),
                        [{c: r.get(c) for c in self.COLUMNS} for r in rows],
                    )
        finally:
            engine.dispose()
            dispose_engine(self.url)


@pytest.fixture
def toy(vendor_folders: Callable[[Mapping[str, str]], Path]) -> Path:
    return vendor_folders(tree_files(TREE))


@pytest.fixture
def toy_sandbox(toy: Path) -> Iterator[Any]:
    from sales_tasks.sandbox import running_sandbox

    with running_sandbox(vendor="toy", tasks=0) as sb:
        yield sb


def change_calls(sb: Any) -> list[tuple[str, str, int | None, str | None]]:
    """(endpoint, task id, status, fault) of every lifecycle call the sandbox received."""
    return [
        (r["endpoint"], r["path"].split("/")[3], r["status"], r["fault"])
        for r in sb.requests()
        if r.get("endpoint") in CHANGE_ENDPOINTS
    ]


def tasks_by_id(sb: Any) -> dict[str, dict[str, Any]]:
    import httpx

    answer = httpx.get(
        f"{sb.base_url}/v1/tasks",
        params={"per_page": 50},
        headers={"x-api-key": sb.api_key},
        trust_env=False,
    ).json()
    sb.clear_requests()
    return {t["id"]: t for t in answer["tasks"]}
