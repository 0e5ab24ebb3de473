"""Quota-aware Apollo runs: the first page gives the run's search calls, Apollo's usage stats
(or, when they cannot be read, the rate headers) what is left; a run that cannot finish refuses
before reading the rest, with the numbers, and exits 7.

Facts (`sales_tasks.sources.apollo.quota`): `POST /api/v1/usage_stats/api_usage_stats` needs a
master key and answers `{minute|hour|day: {limit, consumed, left_over}}` per endpoint (VENDOR-SPECS
3.5; NOTES section 1); rate headers `x-hourly-requests-left`, `x-24-hour-requests-left` (NOTES
section 1). The quota is the sandbox's per-endpoint hourly limit, as a plan would set it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from sales_tasks.pipelines.exit_codes import EXIT_QUOTA
from sales_tasks.pipelines.extract import run_extract
from tests.cli_runner import child_env, run_cli
from tests.incremental.quota_support import refusal

SEARCH = "api/v1/tasks/search"
STATS = "/api/v1/usage_stats/api_usage_stats"
# 300 tasks at 100 a page: 3 pages, read twice, and a last look at page 1.
CALLS = 7


def extract(sb: Any, tmp_path: Path, key: str | None = None, **kwargs: Any) -> Any:
    return run_extract(
        "apollo",
        duckdb_path=str(tmp_path / "ap.duckdb"),
        pipelines_dir=str(tmp_path / "pipelines"),
        api_key=key or sb.api_key,
        base_url=sb.base_url,
        per_page=100,
        **kwargs,
    )


def search_calls(sb: Any) -> int:
    return len(sb.requests("/api/v1/tasks/search"))


def quota(hour: int) -> dict[str, Any]:
    return {"endpoint_rate_limits": {SEARCH: {"hour": hour}}}


def test_a_run_within_the_quota_reports_calls_used_and_left(
    make_apollo_sandbox: Any, tmp_path: Path
) -> None:
    sb = make_apollo_sandbox(**quota(100))
    summary = extract(sb, tmp_path)
    assert summary.complete and search_calls(sb) == CALLS
    assert summary.calls_estimated == CALLS
    # What the last search answer's hour header said: the budget less the run's calls.
    assert summary.calls_left == 100 - CALLS
    assert f"quota: {summary.requests} calls used (estimated {CALLS}), {100 - CALLS} left" in (
        summary.format()
    )
    with duckdb.connect(str(tmp_path / "ap.duckdb"), read_only=True) as con:
        row = con.sql("SELECT calls_estimated, calls_left FROM apollo.extract_runs").fetchall()
    assert row == [(CALLS, 100 - CALLS)]
    assert len(sb.requests(STATS)) == 1


@pytest.mark.parametrize("left_over", ["computed", "limit"])
def test_a_run_that_cannot_finish_refuses_after_the_first_page(
    make_apollo_sandbox: Any, tmp_path: Path, left_over: str
) -> None:
    """Either reading of `left_over` gives the same figure: limit - consumed is read too."""
    sb = make_apollo_sandbox(usage_left_over=left_over, **quota(6))
    with pytest.raises(Exception) as caught:
        extract(sb, tmp_path)
    text = refusal(caught)
    assert f"needs about {CALLS} calls, but Apollo's quota has 5 left" in text
    assert "usage_stats" in text and "did not say when it resets" in text
    assert search_calls(sb) == 1  # the first page only
    assert not (tmp_path / "ap.duckdb").exists() or not _has_tasks(tmp_path)


def test_a_second_run_refuses_before_its_first_search_when_the_last_one_cannot_fit(
    make_apollo_sandbox: Any, tmp_path: Path
) -> None:
    """The job's last finished run left its calls in the shared ledger: the next run compares
    them with the usage stats before any task search and refuses with no search call."""
    sb = make_apollo_sandbox(**quota(10))
    first = extract(sb, tmp_path)
    assert first.complete and search_calls(sb) == CALLS
    with pytest.raises(Exception) as caught:
        extract(sb, tmp_path)
    text = refusal(caught)
    assert f"needs about {first.requests} calls, but Apollo's quota has {10 - CALLS} left" in text
    assert "before its first task search" in text and "the last run's calls" in text
    assert search_calls(sb) == CALLS  # not one more
    assert len(sb.requests(STATS)) == 2  # one read per run


def _has_tasks(tmp_path: Path) -> bool:
    with duckdb.connect(str(tmp_path / "ap.duckdb"), read_only=True) as con:
        names = {
            r[0] for r in con.sql("SELECT table_name FROM information_schema.tables").fetchall()
        }
    return "tasks" in names


@pytest.mark.parametrize("headers", ["current", "legacy"])
def test_unreadable_usage_stats_fall_back_to_the_rate_headers(
    make_apollo_sandbox: Any, tmp_path: Path, headers: str
) -> None:
    """The stats endpoint's own hourly quota spent (a 429 naming the hour): the first page's
    hour and day headers (either day name, NOTES section 1) decide, and the run says so."""
    limits = {SEARCH: {"hour": 6}, STATS.lstrip("/"): {"hour": 0}}
    sb = make_apollo_sandbox(header_scheme=headers, endpoint_rate_limits=limits)
    with pytest.raises(Exception) as caught:
        extract(sb, tmp_path)
    text = refusal(caught)
    assert f"needs about {CALLS} calls, but Apollo's quota has 5 left" in text
    assert "requests-left headers of the first page" in text
    assert search_calls(sb) == 1


def test_unreadable_usage_stats_never_block_a_run(make_apollo_sandbox: Any, tmp_path: Path) -> None:
    """Stats unreadable, the headers say enough is left: the run goes on and says how it was
    checked."""
    limits = {SEARCH: {"hour": 100}, STATS.lstrip("/"): {"hour": 0}}
    sb = make_apollo_sandbox(endpoint_rate_limits=limits)
    summary = extract(sb, tmp_path)
    assert summary.complete and search_calls(sb) == CALLS
    assert summary.calls_left == 100 - CALLS
    assert any("usage stats could not be read" in w for w in summary.warnings)


def test_use_remaining_quota_runs_on_what_is_left(make_apollo_sandbox: Any, tmp_path: Path) -> None:
    """Told to use what is left, the run is not refused: it reads until Apollo refuses the
    hour's last call, and then stops as any Apollo run on a spent quota does (the vendor's
    message and its reset; the scan is not loaded, nothing is deleted)."""
    sb = make_apollo_sandbox(**quota(5))
    # At the start of an hour window: the reset is farther than the client waits, whatever
    # the time of day.
    sb.freeze_clock((float(sb.clock()["now"]) // 3600 + 1) * 3600)
    with pytest.raises(Exception) as caught:
        extract(sb, tmp_path, use_remaining_quota=True)
    assert "hourly quota for api/v1/tasks/search is spent" in str(caught.value)
    assert search_calls(sb) == 6  # five served, the sixth refused
    assert not (tmp_path / "ap.duckdb").exists() or not _has_tasks(tmp_path)


def test_the_command_exits_with_its_own_code_and_one_line(
    make_apollo_sandbox: Any, tmp_path: Path
) -> None:
    sb = make_apollo_sandbox(**quota(6))
    proc = run_cli(  # in this process (tests/cli_runner.py), as a new process would run it
        ["extract", "apollo", "--base-url", sb.base_url, "--per-page", "100",
         "--duckdb-path", str(tmp_path / "a.duckdb"), "--pipelines-dir", str(tmp_path / "pipelines")],
        env=child_env(APOLLO_API_KEY=sb.api_key), cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == EXIT_QUOTA, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: Apollo run refused"), lines
    assert f"{CALLS} calls" in lines[0] and "5 left" in lines[0]
    assert "--use-remaining-quota" in lines[0]
    assert search_calls(sb) == 1
