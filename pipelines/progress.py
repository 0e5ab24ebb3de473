"""Progress of a run, for a person at a terminal and for a scheduler's log.

One sampler thread reads the run's counters a few times a second (`ProgressSample`: items done
of `total`, pages or calls, retries, 429s) and derives the rate, the ETA against the total and
whether the run is waiting on the vendor's rate limit (a 429 came after the last item).

- On a terminal: a live `rich` display (bar, counts, rows/s, ETA, retries, 429s and a visible
  "waiting on <vendor>'s rate limit" line, the vendor named by the run). While it is live, every logging handler that wrote to
  stderr writes through rich's console instead, so a retry warning prints above the display and
  never into it.
- Anywhere else (Airflow, Dagster, CI, a pipe): one plain line every `interval` seconds (10 by
  default) and a last one at the end, without `\\r`, through `emit` (stderr by default; Dagster
  passes `context.log.info`).
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from rich.console import Console, Group
from rich.live import Live
from rich.text import Text

TEmit = Callable[[str], None]
DEFAULT_INTERVAL = 10.0
TICK = 0.25


@dataclass(frozen=True)
class ProgressSample:
    """The counters of a run at one moment."""

    done: int
    total: int | None
    steps: str  # "pages 12/100", "calls 40"
    retries: int = 0
    rate_limited: int = 0
    # Seconds the vendor's documented limits have held sends back so far (the client governor's
    # `paced_seconds`: it grows by a whole wait when the wait starts, so it also says when the
    # wait ends).
    paced_seconds: float = 0.0
    # Without a `total`: an estimate of it (the tasks the last run loaded), for the ETA.
    expected: int | None = None


@dataclass(frozen=True)
class ProgressView:
    """A sample with what is derived from its history: rate, ETA, the wait in progress."""

    sample: ProgressSample
    elapsed: float
    rate: float  # items per second since the start
    eta: float | None
    waiting_rate_limit: float | None  # seconds since the 429 the run is waiting on
    pacing_left: float | None = None  # seconds until our pacing of the vendor's limits lets go


class ProgressTracker:
    """Turns successive samples into rate, ETA and rate-limit waits (no I/O; any clock)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._started = clock()
        self._done = 0
        self._done_at = self._started
        self._limited = 0
        self._limited_at: float | None = None
        self._paced = 0.0
        self._paced_until = self._started

    def view(self, sample: ProgressSample) -> ProgressView:
        now = self._clock()
        if sample.done != self._done:
            self._done, self._done_at = sample.done, now
        if sample.rate_limited != self._limited:
            self._limited, self._limited_at = sample.rate_limited, now
        if sample.paced_seconds > self._paced:
            # The governor counts a wait when it starts, overlapping waits once: the new seconds
            # extend the wait in progress, or start one now.
            self._paced_until = max(now, self._paced_until) + sample.paced_seconds - self._paced
            self._paced = sample.paced_seconds
        pacing = self._paced_until - now if self._paced_until - now >= 0.5 else None
        elapsed = max(now - self._started, 1e-9)
        rate = sample.done / elapsed
        eta = None
        target = sample.total if sample.total is not None else sample.expected
        if target is not None and rate > 0:
            eta = max(0.0, (target - sample.done) / rate)
        waiting = None
        if self._limited_at is not None and self._limited_at >= self._done_at:
            waiting = now - self._limited_at
        return ProgressView(sample, elapsed, rate, eta, waiting, pacing)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _eta(view: ProgressView) -> str:
    s = view.sample
    if s.total is not None and s.done >= s.total:
        return "all read, finishing"  # the load (extract) or the last answers (push) remain
    if s.total is None and s.expected is not None:
        if view.eta is None:
            return f"ETA unknown (about {s.expected} expected, from the last run)"
        if s.done >= s.expected:
            return "past the last run's count, ETA unknown"
        return f"ETA ~{_duration(view.eta)} (about {s.expected} expected, from the last run)"
    return f"ETA {_duration(view.eta)}" if view.eta is not None else "ETA unknown"


def _vendor(title: str) -> str:
    """`Acme` from a title such as `acme extract` (when the run does not name its vendor)."""
    name = title.split(" ", 1)[0]
    return name[:1].upper() + name[1:]


def _pacing(vendor: str, view: ProgressView) -> str:
    return f"waiting on {vendor}'s rate limit: next request in {view.pacing_left:.0f}s"


