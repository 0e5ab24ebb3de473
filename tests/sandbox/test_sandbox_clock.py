"""The emulators' clock (`sales_tasks.sandbox.core.clock`): rate windows follow it, tests hold it still and
move it on instead of sleeping, and it never runs backwards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sales_tasks.sandbox.core.clock import Clock


def test_a_frozen_clock_stands_still_and_moves_only_when_advanced() -> None:
    wall = [1000.0]
    clock = Clock(lambda: wall[0])
    assert clock.now() == 1000.0
    clock.freeze()
    wall[0] = 1005.0
    assert clock.now() == 1000.0
    clock.advance(2.5)
    assert clock.now() == 1002.5
    clock.unfreeze()  # runs on from where it stood
    assert clock.now() == 1002.5
    wall[0] = 1006.0
    assert clock.now() == 1003.5
    clock.advance(10)
    assert clock.now() == 1013.5 and clock.state()["offset"] == 7.5
    with pytest.raises(ValueError, match="cannot go back"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="cannot go back"):
        clock.freeze(at=1000.0)
    with pytest.raises(ValueError, match="unknown clock field"):
        clock.change({"rewind": 3})


@pytest.mark.parametrize(
    ("vendor", "path", "limits", "headers"),
    [
        ("apollo", "/api/v1/tasks/search", {"minute": 2}, "master"),
        ("reply", "/v3/tasks", {"minute": 2, "hour": 100}, "reply"),
    ],
)
def test_rate_windows_follow_the_clock_not_the_wall(
    sandbox_factory: Callable[..., Any],
    http_client_factory: Callable[..., httpx.Client],
    vendor: str,
    path: str,
    limits: dict[str, int],
    headers: str,
) -> None:
    sb: Any = sandbox_factory(vendor, tasks=20, rate_limits=limits)
    auth = {"x-api-key": sb.master_key} if headers == "master" else sb.auth_headers()
    api = http_client_factory(sb, auth)
    start = (sb.clock()["now"] // 60 + 1) * 60
    frozen = sb.freeze_clock(at=start)  # the start of a minute, at most a minute ahead
    assert (frozen["now"], frozen["frozen"]) == (start, True)
    call = (lambda: api.post(path)) if vendor == "apollo" else (lambda: api.get(path))
    assert [call().status_code for _ in range(3)] == [200, 200, 429]
    sb.advance_clock(59.5)  # still the same minute
    assert call().status_code == 429
    sb.advance_clock(0.5)  # the next minute begins
    assert [call().status_code for _ in range(3)] == [200, 200, 429]
    assert sb.clock()["now"] == start + 60
