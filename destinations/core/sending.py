"""Sending the planned create calls: a few at once, the ledger written around every one.

The exactly-once rule holds for each call: its rows are committed `sending` before it goes out,
and its answer is committed after it arrives. What concurrency changes is only how those writes
are grouped. Up to `calls_in_flight` calls run on worker threads (the shared `ApiClient` and its
rate-limit governor are thread-safe); the coordinating thread alone writes the ledger, and each of
its transactions records every answer that arrived since the last one *and* marks the next calls
`sending` (a group commit). So a run makes at most one ledger commit per call instead of two, and
the vendor's latency overlaps the ledger's.

A call with an unknown outcome (dropped connection, 5xx, an answer missing tasks) is reconciled
on a thread of its own while the other calls go on (`reconcile.py`). Only calls for the same
contacts wait: a call still in flight for one of its contacts must have answered, and been
recorded, before the search starts (the reconciler must not take that call's task for the unknown
one), and no new call for those contacts starts until it is decided. The last planned call is held
back until the calls before it have answered, so that an unknown outcome among them has a later
call whose task can prove the search index caught up (see `reconcile.py`); after an unknown
outcome, the last call's last row goes alone, last, to prove what the rest of that call did.

Stopping: when `should_stop()` turns true (SIGINT/SIGTERM, see `pipelines/stopping.py`) no new
call or search starts; answers arriving within `STOP_GRACE_SECONDS` are still recorded, then
`DeliveryStopped` is raised. Calls still in flight then keep their rows `sending` (the next run
reconciles them); rows not sent stay `pending`. Calls run on daemon threads, so an abandoned one
never holds the process open. A fatal error (401/403, exhausted retries) is raised once the calls
in flight have answered and been recorded, so no answer that arrived is lost.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from clients.core.errors import BadRequestError, FatalApiError, VendorApiError
from clients.core.values import utc_now
from destinations.core.contract import TTaskRow
from destinations.core.ledger import (
    PENDING,
    REJECTED,
)
from destinations.core.planner import plan_calls, split_group
from destinations.core.reconcile import (
    CREATED,
    Reconciler,
    Reconciling,
    TCheck,
    TReconcileOutcome,
    TWitness,
)
from destinations.core.vendor import TSendOutcome, TSentTask

# Checkpoints of a call, in order: `sending` committed and the call about to go out (worker
# thread); the vendor answered, answer not yet recorded; the answer recorded.
CHECKPOINTS = ("before_call", "after_call", "after_ledger")
STOP_GRACE_SECONDS = 2.0
_POLL_SECONDS = 0.2

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
    future: Future[TSendOutcome] | None = None

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


class CallSending(Reconciling):
    """The sending half of `DeliveryEngine` (which sets these attributes; the ones it shares
    with reconciliation are declared on `Reconciling`)."""

    reconciler: Reconciler
    run_id: str
    calls: int
    calls_answered: int  # for progress displays
    calls_in_flight: int
    _next_batch: Callable[[], int]
    _progress: Callable[[str], None]
    _should_stop: Callable[[], bool]
    _on_checkpoint: Callable[[str], None] | None
    _unknown_seen: bool

    def _checkpoint(self, point: str) -> None:
        if self._on_checkpoint is not None:
            self._on_checkpoint(point)

    # --- the loop ----------------------------------------------------------------------------

    def _deliver(self, rows: list[TTaskRow], checks: list[TCheck]) -> None:
        for row in rows:
            self.to_send.setdefault(row["request_id"], row)
        queue: deque[list[TTaskRow]] = deque(plan_calls(rows, self.vendor))
        flying: dict[Future[TSendOutcome], _Flight] = {}
        checking: dict[Future[TReconcileOutcome], TCheck] = {}
        waiting: list[TCheck] = list(checks)
        finished: list[_Flight] = []
        fatal: list[BaseException] = []
        stop_since: float | None = None
        answered = 0
        while True:
            if stop_since is None and self._should_stop():
                stop_since = time.monotonic()
                self._progress("stop requested: no new calls; recording the answers in flight")
            halted = bool(fatal) or stop_since is not None
            if not halted:
                self._start_checks(waiting, checking, flying)
            starting = [] if halted else self._pick_calls(queue, flying, waiting, checking)
            if finished or starting:
                unknown = self._commit_round(finished, starting, queue, fatal)
                if unknown:
                    waiting.append(unknown)
                answered += len(finished)
                self.calls_answered += len(finished)
                if finished and (answered % 25 < len(finished) or not (queue or flying)):
                    self._progress(
                        f"{self.calls} call(s) made, {len(self._created)} task(s) created"
                    )
                finished = []
            for flight in starting:
                flight.future = _spawn(partial(self._call, flight), "push-call")
                flying[flight.future] = flight
            if stop_since is not None:
                if not flying or time.monotonic() - stop_since > STOP_GRACE_SECONDS:
                    raise self._stopped(flying, checking, waiting, queue)
            elif not flying and (fatal or not checking):
                for check in checking.values():
                    check.cancelled = True
                if fatal:
                    raise fatal[0]
                if waiting or starting:
                    continue
                if not queue:
                    return
                continue
            if not flying and not checking:
                continue
            futures: list[Future[Any]] = [*flying, *checking]
            done, _ = wait(futures, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                if future in flying:
                    finished.append(flying.pop(future))
                else:
                    self._settle(checking.pop(future), future, queue, fatal)

    def _pick_calls(
        self,
        queue: deque[list[TTaskRow]],
        flying: dict[Future[TSendOutcome], _Flight],
        waiting: list[TCheck],
        checking: dict[Future[TReconcileOutcome], TCheck],
    ) -> list[_Flight]:
        blocked = {c for check in [*waiting, *checking.values()] for c in check.contacts}
        starting: list[_Flight] = []
        kept: deque[list[TTaskRow]] = deque()
        while queue and len(flying) + len(starting) < self.calls_in_flight:
            call = queue.popleft()
            if len(call) > self.vendor.max_per_call:
                # The vendor learnt a smaller limit during the run (a call refused as too
                # large): calls planned before are split to it, not refused one by one.
                queue.extendleft(reversed(split_group(call, self.vendor)))
                continue
            if blocked and any(self.vendor.distinct_key(r) in blocked for r in call):
                kept.append(call)
                continue
            if not queue and not kept:
                if flying or starting:
                    # The last call waits for the others: it can prove what an unknown one did.
                    kept.append(call)
                    break
                if self._unknown_seen and len(call) > 1:
                    # Faults in this run: a last row of its own proves what this call did, so
                    # at worst one row is left without proof, not a whole call.
                    kept.append(call[-1:])
                    call = call[:-1]
            starting.append(self._flight(call))
        queue.extendleft(reversed(kept))
        return starting

    def _flight(self, call: list[TTaskRow]) -> _Flight:
        for row in call:
            self._sends[row["request_id"]] = self._sends.get(row["request_id"], 0) + 1
        self.calls += 1
        return _Flight(call, f"{self.run_id}-{self._next_batch()}", utc_now())

    def _call(self, flight: _Flight) -> TSendOutcome:
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
    ) -> TCheck | None:
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
            self._outcome(row["row"], row["request_id"], REJECTED, detail=reason)
        witnesses = []
        for flight, mapped in answers.created:
            self._mark_created(flight.call, mapped)
            witnesses += [
                TWitness(mapped[r["request_id"]], self.vendor.distinct_key(r), flight.sent_at)
                for r in flight.call
                if r["request_id"] in mapped
            ]
            self._checkpoint("after_ledger")
        with self._witness_lock:
            self._witnesses.extend(witnesses)
        if not answers.unknown:
            return None
        return self._check_of(answers.unknown)

    def _check_of(self, unknown: list[tuple[TTaskRow, _Flight, str]]) -> TCheck:
        self._unknown_seen = True
        ended = max(f.ended_at or utc_now() for _, f, _ in unknown)
        check = TCheck(sent=[], ended_at=ended, why=unknown[0][2])
        for row, flight, _ in unknown:
            request_id = row["request_id"]
            check.sent.append(TSentTask(request_id, self.vendor.payload(row), flight.sent_at))
            check.rows[request_id] = row
            check.numbers[request_id] = row["row"]
            check.contacts.add(self.vendor.distinct_key(row))
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
            outcome = TSendOutcome(unknown=dict.fromkeys(flight.ids, str(exc)))
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
                self._created.add(row["request_id"])
                self._outcome(row["row"], row["request_id"], CREATED, task_id=task_id)

    # --- unknown outcomes --------------------------------------------------------------------

    def _start_checks(
        self,
        waiting: list[TCheck],
        checking: dict[Future[TReconcileOutcome], TCheck],
        flying: dict[Future[TSendOutcome], _Flight],
    ) -> None:
        if not waiting:
            return
        busy = {self.vendor.distinct_key(r) for f in flying.values() for r in f.call}
        for check in list(waiting):
            if check.contacts & busy:
                continue  # a call for these contacts is still out: its task must be recorded
            waiting.remove(check)
            self._progress(f"outcome unknown for {len(check.sent)} task(s) ({check.why}); checking")

            def run(c: TCheck = check) -> TReconcileOutcome:
                return self.reconciler.reconcile(
                    c.sent,
                    ended_at=c.ended_at,
                    witnesses=self._witness_snapshot,
                    cancelled=lambda: c.cancelled or self._should_stop(),
                )

            checking[_spawn(run, "push-reconcile")] = check

    def _stopped(
        self,
        flying: dict[Future[TSendOutcome], _Flight],
        checking: dict[Future[TReconcileOutcome], TCheck],
        waiting: list[TCheck],
        queue: deque[list[TTaskRow]],
    ) -> DeliveryStopped:
        for check in [*checking.values(), *waiting]:
            check.cancelled = True
        in_flight = sum(len(f.call) for f in flying.values())
        unchecked = sum(len(c.sent) for c in [*checking.values(), *waiting])
        not_sent = sum(len(call) for call in queue)
        return DeliveryStopped(
            f"{len(flying)} call(s) were in flight and {unchecked} task(s) were being checked:"
            f" those {in_flight + unchecked} stay `sending` and the next run checks them in"
            f" {self.vendor.name}; {not_sent} task(s) were not sent; run the push again to finish"
        )
