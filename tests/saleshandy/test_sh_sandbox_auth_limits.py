"""The Saleshandy sandbox's auth (x-api-key; Bearer; 400-1001 or 401) and rate window
(`x-ratelimit-remaining`, `x-ratelimit-reset` as an HTTP date, `retry-after` on 429)."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

import pytest

TASKS = "/v1/tasks"


def test_the_key_in_x_api_key_is_accepted(saleshandy_sandbox, saleshandy_client) -> None:
    assert saleshandy_client(saleshandy_sandbox).get(TASKS).status_code == 200


@pytest.mark.parametrize("key", ["", "wrong-key"])
def test_a_missing_or_wrong_key_is_400_code_1001(saleshandy_sandbox, saleshandy_client, key):
    resp = saleshandy_client(saleshandy_sandbox, key=key).get(TASKS)
    assert resp.status_code == 400
    assert resp.json() == {"message": "Invalid token", "code": 1001}


def test_a_wrong_key_can_be_401(make_saleshandy_sandbox, saleshandy_client) -> None:
    sb = make_saleshandy_sandbox(invalid_key="401")
    resp = saleshandy_client(sb, key="wrong").post("/v1/tasks/create", json={})
    assert resp.status_code == 401
    assert resp.json() == {"message": "Unauthorized"}
    assert sb.created() == []


@pytest.mark.parametrize(("mode", "status"), [("refuse", 400), ("accept", 200)])
def test_bearer_is_refused_or_accepted(make_saleshandy_sandbox, saleshandy_client, mode, status):
    sb = make_saleshandy_sandbox(bearer=mode)
    api = saleshandy_client(sb, key="", headers={"authorization": f"Bearer {sb.api_key}"})
    assert api.get(TASKS).status_code == status
    entry = sb.requests(TASKS)[-1]
    assert entry["bearer_present"] is True and entry["key_header_present"] is False


def test_refusals_do_not_consume_quota(make_saleshandy_sandbox, saleshandy_client) -> None:
    sb = make_saleshandy_sandbox(rate_limit=3)
    for _ in range(5):
        saleshandy_client(sb, key="bad").get(TASKS)
    api = saleshandy_client(sb)
    assert [api.get(TASKS).headers["x-ratelimit-remaining"] for _ in range(3)] == ["2", "1", "0"]


def test_the_window_refuses_with_429_retry_after_and_recovers(
    make_saleshandy_sandbox, saleshandy_client
) -> None:
    sb = make_saleshandy_sandbox(rate_limit=4, rate_window_seconds=2.0)
    # The window follows the emulator's clock: held at a window's start, moved on below.
    start = (sb.clock()["now"] // 2 + 1) * 2
    sb.freeze_clock(at=start)
    api = saleshandy_client(sb)
    answers = [api.get(TASKS, params={"pageSize": 1}) for _ in range(6)]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429, 429]
    ok, refused = answers[0], answers[4]
    assert ok.headers["x-ratelimit-limit"] == "4"
    assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["3", "2", "1", "0", "0", "0"]
    reset = parsedate_to_datetime(ok.headers["x-ratelimit-reset"]).timestamp()
    assert reset == start + 2.0
    assert refused.json() == {"message": "Too many requests, please try again later."}
    assert int(refused.headers["retry-after"]) == 2
    assert "retry-after" not in ok.headers
    sb.advance_clock(1.9)
    assert api.get(TASKS).status_code == 429
    sb.advance_clock(0.1)  # the next window begins
    assert api.get(TASKS).status_code == 200


def test_the_window_counts_the_account_or_each_endpoint(
    make_saleshandy_sandbox, saleshandy_client
) -> None:
    account = saleshandy_client(make_saleshandy_sandbox(rate_limit=2))
    per_endpoint = saleshandy_client(make_saleshandy_sandbox(rate_limit=2, rate_scope="endpoint"))
    for api, third in ((account, 429), (per_endpoint, 200)):
        assert api.get(TASKS).status_code == 200
        assert api.get("/v1/tasks/counts").status_code == 200
        assert api.get("/v1/prospects").status_code == third


def test_reset_as_seconds_and_headers_off(make_saleshandy_sandbox, saleshandy_client) -> None:
    seconds = saleshandy_client(make_saleshandy_sandbox(reset_format="seconds")).get(TASKS)
    assert abs(int(seconds.headers["x-ratelimit-reset"]) - time.time()) <= 61
    quiet = make_saleshandy_sandbox(rate_headers=False, retry_after_header=False, rate_limit=1)
    api = saleshandy_client(quiet)
    first, second = api.get(TASKS), api.get(TASKS)
    assert second.status_code == 429
    for resp in (first, second):
        assert not [h for h in resp.headers if h.startswith(("x-ratelimit", "retry-after"))]


def test_the_request_log_never_holds_the_key(make_saleshandy_sandbox, saleshandy_client):
    sb = make_saleshandy_sandbox(bearer="accept")
    api = saleshandy_client(sb)
    api.get(TASKS, params={"apiKey": sb.api_key})
    api.post(
        "/v1/tasks/create", json={"prospectIds": ["x"], "taskType": "2", "api_key": sb.api_key}
    )
    saleshandy_client(sb, key="", headers={"authorization": f"Bearer {sb.api_key}"}).get(TASKS)
    logged = str(sb.requests())
    assert sb.api_key not in logged and "[REDACTED]" in logged
