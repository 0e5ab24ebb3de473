"""Unit tests of the shared HTTP core (`clients/core`) over `httpx.MockTransport`: the one
status-to-error mapping (one table), Retry-After and reset parsing, the governor, the client's
retries and its never-resend-a-create rule, quota exhaustion, bad base URLs and closed ports."""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sales_tasks.clients.apollo.profile import APOLLO_PROFILE, apollo_quota_window
from sales_tasks.clients.core import (
    ApiClient,
    AuthenticationError,
    BadRequestError,
    OutcomeUnknownError,
    PermissionDeniedError,
    QuotaExhaustedError,
    RateLimitedError,
    RateLimitGovernor,
    RateLimitHeaders,
    RetriesExhaustedError,
    RetryPolicy,
    ServerError,
    UnreachableError,
    VendorApiError,
    VendorProfile,
    error_for_response,
    parse_reset,
    parse_retry_after,
    redact,
    requests_left,
)
from sales_tasks.clients.core.client import reading_retry
from sales_tasks.clients.core.governor import HeldTooLong

NOW = 1_800_000_000.0  # 2027-01-15 08:00:00 UTC
SECRET = "sk-test-secret-123"
HTTP_DATE_IN_90S = format_datetime(datetime.fromtimestamp(NOW + 90, UTC), usegmt=True)
HOURLY = (
    "The maximum number of api calls allowed for api/v1/tasks/search is 600 times per hour."
    " Please upgrade your plan from https://app.apollo.io/#/settings/plans/upgrade."
)
DAILY = HOURLY.replace("600 times per hour", "2000 times per day")
MINUTE = HOURLY.replace("600 times per hour", "200 times per minute")
PROBLEM = {
    "type": "https://example.com/problems/validation",
    "title": "Validation failed",
    "status": 422,
    "detail": "dueTo must be after startAt",
    "code": "VALIDATION_ERROR",
    "errors": [{"field": "dueTo", "message": "must be after startAt"}, "template.body missing"],
}


def _response(
    status: int, body: Any = b"", headers: dict[str, str] | None = None
) -> httpx.Response:
    hdrs = dict(headers or {})
    if isinstance(body, bytes | str):
        content = body.encode() if isinstance(body, str) else body
        hdrs.setdefault("content-type", "text/plain")
    else:
        content = orjson.dumps(body)
        hdrs.setdefault("content-type", "application/json")
    request = httpx.Request("POST", "https://vendor.test/api/v1/tasks/search")
    return httpx.Response(status, content=content, headers=hdrs, request=request)


