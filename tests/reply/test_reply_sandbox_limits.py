"""Reply's limits in the sandbox: 100 calls a minute and 3,000 an hour per user, fixed windows
that can be shortened with the same ratios, 429 problem+json with `Retry-After` seconds."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from sales_tasks.sandbox.reply import ReplySandbox


def fresh_window(sb: ReplySandbox, seconds: float) -> None:
    """Stop the sandbox's clock at the start of the next fixed window of `seconds` (windows
    start at multiples of their length): no window turns over until the test moves the clock."""
    now = sb.clock()["now"]
    sb.freeze_clock(at=(now // seconds + 1) * seconds)


def used(resp: httpx.Response, window: str) -> tuple[int, int, int]:
    h = resp.headers
    return (
        int(h[f"x-ratelimit-limit-{window}"]),
        int(h[f"x-ratelimit-used-{window}"]),
        int(h[f"x-ratelimit-remaining-{window}"]),
    )


def assert_429(resp: httpx.Response, window: str, limit: int, longest_wait: int) -> None:
    assert resp.status_code == 429
    assert resp.headers["content-type"].startswith("application/problem+json")
    problem = resp.json()
    # A bare Problem Details (RS @16,500): title, status, detail, no code.
    assert set(problem) == {"title", "status", "detail"} and problem["status"] == 429
    assert f"{limit} requests per {window}" in problem["detail"]
    assert 1 <= int(resp.headers["retry-after"]) <= longest_wait


def test_the_documented_limits_hold_at_a_twentieth_of_the_time(
    make_reply_sandbox: Callable[..., ReplySandbox], reply_client: Callable[..., httpx.Client]
) -> None:
    sb = make_reply_sandbox(window_scale=0.05, tasks=20)  # a 3 s minute, a 180 s hour
    api = reply_client(sb)
    fresh_window(sb, 3.0)
    answers = [api.get("/v3/tasks", params={"top": 1}) for _ in range(101)]
    assert [r.status_code for r in answers[:100]] == [200] * 100
    assert used(answers[0], "minute") == (100, 1, 99)
    assert used(answers[0], "hour") == (3000, 1, 2999)
    assert used(answers[99], "minute") == (100, 100, 0)
    assert_429(answers[100], "minute", 100, 3)
    assert used(answers[100], "minute") == (100, 100, 0)  # a refusal consumes nothing
    assert sb.stats()["requests_served"] == {"tasks.list": 100}


def test_the_minute_then_the_hour_window_refuses_and_each_turns_over(
    make_reply_sandbox: Callable[..., ReplySandbox], reply_client: Callable[..., httpx.Client]
) -> None:
    sb = make_reply_sandbox(
        tasks=20,
        rate_limits={"minute": 3, "hour": 5},
        rate_window_seconds={"minute": 1.0, "hour": 4.0},
    )
    api = reply_client(sb)
    fresh_window(sb, 4.0)
    first = [api.get("/v3/contacts", params={"top": 1}) for _ in range(4)]
    assert [r.status_code for r in first] == [200, 200, 200, 429]
    assert_429(first[3], "minute", 3, 1)
    sb.advance_clock(float(first[3].headers["retry-after"]))
    second = [api.get("/v3/contacts", params={"top": 1}) for _ in range(3)]
    assert [r.status_code for r in second] == [200, 200, 429]
    assert used(second[1], "hour") == (5, 5, 0)
    assert_429(second[2], "hour", 5, 4)
    fresh_window(sb, 4.0)
    assert api.get("/v3/contacts", params={"top": 1}).status_code == 200


def test_limits_count_per_user_not_per_endpoint(
    make_reply_sandbox: Callable[..., ReplySandbox], reply_client: Callable[..., httpx.Client]
) -> None:
    sb = make_reply_sandbox(
        tasks=20,
        api_keys=["key-a", "key-b"],
        rate_limits={"minute": 2, "hour": 100},
        rate_window_seconds={"minute": 5.0, "hour": 3600.0},
    )
    fresh_window(sb, 5.0)
    a, b = (
        reply_client(sb, **sb.auth_headers("key-a")),
        reply_client(sb, **sb.auth_headers("key-b")),
    )
    assert a.get("/v3/tasks").status_code == 200
    assert a.post("/v3/tasks/filter", json={}).status_code == 200  # another endpoint, same user
    assert a.get("/v3/contacts").status_code == 429
    assert b.get("/v3/tasks").status_code == 200
    org = sb.auth_headers(sb.org_key)
    users = sb.users()
    for user in users[:2]:
        as_user = reply_client(sb, **org, **{"X-User-Id": str(user["id"])})
        assert [as_user.get("/v3/tasks").status_code for _ in range(3)] == [200, 200, 429]


def test_refused_keys_consume_nothing(
    make_reply_sandbox: Callable[..., ReplySandbox], reply_client: Callable[..., httpx.Client]
) -> None:
    sb = make_reply_sandbox(tasks=20, rate_limits={"minute": 2, "hour": 100})
    wrong = reply_client(sb, Authorization="Bearer nope")
    assert [wrong.get("/v3/tasks").status_code for _ in range(5)] == [401] * 5
    resp = reply_client(sb).get("/v3/tasks")
    assert resp.status_code == 200
    assert used(resp, "minute") == (2, 1, 1)


def test_a_burst_of_429s_from_the_fault_machinery_reads_like_reply(
    make_reply_sandbox: Callable[..., ReplySandbox], reply_client: Callable[..., httpx.Client]
) -> None:
    sb = make_reply_sandbox(tasks=20, faults={"burst_429_every": 2, "burst_429_len": 1})
    api = reply_client(sb)
    codes = [api.get("/v3/tasks", params={"top": 1}) for _ in range(6)]
    assert [r.status_code for r in codes] == [200, 200, 429] * 2
    assert codes[2].headers["retry-after"] == "1"
    assert set(codes[2].json()) == {"title", "status", "detail"}
