"""End to end over real HTTP: `run_reply_extract` against the Reply sandbox into real DuckDB and
PostgreSQL. Every task lands once with typed values and enum names; numeric and string enums
land the same; both auth schemes; paging by hasMore (incl. a stale last hasMore and a clamped
page); the list endpoint fallback; the pacing by the plan's limits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from pipelines.extract_reply import ReplyExtractSummary, run_reply_extract
from sandbox.reply import ReplySandbox

TASKS = "/v3/tasks"
# Reply's names for the codes, as the brief (seed 004) spells them: written here, not imported.
TYPE_NAMES = {0: "toDo", 2: "call", 4: "meeting", 5: "linkedIn", 7: "manualEmail", 8: "sms"}
TYPE_NAMES[9] = "whatsApp"
STATUS_NAMES = {0: "New", 1: "Finished", 3: "Cancelled", 4: "Archived", 5: "SequenceDetached"}
LINKEDIN_NAMES = {0: "Message", 1: "Connect", 2: "InMail", 3: "ViewProfile"}


def extract(sb: ReplySandbox, tmp_path: Path, **kwargs: Any) -> ReplyExtractSummary:
    """`run_reply_extract` into `tmp_path/reply.duckdb` (unless told otherwise) from `sb`."""
    options: dict[str, Any] = {
        "duckdb_path": str(tmp_path / "tasks.duckdb"),
        "pipelines_dir": str(tmp_path / "pipelines"),
        "api_key": sb.api_key,
        "base_url": sb.base_url,
        **kwargs,
    }
    return run_reply_extract(**options)


def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql)).fetchall()]
    finally:
        engine.dispose()


def duckdb_url(tmp_path: Path) -> str:
    return f"duckdb:///{tmp_path / 'tasks.duckdb'}"


def served(sb: ReplySandbox, scheme: str | None = None) -> list[dict[str, Any]]:
    """Every task as the sandbox lists it, read with plain httpx (no code under test)."""
    out: list[dict[str, Any]] = []
    with httpx.Client(base_url=sb.base_url, headers=sb.auth_headers(scheme=scheme)) as http:
        while True:
            page = http.get(TASKS, params={"top": 100, "skip": len(out)})
            page.raise_for_status()
            out.extend(page.json()["items"])
            if not page.json()["items"] or not page.json()["hasMore"]:
                return out


def list_calls(sb: ReplySandbox) -> list[dict[str, Any]]:
    return [r for r in sb.requests() if r["path"] in (TASKS, f"{TASKS}/filter")]


def _utc(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text).astimezone(dt.UTC)


def _aware(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC) if isinstance(value, dt.datetime) else value


WAREHOUSES = ["duckdb", "postgres"]


def warehouse_for(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    """How to extract into the warehouse `request.param` names, and its SQLAlchemy URL."""
    if request.param == "duckdb":
        return {"options": {}, "url": duckdb_url(tmp_path)}
    url = request.getfixturevalue("postgres_url")
    return {"options": {"destination": "postgres", "credentials": url}, "url": url}


@pytest.fixture(params=WAREHOUSES)
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    return warehouse_for(request, tmp_path)


COLUMNS = (
    "id, contact_id, task_type, task_type_name, status, status_name, linkedin_task_type,"
    " linkedin_task_type_name, source, assigned_user_id, sequence_id, sequence_step_name,"
    " created_at, start_at, due_to, completed_at, is_failed, is_scheduled, subject, body,"
    " delivery_email, delivery_phone, delivery_url, extra_fields"
)


def test_every_task_lands_once_typed_with_enum_names(
    reply_sandbox: ReplySandbox, warehouse: dict[str, Any], tmp_path: Path
) -> None:
    summary = extract(reply_sandbox, tmp_path, **warehouse["options"])
    tasks = {t["id"]: t for t in served(reply_sandbox)}
    assert summary.complete and summary.removed == 0 and summary.tasks_seen == len(tasks) == 300
    loaded = rows(warehouse["url"], f"SELECT {COLUMNS} FROM reply.tasks")
    assert len(loaded) == len({r[0] for r in loaded}) == 300
    for row in loaded:
        (task_id, contact, ttype, tname, status, sname, li, liname, source, user, seq, step,
         created, start, due, done, failed, scheduled, subject, body,
         email, phone, url, extra) = row  # fmt: skip
        t = tasks[task_id]
        assert isinstance(task_id, int) and (contact, user) == (t["contactId"], t["assignedUserId"])
        assert (ttype, tname) == (t["taskType"], TYPE_NAMES[t["taskType"]])
        assert (status, sname) == (t["status"], STATUS_NAMES[t["status"]])
        assert li == t["linkedInTaskType"]
        assert liname == (LINKEDIN_NAMES[li] if li is not None else None)
        assert (source, seq, step) == (t["source"], t["sequenceId"], t["sequenceStepName"])
        assert [_aware(v) for v in (created, start, due, done)] == [
            _utc(t[k]) for k in ("createdAt", "startAt", "dueTo", "completedAt")
        ]
        assert (failed, scheduled) == (t["isFailed"], t["isScheduled"])
        assert (subject, body) == (t["template"]["subject"], t["template"]["body"])
        delivery = t["delivery"] or {}
        assert (email, phone, url) == (
            delivery.get("email"),
            delivery.get("phone"),
            delivery.get("linkedInUrl"),
        )
        assert extra is None
    assert any("{{" in r[19] for r in loaded)  # handlebars kept verbatim
    runs = rows(
        warehouse["url"],
        "SELECT complete, end_reached, pages, requests, removed, tasks_seen FROM"
        " reply.extract_runs",
    )
    assert runs == [(True, True, summary.pages, summary.requests, 0, 300)]
    assert rows(warehouse["url"], "SELECT count(*) FROM reply._reply_seen_task_ids") == [(300,)]


def test_numeric_and_string_enums_land_the_same(make_reply_sandbox: Any, tmp_path: Path) -> None:
    as_numbers = make_reply_sandbox(anchor_date="2026-06-01T00:00:00Z")
    as_strings = make_reply_sandbox(anchor_date="2026-06-01T00:00:00Z", enum_answers="strings")
    assert isinstance(served(as_strings)[0]["taskType"], str)  # the switch is on
    loaded = []
    for name, sb in (("numbers", as_numbers), ("strings", as_strings)):
        folder = tmp_path / name
        folder.mkdir()
        assert extract(sb, folder).complete
        loaded.append(rows(duckdb_url(folder), f"SELECT {COLUMNS} FROM reply.tasks ORDER BY id"))
    assert len(loaded[0]) == 300 and loaded[0] == loaded[1]


@pytest.mark.parametrize("scheme", ["bearer", "x-api-key"])
def test_both_auth_schemes(make_reply_sandbox: Any, tmp_path: Path, scheme: str) -> None:
    sb = make_reply_sandbox(tasks=40, auth_scheme=scheme)
    summary = extract(sb, tmp_path, auth_scheme=scheme)
    assert summary.complete and summary.rows["tasks"] == 40
    headers = {r["auth_header"] for r in list_calls(sb)}
    assert headers == {"authorization" if scheme == "bearer" else "x-api-key"}


def test_organization_key_acts_for_a_user(make_reply_sandbox: Any, tmp_path: Path) -> None:
    sb = make_reply_sandbox(tasks=20)
    user = sb.users()[1]
    summary = extract(sb, tmp_path, api_key=sb.org_key, user_email=user["email"])
    assert summary.complete and summary.rows["tasks"] == 20
    assert {r["acting_user"] for r in list_calls(sb)} == {user["email"]}


def test_paging_by_has_more_skip_by_rows_received_and_a_stale_last_has_more(
    make_reply_sandbox: Any, tmp_path: Path
) -> None:
    # The sandbox serves at most 40 rows a page (asked for 100) and its last page says hasMore.
    sb = make_reply_sandbox(tasks=130, page_cap=40, over_cap="clamp", stale_has_more=True)
    summary = extract(sb, tmp_path, top=100)
    assert summary.complete and summary.stale_has_more and summary.rows["tasks"] == 130
    scan = [int(r["query"]["skip"]) for r in list_calls(sb)]
    # 40, 40, 40, 10 rows, then the empty page the stale flag asked for, then the re-read.
    assert scan == [0, 40, 80, 120, 130, 0]
    assert "still said hasMore" in summary.format()
    ids = rows(duckdb_url(tmp_path), "SELECT id FROM reply.tasks")
    assert sorted(i for (i,) in ids) == sorted(t["id"] for t in served(sb))


@pytest.mark.parametrize(
    ("mode", "asked", "used"),
    [("filter", "get", "filter"), ("get", "filter", "get"), ("filter", "filter", "filter")],
    ids=["get-missing-falls-back", "filter-missing-falls-back", "filter-asked"],
)
def test_list_endpoint_and_its_fallback(
    make_reply_sandbox: Any, tmp_path: Path, mode: str, asked: str, used: str
) -> None:
    sb = make_reply_sandbox(tasks=60, list_mode=mode)
    summary = extract(sb, tmp_path, list_endpoint=asked, top=50)
    assert summary.complete and summary.rows["tasks"] == 60 and summary.list_endpoint == used
    ok = [r for r in list_calls(sb) if r["status"] == 200]
    assert {r["method"] for r in ok} == {"GET" if used == "get" else "POST"}
    assert (used != asked) == any("instead" in w for w in summary.warnings)


def test_pacing_by_the_plans_limits_is_shown(make_reply_sandbox: Any, tmp_path: Path) -> None:
    sb = make_reply_sandbox(tasks=70)
    lines: list[str] = []
    summary = extract(
        sb,
        tmp_path,
        top=10,
        rate_limits="3/1",  # a plan of 3 requests a second: 7 pages and a re-read wait twice
        progress=True,
        progress_options={"emit": lines.append, "interval": 0.2},
    )
    assert summary.complete and summary.requests == 8
    assert summary.paced_seconds >= 1.5 and "paced by Reply's limits" in summary.format()
    assert any("paced" in line for line in lines) and lines[-1].startswith("reply extract")
    times = sorted(r["timestamp"] for r in list_calls(sb))
    assert all(b - a >= 0.9 for a, b in zip(times, times[3:], strict=False))
    paced = rows(duckdb_url(tmp_path), "SELECT paced_seconds FROM reply.extract_runs")
    assert paced[0][0] >= 1.5


def test_429s_wait_their_retry_after_and_the_scan_completes(
    make_reply_sandbox: Any, tmp_path: Path
) -> None:
    # Reply allows 4 calls a second here; our plan setting pretends there is no limit.
    sb = make_reply_sandbox(
        tasks=120,
        rate_limits={"minute": 4, "hour": 3000},
        rate_window_seconds={"minute": 1.0, "hour": 3600.0},
    )
    summary = extract(sb, tmp_path, top=10, rate_limits="1000/1")
    assert summary.complete and summary.rows["tasks"] == 120
    calls = list_calls(sb)
    refused = [c for c in calls if c["status"] == 429]
    assert summary.rate_limited == len(refused) > 0
    answered = [int(c["query"]["skip"]) for c in calls if c["status"] == 200]
    assert answered == [*range(0, 120, 10), 0]  # every page once, in order, then the re-read
    ids = rows(duckdb_url(tmp_path), "SELECT count(DISTINCT id) FROM reply.tasks")
    assert ids == [(120,)]
