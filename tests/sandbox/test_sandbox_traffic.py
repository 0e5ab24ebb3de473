"""Real Apollo traffic, played by the sandbox and handled by the client (issue #10 item 6).

Each test replays one thing recorded from real clients and the real API (NOTES.md, "What recorded
real traffic shows"): first that the sandbox accepts and answers it as recorded, then that the
product copes with it end to end (over real HTTP, into real DuckDB).
"""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import duckdb
import httpx
import orjson
import pytest

from sales_tasks.pipelines.cli import EXIT_ERROR, main
from sales_tasks.pipelines.extract import run_extract
from sales_tasks.sandbox import Sandbox

SEARCH = "/api/v1/tasks/search"
CREATE = "/api/v1/tasks"
BULK = "/api/v1/tasks/bulk_create"
UNDOCUMENTED_TASK_KEYS = {"call_script", "relevant_fields", "pending_send"}


def _ids(tasks: list[dict[str, Any]]) -> list[str]:
    return [t["id"] for t in tasks]


def _task(sb: Sandbox, **changes: Any) -> dict[str, Any]:
    body = {
        "user_id": sb.users()[0]["id"],
        "contact_id": sb.contacts(1)[0]["id"],
        "type": "call",
        "status": "scheduled",
        "due_at": "2030-01-01T09:00:00Z",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


# -- requests as real clients send them --------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/v1/tasks/search"), ("GET", "/api/v1/tasks/search"),
     ("POST", "/v1/tasks/search")],
)  # fmt: skip
def test_search_by_get_or_post_under_either_prefix_pages_alike(
    make_sandbox: Any, client_for: Any, method: str, path: str
) -> None:
    """As recorded: paging honoured in the query and (`body_paging=honour`) in a JSON body."""
    api = client_for(make_sandbox(body_paging="honour"))
    reference = api.post(SEARCH, params={"page": 3, "per_page": 7}).json()
    assert len(reference["tasks"]) == 7
    in_query = api.request(method, path, params={"page": 3, "per_page": 7})
    in_body = api.request(method, path, json={"page": 3, "per_page": 7})
    as_strings = api.request(method, path, json={"page": "3", "per_page": "7"})
    for resp in (in_query, in_body, as_strings):
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert _ids(body["tasks"]) == _ids(reference["tasks"])
        assert body["pagination"]["page"] == 3 and body["pagination"]["per_page"] == 7


def test_bare_get_answers_10_per_page_and_post_the_configured_default(
    make_sandbox: Any, client_for: Any
) -> None:
    sb = make_sandbox(get_default_per_page=10, default_per_page=25)
    api = client_for(sb)
    got = api.get(SEARCH).json()
    assert len(got["tasks"]) == 10 and got["pagination"]["per_page"] == 10
    assert len(api.post(SEARCH).json()["tasks"]) == 25
    assert len(api.request("GET", "/v1/tasks/search?open_factor_names[]=task_types").json()[
        "tasks"]) == 10  # fmt: skip


def test_key_array_filters_in_the_query_string(api: httpx.Client, sandbox: Sandbox) -> None:
    users = [u["id"] for u in sandbox.users()[:2]]
    query = "&".join(f"user_ids[]={u}" for u in users) + "&per_page=100"
    body = api.post(f"{SEARCH}?{query}").json()
    assert body["tasks"] and {t["user_id"] for t in body["tasks"]} <= set(users)
    assert [c["value"] for c in body["breadcrumbs"]] == users
    owned = [
        t["id"]
        for page in (1, 2, 3)
        for t in api.post(SEARCH, params={"per_page": 100, "page": page}).json()["tasks"]
        if t["user_id"] in users
    ]
    assert body["pagination"]["total_entries"] == len(owned) < 300
    assert set(_ids(body["tasks"])) <= set(owned) and len(body["tasks"]) == min(100, len(owned))


def test_bulk_create_takes_contact_ids_from_the_query_or_a_json_array(
    api: httpx.Client, sandbox: Sandbox
) -> None:
    contacts = [c["id"] for c in sandbox.contacts(4)]
    base = _task(sandbox, contact_id=None)
    in_query = api.post(BULK, params=[*base.items(), *(("contact_ids[]", c) for c in contacts[:2])])
    as_array = api.post("/v1/tasks/bulk_create", json={**base, "contact_ids": contacts[2:]})
    assert in_query.status_code == as_array.status_code == 200
    made = in_query.json()["tasks"] + as_array.json()["tasks"]
    assert [t["contact_id"] for t in made] == contacts
    assert [c["contact_id"] for c in sandbox.created()] == contacts


