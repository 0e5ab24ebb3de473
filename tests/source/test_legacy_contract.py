"""The extract satisfies the older, stricter contract of seed 002 as well as the current one:
`open_factor_names` required, `per_page` up to 200, the day window's headers named `daily`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.source.helpers import extract, query, search_calls


def test_extract_against_the_legacy_contract(make_sandbox: Any, tmp_path: Path) -> None:
    sb = make_sandbox(
        tasks=450,
        require_open_factor_names=True,
        max_per_page=200,
        header_scheme="legacy",
    )
    summary = extract(sb, tmp_path)
    assert summary.complete and summary.per_page_used == 200
    assert query(tmp_path, "SELECT count(DISTINCT id), count(*) FROM apollo.tasks") == [(450, 450)]
    calls = search_calls(sb)
    assert calls and all(c["status"] == 200 for c in calls)  # never a 422 for a missing factor
    assert summary.rate_limited == 0


def test_legacy_daily_budget_is_read_and_respected(make_sandbox: Any, tmp_path: Path) -> None:
    """Only the legacy `x-daily-requests-left` header says the budget is nearly spent: the
    governor must read it and go one request at a time instead of bursting into 429s."""
    sb = make_sandbox(
        tasks=1000,
        max_per_page=100,
        header_scheme="legacy",
        rate_limits={"minute": 1000, "hour": 1000, "day": 6},
        rate_window_seconds={"minute": 60, "hour": 3600, "day": 2},
    )
    # Its "days" last 2 s: the run spans many, so it is told to start on what one leaves (the
    # quota check would refuse it after the first page, `sales_tasks.sources.apollo.quota`).
    summary = extract(sb, tmp_path, per_page=100, concurrency=4, use_remaining_quota=True)
    assert summary.complete
    assert query(tmp_path, "SELECT count(DISTINCT id) FROM apollo.tasks") == [(1000,)]
    # One probe per exhausted window at most, never a burst of parallel 429s.
    windows = len(search_calls(sb)) // 6 + 1
    assert summary.rate_limited <= windows
