"""What both orchestrator tests assert after each run: the warehouse and the vendor's view."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from sales_tasks.sandbox import Sandbox

PUSH_ROWS = 5
SANDBOX_TASKS = 300  # the `sandbox` fixture's dataset

# One call task for each of the first contacts (by id) that have tasks. The input is the same on
# every run (tasks the push creates go to those same contacts), so a rerun must create nothing.
PUSH_QUERY = f"""
SELECT 'orchestration-' || t.contact_id AS request_id,
       MIN(t.user_id) AS user_id,
       t.contact_id AS contact_id,
       'call' AS type,
       'scheduled' AS status,
       '2030-01-15T09:00:00Z' AS due_at,
       'medium' AS priority,
       'Scheduled follow-up' AS note
FROM apollo.tasks AS t
WHERE t.contact_id IS NOT NULL AND t.user_id IS NOT NULL
GROUP BY t.contact_id
ORDER BY t.contact_id
LIMIT {PUSH_ROWS}
""".strip()


def table_counts(warehouse: Path) -> dict[str, int]:
    """Rows per table of the `apollo` dataset and of the push ledger schema."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_schema IN ('apollo', 'apollo_push') AND table_type = 'BASE TABLE'"
        ).fetchall()
        return {
            f"{schema}.{name}": int(
                con.execute(f'SELECT count(*) FROM "{schema}"."{name}"').fetchone()[0]  # type: ignore[index]
            )
            for schema, name in names
        }


def create_calls(sb: Sandbox) -> list[dict[str, Any]]:
    """Task-create requests the sandbox received (single or bulk)."""
    return [
        r
        for r in sb.requests()
        if r.get("method") == "POST" and str(r.get("path", "")).endswith(("/tasks", "/bulk_create"))
    ]