def format_line(
    title: str, unit: str, view: ProgressView, *, final: bool = False, vendor: str | None = None
) -> str:
    """One plain line: `acme extract: 900/2000 tasks (45%), pages 5/10, 310 tasks/s, ETA 0:04`."""
    s = view.sample
    count = f"{s.done}/{s.total} {unit}" if s.total is not None else f"{s.done} {unit}"
    if s.total:
        count += f" ({100 * s.done // s.total}%)"
    parts = [count, s.steps, f"{view.rate:,.0f} {unit}/s"]
    if final:
        parts.append(f"took {_duration(view.elapsed)}")
    else:
        parts.append(_eta(view))
    parts += [f"retries {s.retries}", f"429s {s.rate_limited}"]
    if view.waiting_rate_limit is not None and not final:
        parts.append(f"waiting on the rate limit for {view.waiting_rate_limit:.0f}s")
    elif view.pacing_left is not None and not final:
        parts.append(_pacing(vendor or _vendor(title), view))
    return f"{title}: " + ", ".join(parts)


class RunProgress:
    """Shows a run's progress from `sample()` until `stop()`; see the module docstring.

    Args:
        title: e.g. "acme extract".
        unit: what `done` counts ("tasks", "rows").
        sample: returns the counters; called from the progress thread.
        console: a terminal console gets the live display; default rich's console on stderr.
        emit: where plain lines go when there is no terminal (default: stderr).
        interval: seconds between plain lines.
        vendor: the vendor as its rate-limit line names it (default: the title's first word,
            capitalised).
    """

    def __init__(
        self,
        title: str,
        unit: str,
        sample: Callable[[], ProgressSample],
        *,
        console: Console | None = None,
        emit: TEmit | None = None,
        interval: float = DEFAULT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        vendor: str | None = None,
    ) -> None:
        self.title, self.unit, self._sample = title, unit, sample
        self.vendor = vendor or _vendor(title)
        self.interval = interval
        self._clock = clock
        self._tracker = ProgressTracker(clock)
        if console is None and emit is None and _isatty(sys.stderr):
            # Only a real terminal: FORCE_COLOR in a CI log would otherwise get escape codes.
            console = Console(stderr=True)
        self._console = console if console is not None and console.is_terminal else None
        self._emit = emit or _stderr_line
        self._live: Live | None = None
        self._view: ProgressView | None = None
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._rerouted: list[tuple[logging.StreamHandler[Any], Any]] = []
        self._lock = threading.Lock()

    @property
    def is_live(self) -> bool:
        return self._console is not None

    def start(self) -> RunProgress:
        if self._thread is not None:
            return self
        if self._console is not None:
            original_stderr = sys.stderr
            self._live = Live(
                console=self._console,
                get_renderable=self._renderable,
                refresh_per_second=1 / TICK,
                redirect_stdout=False,
                redirect_stderr=True,
                transient=False,
            )
            self._live.start()
            self._reroute_logging(original_stderr)
        self._thread = threading.Thread(target=self._run, name="progress", daemon=True)
        self._thread.start()
        return self

    def say(self, message: str) -> None:
        """A one-off event of the run (a phase, a reconciliation): above the display, or a line."""
        if self._live is not None:
            self._live.console.print(Text(f"{self.title}: {message}"))
        else:
            self._emit(f"{self.title}: {message}")

    def stop(self) -> None:
        """The last line (both modes) and the end of the display; safe to call twice."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        view = self._refresh()
        if self._live is not None:
            self._live.stop()
            self._restore_logging()
        elif view is not None:
            self._emit(format_line(self.title, self.unit, view, final=True, vendor=self.vendor))

    def __enter__(self) -> RunProgress:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- internals -------------------------------------------------------------------------------

    def _refresh(self) -> ProgressView | None:
        try:
            sample = self._sample()
        except Exception:  # a counter read mid-update must not end the run; show the last one
            return self._view
        with self._lock:
            self._view = self._tracker.view(sample)
            return self._view

    def _run(self) -> None:
        last_line = self._clock()
        while not self._stopped.wait(TICK):
            view = self._refresh()
            if self._live is None and view is not None:
                now = self._clock()
                if now - last_line >= self.interval:
                    last_line = now
                    self._emit(format_line(self.title, self.unit, view, vendor=self.vendor))

    def _renderable(self) -> Any:
        with self._lock:
            view = self._view
        if view is None:
            return Text(f"{self.title}: starting")
        s = view.sample
        width = self._console.width if self._console is not None else 80
        line = Text(self.title, style="bold", no_wrap=True, overflow="ellipsis")
        if s.total:
            bar = 30 if width >= 140 else 10
            filled = bar * min(s.done, s.total) // s.total
            line.append(" ")
            line.append("━" * filled, style="magenta")
            line.append("━" * (bar - filled), style="grey37")
            line.append(f" {100 * s.done // s.total:>3d}%")
        count = f"{s.done:,}/{s.total:,}" if s.total is not None else f"{s.done:,}"
        # Most wanted first: a narrow terminal cuts the end of the line.
        line.append(
            f"  {count} {self.unit}  {_eta(view)}  {view.rate:,.0f}/s  {s.steps}"
            f"  retries {s.retries}  429s {s.rate_limited}"
        )
        if view.waiting_rate_limit is not None:
            waiting = (
                f"  waiting on {self.vendor}'s rate limit for"
                f" {view.waiting_rate_limit:.0f}s (429 answers so far: {s.rate_limited})"
            )
        elif view.pacing_left is not None:
            waiting = f"  {_pacing(self.vendor, view)}"
        else:
            return line
        wait = Text(
            waiting,
            style="yellow",
            no_wrap=True,
            overflow="ellipsis",
        )
        return Group(line, wait)

    def _reroute_logging(self, original_stderr: TextIO) -> None:
        # The command's handler and dlt's keep the stderr they were made with: point them at
        # rich's proxy (now sys.stderr), which prints whole lines above the live display.
        loggers = [logging.getLogger()] + [
            lg
            for lg in logging.Logger.manager.loggerDict.values()
            if isinstance(lg, logging.Logger)
        ]
        for lg in loggers:
            for handler in lg.handlers:
                if type(handler) is logging.StreamHandler and handler.stream in (
                    original_stderr,
                    sys.__stderr__,
                ):
                    self._rerouted.append((handler, handler.setStream(sys.stderr)))

    def _restore_logging(self) -> None:
        for handler, stream in self._rerouted:
            handler.setStream(stream)
        self._rerouted = []


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def _stderr_line(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


class ProgressDisplay:
    """The extract's progress: the scan report's progress callback, shown by `RunProgress`
    under `title` (`<vendor> extract`), its rate-limit waits naming `vendor`.

    Pass it as `ScanReport(progress=...)`; it starts on the first event (or `start(report)`)
    and stops with `display(report, final=True)`.
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        interval: float = DEFAULT_INTERVAL,
        *,
        console: Console | None = None,
        emit: TEmit | None = None,
        title: str = "extract",
        vendor: str | None = None,
        sample: Callable[[Any], Any] | None = None,
    ) -> None:
        self.title, self.vendor = title, vendor
        # A vendor whose counters read differently gives its own (`SourceSpec.progress_sample`).
        self._sample_of = sample
        if stream is not None and emit is None and console is None:
            console = Console(file=stream)
            if not console.is_terminal:
                emit = _line_writer(stream)
        self._options: dict[str, Any] = {"console": console, "emit": emit, "interval": interval}
        self._progress: RunProgress | None = None
        self._lock = threading.Lock()

    def start(self, report: Any) -> RunProgress:
        with self._lock:
            if self._progress is None:
                self._progress = RunProgress(
                    self.title,
                    "tasks",
                    lambda: self._sample(report),
                    vendor=self.vendor,
                    **self._options,
                ).start()
            return self._progress

    def _sample(self, report: Any) -> ProgressSample:
        if self._sample_of is None:
            return extract_sample(report)
        return ProgressSample(**self._sample_of(report))

    def __call__(self, report: Any, final: bool = False) -> None:
        progress = self.start(report)
        if final:
            progress.stop()


