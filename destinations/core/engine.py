"""The delivery engine: input rows in, each intended task created exactly once.

Vendor-neutral. Per batch of rows (dlt may hand the same batch over again after a failure, and a
run may follow a crash with wiped pipeline state, so everything is keyed on request_id in the
ledger and nothing is remembered elsewhere):

1. validate each row against the contract (`contract.py`);
2. sort rows by ledger state: delivered → already delivered (never resent, even if the row
   changed); sending (left by an interrupted call) → reconciled (`reconcile.py`), resent only on
   proof that it created nothing; needs_review → left for a person unless `resend_unknown`;
   rejected by the vendor in an earlier run and unchanged → rejected again with the kept reason,
   without a call, unless `retry_rejected`; invalid → rejected;
3. resolve emails to ids (vendor), then hand the rows to send to the engine's `Sender`
   (`sending.py`), which makes the fewest calls (`planner.py`), a few at once, committing
   `sending` before and the outcome after each call (`ledger.py` has the state machine), and
   hands unknown outcomes to the engine's `Reconciler` (`reconcile.py`) beside the other calls.

The engine, its sender and its reconciler share one thing: the run's `RunOutcomes`
(`outcomes.py`), where each records what it decided for a row; the summary reads it.

Hooks: `should_stop` is polled between calls (a signal asked the run to stop; `sending.py` says
what is left behind); `on_checkpoint(point)` is called at each of `CHECKPOINTS` of every call,
so tests can kill the process exactly there.

A run holds the ledger's lock (`runlock.py`) from `begin` to `close`: one push per ledger.

Per-row problems end as rejections with a reason; errors that stop the run (auth, exhausted
retries) leave no row in `sending` and are raised as the shared `sales_tasks.clients.core` error types.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sales_tasks.clients.core.values import utc_now
from sales_tasks.destinations.core.contract import (
    INPUT_REJECTION,
    ROW_NUMBER,
    TTaskRow,
    ValidatedRow,
    validate_row,
)
from sales_tasks.destinations.core.ledger import (
    DELIVERED,
    NEEDS_REVIEW,
    PENDING,
    REJECTED,
    SENDING,
    DeliveryLedger,
    LedgerEntry,
)
from sales_tasks.destinations.core.outcomes import (
    ALREADY_DELIVERED,
    CREATED,
    OUTCOME_KINDS,
    WOULD_CREATE,
    RowOutcome,
    RunOutcomes,
)
from sales_tasks.destinations.core.planner import minimum_calls, plan_calls
from sales_tasks.destinations.core.reconcile import PoolCheck, Reconciler
from sales_tasks.destinations.core.runlock import RunLock
from sales_tasks.destinations.core.sending import CHECKPOINTS, DeliveryStopped, Sender
from sales_tasks.destinations.core.summary import PushSummary
from sales_tasks.destinations.core.vendor import SentTask, TaskVendor

__all__ = ["CHECKPOINTS", "DeliveryEngine", "DeliveryStopped", "RowOutcome"]


class DeliveryEngine:
    """Runs deliveries for one push run; feed it batches with `process` (or `plan` for a dry run).

    The engine decides what each row needs (validation, the ledger's state, email resolution)
    and holds the two collaborators that act on it: a `Sender` (`sending.py`) that makes the
    create calls, and the `Reconciler` (`reconcile.py`) the sender hands lost answers to. All
    three record row outcomes in one `RunOutcomes` (`outcomes.py`), which the summary reads.

    Args:
        run_id: identifies this run in the ledger (so rows created by it count as created).
        resend_unknown: send again rows a previous run left in `needs_review`.
        retry_rejected: offer again rows the vendor (or the resolution of their emails) refused
            in an earlier run although they did not change; by default they are reported
            rejected with the reason the ledger kept, and cost no call.
        reconcile_wait_seconds: how long to look for the tasks of a call with unknown outcome
            (and for proof it made none) before leaving its rows `sending` for the next run.
        max_send_attempts: sends per row per run when reconciliation keeps deciding "not created".
        calls_in_flight: create calls sent at once (1 = strictly one after the other).
        should_stop: polled between calls; true ends the run (`DeliveryStopped`) within seconds.
        on_checkpoint: called with each of `CHECKPOINTS` as every call passes it.
    """

    def __init__(
        self,
        vendor: TaskVendor,
        ledger: DeliveryLedger,
        *,
        run_id: str,
        resend_unknown: bool = False,
        retry_rejected: bool = False,
        reconcile_wait_seconds: float = 30.0,
        clock_skew_seconds: float = 300.0,
        max_send_attempts: int = 3,
        calls_in_flight: int = 4,
        progress: Callable[[str], None] | None = None,
        should_stop: Callable[[], bool] = lambda: False,
        on_checkpoint: Callable[[str], None] | None = None,
    ) -> None:
        self.vendor = vendor
        self.ledger = ledger
        self.run_id = run_id
        self.resend_unknown = resend_unknown
        self.retry_rejected = retry_rejected
        self.run_outcomes = RunOutcomes()
        self.reconciler = Reconciler(
            vendor,
            ledger,
            self.run_outcomes,
            wait_seconds=reconcile_wait_seconds,
            skew_seconds=clock_skew_seconds,
            contacts_per_search=max(1, vendor.max_per_call),
            resend_unknown=resend_unknown,
        )
        self.sender = Sender(
            vendor,
            ledger,
            self.reconciler,
            self.run_outcomes,
            run_id=run_id,
            calls_in_flight=calls_in_flight,
            max_send_attempts=max_send_attempts,
            progress=progress,
            should_stop=should_stop,
            on_checkpoint=on_checkpoint,
        )
        self._progress = progress or (lambda message: None)
        self._should_stop = should_stop
        self.utc_assumed: set[int] = set()
        self.planned_calls: list[str] = []
        self._auto_rows = itertools.count(1_000_000_000)
        self._lock: RunLock | None = None
        self._refused_before: set[str] = set()

    @property
    def outcomes(self) -> dict[int, RowOutcome]:
        """Input row number -> what this run did with it (so far)."""
        return self.run_outcomes.by_row

    @property
    def reconciled(self) -> dict[str, str]:
        """request_id -> how its unknown outcome was decided (`Reconciler.decisions`)."""
        return self.reconciler.decisions

    @property
    def calls(self) -> int:
        """Create calls started by this run."""
        return self.sender.calls

    @property
    def calls_answered(self) -> int:
        """Create calls whose answer is recorded (for progress displays)."""
        return self.sender.calls_answered

    # --- entry points ------------------------------------------------------------------------

    def begin(self, wait_seconds: float = 0.0) -> None:
        """Take the ledger's run lock and create (or migrate) the ledger (once per run).

        Args:
            wait_seconds: how long to wait for another push to release the ledger.

        Raises:
            LedgerBusyError: another push still holds this ledger after `wait_seconds`.
        """
        if self._lock is None:
            self._lock = RunLock(self.ledger.engine, self.ledger.name).acquire(wait_seconds)
            try:
                migrated = self.ledger.ensure()
            except BaseException:
                self.close()
                raise
            if migrated:
                self._progress(
                    f"migrated the delivery ledger {self.ledger.name} to keys by vendor and"
                    f" account: {migrated} row(s) kept, as account {self.ledger.account}"
                )

    def close(self) -> None:
        """Release the run lock (idempotent)."""
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.release()

    def process(self, raw_rows: Sequence[Mapping[str, Any]]) -> None:
        """Deliver one batch. Safe to call again with the same rows (dlt retries a batch whole).

        Raises:
            DeliveryStopped: `should_stop` turned true; the ledger holds what is left.
        """
        self.begin()
        if self._should_stop():
            raise DeliveryStopped("no call was made; run the push again to finish")
        validated = self._validate(raw_rows)
        leftovers = {
            e.request_id: e for e in self.ledger.in_state(SENDING) if e.payload and e.sent_at
        }
        entries = self.ledger.get_many(v.request_id for v in validated if v.request_id)
        sendable, held = self._triage(validated, raw_rows, entries, leftovers, write=True)
        sendable = self._resolve(sendable, entries, write=True)
        held_rows = self._resolve(
            [t for _, t in held.values() if t is not None], entries, write=False
        )
        checks = []
        if leftovers:
            self._progress(
                f"checking {len(leftovers)} task(s) left `sending` by an interrupted call"
            )
            checks.append(self._leftover_check(leftovers, held, held_rows))
        if sendable:
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
        self.sender.deliver(sendable, checks)

    def _leftover_check(
        self,
        leftovers: dict[str, LedgerEntry],
        held: dict[str, tuple[int, TTaskRow | None]],
        resolved: list[TTaskRow],
    ) -> PoolCheck:
        """Rows left `sending`: their calls are over (the process that made them is gone, or
        this run gave up on them), so anything created later can prove what they did."""
        check = PoolCheck(sent=[], ended_at=utc_now(), why="left `sending` by an interrupted call")
        by_id = {r["request_id"]: r for r in resolved}
        for entry in leftovers.values():
            assert entry.sent_at is not None
            check.sent.append(SentTask(entry.request_id, entry.payload or {}, entry.sent_at))
            check.rows[entry.request_id] = by_id.get(entry.request_id)
            if entry.run_id != self.run_id:
                check.earlier.add(entry.request_id)
        for request_id, (number, _) in held.items():
            check.numbers[request_id] = number
        return check

    def plan(self, raw_rows: Sequence[Mapping[str, Any]]) -> None:
        """Dry run: decide every row and list the calls, reading the ledger but writing nothing."""
        validated = self._validate(raw_rows)
        entries: dict[str, LedgerEntry] = {}
        in_flight: dict[str, LedgerEntry] = {}
        if self.ledger.exists():
            if self.ledger.needs_migration():
                self.planned_calls.append(
                    f"migrate the delivery ledger {self.ledger.name} to keys by vendor and"
                    f" account (account {self.ledger.account}); the first push that sends does it"
                )
            entries = self.ledger.get_many(v.request_id for v in validated if v.request_id)
            in_flight = {e.request_id: e for e in self.ledger.in_state(SENDING)}
            if in_flight:
                self.planned_calls.append(
                    f"reconcile {len(in_flight)} row(s) left in `sending` by an interrupted run"
                )
        sendable, held = self._triage(validated, raw_rows, entries, in_flight, write=False)
        for request_id, (number, _) in held.items():
            self.run_outcomes.record(
                number,
                request_id,
                NEEDS_REVIEW,
                detail=f"left `sending` by an interrupted call: checked in {self.vendor.name}"
                " before anything is resent",
            )
        sendable = self._resolve(sendable, entries, write=False)
        for call in plan_calls(sendable, self.vendor):
            first = call[0]
            # A vendor without task owners has no user to show.
            user = f" user {first['user_id']}," if first["user_id"] else ""
            self.planned_calls.append(
                f"{self.vendor.call_name(call)}: {len(call)} task(s),{user}"
                f" type {first['type']}, due {first['due_at']}"
            )
        for row in sendable:
            self.run_outcomes.to_send[row["request_id"]] = row
            self.run_outcomes.record(row["row"], row["request_id"], WOULD_CREATE)

    def summary(self, rows: Sequence[Mapping[str, Any]], *, dry_run: bool) -> PushSummary:
        """What this run did with `rows` (the whole input, in order, each with its `_row`).

        Every row is accounted for: one without an outcome (the run stopped before it) counts as
        needing review, never as silently dropped.
        """
        summary = PushSummary(rows_in=len(rows), dry_run=dry_run, calls=self.calls)
        counts = {kind: 0 for kind in OUTCOME_KINDS}
        input_ids = set()
        for raw in rows:
            outcome = self.outcomes.get(int(raw[ROW_NUMBER]))
            if outcome is None:
                counts[NEEDS_REVIEW] += 1
                summary.needs_review_rows.append(
                    (raw.get("request_id"), "not processed in this run: run the push again")
                )
                continue
            if outcome.request_id:
                input_ids.add(outcome.request_id)
            counts[outcome.outcome] += 1
            if outcome.outcome == REJECTED:
                summary.rejections.append((outcome.row, outcome.request_id, outcome.detail or ""))
            elif outcome.outcome == NEEDS_REVIEW:
                summary.needs_review_rows.append((outcome.request_id, outcome.detail or ""))
            elif outcome.outcome == ALREADY_DELIVERED and outcome.changed:
                summary.changed_since_delivery.append(outcome.request_id or "")
        summary.created = counts[CREATED]
        summary.rejected = counts[REJECTED]
        summary.already_delivered = counts[ALREADY_DELIVERED]
        summary.needs_review = counts[NEEDS_REVIEW]
        summary.would_create = counts[WOULD_CREATE]
        summary.minimum_calls = minimum_calls(list(self.run_outcomes.to_send.values()), self.vendor)
        summary.planned_calls = list(self.planned_calls)
        summary.utc_assumed = len(self.utc_assumed)
        # Optional vendor parts (`vendor.py`): its wording of `utc_assumed`, its own lines.
        summary.due_assumed = getattr(self.vendor, "due_assumed_note", "") or summary.due_assumed
        notes = getattr(self.vendor, "summary_notes", None)
        summary.notes = list(notes()) if callable(notes) else []
        summary.looks, summary.searches = self.reconciler.looks, self.reconciler.searches
        summary.refused_before = len(self._refused_before)
        for decision in self.reconciled.values():
            summary.reconciled[decision] = summary.reconciled.get(decision, 0) + 1
        if self.ledger.exists():
            summary.other_needs_review = len(
                {e.request_id for e in self.ledger.in_state(NEEDS_REVIEW)} - input_ids
            )
        return summary

    # --- steps -------------------------------------------------------------------------------

    def _validate(self, raw_rows: Sequence[Mapping[str, Any]]) -> list[ValidatedRow]:
        validated = []
        for raw in raw_rows:
            result = validate_row(raw, self.vendor.rules, row=next(self._auto_rows))
            if result.utc_assumed:
                self.utc_assumed.add(result.row)
            validated.append(result)
        return validated

    def _triage(
        self,
        validated: list[ValidatedRow],
        raw_rows: Sequence[Mapping[str, Any]],
        entries: dict[str, LedgerEntry],
        in_flight: Mapping[str, LedgerEntry],
        *,
        write: bool,
    ) -> tuple[list[TTaskRow], dict[str, tuple[int, TTaskRow | None]]]:
        """Rows to send, and rows left `sending` (row number, row if valid) to reconcile first."""
        sendable: list[TTaskRow] = []
        held: dict[str, tuple[int, TTaskRow | None]] = {}
        rejected: list[dict[str, Any]] = []
        for v, raw in zip(validated, raw_rows, strict=True):
            entry = entries.get(v.request_id) if v.request_id else None
            if v.task is None and raw.get(INPUT_REJECTION):
                # A duplicate request_id is the input's fault, whatever the ledger holds for the
                # id: reported the same way on every run (the copy sent is the other row).
                self.run_outcomes.record(v.row, v.request_id, REJECTED, detail=v.reason)
            elif entry is not None and entry.state == DELIVERED:
                self._delivered_outcome(v, entry)
            elif entry is not None and entry.request_id in in_flight:
                held[entry.request_id] = (v.row, v.task)
            elif (
                entry is not None
                and entry.state in (NEEDS_REVIEW, SENDING)
                and not (self.resend_unknown and entry.run_id != self.run_id)
            ):
                self.run_outcomes.record(v.row, v.request_id, NEEDS_REVIEW, detail=entry.error)
            elif (
                entry is not None
                and entry.state == REJECTED
                and v.task is not None
                and entry.row_hash == v.row_hash
                and not self.retry_rejected
            ):
                # Refused before and unchanged since: sending it again would spend quota on the
                # same answer. The ledger kept the reason, worded as the run that met it did.
                detail = entry.error or f"refused by {self.vendor.name}"
                self.run_outcomes.record(v.row, v.request_id, REJECTED, detail=detail)
                if entry.run_id != self.run_id:
                    self._refused_before.add(entry.request_id)
            elif v.task is None:
                self.run_outcomes.record(v.row, v.request_id, REJECTED, detail=v.reason)
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
        return sendable, held

    def _delivered_outcome(self, v: ValidatedRow, entry: LedgerEntry) -> None:
        if entry.request_id in self.run_outcomes.created:
            self.run_outcomes.record(v.row, v.request_id, CREATED, task_id=entry.task_id)
            return
        changed = entry.row_hash != v.row_hash
        self.run_outcomes.record(
            v.row,
            v.request_id,
            ALREADY_DELIVERED,
            task_id=entry.task_id,
            detail="the row changed since it was delivered; not sent again" if changed else None,
            changed=changed,
        )

    def _id_and_email_disagree(
        self, rows: list[TTaskRow], rejected: Mapping[str, str]
    ) -> dict[str, str]:
        """Rows whose contact id and contact email name different contacts: a task sent to the
        id might reach the wrong person, so the row is rejected (request_id -> reason). The
        email is resolved the vendor's own way, on a copy of the row without the id."""
        both = [
            r
            for r in rows
            if r.get("contact_id") and r.get("contact_email") and r["request_id"] not in rejected
        ]
        if not both:
            return {}
        probes: list[TTaskRow] = [{**r, "contact_id": None} for r in both]
        found = self.vendor.resolve(probes)
        reasons = {}
        id_name = self.vendor.rules.input_name("contact_id")
        email_name = self.vendor.rules.input_name("contact_email")
        for row, probe in zip(both, probes, strict=True):
            email, given = str(row["contact_email"])[:60], str(row["contact_id"])[:40]
            why = found.rejected.get(row["request_id"])
            if why is not None:
                reasons[row["request_id"]] = (
                    f"{id_name} {given!r} is given with {email_name} {email!r}, which names no"
                    f" single {self.vendor.name} contact ({why}): fix one of them or leave"
                    f" {email_name} out"
                )
            elif str(probe["contact_id"]) != str(row["contact_id"]):
                other = str(probe["contact_id"])[:40]
                reasons[row["request_id"]] = (
                    f"{id_name} {given!r} and {email_name} {email!r} name different"
                    f" {self.vendor.name} contacts (the email is {other!r}): fix one of them;"
                    " nothing was sent"
                )
        return reasons

    def _resolve(
        self, rows: list[TTaskRow], entries: dict[str, LedgerEntry], *, write: bool
    ) -> list[TTaskRow]:
        if not rows:
            return rows
        resolution = self.vendor.resolve(rows)
        resolution.rejected.update(self._id_and_email_disagree(rows, resolution.rejected))
        kept, rejected = [], []
        for row in rows:
            reason = resolution.rejected.get(row["request_id"])
            if reason is None:
                kept.append(row)
                continue
            self.run_outcomes.record(row["row"], row["request_id"], REJECTED, detail=reason)
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
