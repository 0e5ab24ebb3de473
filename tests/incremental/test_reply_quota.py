"""Quota-aware Reply runs: Reply sends no quota headers (VENDOR-SPECS 1.2) and its list no total
(1.3), so a run estimates its calls from the last run's and compares them with what the documented
hourly limit (1.1: 3,000 an hour per user; here the plan's `rate_limits`) leaves after the calls
runs on the same key made within the hour; a first run says it cannot estimate and runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.incremental.quota_support import refusal
from tests.reply.test_reply_extract_e2e import extract

FAST_SANDBOX = {"rate_limits": {"minute": 10**6, "hour": 10**7}}


def limits(hour: int) -> str:
    return f"1000000/60,{hour}/3600"


def calls(sb: Any) -> int:
    return len([r for r in sb.requests() if r["path"].startswith("/v3/")])


def test_a_first_run_cannot_estimate_and_runs_the_next_is_checked(
    make_reply_sandbox: Any, tmp_path: Path
) -> None:
    sb = make_reply_sandbox(**FAST_SANDBOX)
    first = extract(sb, tmp_path, rate_limits=limits(1_000), top=100)
    used = first.requests
    assert first.complete and first.calls_estimated is None and first.calls_left == 1_000 - used
    assert any("quota was not checked" in w for w in first.warnings)
    second = extract(sb, tmp_path, rate_limits=limits(1_000), top=100)
    assert second.complete and second.calls_estimated == used
    # 1,000 an hour, less the first run's calls, less this run's.
    assert second.calls_left == 1_000 - used - second.requests
    assert f"quota: {second.requests} calls used (estimated {used})" in second.format()
    with duckdb.connect(str(tmp_path / "tasks.duckdb"), read_only=True) as con:
        got = con.sql(
            "SELECT calls_estimated, calls_left FROM reply.extract_runs ORDER BY started_at"
        ).fetchall()
    assert got == [(None, 1_000 - used), (used, 1_000 - used - second.requests)]


@pytest.mark.parametrize("use_remaining", [False, True])
def test_a_run_the_hour_cannot_hold_refuses_before_its_first_call(
    make_reply_sandbox: Any, tmp_path: Path, use_remaining: bool
) -> None:
    sb = make_reply_sandbox(**FAST_SANDBOX)
    first = extract(sb, tmp_path, rate_limits=limits(1_000), top=100)
    used = first.requests
    before = calls(sb)
    hour = 2 * used - 1  # what the first run's calls leave: used - 1, one short of the estimate
    if not use_remaining:
        with pytest.raises(Exception) as caught:
            extract(sb, tmp_path, rate_limits=limits(hour), top=100)
        text = refusal(caught)
        assert f"needs about {used} calls, but Reply's quota has {used - 1} left" in text
        assert "sends no quota headers" in text and f"documented {hour} per 3600 s" in text
        assert "other integrations of the user are not counted" in text
        assert calls(sb) == before  # not one call
    else:
        summary = extract(sb, tmp_path, rate_limits=limits(hour), top=100, use_remaining_quota=True)
        assert any("run started on what is left of the quota" in w for w in summary.warnings)
        assert calls(sb) > before


def test_windows_shorter_than_an_hour_only_pace(make_reply_sandbox: Any, tmp_path: Path) -> None:
    """A plan of 1000 a second is no quota: the second run is not checked, whatever it costs."""
    sb = make_reply_sandbox(**FAST_SANDBOX)
    extract(sb, tmp_path, rate_limits="1000/1", top=100)
    second = extract(sb, tmp_path, rate_limits="1000/1", top=100)
    assert second.complete and second.calls_estimated is None and second.calls_left is None
    assert not any("quota" in w for w in second.warnings)
