"""Sending the planned create calls: a few at once, the ledger written around every one.

The exactly-once rule holds for each call: its rows are committed `sending` before it goes out,
and its answer is committed after it arrives. What concurrency changes is only how those writes
are grouped. Up to `calls_in_flight` calls run on worker threads (the shared `ApiClient` and its
rate-limit governor are thread-safe); the coordinating thread alone writes the ledger, and each of
its transactions records every answer that arrived since the last one *and* marks the next calls
`sending` (a group commit). So a run makes at most one ledger commit per call instead of two, and
the vendor's latency overlaps the ledger's.

A call with an unknown outcome (dropped connection, 5xx, an answer missing tasks) joins the pool
of the `Reconciler` the sender holds (`reconcile.py`), and no call waits for it: calls for the
same contacts go on; what it proves not created is sent again (`max_send_attempts` per run).
One look at a time, on a thread of its own, searches the pool's contacts; its snapshot is applied
once every call started before it ended has answered and been recorded (so a task such a call
made is known, not taken for a lost one), and decides every request in the pool at once. Looks
follow each other as soon as one can decide something new (new unknown requests, a witness seen
that makes the next look conclusive); otherwise they back off (0.25 s doubling to 2 s) while the
search index catches up. The last planned call is held back until the calls before it have
answered, so that an unknown outcome among them has a later call whose task can prove the search
index caught up; in a run that met faults (an unknown outcome, or requests the client retried),
the last call's last row goes alone, last, to prove what the rest of that call did.

Stopping: when `should_stop()` turns true (SIGINT/SIGTERM, see `pipelines/stopping.py`) no new
call or look starts; answers arriving within `STOP_GRACE_SECONDS` are still recorded, then
`DeliveryStopped` is raised. Calls still in flight and requests still unknown keep their rows
`sending` (the next run reconciles them); rows not sent stay `pending`. Calls run on daemon
threads, so an abandoned one never holds the process open. A fatal error (401/403, exhausted
retries) is raised once the calls in flight have answered and been recorded, so no answer that
arrived is lost.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from sales_tasks.clients.core.errors import BadRequestError, FatalApiError, VendorApiError
from sales_tasks.clients.core.values import utc_now
from sales_tasks.destinations.core.contract import TTaskRow
from sales_tasks.destinations.core.ledger import NEEDS_REVIEW, PENDING, REJECTED, DeliveryLedger
from sales_tasks.destinations.core.outcomes import RunOutcomes
from sales_tasks.destinations.core.planner import plan_calls, split_group
from sales_tasks.destinations.core.reconcile import Look, PoolCheck, Reconciler, Witness
from sales_tasks.destinations.core.vendor import SendOutcome, SentTask, TaskVendor

# Checkpoints of a call, in order: `sending` committed and the call about to go out (worker
# thread); the vendor answered, answer not yet recorded; the answer recorded.
CHECKPOINTS = ("before_call", "after_call", "after_ledger")
STOP_GRACE_SECONDS = 2.0
_POLL_SECONDS = 0.2
_LOOK_BACKOFF = (0.25, 2.0)  # first and longest pause between looks that decide nothing new
NOT_CREATED_AFTER_ATTEMPTS = (
    "not created after {n} attempt(s) ({why}); left pending: run the push again"
)

T = TypeVar("T")


class DeliveryStopped(Exception):
    """The run was asked to stop (a signal); the ledger says what is left, the next run goes on."""


def _spawn(fn: Callable[[], T], name: str) -> Future[T]:
    """Run `fn` on a daemon thread: one the interpreter does not wait for at exit."""
    future: Future[T] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(fn())
        except BaseException as exc:  # handed to the coordinating thread
            future.set_exception(exc)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future


@dataclass
class _Flight:
    """One call on its way: its rows, its ledger batch id and when `sending` was committed."""

    call: list[TTaskRow]
    batch_id: str
    sent_at: datetime
    ended_at: datetime | None = None  # set by the worker when the vendor is done with it
    future: Future[SendOutcome] | None = None
    number: int = 0  # calls are numbered in the order they start

    @property
    def ids(self) -> list[str]:
        return [r["request_id"] for r in self.call]


@dataclass
class _Round:
    """What the answers of one round of finished calls mean for the ledger and the run."""

    delivered: dict[str, str] = field(default_factory=dict)
    created: list[tuple[_Flight, dict[str, str]]] = field(default_factory=list)
    marks: list[tuple[list[str], str, str | None]] = field(default_factory=list)
    rejected: list[tuple[TTaskRow, str]] = field(default_factory=list)
    unknown: list[tuple[TTaskRow, _Flight, str]] = field(default_factory=list)


class Sender:
    """Sends the planned create calls of one run, a few at once, the ledger written around each.

    It holds the run's `Reconciler`: calls whose answer was lost join its pool, it looks on a
    thread beside the calls, and the rows it proves not created are sent again here (at most
    `max_send_attempts` times per run).

    Args:
        vendor: the vendor adapter that makes the calls.
        ledger: the run's delivery ledger (written by the coordinating thread only).
        reconciler: settles the calls whose answers were lost.
        outcomes: the run's record, where answered rows get their outcome.
        run_id: the run's id in the ledger (and the prefix of its batch ids).
        calls_in_flight: create calls sent at once (1 = strictly one after the other).
        max_send_attempts: sends per row per run when reconciliation keeps deciding "not created".
        progress: receives one-line progress messages.
        should_stop: polled between calls; true ends the run (`DeliveryStopped`) within seconds.
        on_checkpoint: called with each of `CHECKPOINTS` as every call passes it.

    Attributes:
        calls: create calls started; calls_answered: calls whose answer is recorded.
    """

    def __init__(
        self,
        vendor: TaskVendor,
        ledger: DeliveryLedger,
        reconciler: Reconciler,
        outcomes: RunOutcomes,
        *,
        run_id: str,
        calls_in_flight: int = 4,
        max_send_attempts: int = 3,
        progress: Callable[[str], None] | None = None,
        should_stop: Callable[[], bool] = lambda: False,
        on_checkpoint: Callable[[str], None] | None = None,
    ) -> None:
        if calls_in_flight < 1:
            raise ValueError("calls_in_flight must be >= 1")
        self.vendor = vendor
        self.ledger = ledger
        self.reconciler = reconciler
        self.outcomes = outcomes
        self.run_id = run_id
        self.calls_in_flight = calls_in_flight
        self.max_send_attempts = max_send_attempts
        self._progress = progress or (lambda message: None)
        self._should_stop = should_stop
        self._on_checkpoint = on_checkpoint
        self.calls = 0
        self.calls_answered = 0
        self._sends: dict[str, int] = {}  # request_id -> sends in this run
        self._next_batch = itertools.count(1).__next__
        self._last_flight = 0
        self._unknown_seen = False

    def _checkpoint(self, point: str) -> None:
        if self._on_checkpoint is not None:
            self._on_checkpoint(point)

    # --- the loop ----------------------------------------------------------------------------

    def deliver(self, rows: list[TTaskRow], checks: list[PoolCheck]) -> None:
        """Send `rows` (marked `pending`) and settle `checks`; returns when both are done.

        Raises:
            DeliveryStopped: `should_stop` turned true; the ledger holds what is left.
            VendorApiError: a fatal error, raised once the calls in flight are recorded.
        """
        for row in rows:
            self.outcomes.to_send.setdefault(row["request_id"], row)
        for check in checks:
            self.reconciler.join(check)
        queue: deque[list[TTaskRow]] = deque(plan_calls(rows, self.vendor))
        flying: dict[Future[SendOutcome], _Flight] = {}
        looking: Future[Look] | None = None
        looked: Look | None = None  # a finished look, applied once the calls before it are in
        next_look, pause, fresh = 0.0, _LOOK_BACKOFF[0], True
        finished: list[_Flight] = []
        fatal: list[BaseException] = []
        stop_since: float | None = None
        answered = 0
        while True:
            if stop_since is None and self._should_stop():
                stop_since = time.monotonic()
                self._progress("stop requested: no new calls; recording the answers in flight")
            halted = bool(fatal) or stop_since is not None
            if halted:
                looked = None  # its rows stay `sending`: the next run looks again
            starting = [] if halted else self._pick_calls(queue, flying)
            if finished or starting:
                lost = self._commit_round(finished, starting, queue, fatal)
                if lost is not None:
                    self.reconciler.join(lost)
                    fresh = True
                answered += len(finished)
                self.calls_answered += len(finished)
                if finished and (answered % 25 < len(finished) or not (queue or flying)):
                    self._progress(
                        f"{self.calls} call(s) made, {len(self.outcomes.created)} task(s) created"
                    )
                finished = []
            for flight in starting:
                flight.future = _spawn(partial(self._call, flight), "push-call")
                flying[flight.future] = flight
            if looked is not None and not halted and self._caught_up(looked, flying):
                if (
                    self._settle(looked, queue, more_coming=bool(flying or queue))
                    or self.reconciler.proven
                ):
                    next_look, pause = 0.0, _LOOK_BACKOFF[0]
                else:
                    next_look = time.monotonic() + pause
                    pause = min(pause * 2, _LOOK_BACKOFF[1])
                looked = None
                continue
            if (
                not halted
                and looking is None
                and looked is None
                and self.reconciler.pending
                and (fresh or time.monotonic() >= next_look)
            ):
                looking = self._start_look()
                fresh = False
            if stop_since is not None:
                if not flying or time.monotonic() - stop_since > STOP_GRACE_SECONDS:
                    raise self._stopped(flying, queue)
            elif not flying and (fatal or looking is None) and looked is None:
                if fatal:
                    raise fatal[0]
                if starting:
                    continue
                if not queue and not self.reconciler.pending:
                    return
                if queue:
                    continue
            futures: list[Future[Any]] = [*flying]
            if looking is not None:
                futures.append(looking)
            if not futures:
                # Only the pool is left, waiting for the search index: sleep until the next look.
                time.sleep(max(0.0, min(_POLL_SECONDS, next_look - time.monotonic())))
                continue
            done, _ = wait(futures, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                if future in flying:
                    finished.append(flying.pop(future))
                elif future is looking:
                    looking = None
                    try:
                        looked = future.result()
                    except VendorApiError as exc:  # the search failed: the rows stay `sending`
                        fatal.append(exc)

    def _start_look(self) -> Future[Look]:
        look = self.reconciler.next_look()
        self._progress(
            f"outcome unknown for {len(look.asked)} task(s); checking {len(look.contacts)}"
            " contact(s) in one search"
        )

        # Calls answering or starting while the search reads can shift the list it reads.
        busy_at_start, first_flight = self.calls > self.calls_answered, self._last_flight

        def run() -> Look:
            done = self.reconciler.look(look)
            # Read after the snapshot: a call numbered later started after it was taken.
            done.last_flight = self._last_flight
            done.own_calls_during = busy_at_start or done.last_flight != first_flight
            return done

        return _spawn(run, "push-reconcile")

    def _caught_up(self, look: Look, flying: dict[Future[SendOutcome], _Flight]) -> bool:
        """Whether every call that could have made a task in the look's snapshot is recorded."""
        return all(f.number > look.last_flight for f in flying.values())

    def _pick_calls(
        self, queue: deque[list[TTaskRow]], flying: dict[Future[SendOutcome], _Flight]
    ) -> list[_Flight]:
        starting: list[_Flight] = []
        kept: deque[list[TTaskRow]] = deque()
        while queue and len(flying) + len(starting) < self.calls_in_flight:
            call = queue.popleft()
            if len(call) > self.vendor.max_per_call:
                # The vendor learnt a smaller limit during the run (a call refused as too
                # large): calls planned before are split to it, not refused one by one.
                queue.extendleft(reversed(split_group(call, self.vendor)))
                continue
            call = self._within_attempts(call)
            if not call:
                continue
            if not queue and not kept:
                if flying or starting:
                    # The last call waits for the others: it can prove what an unknown one did.
                    kept.append(call)
                    break
                if len(call) > 1 and self._faults_seen():
                    # Faults in this run: a last row of its own proves what this call did, so
                    # at worst one row is left without proof, not a whole call.
                    kept.append(call[-1:])
                    call = call[:-1]
            starting.append(self._flight(call))
        queue.extendleft(reversed(kept))
        return starting

    def _faults_seen(self) -> bool:
        """Whether this run met faults: an unknown outcome, or requests its client had to retry
        (5xx, dropped connections; read from the vendor's `client.stats` when it has one)."""
        if self._unknown_seen:
            return True
        stats = getattr(getattr(self.vendor, "client", None), "stats", None)
        return bool(
            stats is not None
            and (getattr(stats, "server_errors", 0) or getattr(stats, "transport_errors", 0))
        )

    def _within_attempts(self, call: list[TTaskRow]) -> list[TTaskRow]:
        """The rows of `call` that may still be sent; the others are given up for this run."""
        kept = []
        for row in call:
            if self._sends.get(row["request_id"], 0) < self.max_send_attempts:
                kept.append(row)
            else:
                self._give_up(row, "attempts spent")
        return kept

    def _flight(self, call: list[TTaskRow]) -> _Flight:
        for row in call:
            self._sends[row["request_id"]] = self._sends.get(row["request_id"], 0) + 1
        self.calls += 1
        number = self._next_batch()
        self._last_flight = number
        return _Flight(call, f"{self.run_id}-{number}", utc_now(), number=number)

    def _call(self, flight: _Flight) -> SendOutcome:
        # On a worker thread, after the round that marked this call `sending` was committed.
        try:
            self._checkpoint("before_call")
            return self.vendor.send(flight.call)
        finally:
            flight.ended_at = utc_now()

    def _commit_round(
        self,
        finished: list[_Flight],
        starting: list[_Flight],
        queue: deque[list[TTaskRow]],
        fatal: list[BaseException],
    ) -> PoolCheck | None:
        """Record the finished calls and mark the starting ones `sending`, in one commit.

        Returns the rows whose outcome is unknown, as one check to reconcile.
        """
        answers = _Round()
        for flight in finished:
            self._read_answer(flight, answers, queue, fatal)
        sent_at = utc_now()
        for flight in starting:
            flight.sent_at = sent_at
        with self.ledger.transaction():
            for ids, state, error in answers.marks:
                self.ledger.mark(ids, state, error=error)
            self.ledger.record_round(
                answers.delivered,
                [(f.ids, f.batch_id) for f in starting],
                run_id=self.run_id,
                sent_at=sent_at,
            )
        for row, reason in answers.rejected:
            self.outcomes.record(row["row"], row["request_id"], REJECTED, detail=reason)
        witnesses = []
        # What a witness asked for, for a vendor whose search is bounded by it (`search_for`).
        payload_of = self.vendor.payload if hasattr(self.vendor, "search_for") else None
        for flight, mapped in answers.created:
            self._mark_created(flight.call, mapped)
            witnesses += [
                Witness(
                    mapped[r["request_id"]],
                    self.vendor.distinct_key(r),
                    flight.sent_at,
                    payload_of(r) if payload_of else None,
                )
                for r in flight.call
                if r["request_id"] in mapped
            ]
            self._checkpoint("after_ledger")
        self.reconciler.witness(witnesses)
        if not answers.unknown:
            return None
        return self._check_of(answers.unknown)

    def _check_of(self, unknown: list[tuple[TTaskRow, _Flight, str]]) -> PoolCheck:
        self._unknown_seen = True
        ended = max(f.ended_at or utc_now() for _, f, _ in unknown)
        check = PoolCheck(sent=[], ended_at=ended, why=unknown[0][2])
        for row, flight, _ in unknown:
            request_id = row["request_id"]
            check.sent.append(SentTask(request_id, self.vendor.payload(row), flight.sent_at))
            check.rows[request_id] = row
            check.numbers[request_id] = row["row"]
        return check

    def _read_answer(
        self,
        flight: _Flight,
        answers: _Round,
        queue: deque[list[TTaskRow]],
        fatal: list[BaseException],
    ) -> None:
        assert flight.future is not None
        try:
            outcome = flight.future.result()
        except BadRequestError as exc:
            self._refused(flight, exc, answers, queue, fatal)
            return
        except FatalApiError as exc:
            # 401/403/exhausted 429 or refused connections: the vendor did not act on the call.
            answers.marks.append((flight.ids, PENDING, str(exc)))
            fatal.append(exc)
            return
        except VendorApiError as exc:  # an adapter that raised instead of answering "unknown"
            outcome = SendOutcome(unknown=dict.fromkeys(flight.ids, str(exc)))
        self._checkpoint("after_call")
        by_id = {r["request_id"]: r for r in flight.call}
        for request_id, reason in outcome.rejected.items():
            answers.marks.append(([request_id], REJECTED, reason))
            answers.rejected.append((by_id[request_id], reason))
        answers.unknown.extend((by_id[i], flight, why) for i, why in outcome.unknown.items())
        if outcome.created:
            answers.delivered.update(outcome.created)
            answers.created.append((flight, outcome.created))

    def _refused(
        self,
        flight: _Flight,
        exc: BadRequestError,
        answers: _Round,
        queue: deque[list[TTaskRow]],
        fatal: list[BaseException],
    ) -> None:
        call = flight.call
        if exc.status not in (400, 422):
            answers.marks.append((flight.ids, PENDING, str(exc)))
            fatal.append(exc)
            return
        if len(call) > 1:
            # A refused shared call created nothing; halve it to find the row(s) refused.
            answers.marks.append((flight.ids, PENDING, exc.vendor_message))
            for request_id in flight.ids:  # nothing was created: not an attempt spent
                self._sends[request_id] -= 1
            half = len(call) // 2
            queue.extendleft([call[half:], call[:half]])
            return
        # Adapters answer a refused single row as `rejected`; one that raises means the same.
        reason = f"{self.vendor.name} refused the task ({exc.status}): {exc.vendor_message}"
        answers.marks.append((flight.ids, REJECTED, reason))
        answers.rejected.append((call[0], reason))

    def _mark_created(self, call: list[TTaskRow], mapped: dict[str, str]) -> None:
        for row in call:
            task_id = mapped.get(row["request_id"])
            if task_id is not None:
                self.outcomes.record_created(row["row"], row["request_id"], task_id)

    # --- what reconciliation decided ---------------------------------------------------------

    def _settle(self, look: Look, queue: deque[list[TTaskRow]], *, more_coming: bool) -> bool:
        """Apply what a finished look proves and queue the rows to send again; True when it
        decided anything."""
        again = self.reconciler.settle(look, more_coming=more_coming)
        if again is None:
            return False
        resend: list[TTaskRow] = []
        for row, why in again:
            request_id = row["request_id"]
            if self._sends.get(request_id, 0) < self.max_send_attempts:
                resend.append(row)
                self.outcomes.to_send.setdefault(request_id, row)
            else:
                self._give_up(row, why)
        queue.extend(plan_calls(resend, self.vendor))
        return True

    def _give_up(self, row: TTaskRow, why: str) -> None:
        """A row proven not created as many times as it may be sent: pending for the next run."""
        detail = NOT_CREATED_AFTER_ATTEMPTS.format(n=self.max_send_attempts, why=why)
        with self.ledger.transaction():
            self.ledger.mark([row["request_id"]], PENDING, error=detail)
        self.outcomes.record(row["row"], row["request_id"], NEEDS_REVIEW, detail=detail)

    # --- stopping ----------------------------------------------------------------------------

    def _stopped(
        self, flying: dict[Future[SendOutcome], _Flight], queue: deque[list[TTaskRow]]
    ) -> DeliveryStopped:
        in_flight = sum(len(f.call) for f in flying.values())
        unchecked = self.reconciler.pending
        not_sent = sum(len(call) for call in queue)
        return DeliveryStopped(
            f"{len(flying)} call(s) were in flight and {unchecked} task(s) were being checked:"
            f" those {in_flight + unchecked} stay `sending` and the next run checks them in"
            f" {self.vendor.name}; {not_sent} task(s) were not sent; run the push again to finish"
        )
