"""dlt's dataset API reads every table the extract loads, the way analysts and notebooks read it.

`pipeline.dataset()` is dlt's own reader: `.df()`, `.arrow()` and SQL through the dataset. It sits
on sqlglot (query lineage) and on the destination's client (DuckDB's Arrow fetch), so a
dependency bump that breaks either breaks every reader: pyproject.toml pins the versions that work
together, and this test proves it on each warehouse, from the pipeline that loaded the data and
from a fresh pipelines folder (a notebook on another machine).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dlt
import duckdb
import pyarrow as pa
import pytest
import sqlalchemy as sa

from sales_tasks.pipelines.extract import run_extract
from sales_tasks.sandbox import Sandbox
from tests.source.helpers import served_tasks

TABLES = (
    "tasks",
    "contacts",
    "accounts",
    "contact_phone_numbers",
    "users",
    "task_type_counts",
    "extract_runs",
)
# DuckDB 1.0 reads storage versions from 64 on; DuckDB 2.0 writes 69, which no 1.x opens.
DUCKDB_1_0_STORAGE_VERSION = 64


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    """The extract's arguments, the dlt destination to read back with, and a SQLAlchemy URL."""
    if request.param == "duckdb":
        path = tmp_path / "warehouse.duckdb"
        return {
            "extract": {"destination": "duckdb", "duckdb_path": str(path)},
            "destination": lambda: dlt.destinations.duckdb(str(path)),
            "url": f"duckdb:///{path}",
            "file": path,
        }
    url = request.getfixturevalue("postgres_url")
    return {
        "extract": {"destination": "postgres", "credentials": url},
        "destination": lambda: dlt.destinations.postgres(url),
        "url": url,
        "file": None,
    }


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql)).fetchall()]
    finally:
        engine.dispose()


def test_dataset_api_reads_every_loaded_table(
    sandbox: Sandbox, tmp_path: Path, warehouse: dict[str, Any]
) -> None:
    summary = run_extract(
        api_key=sandbox.master_key,
        base_url=sandbox.base_url,
        pipelines_dir=str(tmp_path / "pipelines"),
        **warehouse["extract"],
    )
    assert summary.complete
    counts = {t: _rows(warehouse["url"], f"SELECT count(*) FROM apollo.{t}")[0][0] for t in TABLES}
    assert all(counts.values()), f"every table should have rows in a 300-task account: {counts}"
    # The run summary names every loaded table with the rows it loaded.
    assert {t: summary.rows.get(t) for t in TABLES} == counts
    served_ids = {t["id"] for t in served_tasks(sandbox)}
    by_type = _rows(warehouse["url"], "SELECT type, count(*) FROM apollo.tasks GROUP BY 1")

    readers = {
        "the pipeline that loaded": dlt.pipeline(
            pipeline_name="apollo_tasks",
            pipelines_dir=str(tmp_path / "pipelines"),
            destination=warehouse["destination"](),
            dataset_name="apollo",
        ),
        "a fresh pipelines folder": dlt.pipeline(
            pipeline_name="apollo_tasks",
            pipelines_dir=str(tmp_path / "fresh"),
            destination=warehouse["destination"](),
            dataset_name="apollo",
        ),
    }
    datasets = {name: p.dataset() for name, p in readers.items()}
    datasets["dlt.dataset()"] = dlt.dataset(warehouse["destination"](), "apollo")
    for name, dataset in datasets.items():
        for table in TABLES:
            frame = dataset[table].df()
            arrow = dataset[table].arrow()
            assert frame is not None and isinstance(arrow, pa.Table), (name, table)
            assert (len(frame), arrow.num_rows) == (counts[table],) * 2, (name, table)
        tasks = dataset.tasks.arrow()
        assert set(tasks.column("id").to_pylist()) == served_ids, name
        assert pa.types.is_timestamp(tasks.schema.field("due_at").type), name
        tasks_frame = dataset.tasks.df()
        assert tasks_frame is not None, name
        assert str(tasks_frame["due_at"].dtype).startswith("datetime64"), name
        # SQL through the dataset, including a join an analyst writes first.
        grouped = dataset("SELECT type, count(*) AS n FROM tasks GROUP BY type").fetchall()
        assert sorted(grouped) == sorted(by_type), name
        owners = dataset(
            "SELECT u.email, count(*) AS n FROM tasks t JOIN users u ON u.id = t.user_id"
            " GROUP BY u.email"
        ).df()
        assert owners is not None and owners["n"].sum() == counts["tasks"], name

    if warehouse["file"] is not None:
        _assert_readable_by_duckdb_1_0(warehouse["file"])


def _assert_readable_by_duckdb_1_0(path: Path) -> None:
    """The file header's storage version (bytes 12-20 after the checksum and b"DUCK")."""
    header = path.read_bytes()[:20]
    assert header[8:12] == b"DUCK"
    version = int.from_bytes(header[12:20], "little")
    assert version == DUCKDB_1_0_STORAGE_VERSION, (
        f"{path.name} has DuckDB storage version {version}: DuckDB 1.x tools cannot open it"
    )
    # And the file still opens read-only while no writer holds it, as an analyst opens it.
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.sql("SELECT count(*) FROM apollo.tasks").fetchall()[0][0] > 0
