"""The delivery engine: input rows in, each intended task created exactly once.

Vendor-neutral. Per batch of rows (dlt may hand the same batch over again after a failure, and a
run may follow a crash with wiped pipeline state, so everything is keyed on request_id in the
ledger and nothing is remembered elsewhere):

1. validate each row against the contract (`contract.py`);
2. reconcile ledger rows left in `sending` (`reconcile.py`) before anything is resent;
3. sort rows by ledger state: delivered → already delivered (never resent, even if the row
   changed); needs_review → left for a person unless `resend_unknown`; invalid → rejected;
4. resolve emails to ids (vendor), then send the fewest calls (`planner.py`), a few at once,
   committing `sending` before and the outcome after each call (`sending.py`; `ledger.py` has
   the state machine).

A run holds the ledger's lock (`runlock.py`) from `begin` to `close`: one push per ledger.

Per-row problems end as rejections with a reason; errors that stop the run (auth, exhausted
retries) leave no row in `sending` and are raised as the shared `sources.core` error types.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from destinations.core.contract import INPUT_REJECTION, TTaskRow, TValidated, validate_row
from destinations.core.ledger import (
    DELIVERED,
    NEEDS_REVIEW,
    PENDING,
    REJECTED,
    SENDING,
    DeliveryLedger,
    TLedgerEntry,
)
from destinations.core.planner import plan_calls
from destinations.core.reconcile import Reconciler
from destinations.core.runlock import RunLock
from destinations.core.sending import CREATED, CallSending
from destinations.core.vendor import TaskVendor, TSentTask
from sources.core.errors import RetriesExhaustedError

logger = logging.getLogger("apollo_tasks.push")

ALREADY_DELIVERED = "already_delivered"
WOULD_CREATE = "would_create"


@dataclass
class TRowOutcome:
    row: int
    request_id: str | None
    outcome: str  # created | rejected | already_delivered | needs_review | would_create
    detail: str | None = None
    task_id: str | None = None


class DeliveryEngine(CallSending):
    """Runs deliveries for one push run; feed it batches with `process` (or `plan` for a dry run).

    Args:
        run_id: identifies this run in the ledger (so rows created by it count as created).
        resend_unknown: send again rows a previous run left in `needs_review`.
        reconcile_wait_seconds: how long after a call its tasks may still be missing from search.
        max_send_attempts: sends per row per run when reconciliation keeps deciding "not created".
        calls_in_flight: create calls sent at once (1 = strictly one after the other).
    """

    def __init__(
        self,
        vendor: TaskVendor,
        ledger: DeliveryLedger,
        *,
        run_id: str,
        resend_unknown: bool = False,
        reconcile_wait_seconds: float = 30.0,
        clock_skew_seconds: float = 300.0,
        max_send_attempts: int = 3,
        calls_in_flight: int = 4,
        progress: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if calls_in_flight < 1:
            raise ValueError("calls_in_flight must be >= 1")
        self.vendor = vendor
        self.ledger = ledger
        self.run_id = run_id
        self.resend_unknown = resend_unknown
        self.max_send_attempts = max_send_attempts
        self.calls_in_flight = calls_in_flight
        self.reconciler = Reconciler(
            vendor,
            ledger,
            wait_seconds=reconcile_wait_seconds,
            skew_seconds=clock_skew_seconds,
            contacts_per_search=max(1, vendor.max_per_call),
            sleep=sleep,
        )
        self._progress = progress or (lambda message: None)
        self.outcomes: dict[int, TRowOutcome] = {}
        self.utc_assumed: set[int] = set()
        self.calls = 0
        self.calls_answered = 0
        self.planned_calls: list[str] = []
        self.to_send: dict[str, TTaskRow] = {}  # rows that needed a call, for the minimum
        self.reconciled: dict[str, str] = {}  # request_id -> how its unknown outcome was decided
        self._created: set[str] = set()
        self._confirmed: set[str] = set()
        self._sends: dict[str, int] = {}
        self._stuck: dict[str, str] = {}
        self._next_batch = itertools.count(1).__next__
        self._auto_rows = itertools.count(1_000_000_000)
        self._lock: RunLock | None = None

    # --- entry points ------------------------------------------------------------------------

    def begin(self) -> None:
        """Take the ledger's run lock and create the ledger if missing (once per run).

        Raises:
            LedgerBusyError: another push holds this ledger.
        """
        if self._lock is None:
            self._lock = RunLock(self.ledger.engine, self.ledger.name).acquire()
            try:
                self.ledger.ensure()
            except BaseException:
                self.close()
                raise

    def close(self) -> None:
        """Release the run lock (idempotent)."""
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.release()

    def process(self, raw_rows: Sequence[Mapping[str, Any]]) -> None:
        """Deliver one batch. Safe to call again with the same rows (dlt retries a batch whole)."""
        self.begin()
        validated = self._validate(raw_rows)
        self.reconcile_in_flight()
        entries = self.ledger.get_many(v.request_id for v in validated if v.request_id)
        sendable = self._triage(validated, raw_rows, entries, write=True)
        sendable = self._resolve(sendable, entries, write=True)
        if not sendable:
            return
        self.ledger.upsert(
            [
                {
                    "request_id": r["request_id"],
                    "row_hash": r["row_hash"],
                    "state": PENDING,
                    "payload": self.vendor.payload(r),
                    "run_id": self.run_id,
                }
                for r in sendable
            ],
            existing=entries,
        )
        self._deliver(sendable)
        if self._stuck:
            first = next(iter(self._stuck.values()))
            raise RetriesExhaustedError(
                f"{len(self._stuck)} task(s) could not be created after {self.max_send_attempts}"
                f" attempts ({first}); they are left pending: run the push again later"
            )

    def plan(self, raw_rows: Sequence[Mapping[str, Any]]) -> None:
        """Dry run: decide every row and list the calls, reading the ledger but writing nothing."""
        validated = self._validate(raw_rows)
        entries: dict[str, TLedgerEntry] = {}
        if self.ledger.exists():
            entries = self.ledger.get_many(v.request_id for v in validated if v.request_id)
            in_flight = self.ledger.in_state(SENDING)
            if in_flight:
                self.planned_calls.append(
                    f"reconcile {len(in_flight)} row(s) left in `sending` by an interrupted run"
                )
        sendable = self._triage(validated, raw_rows, entries, write=False)
        sendable = self._resolve(sendable, entries, write=False)
        for call in plan_calls(sendable, self.vendor):
            first = call[0]
            self.planned_calls.append(
                f"{self.vendor.call_name(call)}: {len(call)} task(s), user {first['user_id']},"
                f" type {first['type']}, due {first['due_at']}"
            )
        for row in sendable:
            self.to_send[row["request_id"]] = row
            self._outcome(row["row"], row["request_id"], WOULD_CREATE)

    # --- steps -------------------------------------------------------------------------------

    def _validate(self, raw_rows: Sequence[Mapping[str, Any]]) -> list[TValidated]:
        validated = []
        for raw in raw_rows:
            result = validate_row(raw, self.vendor.rules, row=next(self._auto_rows))
            if result.utc_assumed:
                self.utc_assumed.add(result.row)
            validated.append(result)
        return validated

    def _outcome(self, row: int, request_id: str | None, outcome: str, **kw: Any) -> None:
        self.outcomes[row] = TRowOutcome(row, request_id, outcome, **kw)

    def _triage(
        self,
        validated: list[TValidated],
        raw_rows: Sequence[Mapping[str, Any]],
        entries: dict[str, TLedgerEntry],
        *,
        write: bool,
    ) -> list[TTaskRow]:
        sendable: list[TTaskRow] = []
        rejected: list[dict[str, Any]] = []
        for v, raw in zip(validated, raw_rows, strict=True):
            entry = entries.get(v.request_id) if v.request_id else None
            if entry is not None and entry.state == DELIVERED:
                self._delivered_outcome(v, entry)
            elif (
                entry is not None
                and entry.state in (NEEDS_REVIEW, SENDING)
                and not (self.resend_unknown and entry.run_id != self.run_id)
            ):
                self._outcome(v.row, v.request_id, NEEDS_REVIEW, detail=entry.error)
            elif v.task is None:
                self._outcome(v.row, v.request_id, REJECTED, detail=v.reason)
                # An identical copy's request_id belongs to the row that is sent.
                if v.request_id and not raw.get(INPUT_REJECTION):
                    rejected.append(
                        {
                            "request_id": v.request_id,
                            "row_hash": v.row_hash,
                            "state": REJECTED,
                            "error": v.reason,
                            "run_id": self.run_id,
                        }
                    )
            else:
                sendable.append(v.task)
        if write and rejected:
            self.ledger.upsert(rejected, existing=entries)
        return sendable

    def _delivered_outcome(self, v: TValidated, entry: TLedgerEntry) -> None:
        if entry.request_id in self._created:
            self._outcome(v.row, v.request_id, CREATED, task_id=entry.task_id)
            return
        notes = []
        if entry.request_id in self._confirmed:
            notes.append("found in Apollo after an interrupted call")
        if entry.row_hash != v.row_hash:
            notes.append("the row changed since it was delivered; not sent again")
        self._outcome(
            v.row,
            v.request_id,
            ALREADY_DELIVERED,
            task_id=entry.task_id,
            detail="; ".join(notes) or None,
        )

    def _resolve(
        self, rows: list[TTaskRow], entries: dict[str, TLedgerEntry], *, write: bool
    ) -> list[TTaskRow]:
        if not rows:
            return rows
        resolution = self.vendor.resolve(rows)
        kept, rejected = [], []
        for row in rows:
            reason = resolution.rejected.get(row["request_id"])
            if reason is None:
                kept.append(row)
                continue
            self._outcome(row["row"], row["request_id"], REJECTED, detail=reason)
            rejected.append(
                {
                    "request_id": row["request_id"],
                    "row_hash": row["row_hash"],
                    "state": REJECTED,
                    "error": reason,
                    "run_id": self.run_id,
                }
            )
        if write and rejected:
            self.ledger.upsert(rejected, existing=entries)
        return kept

    def reconcile_in_flight(self) -> None:
        """Decide every ledger row left in `sending` by a call whose answer was not recorded."""
        in_flight = [e for e in self.ledger.in_state(SENDING) if e.payload and e.sent_at]
        if not in_flight:
            return
        self._progress(f"reconciling {len(in_flight)} task(s) left in `sending` by an earlier run")
        sent = [TSentTask(e.request_id, e.payload or {}, e.sent_at) for e in in_flight if e.sent_at]
        outcome = self.reconciler.reconcile(sent)
        self._apply(outcome, note="found in search after an interrupted call")
        this_run = {e.request_id for e in in_flight if e.run_id == self.run_id}
        for request_id in outcome.found:
            (self._created if request_id in this_run else self._confirmed).add(request_id)
