"""What both orchestrator tests assert after each run: the warehouse and the vendor's view."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from sandbox import Sandbox

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