def ledger_request_ids(warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("SELECT request_id FROM apollo_push.delivery_ledger").fetchall()
    return [str(r[0]) for r in rows]


def assert_run(warehouse: Path, sb: Sandbox, *, run: int) -> dict[str, Any]:
    """After run 1 or 2 of extract + push: tables loaded, exactly PUSH_ROWS tasks created once."""
    counts = table_counts(warehouse)
    # The second extract also mirrors the tasks the first push created.
    expected_tasks = SANDBOX_TASKS + (PUSH_ROWS if run > 1 else 0)
    assert counts["apollo.tasks"] == expected_tasks, counts
    for table in ("apollo.contacts", "apollo.accounts", "apollo.task_type_counts"):
        assert counts.get(table, 0) > 0, (table, counts)
    assert counts["apollo.extract_runs"] == run, counts

    created = sb.created()
    assert len(created) == PUSH_ROWS, created
    contact_ids = sorted(str(t.get("contact_id")) for t in created)
    assert len(set(contact_ids)) == PUSH_ROWS, contact_ids  # one task per contact, no duplicate
    creates = create_calls(sb)
    # Run 1 creates; run 2 (request log cleared before it) must not even try.
    assert (len(creates) > 0) if run == 1 else (creates == []), creates
    ids = ledger_request_ids(warehouse)
    assert sorted(ids) == sorted(set(ids)) and len(ids) == PUSH_ROWS, ids
    return counts


# One row Apollo would never accept (an unknown task type): the push rejects it before any call.
REJECTED_QUERY = (
    "SELECT 'bad-1' AS request_id, 'u1' AS user_id, 'c1' AS contact_id, 'nonsense' AS type,"
    " '2026-07-01T09:00:00Z' AS due_at"
)


# --- three accounts at once -------------------------------------------------------------------

ACCOUNTS = ("north", "south", "west")
# A different dataset (count, ids) per account, so anything that crossed would show.
ACCOUNT_TASKS = {"north": 60, "south": 90, "west": 120}
ACCOUNT_SEEDS = {"north": 11, "south": 12, "west": 13}

# The same query for every account: `{dataset}` becomes each account's dataset.
ACCOUNT_PUSH_QUERY = PUSH_QUERY.replace("apollo.tasks", "{dataset}.tasks").replace(
    "'orchestration-'", "'orchestration-{account}-'"
)


def account_key(name: str) -> str:
    return f"key-{name}-{'k' * 16}"


def _all(warehouse: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def assert_accounts_run(
    warehouse: Path, sandboxes: dict[str, Sandbox], served: dict[str, set[str]], *, run: int
) -> None:
    """After run 1 or 2 over every account: each account's tasks (and only those) in its own
    dataset with its `_sales_tasks_account` row, and PUSH_ROWS tasks created once per account."""
    from sales_tasks.pipelines.accounts import ACCOUNT_TABLE

    schemas = {r[0] for r in _all(warehouse, "SELECT schema_name FROM information_schema.schemata")}
    assert "apollo" not in schemas, schemas  # nothing ran as the (unconfigured) default account
    ledger = _all(warehouse, "SELECT account, request_id FROM apollo_push.delivery_ledger")
    for name, sb in sandboxes.items():
        dataset = f"apollo_{name}"
        ids = [str(r[0]) for r in _all(warehouse, f"SELECT id FROM {dataset}.tasks")]
        created = sb.created()
        assert len(ids) == len(set(ids)), dataset
        # Run 2 also mirrors the tasks run 1's push created in this account, and no other's.
        expected = served[name] | ({str(t["id"]) for t in created} if run > 1 else set())
        assert set(ids) == expected, (dataset, len(ids), len(expected))
        host = sb.base_url.removeprefix("http://")
        assert _all(warehouse, f"SELECT vendor, account, host FROM {dataset}.{ACCOUNT_TABLE}") == [
            ("apollo", name, host)
        ]
        assert _all(warehouse, f"SELECT count(*) FROM {dataset}.extract_runs") == [(run,)]
        assert len(created) == PUSH_ROWS, (name, created)
        assert len({t.get("contact_id") for t in created}) == PUSH_ROWS
        creates = create_calls(sb)
        assert (len(creates) > 0) if run == 1 else (creates == []), (name, creates)
        mine = sorted(r for a, r in ledger if a == name)
        assert len(mine) == PUSH_ROWS and all(r.startswith(f"orchestration-{name}-") for r in mine)
    assert len(ledger) == PUSH_ROWS * len(sandboxes)


# --- Saleshandy and Reply.io: the same DAG and assets, through the vendor's own factories ---
OTHER_PUSH_ROWS = 3
OTHER_PUSH_QUERIES = {
    "saleshandy": f"""
SELECT 'orch-' || p.prospect_id AS request_id, p.prospect_id, 'call' AS task_type,
       '2030-01-15' AS due_date, 'scheduled follow-up' AS task_note
FROM (SELECT DISTINCT prospect_id FROM {{dataset}}.tasks ORDER BY 1 LIMIT {OTHER_PUSH_ROWS}) AS p
""",
    "reply": f"""
SELECT 'orch-' || CAST(c.contact_id AS VARCHAR) AS request_id, c.contact_id,
       'call' AS task_type, '2030-01-15T09:00:00Z' AS start_at,
       '2030-01-15T10:00:00Z' AS due_to, 'Hi {{{{firstName}}}}, scheduled follow-up' AS body
FROM (SELECT DISTINCT contact_id FROM {{dataset}}.tasks ORDER BY 1 LIMIT {OTHER_PUSH_ROWS}) AS c
""",
}


def other_vendor_env(vendor: str, sb: Any, warehouse: Path, monkeypatch: Any) -> None:
    """A scheduled run's configuration of Saleshandy or Reply.io, through the environment."""
    short = vendor.upper()
    env = {
        f"{short}_API_KEY": sb.api_key,
        f"{short}_BASE_URL": sb.base_url,
        f"{short}_TASKS__WAREHOUSE": str(warehouse),
        f"{short}_TASKS__PUSH_QUERY": OTHER_PUSH_QUERIES[vendor],
        "RUNTIME__DLTHUB_TELEMETRY": "false",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def assert_other_vendor_run(vendor: str, sb: Any, warehouse: Path, tasks: int, run: int) -> None:
    """Every task of the sandbox landed in the vendor's dataset (from run 2 on, with the tasks
    run 1 pushed), and the pushed tasks exist exactly once in the vendor."""
    made = sb.created()
    assert len(made) == OTHER_PUSH_ROWS, made
    with duckdb.connect(str(warehouse), read_only=True) as con:
        loaded = con.execute(f"SELECT count(*) FROM {vendor}.tasks").fetchall()[0][0]
        assert loaded == tasks + (OTHER_PUSH_ROWS if run > 1 else 0), (run, loaded)
        delivered = con.execute(
            f"SELECT count(*) FROM {vendor}_push.delivery_ledger WHERE state = 'delivered'"
        ).fetchall()[0][0]
    assert delivered == OTHER_PUSH_ROWS