def test_create_without_status_is_stored_as_null(api: httpx.Client, sandbox: Sandbox) -> None:
    resp = api.post(CREATE, json=_task(sandbox, status=None))
    assert resp.status_code == 200, resp.text
    task = resp.json()["task"]
    assert task["status"] is None and task["completed_at"] is None and task["skipped_at"] is None
    assert sandbox.task(task["id"])["status"] is None
    served = api.post(SEARCH, params={"per_page": 100}).json()["tasks"]
    assert [t["status"] for t in served if t["id"] == task["id"]] == [None]


def test_create_requires_status_switch_plays_the_docs(make_sandbox: Any, client_for: Any) -> None:
    sb = make_sandbox(create_requires_status=True)
    resp = client_for(sb).post(CREATE, json=_task(sb, status=None))
    assert resp.status_code == 422 and resp.json() == {"error": "status can not be blank"}
    assert sb.created() == []


# -- answers as recorded -------------------------------------------------------------------------


def test_create_answers_task_and_team(api: httpx.Client, sandbox: Sandbox) -> None:
    body = api.post("/v1/tasks", json=_task(sandbox)).json()
    assert set(body) == {"task", "team"}
    team_id = sandbox.users()[0]["team_id"]
    assert body["team"] == {"id": team_id, "tasks_finder_empty": False}
    assert body["task"]["id"] == sandbox.created()[0]["id"]


def test_hourly_and_daily_429s_are_plain_text_and_say_their_window(
    make_sandbox: Any, client_for: Any
) -> None:
    sb = make_sandbox(endpoint_rate_limits={"api/v1/tasks/search": {"hour": 1},
                                            "api/v1/users/search": {"day": 1}})  # fmt: skip
    api = client_for(sb)
    assert (
        api.post(SEARCH).status_code == 200 and api.get("/api/v1/users/search").status_code == 200
    )
    hourly, daily = api.post(SEARCH), api.get("/v1/users/search")
    assert hourly.status_code == daily.status_code == 429
    assert hourly.headers["content-type"].startswith("text/plain")
    assert "api/v1/tasks/search is 1 times per hour" in hourly.text
    assert "api/v1/users/search is 1 times per day" in daily.text
    assert 1 <= int(hourly.headers["retry-after"]) <= 3600
    assert 1 <= int(daily.headers["retry-after"]) <= 86400
    assert hourly.headers["x-hourly-requests-left"] == "0"
    assert daily.headers["x-24-hour-requests-left"] == "0"
    assert "x-daily-requests-left" not in daily.headers  # the live names, not the documented ones


def test_answers_carry_undocumented_keys(api: httpx.Client, sandbox: Sandbox) -> None:
    body = api.post(
        SEARCH, params={"per_page": 100}, json={"open_factor_names": ["task_types"]}
    ).json()
    assert all(set(t) >= UNDOCUMENTED_TASK_KEYS for t in body["tasks"])
    created = api.post(CREATE, json=_task(sandbox)).json()["task"]
    assert set(created) >= UNDOCUMENTED_TASK_KEYS
    # The overdue facet counts scheduled tasks due before now, over the whole search.
    tasks = []
    for page in range(1, body["pagination"]["total_pages"] + 1):
        tasks += api.post(SEARCH, params={"per_page": 100, "page": page}).json()["tasks"]
    now = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    overdue = sum(1 for t in tasks if t["status"] == "scheduled" and t["due_at"][:19] < now)
    facet = api.post(SEARCH, json={"open_factor_names": ["task_types"]}).json()["faceting"]
    assert facet["overdue_tasks"] == [
        {"value": "overdue", "display_name": "Overdue", "count": overdue}
    ]
    assert 0 < overdue < len(tasks)


# -- the client handles it -----------------------------------------------------------------------


