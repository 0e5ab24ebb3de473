"""While the client paces itself to a vendor's documented limits (no 429, just waiting), the
progress line says so, names the vendor and counts down to the next request."""

from __future__ import annotations

import io

from rich.console import Console

from sales_tasks.pipelines.progress import ProgressSample, ProgressTracker, RunProgress, format_line


def _sample(done: int, paced: float) -> ProgressSample:
    return ProgressSample(done, None, "pages 3", paced_seconds=paced)


def test_a_pacing_wait_is_shown_with_a_countdown_and_ends() -> None:
    now = [0.0]
    tracker = ProgressTracker(clock=lambda: now[0])
    now[0] = 10.0
    assert tracker.view(_sample(3000, 0.0)).pacing_left is None
    # The governor starts a 35 s wait: its counter grows by the whole wait at once.
    now[0] = 10.25
    view = tracker.view(_sample(3000, 35.0))
    assert view.pacing_left == 35.0
    now[0] = 30.25
    view = tracker.view(_sample(3000, 35.0))
    assert view.pacing_left == 15.0
    assert format_line("reply extract", "tasks", view) == (
        "reply extract: 3000 tasks, pages 3, 99 tasks/s, ETA unknown, retries 0, 429s 0,"
        " waiting on Reply's rate limit: next request in 15s"
    )
    now[0] = 45.5  # the wait is over and the next page came
    assert tracker.view(_sample(4000, 35.0)).pacing_left is None


def test_overlapping_waits_extend_the_countdown() -> None:
    now = [0.0]
    tracker = ProgressTracker(clock=lambda: now[0])
    now[0] = 1.0
    assert tracker.view(_sample(0, 10.0)).pacing_left == 10.0
    now[0] = 5.0  # a second worker's wait, counted by the governor past the first one's end
    assert tracker.view(_sample(0, 14.0)).pacing_left == 10.0


def test_the_live_display_names_the_vendor_it_waits_on() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=160)
    now = [0.0]
    progress = RunProgress(
        "saleshandy extract",
        "tasks",
        lambda: _sample(200, 20.0),
        console=console,
        clock=lambda: now[0],
    )
    progress._refresh()
    console.print(progress._renderable())
    assert "waiting on Saleshandy's rate limit: next request in 20s" in screen.getvalue()
