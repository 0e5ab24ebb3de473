"""Deciding what a create call whose answer was lost actually did, before anything is resent.

The vendor may have created some, all or none of the tasks. We look for them (vendor
`search_created`, by contact) and decide per request:

- found: a task matching user, type, due time, contact, created by the API no earlier than the
  call went out (minus a clock-skew margin), not already recorded for another request → delivered.
- not created: only on proof that the search index is past the call. The proof is a *witness*:
  a task this sink saw created by a call sent after the unknown call had ended (so the vendor made
  it later) that is already visible in search. Search indexes fill in creation order, so once the
  witness shows, a task the unknown call made would show too; the look after that one is
  conclusive. Waiting alone proves nothing (a vendor's index lag may have no documented bound), so time
  never turns "not found" into "not created".
- waiting: no proof within `wait_seconds` (no witness yet, or none visible): the rows stay
  `sending` and the next run looks again. Nothing is resent.
- undecided: the search cannot be trusted (e.g. the vendor ignored the contact filter) → a person
  reviews, and resending happens only when asked.

Reconciliations run on their own threads beside the other calls (`sending.py` keeps calls for the
same contacts out of the way meanwhile); they read the ledger but never write it: the engine's
coordinating thread applies each decision (`Reconciling`) and resends what proved not created.

Vendor-neutral; the vendor supplies the search and the match.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from clients.core.errors import VendorApiError
from clients.core.values import utc_now
from destinations.core.contract import TTaskRow
from destinations.core.ledger import NEEDS_REVIEW, PENDING, SENDING, DeliveryLedger
from destinations.core.planner import plan_calls
from destinations.core.vendor import TaskVendor, TSentTask

CREATED = "created"
ALREADY_DELIVERED = "already_delivered"

NO_PROOF = (
    "not visible in {vendor}'s search yet, and no later task proves the search has caught up;"
    " left `sending`: run the push again later and it checks again"
)


@dataclass(frozen=True)
class TWitness:
    """A task known to exist, and when the call that created it was sent."""

    task_id: str
    contact: str
    sent_at: datetime


@dataclass
class TReconcileOutcome:
    found: dict[str, str] = field(default_factory=dict)  # request_id -> task id
    not_created: list[str] = field(default_factory=list)
    undecided: dict[str, str] = field(default_factory=dict)  # request_id -> reason
    waiting: dict[str, str] = field(default_factory=dict)  # request_id -> reason (no proof yet)
    stopped: bool = False  # cancelled before deciding: the rows not decided stay `sending`


class Reconciler:
    """Finds the tasks of calls with unknown outcome, polling while the search index lags."""

    def __init__(
        self,
        vendor: TaskVendor,
        ledger: DeliveryLedger,
        *,
        wait_seconds: float = 30.0,
        skew_seconds: float = 300.0,
        contacts_per_search: int = 100,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.vendor = vendor
        self.ledger = ledger
        self.wait_seconds = wait_seconds
        self.skew_seconds = skew_seconds
        self.contacts_per_search = contacts_per_search
        self._sleep = sleep
        self._now = now
        self.searches = 0

    def _look(self, contacts: Sequence[str]) -> tuple[list[dict[str, Any]] | None, str]:
        tasks: list[dict[str, Any]] = []
        for start in range(0, len(contacts), self.contacts_per_search):
            self.searches += 1
            result = self.vendor.search_created(contacts[start : start + self.contacts_per_search])
            if result.tasks is None:
                return None, result.reason
            tasks.extend(result.tasks)
        return tasks, ""

    def _assign(
        self, pending: dict[str, TSentTask], tasks: list[dict[str, Any]], found: dict[str, str]
    ) -> None:
        owners = self.ledger.owners_of(self.vendor.task_id(t) for t in tasks)
        used = set(found.values()) | set(owners)
        # Strict pass first (the vendor's `strict_match_fields` equal too), so two requests
        # differing only in, say, their note each get their own task; then `matches` only.
        fields = self.vendor.strict_match_fields
        for strict in (True, False):
            for request_id, sent in sorted(pending.items(), key=lambda kv: kv[1].sent_at):
                if request_id in found:
                    continue
                for task in tasks:
                    task_id = self.vendor.task_id(task)
                    if task_id in used:
                        continue
                    if self.vendor.matches(sent, task, skew_seconds=self.skew_seconds) and (
                        not strict or all(task.get(f) == sent.payload.get(f) for f in fields)
                    ):
                        found[request_id] = task_id
                        used.add(task_id)
                        break

    def reconcile(
        self,
        sent: Sequence[TSentTask],
        *,
        ended_at: datetime | None = None,
        witnesses: Callable[[], Sequence[TWitness]] = tuple,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> TReconcileOutcome:
        """Decide each sent task: found, not created (proven), waiting, or undecided.

        Args:
            sent: the tasks of calls whose outcome is unknown.
            ended_at: when those calls were over (the vendor acts no later); default: now.
            witnesses: the tasks known created so far; called again on every look, since
                calls going out meanwhile add to them.
            cancelled: checked between looks; when true, the undecided rows stay `sending`.
        """
        outcome = TReconcileOutcome()
        if not sent:
            return outcome
        ended = ended_at or self._now()
        pending = {s.request_id: s for s in sent}
        deadline = max(ended, *(s.sent_at for s in sent)) + timedelta(seconds=self.wait_seconds)
        delay, proven = 0.25, False
        while True:
            if cancelled():
                outcome.stopped = True
                return outcome
            witness = min(
                (w for w in witnesses() if w.sent_at > ended),
                key=lambda w: w.sent_at,
                default=None,
            )
            contacts = {self.vendor.contact_of(s.payload) for s in pending.values()}
            if witness is not None:
                contacts.add(witness.contact)
            tasks, reason = self._look(sorted(contacts))
            if tasks is None:
                # Waiting cannot make an ignored filter work.
                outcome.undecided = {rid: reason for rid in pending}
                return outcome
            self._assign(pending, tasks, outcome.found)
            for request_id in outcome.found:
                pending.pop(request_id, None)
            if not pending:
                return outcome
            if proven:
                # The look before this one already showed the witness: this one saw an index
                # that holds everything created before it.
                outcome.not_created = sorted(pending)
                return outcome
            if witness is not None and any(
                self.vendor.task_id(t) == witness.task_id for t in tasks
            ):
                proven = True
                continue
            remaining = (deadline - self._now()).total_seconds()
            if remaining <= 0:
                why = NO_PROOF.format(vendor=self.vendor.name)
                outcome.waiting = {rid: why for rid in pending}
                return outcome
            self._sleep(min(delay, remaining))
            delay = min(delay * 2, 2.0)


@dataclass
class TCheck:
    """Tasks of calls with unknown outcome, reconciled together.

    `rows` holds the row to resend if it proves not created (None: not in this input), `numbers`
    the input row numbers for outcomes, `earlier` the request_ids an earlier run sent.
    """

    sent: list[TSentTask]
    ended_at: datetime
    why: str
    rows: dict[str, TTaskRow | None] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)
    earlier: set[str] = field(default_factory=set)
    contacts: set[str] = field(default_factory=set)
    cancelled: bool = False


class Reconciling:
    """What the delivery engine does with a decided check (`sending.py` runs the checks)."""

    vendor: TaskVendor
    ledger: DeliveryLedger
    max_send_attempts: int
    resend_unknown: bool
    to_send: dict[str, TTaskRow]
    reconciled: dict[str, str]
    _created: set[str]
    _sends: dict[str, int]
    _stuck: dict[str, str]
    _witnesses: list[TWitness]
    _witness_lock: threading.Lock

    def _outcome(self, row: int, request_id: str | None, outcome: str, **kw: Any) -> None:
        raise NotImplementedError

    def _witness_snapshot(self) -> tuple[TWitness, ...]:
        with self._witness_lock:
            return tuple(self._witnesses)

    def _settle(
        self,
        check: TCheck,
        future: Future[TReconcileOutcome],
        queue: deque[list[TTaskRow]],
        fatal: list[BaseException],
    ) -> None:
        try:
            outcome = future.result()
        except VendorApiError as exc:  # the search failed: the rows stay `sending`
            fatal.append(exc)
            return
        if self.resend_unknown:
            # Asked for: rows an earlier run left unknown are sent again even without proof.
            for request_id in [r for r in outcome.waiting if r in check.earlier]:
                del outcome.waiting[request_id]
                outcome.not_created.append(request_id)
        self._apply(outcome, earlier=check.earlier)
        with self._witness_lock:
            self._witnesses.extend(
                TWitness(outcome.found[s.request_id], self.vendor.contact_of(s.payload), s.sent_at)
                for s in check.sent
                if s.request_id in outcome.found
            )
        again: list[TTaskRow] = []
        for sent in check.sent:
            request_id, number = sent.request_id, check.numbers.get(sent.request_id)
            row = check.rows.get(request_id)
            if request_id in outcome.found:
                task_id = outcome.found[request_id]
                if request_id in check.earlier:
                    if number is not None:
                        self._outcome(
                            number,
                            request_id,
                            ALREADY_DELIVERED,
                            task_id=task_id,
                            detail=f"found in {self.vendor.name} after an interrupted call",
                        )
                else:
                    self._created.add(request_id)
                    if number is not None:
                        self._outcome(number, request_id, CREATED, task_id=task_id)
            elif request_id in outcome.undecided or request_id in outcome.waiting:
                why = outcome.undecided.get(request_id) or outcome.waiting[request_id]
                if number is not None:
                    self._outcome(number, request_id, NEEDS_REVIEW, detail=why)
            elif request_id in outcome.not_created and row is not None:
                if self._sends.get(request_id, 0) < self.max_send_attempts:
                    again.append(row)
                    self.to_send.setdefault(request_id, row)
                else:
                    self._stuck[request_id] = check.why
        queue.extend(plan_calls(again, self.vendor))

    def _apply(self, outcome: TReconcileOutcome, *, earlier: set[str] | None = None) -> None:
        found = outcome.found
        with self.ledger.transaction():
            self.ledger.mark_delivered(
                {r: t for r, t in found.items() if r not in (earlier or ())}, note=None
            )
            self.ledger.mark_delivered(
                {r: t for r, t in found.items() if r in (earlier or ())},
                note="found in search after an interrupted call",
            )
            self.ledger.mark(outcome.not_created, PENDING, error="not created (checked in search)")
            self.ledger.mark_errors(NEEDS_REVIEW, outcome.undecided)
            self.ledger.mark_errors(SENDING, outcome.waiting)
        for request_id in found:
            self.reconciled[request_id] = "found"
        for request_id in outcome.not_created:
            self.reconciled[request_id] = "not created"
        for request_id in outcome.undecided:
            self.reconciled[request_id] = "undecided"
        for request_id in outcome.waiting:
            self.reconciled[request_id] = "no proof yet"
