"""Quota-aware Saleshandy runs: a run that cannot finish within what Saleshandy's rate headers say
is left refuses before reading any task, with the numbers and the reset time, and exits 7.

Saleshandy's answers carry `x-ratelimit-remaining` and `x-ratelimit-reset` (an HTTP date) (NOTES
section 2 [3p]; VENDOR-SPECS 2.1: numbers not published): the quota is a sandbox switch
(`rate_limit` per `rate_window_seconds`), here an hour's budget as a plan would set it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from sales_tasks.pipelines.exit_codes import EXIT_QUOTA
from sales_tasks.sources.core import quota
from tests.saleshandy.sh_extract_support import cli, extract

HOUR = 3600.0


def list_calls(sb: Any) -> int:
    return len([r for r in sb.requests("/v1/tasks") if r["method"] == "GET"])


def test_a_run_that_cannot_finish_refuses_before_reading_any_task(
    make_saleshandy_sandbox: Any, tmp_path: Path
) -> None:
    sb = make_saleshandy_sandbox(tasks=3_000, rate_limit=20, rate_window_seconds=HOUR)
    with pytest.raises(Exception) as caught:
        extract(sb, tmp_path)
    text = str(caught.value)
    # 3,000 tasks: 31 pages, the counts twice and the assignee list; 19 left after the counts.
    assert "needs about 34 calls, but Saleshandy's quota has 19 left; it resets at" in text
    assert list_calls(sb) == 0
    assert [r["path"] for r in sb.requests() if r["path"].startswith("/v1/")] == [
        "/v1/tasks/counts"
    ]


def test_the_command_exits_with_its_own_code_and_one_line(
    make_saleshandy_sandbox: Any, tmp_path: Path
) -> None:
    sb = make_saleshandy_sandbox(tasks=3_000, rate_limit=20, rate_window_seconds=HOUR)
    code, out, err = cli(sb, tmp_path)
    assert code == EXIT_QUOTA == quota.EXIT_QUOTA
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: Saleshandy run refused")
    assert "34 calls" in lines[0] and "19 left" in lines[0] and "resets at" in lines[0]
    assert "--use-remaining-quota" in lines[0]
    assert list_calls(sb) == 0


@pytest.mark.parametrize("concurrency", [1, 4])
def test_use_remaining_quota_runs_on_what_is_left(
    make_saleshandy_sandbox: Any, tmp_path: Path, concurrency: int
) -> None:
    """A daily quota, the sandbox's clock held at the start of its window: the reset is a day
    away, longer than the client waits, so Saleshandy's refusal ends the list: what was read is
    loaded, the run is incomplete and deletes nothing (no sleeping). With pages in flight, the
    workers waiting behind the budget's last call end too (they slept until the reset)."""
    day = 86_400.0
    sb = make_saleshandy_sandbox(tasks=3_000, rate_limit=20, rate_window_seconds=day)
    now = float(sb.clock()["now"])
    sb.freeze_clock((now // day + 1) * day)
    summary = extract(sb, tmp_path, use_remaining_quota=True, concurrency=concurrency)
    assert not summary.complete and summary.removed is None
    assert 0 < summary.rows["tasks"] < 3_000 and list_calls(sb) >= 1
    assert any("quota for /v1/tasks is spent" in w and "resets at" in w for w in summary.warnings)


def test_a_run_within_the_quota_reports_calls_used_and_left(
    make_saleshandy_sandbox: Any, tmp_path: Path
) -> None:
    sb = make_saleshandy_sandbox(tasks=3_000, rate_limit=1_000, rate_window_seconds=HOUR)
    summary = extract(sb, tmp_path)
    assert summary.complete and summary.requests == 34
    assert summary.calls_estimated == 34 and summary.calls_left == 1_000 - 34
    assert "quota: 34 calls used (estimated 34), 966 left" in summary.format()
    with duckdb.connect(str(tmp_path / "sh.duckdb"), read_only=True) as con:
        row = con.sql("SELECT calls_estimated, calls_left FROM saleshandy.extract_runs").fetchall()
    assert row == [(34, 966)]


def test_no_budget_headers_no_check(make_saleshandy_sandbox: Any, tmp_path: Path) -> None:
    """Saleshandy's headers are third-party knowledge: without them the run is not checked."""
    sb = make_saleshandy_sandbox(tasks=300, rate_headers=False)
    summary = extract(sb, tmp_path)
    assert summary.complete and summary.calls_left is None
    assert "quota:" not in summary.format()
