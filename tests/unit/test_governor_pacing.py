"""Pacing by documented limits, for vendors that send no budget headers (e.g. 100 a minute and
3,000 an hour per user): no window of that length ever holds more sends, across endpoints.

Windows are shortened to fractions of a second so the test is quick; the ratios are the same.
"""

from __future__ import annotations

import dataclasses
import threading
import time

import httpx

from sales_tasks.clients.apollo.profile import APOLLO_PROFILE
from sales_tasks.clients.core.client import ApiClient
from sales_tasks.clients.core.governor import RateLimitGovernor


def _most_in_any_window(times: list[float], window: float) -> int:
    # Callers pass a window a little shorter than the limit's: a send is timed just after the
    # governor admitted it, and a busy machine delays some of those timings more than others.
    times = sorted(times)
    return max(sum(1 for t in times if start <= t < start + window) for start in times)


def test_documented_limits_pace_concurrent_senders_across_endpoints() -> None:
    governor = RateLimitGovernor(limits=[(3, 0.5), (5, 2.0)])
    sent: list[float] = []
    lock = threading.Lock()

    def worker(endpoint: str) -> None:
        for _ in range(2):
            governor.acquire(endpoint)
            with lock:
                sent.append(time.monotonic())
            governor.release(endpoint, {})

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(f"/e{i % 2}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    elapsed = time.monotonic() - started
    assert len(sent) == 6
    assert _most_in_any_window(sent, 0.4) <= 3
    assert _most_in_any_window(sent, 1.9) <= 5
    # the 6th send had to wait for the 2-second window: no faster than the limits allow ...
    assert elapsed >= 1.95
    # ... and no slower than they require
    assert elapsed < 3.5
    assert governor.waited_seconds > 0


def test_no_documented_limits_no_pacing() -> None:
    governor = RateLimitGovernor()
    started = time.monotonic()
    for _ in range(50):
        governor.acquire("/x")
        governor.release("/x", {})
    assert time.monotonic() - started < 0.5


def test_a_vendor_profile_with_documented_limits_paces_its_client() -> None:
    profile = dataclasses.replace(APOLLO_PROFILE, documented_limits=((2, 0.4),))
    seen: list[float] = []

    def vendor(request: httpx.Request) -> httpx.Response:
        seen.append(time.monotonic())
        return httpx.Response(200, json={"ok": True})

    with ApiClient(
        "https://vendor.test", "k-123", profile=profile, transport=httpx.MockTransport(vendor)
    ) as api:
        for _ in range(5):
            api.request_json("GET", "/v3/tasks")
    assert len(seen) == 5
    assert _most_in_any_window(seen, 0.3) <= 2
    assert seen[-1] - seen[0] >= 0.7  # 5 sends at 2 per 0.4 s span two full windows
