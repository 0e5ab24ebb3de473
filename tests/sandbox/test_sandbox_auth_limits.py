"""Contract tests of the sandbox's auth, rate limits and usage stats."""

from __future__ import annotations

import json

import httpx
import pytest

SEARCH = "/api/v1/tasks/search"
MASTER_ONLY = [
    ("POST", SEARCH, "api/v1/tasks/search"),
    ("POST", "/api/v1/tasks", "api/v1/tasks"),
    ("POST", "/api/v1/tasks/bulk_create", "api/v1/tasks/bulk_create"),
    ("GET", "/api/v1/users/search", "api/v1/users/search"),
]


def assert_401(resp: httpx.Response) -> None:
    assert resp.status_code == 401
    assert resp.headers["content-type"].startswith("text/plain")
    assert resp.text == "Invalid access credentials."


def test_missing_and_unknown_key_401(sandbox) -> None:
    with httpx.Client(verify=False, base_url=sandbox.base_url) as bare:
        assert_401(bare.post(SEARCH))
        assert_401(bare.post(SEARCH, headers={"x-api-key": "not-a-key"}))


def test_bearer_header_401_even_with_valid_key(sandbox) -> None:
    with httpx.Client(verify=False, base_url=sandbox.base_url) as bare:
        assert_401(bare.post(SEARCH, headers={"Authorization": f"Bearer {sandbox.master_key}"}))
        both = {"Authorization": f"Bearer {sandbox.master_key}", "x-api-key": sandbox.master_key}
        assert_401(bare.post(SEARCH, headers=both))


def test_key_in_query_or_body_not_accepted_and_redacted(sandbox) -> None:
    with httpx.Client(verify=False, base_url=sandbox.base_url) as bare:
        assert_401(bare.post(f"{SEARCH}?api_key={sandbox.master_key}"))
        assert_401(bare.post(SEARCH, json={"api_key": sandbox.master_key, "per_page": 5}))
    log = sandbox.requests(SEARCH)
    assert [e["status"] for e in log] == [401, 401]
    assert log[0]["query"] == {"api_key": "[REDACTED]"}
    assert log[1]["body"] == {"api_key": "[REDACTED]", "per_page": 5}
    assert all(e["key_header_present"] is False for e in log)
    assert sandbox.master_key not in json.dumps(sandbox.requests())


@pytest.mark.parametrize(("method", "path", "name"), MASTER_ONLY)
def test_plain_key_403_on_master_endpoints(sandbox, client_for, method, path, name) -> None:
    plain = client_for(sandbox, key=sandbox.plain_key)
    resp = plain.request(method, path, json={})
    assert resp.status_code == 403
    assert resp.json() == {
        "error": f"{name} is not accessible with this api_key",
        "error_code": "API_INACCESSIBLE",
    }


def test_plain_key_works_on_contacts(sandbox, client_for) -> None:
    plain = client_for(sandbox, key=sandbox.plain_key)
    assert plain.post("/api/v1/contacts/search", json={}).status_code == 200


@pytest.mark.parametrize("keys", ["master", "any"])
def test_usage_stats_need_a_master_key_unless_switched(make_sandbox, client_for, keys) -> None:
    """VENDOR-SPECS 3.5: usage stats "(master key)"; `usage_stats_keys=any` serves any key."""
    sb = make_sandbox(usage_stats_keys=keys)
    resp = client_for(sb, key=sb.plain_key).post("/api/v1/usage_stats/api_usage_stats")
    if keys == "master":
        assert resp.status_code == 403
        assert resp.json() == {
            "error": "api/v1/usage_stats/api_usage_stats is not accessible with this api_key",
            "error_code": "API_INACCESSIBLE",
        }
    else:
        assert resp.status_code == 200 and '["api/v1/tasks", "search"]' in resp.json()
    master = client_for(sb).post("/api/v1/usage_stats/api_usage_stats")
    assert master.status_code == 200


@pytest.mark.parametrize(("mode", "left_over"), [("computed", 999_998), ("limit", 1_000_000)])
def test_usage_stats_left_over_switch(make_sandbox, client_for, mode, left_over) -> None:
    """The spec's example echoes `limit` as `left_over` with calls consumed: a switch."""
    sb = make_sandbox(usage_left_over=mode)
    api = client_for(sb)
    api.post(SEARCH)
    api.post(SEARCH)
    hour = api.post("/api/v1/usage_stats/api_usage_stats").json()['["api/v1/tasks", "search"]']
    assert hour["hour"] == {"limit": 1_000_000, "consumed": 2, "left_over": left_over}


