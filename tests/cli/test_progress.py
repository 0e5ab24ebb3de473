"""Progress for people and for logs: plain periodic lines off a terminal, a live display on one.

The extract cases run a real scan over HTTP against the sandbox into DuckDB; the push case a real
push. Rate limits are the sandbox's own (a few calls per 3 s window), so the waits are real.
"""

from __future__ import annotations

import io
import logging
import re
import sys
from pathlib import Path
from typing import Any

import dlt
import duckdb
from rich.console import Console

from sales_tasks.pipelines.progress import (
    ProgressDisplay,
    ProgressSample,
    ProgressTracker,
    format_line,
)
from sales_tasks.sources.apollo import ScanReport, make_source
from tests.sink.conftest import task_rows, write_input

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _extract(sb: Any, tmp_path: Path, display: ProgressDisplay) -> ScanReport:
    report = ScanReport(progress=display)
    pipeline = dlt.pipeline(
        pipeline_name="progress_test",
        destination=dlt.destinations.duckdb(str(tmp_path / "t.duckdb")),
        dataset_name="apollo",
        pipelines_dir=str(tmp_path / "p"),
    )
    display.start(report)
    try:
        pipeline.run(make_source(api_key=sb.master_key, base_url=sb.base_url, report=report))
    finally:
        display(report, final=True)
    return report


def _tasks_loaded(tmp_path: Path) -> int:
    with duckdb.connect(str(tmp_path / "t.duckdb")) as con:
        row = con.execute("SELECT count(DISTINCT id) FROM apollo.tasks").fetchone()
    return int(row[0]) if row else 0


def test_tracker_rate_eta_and_rate_limit_wait() -> None:
    now = [0.0]
    tracker = ProgressTracker(clock=lambda: now[0])
    now[0] = 2.0
    view = tracker.view(ProgressSample(400, 1000, "pages 2/5"))
    assert (view.rate, view.eta, view.waiting_rate_limit) == (200.0, 3.0, None)
    now[0] = 3.0  # a 429 after the last page: the run is waiting on the rate limit
    assert (
        tracker.view(ProgressSample(400, 1000, "pages 2/5", rate_limited=1)).waiting_rate_limit == 0
    )
    now[0] = 5.5
    view = tracker.view(ProgressSample(400, 1000, "pages 2/5", rate_limited=1))
    assert view.waiting_rate_limit == 2.5
    assert format_line("apollo extract", "tasks", view) == (
        "apollo extract: 400/1000 tasks (40%), pages 2/5, 73 tasks/s, ETA 0:08, retries 0,"
        " 429s 1, waiting on the rate limit for 2s"
    )
    now[0] = 6.0  # the next page came: no longer waiting
    assert (
        tracker.view(ProgressSample(600, 1000, "pages 3/5", rate_limited=1)).waiting_rate_limit
        is None
    )


def test_without_a_terminal_plain_periodic_lines_show_the_waits(
    make_sandbox: Any, tmp_path: Path
) -> None:
    sb = make_sandbox(
        tasks=3000,
        max_per_page=200,
        rate_limits={"minute": 6, "hour": 100_000, "day": 1_000_000},
        rate_window_seconds={"minute": 3.0, "hour": 3600.0, "day": 86400.0},
    )
    stream = io.StringIO()
    report = _extract(
        sb, tmp_path, ProgressDisplay(stream=stream, interval=0.5, title="apollo extract")
    )
    text = stream.getvalue()
    assert "\r" not in text and "\x1b" not in text
    lines = text.splitlines()
    assert len(lines) >= 4, text  # periodic, not only the last one
    assert all(line.startswith("apollo extract: ") for line in lines), text
    assert any(re.search(r"waiting on the rate limit for \d+s$", line) for line in lines), text
    assert re.fullmatch(
        r"apollo extract: 3000/3000 tasks \(100%\), pages 31/31, [\d,]+ tasks/s, took 0:\d\d,"
        rf" retries \d+, 429s {report.rate_limited}",
        lines[-1],
    ), lines[-1]
    assert report.rate_limited >= 1 and _tasks_loaded(tmp_path) == 3000


def test_on_a_terminal_a_live_display_with_warnings_above_it(
    make_sandbox: Any, tmp_path: Path
) -> None:
    sb = make_sandbox(tasks=2000, max_per_page=200)
    sb.script_faults(
        [{"path": "/api/v1/tasks/search", "fault": "error_503", "count": 2, "after": 3}]
    )
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=160)
    handler = logging.StreamHandler(sys.stderr)  # what `logging.basicConfig` installs
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    stderr_before = handler.stream
    logging.getLogger().addHandler(handler)
    try:
        report = _extract(sb, tmp_path, ProgressDisplay(console=console, title="apollo extract"))
    finally:
        logging.getLogger().removeHandler(handler)
    assert handler.stream is stderr_before  # given back after the display
    text = ANSI.sub("", screen.getvalue())
    assert re.search(
        r"apollo extract ━+ +\d+%  [\d,]+/2,000 tasks  ETA 0:\d\d  [\d,]+/s  pages", text
    )
    assert re.search(r"100%  2,000/2,000 tasks  all read, finishing  [\d,]+/s  pages 21/21", text)
    warnings = [line for line in text.splitlines() if "retrying in" in line]
    assert report.retries >= 1 and warnings, text
    # Each retry warning is a line of its own, above the display, never inside its line.
    assert all(line.startswith("WARNING apollo_tasks.http: ") for line in warnings), warnings
    assert _tasks_loaded(tmp_path) == 2000


def test_push_progress_lines(sandbox: Any, warehouse_url: str, push: Any) -> None:
    write_input(warehouse_url, task_rows(sandbox, 5))
    lines: list[str] = []
    summary = push(sandbox, progress=lines.append)
    assert summary.created == 5
    assert lines[0] == "apollo push: read 5 row(s) from the warehouse"
    assert all(line.startswith("apollo push: ") and "\r" not in line for line in lines), lines
    assert re.fullmatch(
        r"apollo push: 5/5 rows \(100%\), calls 1 sent, 1 answered, [\d,]+ rows/s, took 0:\d\d, retries 0,"
        r" 429s 0",
        lines[-1],
    ), lines
