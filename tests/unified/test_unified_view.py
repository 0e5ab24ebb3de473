"""The `sales_tasks` views: one task model in SQL over whatever vendors a warehouse holds.

Real extracts from the sandboxes into real DuckDB and PostgreSQL; the views are checked against
what the vendor served, read with plain HTTP.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from sales_tasks.clients import vocabulary
from sales_tasks.pipelines.extract import run_extract
from sales_tasks.sandbox import Sandbox
from tests.source.helpers import served_tasks
from tests.unified.conftest import rows


def test_one_apollo_account_alone_fills_the_unified_views(
    make_sandbox: Any, warehouse: dict[str, Any], tmp_path: Path
) -> None:
    sb: Sandbox = make_sandbox(tasks=240)
    run_extract(
        api_key=sb.master_key,
        base_url=sb.base_url,
        pipelines_dir=str(tmp_path / "pipelines"),
        **warehouse["extract"],
    )
    served = served_tasks(sb)
    got = rows(
        warehouse["url"],
        "SELECT vendor, account, task_id, type, status, priority, vendor_type, vendor_status,"
        " owner_id, contact_id, contact_email, is_open, is_overdue, due_at"
        " FROM sales_tasks.all_tasks",
    )
    assert len(got) == len(served) == 240
    assert {r[0] for r in got} == {"apollo"}
    # No --account: the account is named by the base URL's host and port.
    assert {r[1] for r in got} == {sb.base_url.split("://", 1)[1].rstrip("/")}
    by_id = {r[2]: r for r in got}
    for task in served:
        row = by_id[task["id"]]
        assert row[6] == task["type"] and row[7] == task["status"]
        assert row[3] == vocabulary.from_vendor("apollo", "type", task["type"])
        assert row[4] == vocabulary.from_vendor("apollo", "status", task["status"])
        assert row[5] == task["priority"]  # Apollo's priorities are the shared names
        assert row[8] == task["user_id"] and row[9] == task["contact_id"]
        assert row[11] is (task["status"] == "scheduled")
    assert all(r[3] is not None for r in got), "every Apollo type maps to a shared type"
    assert any(r[10] for r in got), "contact emails come from the contacts table"

    per_owner = rows(
        warehouse["url"],
        "SELECT owner, open_tasks, overdue_tasks FROM sales_tasks.open_by_owner"
        " WHERE vendor = 'apollo'",
    )
    open_tasks = Counter(r[8] for r in got if r[11])
    overdue = Counter(r[8] for r in got if r[12])
    emails = dict(rows(warehouse["url"], "SELECT id, email FROM apollo.users"))
    assert {o: n for o, n, _ in per_owner} == {emails[k]: n for k, n in open_tasks.items()}
    assert {o: n for o, _, n in per_owner} == {emails[k]: overdue.get(k, 0) for k in open_tasks}


def test_the_docs_vocabulary_tables_are_the_module() -> None:
    readme = (Path(__file__).parents[2] / "docs" / "unified.md").read_text()
    start = readme.index("<!-- vocabulary-tables:")
    block = readme[readme.index("\n", start) + 1 : readme.index("<!-- /vocabulary-tables -->")]
    tables = "\n\n".join(vocabulary.markdown_table(kind) for kind in vocabulary.KINDS)
    assert block.strip() == tables


@pytest.mark.parametrize("vendor", vocabulary.VENDORS)
def test_every_shared_name_reads_back_from_the_code_a_push_writes(vendor: str) -> None:
    for kind in vocabulary.KINDS:
        for name, code in vocabulary.accepted_names(vendor, kind).items():
            if kind == "status" and vendor == "saleshandy":
                continue  # created open; read back as upcoming, dueToday or overdue
            back = vocabulary.from_vendor(vendor, kind, code)
            assert back == vocabulary.SYNONYMS.get(name, name), (vendor, kind, name, code)
        for name in vocabulary.unsupported(vendor, kind):
            assert vocabulary.to_vendor(vendor, kind, name) is None