# (status, body, headers, profile, expected type or None, fragments the message must hold,
#  attributes the error must have)
MAPPING: list[tuple[int, Any, dict[str, str], VendorProfile, type | None, list[str], dict]] = [
    (200, {"tasks": []}, {}, APOLLO_PROFILE, None, [], {}),
    (204, b"", {}, APOLLO_PROFILE, None, [], {}),
    (
        401,
        "Invalid access credentials.",
        {},
        APOLLO_PROFILE,
        AuthenticationError,
        ["Apollo rejected the API key (401)", "(Invalid access credentials.)", "x-api-key header"],
        {},
    ),
    (
        401,
        b"",
        {},
        VendorProfile(name="Reply"),
        AuthenticationError,
        ["Reply rejected the API key (401) on ep:"],
        {},
    ),
    (
        403,
        {
            "error": "api/v1/tasks/search is not accessible with this api_key",
            "error_code": "API_INACCESSIBLE",
        },
        {},
        APOLLO_PROFILE,
        PermissionDeniedError,
        ["(403)", "not accessible with this api_key (API_INACCESSIBLE)", "master API key"],
        {},
    ),
    (
        403,
        {"message": "This endpoint is only available to Apollo users on paid plans."},
        {},
        APOLLO_PROFILE,
        PermissionDeniedError,
        ["only available to Apollo users on paid plans"],
        {},
    ),
    (
        422,
        {"error": "Per page not supported"},
        {},
        APOLLO_PROFILE,
        BadRequestError,
        ["(422): Per page not supported"],
        {"vendor_message": "Per page not supported"},
    ),
    (
        422,
        PROBLEM,
        {"content-type": "application/problem+json"},
        VendorProfile(name="Reply"),
        BadRequestError,
        [
            "Validation failed: dueTo must be after startAt (VALIDATION_ERROR)",
            "dueTo: must be after startAt",
            "template.body missing",
        ],
        {},
    ),
    (
        400,
        {"title": "Invalid token", "code": 1001},
        {},
        VendorProfile(),
        BadRequestError,
        ["(400): Invalid token (1001)"],
        {},
    ),
    (
        404,
        "The requested task could not be found",
        {},
        VendorProfile(),
        BadRequestError,
        ["404 Not Found for ep (The requested task could not be found)", "check the base URL"],
        {},
    ),
    (
        429,
        MINUTE,
        {"retry-after": "7"},
        APOLLO_PROFILE,
        RateLimitedError,
        ["Apollo rate limit reached on ep", "200 times per minute"],
        {"retry_after": 7.0},
    ),
    (
        429,
        "slow down",
        {"retry-after": HTTP_DATE_IN_90S},
        VendorProfile(),
        RateLimitedError,
        ["slow down"],
        {"retry_after": 90.0},
    ),
    (429, b"", {}, VendorProfile(), RateLimitedError, ["no reason given"], {"retry_after": None}),
    (
        429,
        HOURLY,
        {"retry-after": "1800"},
        APOLLO_PROFILE,
        QuotaExhaustedError,
        [
            "Apollo hourly quota for ep is spent",
            "600 times per hour",
            "resets at 2027-01-15 08:30:00 UTC (in 30 min)",
            "run again then",
        ],
        {"window": "hour", "resets_at": NOW + 1800},
    ),
    (
        429,
        DAILY,
        {},
        APOLLO_PROFILE,
        QuotaExhaustedError,
        ["Apollo daily quota for ep is spent", "within one day"],
        {"window": "day", "resets_at": None},
    ),
    (
        429,
        {"message": HOURLY},
        {},
        APOLLO_PROFILE,
        QuotaExhaustedError,
        ["within one hour"],
        {"window": "hour"},
    ),
    # A vendor that sends a reset header: the quota error says when, from the header.
    (
        429,
        "quota",
        {"x-ratelimit-reset": str(int(NOW + 600))},
        VendorProfile(name="V", quota_window=lambda text: "hour" if "quota" in text else None),
        QuotaExhaustedError,
        ["resets at 2027-01-15 08:10:00 UTC"],
        {"resets_at": NOW + 600},
    ),
    # The same text from a vendor whose profile does not read quotas is a plain rate limit.
    (
        429,
        HOURLY,
        {"retry-after": "1800"},
        VendorProfile(),
        RateLimitedError,
        [],
        {"retry_after": 1800.0},
    ),
    (
        500,
        {"error": "Internal Server Error"},
        {},
        APOLLO_PROFILE,
        ServerError,
        ["server error 500 on ep (Internal Server Error)"],
        {},
    ),
    (
        502,
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
        {"content-type": "text/html"},
        APOLLO_PROFILE,
        ServerError,
        ["server error 502 on ep"],
        {},
    ),
    (422, {"error": f"bad key {SECRET}"}, {}, APOLLO_PROFILE, BadRequestError, ["bad key ***"], {}),
]


@pytest.mark.parametrize(
    ("status", "body", "headers", "profile", "expected", "fragments", "attrs"),
    MAPPING,
    ids=[f"{row[0]}-{i}" for i, row in enumerate(MAPPING)],
)
def test_error_for_response_table(
    status: int,
    body: Any,
    headers: dict[str, str],
    profile: VendorProfile,
    expected: type | None,
    fragments: list[str],
    attrs: dict[str, Any],
) -> None:
    response = _response(status, body, headers)
    error = error_for_response(response, endpoint="ep", secret=SECRET, profile=profile, now=NOW)
    if expected is None:
        assert error is None
        return
    assert type(error) is expected
    assert isinstance(error, VendorApiError)
    message = str(error)
    for fragment in fragments:
        assert fragment in message, message
    assert "\n" not in message and SECRET not in message and "<html" not in message
    assert error.response is response and error.status == status and error.endpoint == "ep"
    for name, value in attrs.items():
        assert (
            getattr(error, name) == pytest.approx(value) if value else getattr(error, name) == value
        )


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [("120", 120.0), (" 1.5 ", 1.5), ("-3", 0.0), (HTTP_DATE_IN_90S, 90.0),
     ("Thu, 01 Jan 2026 00:00:00 GMT", 0.0), ("soon", None), ("", None), (None, None)],
)  # fmt: skip
def test_retry_after_seconds_or_http_date(raw: str | None, seconds: float | None) -> None:
    assert parse_retry_after(raw, now=NOW) == (pytest.approx(seconds) if seconds else seconds)