def _line_writer(stream: TextIO) -> TEmit:
    def write(line: str) -> None:
        stream.write(line + "\n")
        stream.flush()

    return write


def extract_sample(report: Any) -> ProgressSample:
    """The counters of a `ScanReport`; the HTTP client's own counters when the scan shares them
    (they move during a rate-limit wait, the report's only after the next page)."""
    stats = getattr(report, "http_stats", None) or report
    return ProgressSample(
        done=report.tasks_seen,
        total=report.total_entries,
        steps=f"pages {report.pages}/{report.pages_planned or '?'}",
        retries=stats.retries,
        rate_limited=stats.rate_limited,
        paced_seconds=paced_seconds(getattr(report, "governor", None)),
        expected=getattr(report, "expected_total", None),
    )


def paced_seconds(governor: Any) -> float:
    """How long a client's rate-limit governor has held sends back (0 without one)."""
    return float(getattr(governor, "paced_seconds", 0.0) or 0.0)


def push_sample(session: Any, rows_in: int) -> ProgressSample:
    """The counters of a push session: rows decided (created, rejected, ...), calls sent and
    answered, and the time the vendor's documented rate limits held calls back."""
    engine, stats = session.engine, session.client.stats
    steps = f"calls {engine.calls} sent, {engine.calls_answered} answered"
    # How long the vendor's documented limits held the calls back (pacing, not 429s).
    paced = paced_seconds(getattr(session.client, "governor", None))
    if paced >= 0.5:
        steps += f", paced {paced:.0f}s by the rate limit"
    return ProgressSample(
        done=len(engine.outcomes),
        total=rows_in,
        steps=steps,
        retries=stats.retries,
        rate_limited=stats.rate_limited,
        paced_seconds=paced,
    )
