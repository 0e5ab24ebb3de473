"""The `apollo_tasks` dlt destination used on its own (`dlt.pipeline(destination=apollo_tasks())`):
every setting comes through dlt's resolved configuration, and a batch dlt hands over again
creates nothing twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dlt
import pytest
import sqlalchemy as sa

from sales_tasks.destinations.apollo import apollo_tasks
from sales_tasks.destinations.core.warehouse import dispose_engine
from tests.sink.conftest import task_rows


def test_the_destination_alone_reads_every_setting_from_dlt_config(
    sandbox: Any, warehouse_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in {
        "API_KEY": sandbox.master_key,
        "BASE_URL": sandbox.base_url,
        "WAREHOUSE": warehouse_url,
        "MAX_CONTACTS_PER_CALL": "2",
        "ACCOUNT": "team-x",
        "LEDGER_SCHEMA": "own_ledger",
    }.items():
        monkeypatch.setenv(f"DESTINATION__APOLLO_TASKS__{key}", value)
    rows = [{**r, "_row": n} for n, r in enumerate(task_rows(sandbox, 5), start=1)]
    try:
        for _ in range(2):  # the second load hands the same rows over again
            pipeline = dlt.pipeline(
                "standalone_push",
                destination=apollo_tasks(),
                pipelines_dir=str(tmp_path / "pipelines"),
                dataset_name="own_ledger",
            )
            pipeline.run(rows, table_name="task_rows")
    finally:
        dispose_engine(warehouse_url)
    bulk = [r for r in sandbox.requests("/api/v1/tasks/bulk_create") if r["method"] == "POST"]
    assert len(bulk) == 3  # ceil(5 / 2): MAX_CONTACTS_PER_CALL from the dlt env var
    assert sorted(t["contact_id"] for t in sandbox.created()) == sorted(
        r["contact_id"] for r in rows
    )
    engine = sa.create_engine(warehouse_url)
    with engine.connect() as conn:
        keys = conn.execute(
            sa.text("SELECT vendor, account, state FROM own_ledger.delivery_ledger")
        ).all()
    engine.dispose()
    assert sorted(keys) == [("apollo", "team-x", "delivered")] * 5