@pytest.mark.parametrize(
    ("raw", "moment"),
    [("30", NOW + 30), (str(int(NOW + 45)), NOW + 45), (str(int((NOW + 5) * 1000)), NOW + 5),
     (HTTP_DATE_IN_90S, NOW + 90), ("nope", None), (None, None)],
)  # fmt: skip
def test_reset_as_seconds_epoch_or_http_date(raw: str | None, moment: float | None) -> None:
    assert parse_reset(raw, now=NOW) == (pytest.approx(moment) if moment else moment)


def test_apollo_reads_24_hour_and_daily_names_and_quota_texts() -> None:
    names = APOLLO_PROFILE.rate_limit_headers
    assert (
        requests_left({"x-minute-requests-left": "9", "x-24-hour-requests-left": "4"}, names) == 4
    )
    assert requests_left({"x-hourly-requests-left": "7", "x-daily-requests-left": "2"}, names) == 2
    assert requests_left({"x-ratelimit-remaining": "0"}, names) is None  # not Apollo's name
    assert requests_left({"x-ratelimit-remaining": "3"}) == 3  # the neutral default reads it
    assert apollo_quota_window(HOURLY) == "hour" and apollo_quota_window(DAILY) == "day"
    assert apollo_quota_window(MINUTE) is None
    assert apollo_quota_window("Too many requests to api/v1/tasks/search; retry shortly.") is None


def test_governor_holds_an_endpoint_until_the_reported_reset() -> None:
    wall = [NOW]
    names = RateLimitHeaders(remaining=("left",), reset=("reset-at",))
    governor = RateLimitGovernor(names, clock=lambda: wall[0])
    governor.acquire("a")
    governor.release("a", {"left": "0", "reset-at": format_datetime(
        datetime.fromtimestamp(NOW + 3600, UTC), usegmt=True)})  # fmt: skip
    assert governor.blocked_for("a") == pytest.approx(3600, abs=2)
    assert governor.resets_at("a") == pytest.approx(NOW + 3600)
    assert governor.blocked_for("b") == 0.0  # other endpoints are not held
    governor.acquire("b")
    governor.release("b", {"left": "5", "reset-at": "20"})  # budget left: no hold
    assert governor.blocked_for("b") == 0.0
    governor.acquire("c")
    governor.release("c", {"left": "0", "reset-at": "0.2"})  # seconds form, short
    started = time.monotonic()
    governor.acquire("c")
    assert 0.1 < time.monotonic() - started < 2.0


def test_governor_without_reset_sends_one_probe_at_a_time() -> None:
    governor = RateLimitGovernor(APOLLO_PROFILE.rate_limit_headers)
    governor.acquire("s")
    governor.release("s", {"x-minute-requests-left": "0", "x-24-hour-requests-left": "100"})
    governor.acquire("s")  # the probe goes through
    second = threading.Event()
    worker = threading.Thread(target=lambda: (governor.acquire("s"), second.set()), daemon=True)
    worker.start()
    assert not second.wait(0.5)  # a second caller waits for the probe's answer
    governor.release("s", {"x-minute-requests-left": "50"})
    assert second.wait(2.0)
    worker.join(2.0)


