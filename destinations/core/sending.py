"""Sending the planned create calls: a few at once, the ledger written around every one.

The exactly-once rule holds for each call: its rows are committed `sending` before it goes out,
and its answer is committed after it arrives. What concurrency changes is only how those writes
are grouped. Up to `calls_in_flight` calls run on worker threads (the shared `ApiClient` and its
rate-limit governor are thread-safe); the coordinating thread alone writes the ledger, and each of
its transactions records every answer that arrived since the last one *and* marks the next calls
`sending` (a group commit). So a run makes at most one ledger commit per call instead of two, and
the vendor's latency overlaps the ledger's.

A call with an unknown outcome (dropped connection, 5xx, an answer missing tasks) is reconciled
only once no other call is in flight: a call still in flight may create a task for the same
contact, which the reconciler must find already recorded. No call starts meanwhile. A fatal
error (401/403, exhausted retries) is raised only after the calls in flight have answered and
been recorded, so no answer that arrived is lost.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from destinations.core.contract import TTaskRow
from destinations.core.crashpoints import crashpoint
from destinations.core.ledger import NEEDS_REVIEW, PENDING, REJECTED, DeliveryLedger, utcnow
from destinations.core.planner import plan_calls
from destinations.core.reconcile import Reconciler, TReconcileOutcome
from destinations.core.vendor import TaskVendor, TSentTask
from sources.core.errors import BadRequestError, FatalApiError, VendorApiError

logger = logging.getLogger("apollo_tasks.push")

CREATED = "created"


@dataclass
class _Flight:
    """One call on its way: its rows, its ledger batch id and when `sending` was committed."""

    call: list[TTaskRow]
    batch_id: str
    sent_at: datetime
    future: Future[dict[str, str]] | None = None

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


class CallSending:
    """The sending half of `DeliveryEngine` (which sets these attributes)."""

    vendor: TaskVendor
    ledger: DeliveryLedger
    reconciler: Reconciler
    run_id: str
    calls: int
    calls_answered: int  # for progress displays
    calls_in_flight: int
    max_send_attempts: int
    to_send: dict[str, TTaskRow]
    reconciled: dict[str, str]
    _created: set[str]
    _sends: dict[str, int]
    _stuck: dict[str, str]
    _next_batch: Callable[[], int]
    _progress: Callable[[str], None]

    def _outcome(self, row: int, request_id: str | None, outcome: str, **kw: Any) -> None:
        raise NotImplementedError

    # --- the loop ----------------------------------------------------------------------------

    def _deliver(self, rows: list[TTaskRow]) -> None:
        for row in rows:
            self.to_send.setdefault(row["request_id"], row)
        queue: deque[list[TTaskRow]] = deque(plan_calls(rows, self.vendor))
        flying: dict[Future[dict[str, str]], _Flight] = {}
        finished: list[_Flight] = []
        unknown: list[tuple[TTaskRow, datetime, str]] = []
        fatal: list[BaseException] = []
        answered = 0
        with ThreadPoolExecutor(self.calls_in_flight, thread_name_prefix="push-call") as pool:
            while True:
                starting: list[_Flight] = []
                if not unknown and not fatal:
                    while queue and len(flying) + len(starting) < self.calls_in_flight:
                        starting.append(self._flight(queue.popleft()))
                if finished or starting:
                    self._commit_round(finished, starting, queue, unknown, fatal)
                    answered += len(finished)
                    self.calls_answered += len(finished)
                    if finished and (answered % 25 < len(finished) or not (queue or flying)):
                        self._progress(
                            f"{self.calls} call(s) made, {len(self._created)} task(s) created"
                        )
                    finished = []
                for flight in starting:
                    flight.future = pool.submit(self._call, flight.call)
                    flying[flight.future] = flight
                if flying:
                    done, _ = wait(list(flying), return_when=FIRST_COMPLETED)
                    finished = [flying.pop(f) for f in done]
                    continue
                # Nothing in flight: settle what is pending, then go on or stop.
                if fatal:
                    raise fatal[0]
                if unknown:
                    self._settle_unknown(unknown, queue)
                    unknown = []
                    continue
                if not queue:
                    break

    def _flight(self, call: list[TTaskRow]) -> _Flight:
        for row in call:
            self._sends[row["request_id"]] = self._sends.get(row["request_id"], 0) + 1
        self.calls += 1
        return _Flight(call, f"{self.run_id}-{self._next_batch()}", utcnow())

    def _call(self, call: list[TTaskRow]) -> dict[str, str]:
        # On a worker thread, after the round that marked this call `sending` was committed.
        crashpoint("before_call")
        return self.vendor.send(call)

    def _commit_round(
        self,
        finished: list[_Flight],
        starting: list[_Flight],
        queue: deque[list[TTaskRow]],
        unknown: list[tuple[TTaskRow, datetime, str]],
        fatal: list[BaseException],
    ) -> None:
        """Record the finished calls and mark the starting ones `sending`, in one commit."""
        answers = _Round()
        for flight in finished:
            self._read_answer(flight, answers, queue, unknown, fatal)
        sent_at = utcnow()
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
        for flight, mapped in answers.created:
            self._mark_created(flight.call, mapped)
            crashpoint("after_ledger")
            missing = [r for r in flight.call if r["request_id"] not in mapped]
            if missing:
                why = f"{self.vendor.name} answered without a task for {len(missing)} contact(s)"
                unknown.extend((r, flight.sent_at, why) for r in missing)

    def _read_answer(
        self,
        flight: _Flight,
        answers: _Round,
        queue: deque[list[TTaskRow]],
        unknown: list[tuple[TTaskRow, datetime, str]],
        fatal: list[BaseException],
    ) -> None:
        assert flight.future is not None
        try:
            mapped = flight.future.result()
        except BadRequestError as exc:
            self._refused(flight, exc, answers, queue, fatal)
            return
        except FatalApiError as exc:
            # 401/403/exhausted 429 or refused connections: the vendor did not act on the call.
            answers.marks.append((flight.ids, PENDING, str(exc)))
            fatal.append(exc)
            return
        except VendorApiError as exc:  # outcome unknown (the client never resends a create)
            unknown.extend((r, flight.sent_at, str(exc)) for r in flight.call)
            return
        crashpoint("after_call")
        answers.delivered.update(mapped)
        answers.created.append((flight, mapped))

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

    def _settle_unknown(
        self, rows: list[tuple[TTaskRow, datetime, str]], queue: deque[list[TTaskRow]]
    ) -> None:
        why = rows[0][2]
        self._progress(f"outcome unknown for {len(rows)} task(s) ({why}); reconciling")
        sent = [TSentTask(r["request_id"], self.vendor.payload(r), at) for r, at, _ in rows]
        outcome = self.reconciler.reconcile(sent)
        self._apply(outcome)
        for row, _, _ in rows:
            request_id = row["request_id"]
            if request_id in outcome.found:
                self._created.add(request_id)
                self._outcome(row["row"], request_id, CREATED, task_id=outcome.found[request_id])
            elif request_id in outcome.undecided:
                self._outcome(
                    row["row"], request_id, NEEDS_REVIEW, detail=outcome.undecided[request_id]
                )
        retry = [(r, reason) for r, _, reason in rows if r["request_id"] in outcome.not_created]
        again = [
            r for r, _ in retry if self._sends.get(r["request_id"], 0) < self.max_send_attempts
        ]
        resend = {r["request_id"] for r in again}
        for row, reason in retry:
            if row["request_id"] not in resend:
                self._stuck[row["request_id"]] = reason
        queue.extend(plan_calls(again, self.vendor))

    def _apply(self, outcome: TReconcileOutcome, *, note: str | None = None) -> None:
        with self.ledger.transaction():
            self.ledger.mark_delivered(outcome.found, note=note)
            self.ledger.mark(outcome.not_created, PENDING, error="not created (checked in search)")
            self.ledger.mark_errors(NEEDS_REVIEW, outcome.undecided)
        for request_id in outcome.found:
            self.reconciled[request_id] = "found"
        for request_id in outcome.not_created:
            self.reconciled[request_id] = "not created"
        for request_id in outcome.undecided:
            self.reconciled[request_id] = "undecided"