def _extract(sb: Sandbox, tmp_path: Path, **kwargs: Any) -> Any:
    return run_extract(
        duckdb_path=str(tmp_path / "tasks.duckdb"),
        pipelines_dir=str(tmp_path / "pipelines"),
        api_key=sb.master_key,
        base_url=sb.base_url,
        **kwargs,
    )


def _rows(tmp_path: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(tmp_path / "tasks.duckdb"), read_only=True) as con:
        return con.sql(sql).fetchall()


def test_unknown_keys_and_null_status_are_kept(
    sandbox: Sandbox, api: httpx.Client, tmp_path: Path
) -> None:
    made = api.post(CREATE, json=_task(sandbox, status=None)).json()["task"]
    summary = _extract(sandbox, tmp_path)
    assert summary.complete
    rows = _rows(tmp_path, "SELECT id, status, extra_fields FROM apollo.tasks")
    assert len(rows) == 301 and len({r[0] for r in rows}) == 301
    for _, _, extra in rows:
        assert orjson.loads(extra) == {
            "call_script": None, "relevant_fields": [], "pending_send": False
        }  # fmt: skip
    assert [r[1] for r in rows if r[0] == made["id"]] == [None]


def test_spent_hourly_quota_ends_the_extract_at_once_with_its_reset(
    make_sandbox: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An "hour" that ends years from now: the reset is always past the wait the client accepts.
    # Told to use what is left, the run is not refused after its first page (exit 7,
    # tests/incremental/test_apollo_quota.py): it reaches Apollo's refusal.
    sb = make_sandbox(
        endpoint_rate_limits={"api/v1/tasks/search": {"hour": 2}},
        rate_window_seconds={"minute": 60, "hour": 1e9, "day": 2e9},
    )
    monkeypatch.setenv("APOLLO_API_KEY", sb.master_key)
    started = time.monotonic()
    code = main(
        ["extract", "--base-url", sb.base_url, "--duckdb-path", str(tmp_path / "t.duckdb"),
         "--pipelines-dir", str(tmp_path / "p"), "--per-page", "100", "--use-remaining-quota"]
    )  # fmt: skip
    took = time.monotonic() - started
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert code == EXIT_ERROR and len(lines) == 1, err
    assert "Apollo hourly quota for api/v1/tasks/search is spent" in lines[0]
    assert "resets at " in lines[0] and "UTC (in " in lines[0]
    assert "Traceback" not in err and sb.master_key not in err
    searches = [r for r in sb.requests("/api/v1/tasks/search")]
    assert [r["status"] for r in searches].count(429) == 1  # no retries burnt on it
    assert took < 30


def test_spent_quota_without_retry_after_still_ends_at_once(
    make_sandbox: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sb = make_sandbox(
        retry_after_header=False, endpoint_rate_limits={"api/v1/tasks/search": {"day": 1}}
    )
    monkeypatch.setenv("APOLLO_API_KEY", sb.master_key)
    code = main(
        ["extract", "--base-url", sb.base_url, "--duckdb-path", str(tmp_path / "t.duckdb"),
         "--pipelines-dir", str(tmp_path / "p"), "--per-page", "100", "--use-remaining-quota"]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert "Apollo daily quota for api/v1/tasks/search is spent" in err
    assert "it resets when the current day window ends" in err
    assert [r["status"] for r in sb.requests("/api/v1/tasks/search")].count(429) == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("api.apollo.io", "Apollo base URL 'api.apollo.io' is not an http(s) URL"),
        ("ftp://127.0.0.1:1", "Apollo base URL 'ftp://127.0.0.1:1' is not an http(s) URL"),
        ("closed", "(connection refused) after 3 tries: check the base URL"),
    ],
    ids=["no-scheme", "ftp", "closed-port"],
)
def test_unusable_base_url_is_one_line_in_seconds(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    base_url: str,
    expected: str,
) -> None:
    monkeypatch.setenv("APOLLO_API_KEY", "sandbox-master-key")
    url = f"http://127.0.0.1:{_closed_port()}" if base_url == "closed" else base_url
    started = time.monotonic()
    code = main(
        ["extract", "--base-url", url, "--duckdb-path", str(tmp_path / "t.duckdb"),
         "--pipelines-dir", str(tmp_path / "p")]
    )  # fmt: skip
    took = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], err
    assert took < 10, took