class Vendor:
    """A MockTransport handler answering from a script; records every request it got."""

    def __init__(self, *answers: httpx.Response | Exception | Callable[[], httpx.Response]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer()
        return answer


def ok(body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(200, json=body if body is not None else {"ok": True}, headers=headers)


def client(vendor: Vendor, sleeps: list[float], **kwargs: Any) -> ApiClient:
    options: dict[str, Any] = {"profile": APOLLO_PROFILE, "retry": RetryPolicy(max_attempts=4)}
    options.update(kwargs)
    return ApiClient(
        "https://vendor.test",
        SECRET,
        transport=httpx.MockTransport(vendor),
        sleep=sleeps.append,
        seed=1,
        **options,
    )


def test_retries_server_errors_then_succeeds_and_sends_the_key_only_in_its_header() -> None:
    vendor = Vendor(httpx.Response(503, text="busy"), httpx.Response(500, json={}), ok({"n": 1}))
    sleeps: list[float] = []
    with client(vendor, sleeps) as api:
        assert api.request_json("POST", "/api/v1/tasks/search", params={"page": 2}) == {"n": 1}
        assert api.stats.requests == 3 and api.stats.retries == 2 and api.stats.server_errors == 2
    assert len(sleeps) == 2 and all(0 < s <= 30 for s in sleeps)
    for request in vendor.requests:
        assert request.headers["x-api-key"] == SECRET
        assert SECRET not in str(request.url) and SECRET.encode() not in request.content


def test_retries_are_bounded() -> None:
    vendor = Vendor(httpx.Response(502, text="<html>bad gateway</html>"))
    with client(vendor, []) as api, pytest.raises(RetriesExhaustedError) as info:
        api.request_json("GET", "/x")
    assert len(vendor.requests) == 4 and "after 4 attempts" in str(info.value)
    assert info.value.response is not None and info.value.response.status_code == 502


def test_a_read_the_run_waits_on_retries_5xx_sooner_and_longer_and_429s_as_the_client() -> None:
    """`errors_retry=reading_retry(...)` (a lost create's search): after a 5xx the first wait is
    at most 0.1 s and the waits double, over 8 attempts where the client allows 4; a 429
    without `Retry-After` still backs off at the client's pace."""
    failures = [httpx.Response(500, json={})] * 7
    vendor = Vendor(*failures, ok({"n": 1}))
    sleeps: list[float] = []
    with client(vendor, sleeps) as api:
        reading = reading_retry(api.retry)
        assert api.request_json("GET", "/x", errors_retry=reading) == {"n": 1}
    assert len(vendor.requests) == 8 and len(sleeps) == 7
    assert all(0.05 * 2**i <= wait <= 0.1 * 2**i for i, wait in enumerate(sleeps)), sleeps
    with client(Vendor(*failures, ok()), []) as api, pytest.raises(RetriesExhaustedError):
        api.request_json("GET", "/x")  # the client's own 4 attempts
    paced: list[float] = []
    with client(Vendor(httpx.Response(429, json={}), ok()), paced) as api:
        api.request_json("GET", "/x", errors_retry=reading_retry(api.retry))
    assert len(paced) == 1 and paced[0] >= 0.25, paced


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(500, json={"error": "Internal Server Error"}),
        httpx.ReadTimeout("read timed out"),
        httpx.RemoteProtocolError("peer closed connection"),
        httpx.Response(200, text="<html>half a body"),
    ],
    ids=["500", "read-timeout", "dropped", "not-json"],
)
def test_a_create_is_never_resent_when_its_outcome_is_unknown(failure: Any) -> None:
    vendor = Vendor(failure, ok({"task": {"id": "t1"}}))
    with client(vendor, []) as api, pytest.raises(OutcomeUnknownError) as info:
        api.request_json("POST", "/api/v1/tasks", json={"contact_id": "c"}, idempotent=False)
    assert len(vendor.requests) == 1
    assert "may or may not have been carried out" in str(info.value)


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(429, text=MINUTE, headers={"retry-after": "0"}),
        httpx.ConnectError("[Errno 111] Connection refused"),
    ],
    ids=["429", "connect-refused"],
)
def test_a_create_is_resent_when_the_vendor_provably_did_not_act(failure: Any) -> None:
    vendor = Vendor(failure, ok({"task": {"id": "t1"}}))
    with client(vendor, []) as api:
        answer = api.request_json("POST", "/api/v1/tasks", json={"x": 1}, idempotent=False)
    assert answer == {"task": {"id": "t1"}} and len(vendor.requests) == 2


@pytest.mark.parametrize("text", [HOURLY, DAILY], ids=["hourly", "daily"])
def test_spent_hourly_or_daily_quota_ends_at_once_with_its_reset(text: str) -> None:
    vendor = Vendor(httpx.Response(429, text=text, headers={"retry-after": "1200"}), ok())
    sleeps: list[float] = []
    started = time.monotonic()
    with client(vendor, sleeps) as api, pytest.raises(QuotaExhaustedError) as info:
        api.request_json("POST", "/api/v1/tasks/search", endpoint="api/v1/tasks/search")
    assert time.monotonic() - started < 1.0 and sleeps == [] and len(vendor.requests) == 1
    message = str(info.value)
    assert re.search(r"resets at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in 20 min\)", message)
    assert info.value.resets_at == pytest.approx(time.time() + 1200, abs=5)
    assert isinstance(info.value.response, httpx.Response)


@pytest.mark.parametrize(("text", "window"), [(HOURLY, "hour"), (DAILY, "day")])
def test_spent_quota_without_retry_after_ends_at_once(text: str, window: str) -> None:
    vendor = Vendor(httpx.Response(429, text=text), ok())
    sleeps: list[float] = []
    with client(vendor, sleeps) as api:
        with pytest.raises(QuotaExhaustedError) as info:
            api.request_json("GET", "/x")
        with pytest.raises(QuotaExhaustedError):  # the next call does not ask again
            api.request_json("GET", "/x")
    assert sleeps == [] and len(vendor.requests) == 1
    assert f"resets when the current {window} window ends" in str(info.value)


