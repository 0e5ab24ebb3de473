"""What the Reply push tests share: input tables with Reply's columns, pushes over real HTTP
against the Reply sandbox, the ledger, and what the sandbox received.

Import the fixtures into a test module (`from tests.reply.reply_push_support import ...`):
`warehouse_url` (DuckDB and PostgreSQL) and `push` (from the sink tests), `reply_push` (run_push
into Reply)
and `reply_cli` (`sales-tasks push reply` as a real process, optionally SIGKILLed at a
checkpoint by `tests/sink/crash_runner.py`).
"""

from __future__ import annotations

import subprocess
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sales_tasks.destinations.reply import REPLY_SINK
from sales_tasks.pipelines.push import PushSummary
from tests.cli_runner import push_cli
from tests.sink.conftest import ledger, subprocess_env
from tests.sink.conftest import push as push  # fixtures, re-exported
from tests.sink.conftest import warehouse_url as warehouse_url

INPUT_TABLE = "reply_input"
LEDGER_SCHEMA = "reply_push"
CREATE = "/v3/tasks"
FILTER = "/v3/tasks/filter"
REPLY_COLUMNS = (
    "request_id",
    "contact_id",
    "contact_email",
    "task_type",
    "start_at",
    "due_to",
    "body",
    "subject",
    "linkedin_task_type",
)
START, DUE = "2026-07-01T09:00:00Z", "2026-07-02T17:00:00Z"


def write_reply_input(
    url: str,
    rows: list[dict[str, Any]],
    *,
    table: str = INPUT_TABLE,
    types: Mapping[str, Any] | None = None,
) -> None:
    """(Re)create the input table (text columns unless `types` says otherwise) with `rows`."""
    kinds = {c: (types or {}).get(c, sa.Text) for c in REPLY_COLUMNS}
    engine = sa.create_engine(url)
    t = sa.Table(table, sa.MetaData(), *(sa.Column(c, kinds[c]) for c in REPLY_COLUMNS))
    with engine.begin() as conn:
        t.drop(conn, checkfirst=True)
        t.create(conn)
        if rows:
            conn.execute(t.insert(), [{c: r.get(c) for c in REPLY_COLUMNS} for r in rows])
    engine.dispose()


def reply_rows(sb: Any, n: int, *, offset: int = 0, **common: Any) -> list[dict[str, Any]]:
    """n valid call tasks for n distinct sandbox contacts."""
    contacts = sb.contacts(n, offset)
    assert len(contacts) == n, f"the sandbox has fewer than {n + offset} contacts"
    return [
        {
            "request_id": f"req-{offset + i}",
            "contact_id": str(c["id"]),
            "task_type": "call",
            "start_at": START,
            "due_to": DUE,
            "body": "Call {{firstName}} about the renewal",
            **common,
        }
        for i, c in enumerate(contacts)
    ]


def reply_ledger(url: str) -> dict[str, dict[str, Any]]:
    return ledger(url, LEDGER_SCHEMA)


def creates(sb: Any) -> list[dict[str, Any]]:
    """The create calls the sandbox received (every answer, refusals and 429s included)."""
    return [e for e in sb.requests(CREATE) if e.get("method") == "POST"]


def tasks_per_request(sb: Any, rows: list[dict[str, Any]]) -> Counter[str]:
    """How many tasks the sandbox made for each request (rows have distinct contacts)."""
    by_contact = Counter(str(t["contactId"]) for t in sb.created())
    return Counter({r["request_id"]: by_contact[str(r["contact_id"])] for r in rows})


@pytest.fixture
def reply_push(push: Callable[..., PushSummary]) -> Callable[..., PushSummary]:
    """`run_push` into Reply against a sandbox (the sink tests' `push`, fresh pipelines folder
    every time), with the sandbox's API key unless another is given."""

    def run(sb: Any, **kwargs: Any) -> PushSummary:
        kwargs.setdefault("table", INPUT_TABLE)
        return push(sb, sink=REPLY_SINK, api_key=kwargs.pop("api_key", sb.api_key), **kwargs)

    return run


@pytest.fixture
def reply_cli(
    warehouse_url: str, tmp_path: Path
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """`sales-tasks push reply` in this process (`tests/cli_runner.py`), or as a real process with
    `process=True`; `crash=(point, n)` runs it as a real process under
    `tests/sink/crash_runner.py`, which SIGKILLs it at the n-th pass of that checkpoint."""

    def run(
        sb: Any,
        *args: str,
        env: dict[str, str] | None = None,
        crash: tuple[str, int] | None = None,
        process: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        full_env = subprocess_env(
            REPLY_API_KEY=sb.api_key,
            REPLY_BASE_URL=sb.base_url,
            DESTINATION__REPLY_TASKS__RECONCILE_WAIT_SECONDS="1",
            **(env or {}),
        )
        return push_cli(
            "reply", args, table=INPUT_TABLE, warehouse=warehouse_url,
            pipelines=tmp_path / "cli-pipelines", env=full_env, crash=crash, process=process,
        )  # fmt: skip

    return run
