"""What the progress display knows while a real scan runs: Reply, which gives no total, gets an
ETA from the tasks the last run loaded; every vendor's pacing wait reaches the display.

Real HTTP to the sandboxes, real DuckDB; the display's clock is the test's (no sleeps).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import dlt
import pytest

from sales_tasks.pipelines.progress import ProgressTracker, extract_sample, format_line
from sales_tasks.sources.apollo import ScanReport, apollo_source
from sales_tasks.sources.reply import ReplyScanReport, reply_source
from sales_tasks.sources.reply.current_state import known_task_ids
from sales_tasks.sources.saleshandy import SaleshandyScanReport, saleshandy_source

FAST = {"rate_limits": {"minute": 10**6, "hour": 10**7}}


def _pipeline(tmp_path: Path, name: str) -> Any:
    return dlt.pipeline(
        pipeline_name=name,
        destination=dlt.destinations.duckdb(str(tmp_path / f"{name}.duckdb")),
        dataset_name=f"{name}_data",
        pipelines_dir=str(tmp_path / "pipelines"),
    )


def test_reply_progress_has_an_eta_from_the_last_runs_count(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    sb = sandbox_factory("reply", tasks=400, **FAST)
    settings = {
        "api_key": sb.api_key,
        "base_url": sb.base_url,
        "top": 100,
        "rate_limits": "100000/1",
    }
    pipeline = _pipeline(tmp_path, "reply_progress")
    first = ReplyScanReport()
    pipeline.run(reply_source(report=first, **settings))
    assert first.total_entries is None  # Reply gives no total

    now = [0.0]
    tracker = ProgressTracker(clock=lambda: now[0])
    lines: list[str] = []

    def on_page(report: Any) -> None:
        now[0] += 2.0  # two seconds a page, on the display's clock
        lines.append(format_line("reply extract", "tasks", tracker.view(extract_sample(report))))

    second = ReplyScanReport(progress=on_page)
    pipeline.run(reply_source(report=second, known_ids=known_task_ids(pipeline), **settings))
    assert second.expected_total == 400
    page_lines = [line for line in lines if "/s, ETA" in line and " 0 tasks," not in line]
    assert page_lines, lines
    # After the users and the first page (4 s on the display's clock): 100 tasks at 25 tasks/s,
    # 300 left of the 400 the last run loaded.
    assert (
        "100 tasks, pages 2/?, 25 tasks/s, ETA ~0:12 (about 400 expected, from the last run)"
        in (page_lines[0])
    ), page_lines
    assert all("ETA unknown" not in line for line in page_lines[:3]), page_lines


@pytest.mark.parametrize("vendor", ["apollo", "saleshandy", "reply"])
def test_the_display_reads_the_scans_pacing_governor(
    vendor: str, sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    """The governor that paces sends is the one the display samples (a 35 s pacing wait
    used to show as a frozen line: the display had no governor to read)."""
    sb = sandbox_factory(vendor, tasks=50, **(FAST if vendor == "reply" else {}))
    report: Any
    if vendor == "apollo":
        report = ScanReport()
        source = apollo_source(api_key=sb.master_key, base_url=sb.base_url, report=report)
    elif vendor == "reply":  # the vendor that paces most: 100 requests a minute
        report = ReplyScanReport()
        source = reply_source(
            api_key=sb.api_key, base_url=sb.base_url, rate_limits="100000/1", report=report
        )
    else:
        report = SaleshandyScanReport()
        source = saleshandy_source(api_key=sb.api_key, base_url=sb.base_url, report=report)
    _pipeline(tmp_path, f"{vendor}_progress").run(source)
    assert report.governor is not None
    report.governor.paced_seconds += 35.0  # as the governor counts a wait when it starts
    view = ProgressTracker().view(extract_sample(report))
    line = format_line(f"{vendor} extract", "tasks", view)
    assert f"waiting on {vendor.capitalize()}'s rate limit: next request in 35s" in line