def test_spent_quota_that_resets_within_the_allowed_wait_is_waited_for_once() -> None:
    vendor = Vendor(httpx.Response(429, text=HOURLY, headers={"retry-after": "0.3"}), ok())
    sleeps: list[float] = []
    started = time.monotonic()
    with client(vendor, sleeps) as api:
        assert api.request_json("GET", "/x") == {"ok": True}
    # Held by the governor exactly until the reset; no backoff sleeps on top.
    assert len(vendor.requests) == 2 and sleeps == [] and time.monotonic() - started >= 0.25


def test_a_wait_longer_than_allowed_ends_at_once() -> None:
    vendor = Vendor(httpx.Response(429, text="slow down", headers={"retry-after": "7200"}), ok())
    with client(vendor, []) as api, pytest.raises(QuotaExhaustedError) as info:
        api.request_json("GET", "/x")
    assert len(vendor.requests) == 1 and "more than max_rate_limit_wait=900s" in str(info.value)


def test_a_short_rate_limit_is_waited_out() -> None:
    vendor = Vendor(httpx.Response(429, text=MINUTE, headers={"retry-after": "0.2"}), ok())
    started = time.monotonic()
    with client(vendor, []) as api:
        assert api.request_json("GET", "/x") == {"ok": True}
        assert api.stats.rate_limited == 1
    assert len(vendor.requests) == 2 and time.monotonic() - started >= 0.15


def test_a_429_with_retry_after_spends_no_attempt() -> None:
    # Ten 429s in a row, each saying when to come back: waited out, not counted as failures.
    vendor = Vendor(
        *[httpx.Response(429, text=MINUTE, headers={"retry-after": "0"})] * 10,
        ok({"task": {"id": "t1"}}),
    )
    with client(vendor, []) as api:
        answer = api.request_json("POST", "/api/v1/tasks", json={"x": 1}, idempotent=False)
        assert api.stats.rate_limited == 10
    assert answer == {"task": {"id": "t1"}} and len(vendor.requests) == 11


def test_429s_with_retry_after_are_still_bounded() -> None:
    vendor = Vendor(httpx.Response(429, text=MINUTE, headers={"retry-after": "0"}))
    policy = RetryPolicy(max_attempts=2, max_paced_waits=5)
    with client(vendor, [], retry=policy) as api, pytest.raises(RetriesExhaustedError):
        api.request_json("GET", "/x")
    assert len(vendor.requests) == 5 + 2


def test_a_reset_header_far_away_ends_the_next_call_before_it_is_sent() -> None:
    profile = VendorProfile(name="V")  # reads x-ratelimit-remaining / x-ratelimit-reset
    reset = format_datetime(datetime.fromtimestamp(time.time() + 7200, UTC), usegmt=True)
    vendor = Vendor(ok(headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}))
    with client(vendor, [], profile=profile) as api:
        api.request_json("GET", "/x")
        with pytest.raises(QuotaExhaustedError, match=r"V quota for /x is spent.*in 120 min"):
            api.request_json("GET", "/x")
    assert len(vendor.requests) == 1


@pytest.mark.parametrize("url", ["api.apollo.io", "ftp://api.apollo.io", "", "https://", "http//x"])
def test_a_base_url_that_is_not_http_is_refused_at_once(url: str) -> None:
    with pytest.raises(UnreachableError) as info:
        ApiClient(url, SECRET, profile=APOLLO_PROFILE)
    message = str(info.value)
    assert "is not an http(s) URL: use one like https://api.apollo.io" in message
    assert "\n" not in message and SECRET not in message


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.contract  # a real socket to a closed 127.0.0.1 port
def test_a_closed_port_fails_in_seconds_quietly(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="apollo_tasks.http")
    url = f"http://127.0.0.1:{_closed_port()}"
    started = time.monotonic()
    with ApiClient(url, SECRET, profile=APOLLO_PROFILE) as api:
        with pytest.raises(UnreachableError) as info:
            api.request_json("POST", "/api/v1/tasks/search")
        took = time.monotonic() - started
        with pytest.raises(UnreachableError):  # later calls do not try again
            api.request_json("GET", "/api/v1/users/search")
        assert api.stats.requests == 3  # the first call's 3 tries, none of the second's
    assert took < 5.0
    message = str(info.value)
    assert message == (
        f"cannot reach Apollo at {url} (connection refused) after 3 tries: check the base URL"
        " and that the service is up"
    )
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_refusals_after_the_vendor_was_reached_get_the_full_retry_budget() -> None:
    vendor = Vendor(
        ok(),
        httpx.ConnectError("[Errno 111] Connection refused"),
        httpx.ConnectError("[Errno 111] Connection refused"),
        httpx.ConnectError("[Errno 111] Connection refused"),
        ok({"back": True}),
    )
    with client(vendor, [], retry=RetryPolicy(max_attempts=6)) as api:
        api.request_json("GET", "/x")
        assert api.request_json("GET", "/x") == {"back": True}  # a restart, not a wrong URL
    assert len(vendor.requests) == 5


