"""Clients wait on the clock they are given (`sales_tasks.clients.core.waiting`): a 429's `retry-after`
and a backoff move a fake clock on and cost no wall-clock time."""

from __future__ import annotations

import httpx

from sales_tasks.clients.core import ApiClient
from sales_tasks.clients.core.waiting import WALL, Waits, current, waiting_on


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_retry_after_and_a_backoff_pass_on_the_given_clock() -> None:
    answers = iter(
        [
            httpx.Response(429, headers={"retry-after": "30"}, json={}),
            httpx.Response(503, json={}),
            httpx.Response(200, json={"ok": True}),
        ]
    )
    clock = FakeClock()
    transport = httpx.MockTransport(lambda request: next(answers))
    with waiting_on(Waits(monotonic=lambda: clock.now, sleep=clock.sleep)):
        client = ApiClient("https://api.example.invalid", "k", transport=transport)
    with client:
        assert client.request_json("GET", "/tasks") == {"ok": True}
    assert clock.slept[0] >= 30 and sum(clock.slept) < 60  # the wait asked, then one backoff
    assert len(clock.slept) == 2
    assert current() is WALL  # the `with` put the wall clock back
