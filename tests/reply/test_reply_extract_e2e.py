"""End to end over real HTTP: `run_extract("reply")` against the Reply sandbox into real DuckDB and
PostgreSQL. Every task lands once from the list's summary shape (contact id and name, finish
time, enum codes and names); the team's users land in `users`; numeric and string enums land
the same; both auth schemes; paging by hasMore (incl. a stale last hasMore and a clamped page);
the list endpoint fallback and the filter's window; the pacing by the plan's limits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from sales_tasks.pipelines.extract import run_extract
from sales_tasks.sandbox.reply import ReplySandbox
from sales_tasks.sources.reply.spec import ReplyExtractSummary

TASKS = "/v3/tasks"
# Reply's v3 names and the older pages' codes (VENDOR-SPECS §1.4): written here, not imported.
TYPE_CODES = {"toDo": 0, "call": 2, "meeting": 4, "linkedIn": 5, "manualEmail": 7, "sms": 8}
TYPE_CODES["whatsApp"] = 9
STATUS_CODES = {"new": 0, "finished": 1, "cancelled": 3, "archived": 4, "sequenceDetached": 5}
LINKEDIN_CODES = {"message": 0, "connect": 1, "inMail": 2, "viewProfile": 3}


def extract(sb: ReplySandbox, tmp_path: Path, **kwargs: Any) -> ReplyExtractSummary:
    """`run_extract("reply")` into `tmp_path/reply.duckdb` (unless told otherwise) from `sb`."""
    options: dict[str, Any] = {
        "duckdb_path": str(tmp_path / "tasks.duckdb"),
        "pipelines_dir": str(tmp_path / "pipelines"),
        "api_key": sb.api_key,
        "base_url": sb.base_url,
        **kwargs,
    }
    summary: ReplyExtractSummary = run_extract("reply", **options)
    return summary


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
    with httpx.Client(
        verify=False, base_url=sb.base_url, headers=sb.auth_headers(scheme=scheme)
    ) as http:
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
    "id, contact_id, contact_name, task_type, task_type_name, status, status_name,"
    " linkedin_task_type, linkedin_task_type_name, assigned_user_id, sequence_id,"
    " sequence_step_id, start_at, due_to, completed_at, is_scheduled, extra_fields"
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
        (task_id, contact, contact_name, ttype, tname, status, sname, li, liname, user, seq, step,
         start, due, done, scheduled, extra) = row  # fmt: skip
        t = tasks[task_id]
        assert isinstance(task_id, int) and user == t["assignedUserId"]
        assert (contact, contact_name) == (t["contact"]["id"], t["contact"]["fullName"])
        assert (ttype, tname) == (TYPE_CODES[t["taskType"]], t["taskType"])
        assert (status, sname) == (STATUS_CODES[t["status"]], t["status"])
        assert liname == t["linkedInTaskType"]
        assert li == (LINKEDIN_CODES[liname] if liname is not None else None)
        assert (seq, step, scheduled) == (t["sequenceId"], t["sequenceStepId"], t["isScheduled"])
        assert [_aware(v) for v in (start, due, done)] == [
            _utc(t[k]) for k in ("startAt", "dueTo", "finishedAt")
        ]
        assert extra is None
    assert {r[2] for r in loaded if r[2] is not None} and any(r[14] for r in loaded)
    runs = rows(
        warehouse["url"],
        "SELECT complete, end_reached, pages, requests, removed, tasks_seen, list_stable, users"
        " FROM reply.extract_runs",
    )
    users = reply_sandbox.users()
    assert runs == [(True, True, summary.pages, summary.requests, 0, 300, True, len(users))]
    assert rows(warehouse["url"], "SELECT count(*) FROM reply._reply_seen_task_ids") == [(300,)]
    loaded_users = rows(warehouse["url"], "SELECT id, name, email, team_id FROM reply.users")
    assert sorted(loaded_users) == sorted(
        (u["id"], f"{u['firstName']} {u['lastName']}", u["email"], 7001) for u in users
    )


def test_numeric_and_string_enums_land_the_same(make_reply_sandbox: Any, tmp_path: Path) -> None:
    as_numbers = make_reply_sandbox(anchor_date="2026-06-01T00:00:00Z", enum_answers="numbers")
    as_strings = make_reply_sandbox(anchor_date="2026-06-01T00:00:00Z")
    assert isinstance(served(as_numbers)[0]["taskType"], int)  # the switch is on
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
    # 40, 40, 40, 10 rows, then the empty page the stale flag asked for; then the second pass.
    assert scan == [0, 40, 80, 120, 130] * 2
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
        rate_limits="5/1",  # 5 requests a second: users, 7 pages, 7 again for the proof
        progress=True,
        progress_options={"emit": lines.append, "interval": 0.2},
    )
    assert summary.complete and summary.requests == 15 and summary.pages == 7
    assert summary.paced_seconds >= 1.5 and "paced by Reply's limits" in summary.format()
    assert any("paced" in line for line in lines) and lines[-1].startswith("reply extract")
    times = sorted(r["timestamp"] for r in list_calls(sb))
    assert all(b - a >= 0.9 for a, b in zip(times, times[5:], strict=False))
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
    refused = [c for c in sb.requests() if c["status"] == 429]  # team-users too
    assert summary.rate_limited == len(refused) > 0
    answered = [int(c["query"]["skip"]) for c in calls if c["status"] == 200]
    assert answered == [*range(0, 120, 10)] * 2  # every page once, in order, then the proof
    ids = rows(duckdb_url(tmp_path), "SELECT count(DISTINCT id) FROM reply.tasks")
    assert ids == [(120,)]


@pytest.mark.parametrize("to", [None, "2099-12-31T23:59:59Z"])
def test_the_filter_window_is_sent_wide_so_a_task_far_ahead_is_read(
    make_reply_sandbox: Any, tmp_path: Path, to: str | None
) -> None:
    # The filter keeps tasks whose startAt is within [from, to], by default up to a year from
    # now (RS @1,710,000): a task the push may create for 2099 must still be read.
    sb = make_reply_sandbox(tasks=30)
    far = sb.add_task(
        taskType="call",
        startAt="2099-06-01T09:00:00Z",
        dueTo="2099-06-02T09:00:00Z",
        template={"body": "Call far ahead"},
        contactId=sb.contacts(1)[0]["id"],
    )
    default_window = httpx.post(
        f"{sb.base_url}/v3/tasks/filter",
        headers=sb.auth_headers(),
        params={"top": 1000},
        json={} if to is None else {"to": to},
    ).json()["items"]
    assert (far["id"] in [t["id"] for t in default_window]) is (to is not None)
    sb.clear_requests()
    summary = extract(sb, tmp_path, list_endpoint="filter")
    assert summary.complete and summary.rows["tasks"] == 31
    ids = {i for (i,) in rows(duckdb_url(tmp_path), "SELECT id FROM reply.tasks")}
    assert far["id"] in ids
    sent = {(r["body"] or {}).get("to") for r in list_calls(sb) if r["method"] == "POST"}
    assert sent == {"9999-12-31T00:00:00Z"}


def test_the_unified_views_show_reply_owners_by_name_and_email(
    reply_sandbox: ReplySandbox, tmp_path: Path
) -> None:
    # Reply's tasks name their owner only by `assignedUserId`; `whoami/team-users` gives the
    # names and emails, which the unified views join (VENDOR-SPECS §1.6).
    assert extract(reply_sandbox, tmp_path).complete
    users = {u["id"]: u for u in reply_sandbox.users()}
    owners = rows(
        duckdb_url(tmp_path),
        "SELECT DISTINCT owner_id, owner_name, owner_email FROM sales_tasks.all_tasks"
        " WHERE vendor = 'reply'",
    )
    assert owners and {int(i) for i, _, _ in owners} <= set(users)
    for owner_id, name, email in owners:
        user = users[int(owner_id)]
        assert (name, email) == (f"{user['firstName']} {user['lastName']}", user["email"])
    per_owner = rows(
        duckdb_url(tmp_path),
        "SELECT owner FROM sales_tasks.open_by_owner WHERE vendor = 'reply'",
    )
    assert per_owner and all("@" in o for (o,) in per_owner)  # emails, not numbers