def test_the_core_names_no_vendor() -> None:
    core = Path(__file__).resolve().parents[2] / "clients" / "core"
    paths = sorted(core.glob("*.py"))
    assert len(paths) >= 10, "the shared core moved: point this test at it"
    for path in paths:
        text = path.read_text()
        for name in ("Apollo", "APOLLO_", "apollo.io", "Saleshandy", "Reply", "x-24-hour"):
            assert name not in text, f"{path.name} mentions {name}"


_KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEF0123456789-_", min_size=1, max_size=40)
_WORDS = st.lists(
    st.sampled_from(["/v1/tasks", "api/v1/tasks/search", "Invalid token", "x-api-key", ":", " "]),
    max_size=6,
)


@given(key=_KEYS, words=_WORDS)
def test_redact_never_leaves_the_key_standing_and_keeps_ordinary_text_readable(
    key: str, words: list[str]
) -> None:
    """Every key is gone wherever it stands alone (in quotes, after `=`, between spaces); a long
    key is gone everywhere; ordinary text around a short key keeps its letters."""
    text = f'sent {key} as token={key}; {"".join(words)} "{key}"'
    shown = redact(text, key)
    assert not re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", shown)
    if len(key) >= 8:
        assert key not in shown
    if len(key) == 1:
        assert redact("".join(words), key) == "".join(words)


def test_a_worker_queued_behind_the_last_call_of_a_spent_budget_gives_up_at_once() -> None:
    """Four workers on a budget with one call left: the last call's answer says 0 left until a
    reset an hour away. A worker already waiting in `acquire` ends its call (`HeldTooLong`, which
    the client turns into the quota error with the reset time) instead of sleeping an hour: a
    run on `--use-remaining-quota` with concurrency 4 hung there."""
    names = RateLimitHeaders(remaining=("left",), reset=("reset-at",))
    governor = RateLimitGovernor(names, clock=lambda: NOW)
    governor.acquire("a")
    governor.release("a", {"left": "1"})
    governor.acquire("a")  # the budget's last call, in flight
    outcome: dict[str, float] = {}

    def queued() -> None:
        try:
            governor.acquire("a", max_hold=60)
        except HeldTooLong as held:
            outcome["held"] = held.seconds

    worker = threading.Thread(target=queued, daemon=True)
    worker.start()
    reset = format_datetime(datetime.fromtimestamp(NOW + 3600, UTC), usegmt=True)
    governor.release("a", {"left": "0", "reset-at": reset})
    worker.join(timeout=10)
    assert not worker.is_alive(), "the queued worker slept until the reset"
    assert outcome["held"] == pytest.approx(3600, abs=5)
    with pytest.raises(HeldTooLong):  # a worker arriving later gives up as well
        governor.acquire("a", max_hold=60)


def test_clients_share_one_tls_context_that_still_verifies(monkeypatch: pytest.MonkeyPatch) -> None:
    import ssl

    import certifi

    from sales_tasks.clients.core.client import tls_context

    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    shared = tls_context()
    with (
        ApiClient("https://vendor.invalid", SECRET, profile=APOLLO_PROFILE) as one,
        ApiClient("https://vendor.invalid", SECRET, profile=APOLLO_PROFILE) as two,
    ):
        contexts = {id(c._http._transport._pool._ssl_context) for c in (one, two)}
    assert contexts == {id(shared)}  # made once, not once per client
    assert shared.verify_mode == ssl.CERT_REQUIRED and shared.check_hostname
    # A CA bundle the environment names later gets its own context, as httpx would make it.
    monkeypatch.setenv("SSL_CERT_FILE", certifi.where())
    assert tls_context() is not shared and tls_context() is tls_context()