def test_rate_limit_headers_current_scheme(api: httpx.Client) -> None:
    first = api.post(SEARCH).headers
    second = api.post(SEARCH).headers
    assert first["x-rate-limit-minute"] == "100000" and first["x-minute-usage"] == "1"
    assert second["x-minute-usage"] == "2" and second["x-minute-requests-left"] == "99998"
    for name in (
        "x-rate-limit-hourly",
        "x-rate-limit-24-hour",
        "x-hourly-usage",
        "x-24-hour-usage",
        "x-hourly-requests-left",
        "x-24-hour-requests-left",
    ):
        assert name in second
    assert "x-rate-limit-daily" not in second


def test_rate_limit_headers_legacy_scheme(make_sandbox, client_for) -> None:
    api = client_for(make_sandbox(header_scheme="legacy", rate_limits={"day": 50}))
    headers = api.post(SEARCH).headers
    assert headers["x-rate-limit-daily"] == "50"
    assert headers["x-daily-usage"] == "1" and headers["x-daily-requests-left"] == "49"
    assert "x-rate-limit-24-hour" not in headers


def test_429_with_retry_after_and_no_quota_consumed(make_sandbox, client_for) -> None:
    sb = make_sandbox(rate_limits={"minute": 3}, rate_window_seconds={"minute": 30})
    api = client_for(sb)
    assert [api.post(SEARCH).status_code for _ in range(3)] == [200, 200, 200]
    over = api.post(SEARCH)
    assert over.status_code == 429
    # Recorded 429s are plain text and carry the rate headers like a success does.
    assert over.headers["content-type"].startswith("text/plain")
    assert over.text.startswith(
        "The maximum number of api calls allowed for api/v1/tasks/search is 3 times per minute."
    )
    assert 1 <= int(over.headers["retry-after"]) <= 30
    assert over.headers["x-rate-limit-minute"] == "3"
    assert over.headers["x-minute-requests-left"] == "0"
    assert over.headers["x-minute-usage"] == "3"
    assert over.headers["x-24-hour-requests-left"] == str(10_000_000 - 3)
    # other endpoints have their own counters
    assert api.post("/api/v1/contacts/search").status_code == 200
    stats = api.post("/api/v1/usage_stats/api_usage_stats").json()
    assert stats['["api/v1/tasks", "search"]']["minute"] == {
        "limit": 3,
        "consumed": 3,  # the 429 did not count
        "left_over": 0,
    }


def test_window_resets_with_one_second_windows(make_sandbox, client_for) -> None:
    sb = make_sandbox(rate_limits={"minute": 2}, rate_window_seconds={"minute": 1})
    sb.freeze_clock()  # no window edge falls between the calls
    api = client_for(sb)
    assert [api.post(SEARCH).status_code for _ in range(3)] == [200, 200, 429]
    sb.advance_clock(1)
    assert api.post(SEARCH).status_code == 200


def test_retry_after_switch_and_endpoint_override(make_sandbox, client_for) -> None:
    sb = make_sandbox(
        retry_after_header=False,
        rate_limit_body="json",
        endpoint_rate_limits={"api/v1/tasks/search": {"hour": 1}},
    )
    api = client_for(sb)
    assert api.post(SEARCH).headers["x-rate-limit-hourly"] == "1"
    over = api.post(SEARCH)
    assert over.status_code == 429 and "retry-after" not in over.headers
    assert "1 times per hour" in over.json()["message"]  # the docs' JSON form
    assert api.post("/api/v1/contacts/search").status_code == 200


def test_401_and_403_do_not_consume_quota(sandbox, client_for) -> None:
    plain = client_for(sandbox, key=sandbox.plain_key)
    plain.post(SEARCH)
    client_for(sandbox, key="wrong").post(SEARCH)
    stats = client_for(sandbox).post("/api/v1/usage_stats/api_usage_stats").json()
    assert stats['["api/v1/tasks", "search"]']["day"]["consumed"] == 0


def test_usage_stats_shape(api: httpx.Client) -> None:
    api.post(SEARCH)
    stats = api.post("/api/v1/usage_stats/api_usage_stats").json()
    assert '["api/v1/tasks", "bulk_create"]' in stats and '["api/v1/users", "search"]' in stats
    entry = stats['["api/v1/tasks", "search"]']
    assert set(entry) == {"minute", "hour", "day"}
    assert entry["hour"] == {"limit": 1_000_000, "consumed": 1, "left_over": 999_999}


def test_configure_rate_limits_live(sandbox, api: httpx.Client) -> None:
    sandbox.configure(rate_limits={"minute": 1})
    assert api.post(SEARCH).status_code == 200
    assert api.post(SEARCH).status_code == 429
    sandbox.reset()  # counters too
    assert api.post(SEARCH).status_code == 200
