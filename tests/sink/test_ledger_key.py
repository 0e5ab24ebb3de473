"""The ledger's key (vendor, account, request_id), end to end over the sandbox, in DuckDB and
PostgreSQL: a ledger written by the code of commit 00c5279 (key `request_id` alone, saved in
`fixtures/ledger_00c5279.json` with its DDL) is migrated in place and nothing in it is sent again;
two accounts sharing one ledger schema never see each other's rows."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sales_tasks.destinations.core.settings import default_account
from tests.sink.conftest import ledger, task_rows, write_input

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "ledger_00c5279.json").read_text())
CREATES = ("/api/v1/tasks/bulk_create", "/api/v1/tasks")


def creates(sb: Any) -> list[dict[str, Any]]:
    return [r for r in sb.requests() if r["path"] in CREATES and r["method"] == "POST"]


def columns(url: str) -> set[str]:
    engine = sa.create_engine(url)
    query = sa.text(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = 'apollo_push' AND table_name = 'delivery_ledger'"
    )
    with engine.connect() as conn:
        names = {r[0] for r in conn.execute(query)}
    engine.dispose()
    return names


def write_legacy_ledger(url: str) -> None:
    """The saved 00c5279 ledger: its own DDL, its own rows."""
    engine = sa.create_engine(url)
    dialect = "postgresql" if engine.dialect.name == "postgresql" else "duckdb"
    old = sa.Table(
        "delivery_ledger",
        sa.MetaData(),
        *(sa.Column(name) for name in FIXTURE["rows"][0]),
        schema="apollo_push",
    )
    rows = [
        {k: datetime.fromisoformat(v) if k.endswith("_at") and v else v for k, v in r.items()}
        for r in FIXTURE["rows"]
    ]
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE SCHEMA apollo_push")
        conn.exec_driver_sql(FIXTURE["ddl"][dialect])
        conn.execute(old.insert(), rows)
    engine.dispose()


def test_a_ledger_written_before_accounts_is_migrated_and_nothing_is_resent(
    sandbox: Any, warehouse_url: str, push: Any
) -> None:
    write_legacy_ledger(warehouse_url)
    write_input(warehouse_url, FIXTURE["input"])
    before = {r["request_id"]: r for r in FIXTURE["rows"]}

    plan = push(sandbox, dry_run=True)  # reads the old ledger, changes nothing
    assert (plan.would_create, plan.already_delivered, plan.needs_review) == (0, 3, 1)
    assert any(c.startswith("migrate the delivery ledger") for c in plan.planned_calls)
    assert "account" not in columns(warehouse_url)

    for _ in range(2):  # the run that migrates, then a rerun
        summary = push(sandbox)
        assert summary.adds_up and summary.rows_in == 5
        assert (summary.created, summary.already_delivered) == (0, 3)
        assert (summary.needs_review, summary.rejected, summary.calls) == (1, 1, 0)
        assert summary.minimum_calls == 0  # nothing to resend
    assert creates(sandbox) == [] and sandbox.created() == []

    after = ledger(warehouse_url)
    assert set(after) == set(before)
    account = default_account(sandbox.base_url)
    assert account.startswith("127.0.0.1:")
    for request_id, row in after.items():
        assert (row["vendor"], row["account"]) == ("apollo", account)
        old = before[request_id]
        assert (row["state"], row["task_id"], row["attempt"]) == (
            old["state"],
            old["task_id"],
            old["attempt"],
        )
    assert [after[f"legacy-{i}"]["task_id"] for i in range(3)] == ["task-a", "task-b", "task-c"]


def test_two_accounts_sharing_a_ledger_schema_never_see_each_others_rows(
    sandbox: Any, warehouse_url: str, push: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = task_rows(sandbox, 3)
    write_input(warehouse_url, rows)
    monkeypatch.setenv("DESTINATION__APOLLO_TASKS__ACCOUNT", "team-east")
    assert push(sandbox).created == 3
    assert push(sandbox).already_delivered == 3  # the same account: delivered
    monkeypatch.setenv("DESTINATION__APOLLO_TASKS__ACCOUNT", "team-west")
    west = push(sandbox)
    assert (west.created, west.already_delivered) == (3, 0)  # its own rows, none yet
    assert len(creates(sandbox)) == 2 and len(sandbox.created()) == 6

    engine = sa.create_engine(warehouse_url)
    with engine.connect() as conn:
        keys = conn.execute(
            sa.text("SELECT account, request_id, state FROM apollo_push.delivery_ledger")
        ).all()
    engine.dispose()
    assert sorted(keys) == sorted(
        (account, r["request_id"], "delivered")
        for account in ("team-east", "team-west")
        for r in rows
    )
