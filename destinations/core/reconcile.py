"""Deciding what create calls whose answers were lost actually did, before anything is resent.

The vendor may have created some, all or none of the tasks. We look for them (vendor
`search_created`, by contact) and decide per request:

- found: a task matching user, type, due time, contact, created by the API no earlier than the
  call went out (minus a clock-skew margin), not recorded for another request → delivered.
- not created: only on proof that the search index is past the call. The proof is a *witness*:
  a task this sink saw created by a call sent after the unknown call had ended (so the vendor made
  it later) that is already visible in search. Search indexes fill in creation order, so once the
  witness shows, a task the unknown call made would show too; the look after that one is
  conclusive. Waiting alone proves nothing (a vendor's index lag may have no documented bound), so
  time never turns "not found" into "not created" -- unless a bound is known: a vendor may
  declare `visible_within_seconds` (its search shows a task at most that long after the call
  that made it ended; None, the default, when nothing bounds it). Then a look that *started*
  that long after the unknown call ended and holds no task for it proves it not created, with no
  witness: this is what settles a run's last call, after which no witness can come.
- waiting: no proof within `wait_seconds` (no witness yet, or none visible): the rows stay
  `sending` and the next run looks again. Nothing is resent.
- undecided: the search cannot be trusted (e.g. the vendor ignored the contact filter) even after
  this run's calls are over (its own creates may shift a list being read) → a person reviews,
  and resending happens only when asked.

Reads scale with what is unknown, not with the account or the number of lost calls: every lost
call of a run joins one pool (`UnknownCall`), and one look at a time (`Reconciler.look`, on a thread
of its own beside the calls) searches the union of the pool's contacts, plus the contacts of the
witnesses chosen for it. That one snapshot decides every request in the pool. Calls for the same
contacts are never held back: a task in the snapshot made by a call still in flight must not be
taken for a lost one, so `sending.py` applies a snapshot only once every call that could have
made a task in it has answered and been recorded, and tasks the ledger or this run recorded for
another request are never assigned (`Reconciler.decide`). The decisions are applied
(`Reconciler.settle`: ledger, row outcomes) on the run's coordinating thread, which alone writes
the ledger; the `Sender` that holds this object decides when to look and when to settle, and
sends again what is proven not created.

Vendor-neutral; the vendor supplies the search and the match. A vendor may declare
`contacts_per_search` (default: its `max_per_call`) for how many contacts one search may carry,
and may offer `search_for(contacts, payloads)`: the same search, told the payloads it must show
(the pool's requests and the witnesses chosen for them), which a vendor whose read can be
bounded by a payload's fields (a due date) uses to read less. It is called only when every
request and witness of the look has its payload.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sales_tasks.clients.core.values import utc_now
from sales_tasks.destinations.core.contract import TTaskRow
from sales_tasks.destinations.core.ledger import NEEDS_REVIEW, PENDING, SENDING, DeliveryLedger
from sales_tasks.destinations.core.outcomes import ALREADY_DELIVERED, RunOutcomes
from sales_tasks.destinations.core.vendor import SentTask, TaskVendor

NO_PROOF = (
    "not visible in {vendor}'s search, and no task this push created later proves the search"
    " has caught up; left `sending`: run the push again later (any push that creates a task"
    " checks it again); to settle it now, check it in {vendor} and run the push with"
    " --resend-unknown if it is absent"
)


@dataclass(frozen=True)
class Witness:
    """A task known to exist, and when the call that created it was sent."""

    task_id: str
    contact: str
    sent_at: datetime
    payload: dict[str, Any] | None = None  # what its create asked for, when known


@dataclass
class UnknownCall:
    """One request whose create call's outcome is unknown, waiting in the pool.

    `row` is the row to resend if it proves not created (None: not in this input), `number` its
    input row number for outcomes (None: not in this input), `earlier` whether an earlier run sent
    it. `proven` turns true when a look showed a witness for it: the next look is conclusive.
    """

    sent: SentTask
    ended_at: datetime
    why: str
    contact: str
    row: TTaskRow | None = None
    number: int | None = None
    earlier: bool = False
    proven: bool = False
    witness: str | None = None  # the witness task id the current look was asked to show

    @property
    def request_id(self) -> str:
        return self.sent.request_id


@dataclass
class ReconcileOutcome:
    found: dict[str, str] = field(default_factory=dict)  # request_id -> task id
    not_created: list[str] = field(default_factory=list)
    undecided: dict[str, str] = field(default_factory=dict)  # request_id -> reason
    waiting: dict[str, str] = field(default_factory=dict)  # request_id -> reason (no proof yet)

    def __bool__(self) -> bool:
        return bool(self.found or self.not_created or self.undecided or self.waiting)


@dataclass
class Look:
    """One search over the pool's contacts: what it was asked, and (once done) what it saw."""

    contacts: list[str]
    asked: list[str]  # request_ids in the pool when it started
    tasks: list[dict[str, Any]] | None = None
    reason: str = ""
    last_flight: int = 0  # calls started up to here may have made a task in the snapshot
    one_read: bool = False  # the snapshot is one response of the vendor (`SearchResult`)
    started_at: datetime | None = None  # when its first search went out (our clock)
    # This run's calls were in flight or started while it read: its own creates may have shifted
    # the list under it, so an untrusted answer is no reason to give up (`Reconciler.decide`).
    own_calls_during: bool = False
    payloads: list[dict[str, Any]] | None = None  # for `search_for` (None: not all known)


@dataclass
class PoolCheck:
    """Tasks of calls with unknown outcome, to join the pool (see `UnknownCall` for the fields)."""

    sent: list[SentTask]
    ended_at: datetime
    why: str
    rows: dict[str, TTaskRow | None] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)
    earlier: set[str] = field(default_factory=set)


class Reconciler:
    """Holds the run's pool of unknown requests and settles them: one snapshot decides them all.

    Args:
        outcomes: the run's record, where settled rows get their outcome (a fresh one if None).
        wait_seconds: how long to look for a request's task (and for proof it made none) before
            leaving it `sending` for the next run.
        skew_seconds: the clock-skew margin between this machine and the vendor.
        contacts_per_search: contacts one `search_created` call carries, unless the vendor
            declares its own `contacts_per_search`.
        resend_unknown: a request an earlier run left unknown is taken as not created (to be
            sent again) when the look finds no task for it, even without proof.
        now: the clock the wait is measured on.

    Attributes:
        searches: `search_created` calls made; looks: snapshots taken.
        decisions: request_id -> how its unknown outcome was decided ("found", "not created",
            "undecided", "no proof yet").
    """

    def __init__(
        self,
        vendor: TaskVendor,
        ledger: DeliveryLedger,
        outcomes: RunOutcomes | None = None,
        *,
        wait_seconds: float = 30.0,
        skew_seconds: float = 300.0,
        contacts_per_search: int = 100,
        resend_unknown: bool = False,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.vendor = vendor
        self.ledger = ledger
        self.outcomes = outcomes if outcomes is not None else RunOutcomes()
        self.wait_seconds = wait_seconds
        self.skew_seconds = skew_seconds
        self.contacts_per_search = max(1, contacts_per_search)
        self.resend_unknown = resend_unknown
        self._now = now
        self.searches = 0
        self.looks = 0
        self.decisions: dict[str, str] = {}
        self._pool: dict[str, UnknownCall] = {}
        self._witnesses: list[Witness] = []

    # --- the pool (coordinating thread) --------------------------------------------------------

    @property
    def pending(self) -> int:
        """Requests in the pool: their outcome is still unknown."""
        return len(self._pool)

    @property
    def proven(self) -> bool:
        """Whether a look showed the witness of some request: the next look is conclusive."""
        return any(u.proven for u in self._pool.values())

    def join(self, check: PoolCheck) -> None:
        """Add the tasks of calls with unknown outcome to the pool."""
        for sent in check.sent:
            self._pool[sent.request_id] = UnknownCall(
                sent,
                check.ended_at,
                check.why,
                self.vendor.contact_of(sent.payload),
                row=check.rows.get(sent.request_id),
                number=check.numbers.get(sent.request_id),
                earlier=sent.request_id in check.earlier,
            )

    def witness(self, witnesses: Iterable[Witness]) -> None:
        """Tasks known to exist (created by this run, or found): they prove later looks."""
        self._witnesses.extend(witnesses)

    def next_look(self) -> Look:
        """The look that covers the whole pool (`plan` over the pool and the witnesses)."""
        return self.plan(self._pool.values(), self._witnesses)

    def settle(self, look: Look, *, more_coming: bool) -> list[tuple[TTaskRow, str]] | None:
        """Apply what a finished look proves: ledger, outcomes and `decisions`.

        Returns:
            None when the look decided nothing; else the rows proven not created, each with why
            its call's outcome was unknown (the caller sends them again, attempts permitting).
        """
        known = {w.task_id for w in self._witnesses}
        outcome = self.decide(self._pool, look, known, more_coming=more_coming)
        if self.resend_unknown:
            # Asked for: rows an earlier run left unknown are sent again even without proof.
            for request_id in [r for r in outcome.waiting if self._pool[r].earlier]:
                del outcome.waiting[request_id]
                outcome.not_created.append(request_id)
        if not outcome:
            return None
        decided = {
            rid: self._pool.pop(rid)
            for rid in [*outcome.found, *outcome.not_created, *outcome.undecided, *outcome.waiting]
        }
        self._apply(outcome, earlier={r for r, u in decided.items() if u.earlier})
        self._witnesses.extend(
            Witness(outcome.found[r], u.contact, u.sent.sent_at)
            for r, u in decided.items()
            if r in outcome.found
        )
        again: list[tuple[TTaskRow, str]] = []
        for request_id, unknown in decided.items():
            number, row = unknown.number, unknown.row
            if request_id in outcome.found:
                task_id = outcome.found[request_id]
                if not unknown.earlier:
                    self.outcomes.record_created(number, request_id, task_id)
                elif number is not None:
                    self.outcomes.record(
                        number,
                        request_id,
                        ALREADY_DELIVERED,
                        task_id=task_id,
                        detail=f"found in {self.vendor.name} after an interrupted call",
                    )
            elif request_id in outcome.undecided or request_id in outcome.waiting:
                why = outcome.undecided.get(request_id) or outcome.waiting[request_id]
                if number is not None:
                    self.outcomes.record(number, request_id, NEEDS_REVIEW, detail=why)
            elif row is not None:
                again.append((row, unknown.why))
            elif number is not None:
                self.outcomes.record(
                    number, request_id, NEEDS_REVIEW, detail="not created (checked in search)"
                )
        return again

    def _apply(self, outcome: ReconcileOutcome, *, earlier: set[str]) -> None:
        found = outcome.found
        with self.ledger.transaction():
            self.ledger.mark_delivered({r: t for r, t in found.items() if r not in earlier})
            self.ledger.mark_delivered(
                {r: t for r, t in found.items() if r in earlier},
                note="found in search after an interrupted call",
            )
            self.ledger.mark(outcome.not_created, PENDING, error="not created (checked in search)")
            self.ledger.mark_errors(NEEDS_REVIEW, outcome.undecided)
            self.ledger.mark_errors(SENDING, outcome.waiting)
        for request_id in found:
            self.decisions[request_id] = "found"
        for request_id in outcome.not_created:
            self.decisions[request_id] = "not created"
        for request_id in outcome.undecided:
            self.decisions[request_id] = "undecided"
        for request_id in outcome.waiting:
            self.decisions[request_id] = "no proof yet"

    # --- one look: plan (coordinating thread), snapshot (worker), decision (coordinating) -------

    def plan(self, pool: Iterable[UnknownCall], witnesses: Sequence[Witness]) -> Look:
        """Choose each request's witness and the contacts one look must cover."""
        pool = list(pool)
        contacts = {u.contact for u in pool}
        payloads: list[dict[str, Any]] | None = [u.sent.payload for u in pool]
        ordered = sorted(witnesses, key=lambda w: w.sent_at)
        for unknown in pool:
            later = [w for w in ordered if w.sent_at > unknown.ended_at]
            # A witness whose contact is searched anyway costs no read.
            pick = next((w for w in later if w.contact in contacts), later[0] if later else None)
            unknown.witness = pick.task_id if pick else None
            if pick is not None:
                contacts.add(pick.contact)
                if payloads is not None and pick.payload is not None:
                    payloads.append(pick.payload)
                else:
                    payloads = None
        return Look(sorted(contacts), [u.request_id for u in pool], payloads=payloads)

    def look(self, look: Look) -> Look:
        """Take the snapshot (on a worker thread): every task the vendor holds for the contacts."""
        self.looks += 1
        look.started_at = self._now()
        tasks: list[dict[str, Any]] = []
        step = int(getattr(self.vendor, "contacts_per_search", 0) or self.contacts_per_search)
        search_for = getattr(self.vendor, "search_for", None)
        for reads, start in enumerate(range(0, len(look.contacts), step), start=1):
            self.searches += 1
            contacts = look.contacts[start : start + step]
            if search_for is not None and look.payloads is not None:
                result = search_for(contacts, look.payloads)
            else:
                result = self.vendor.search_created(contacts)
            if result.tasks is None:
                look.tasks, look.reason = None, result.reason
                return look
            tasks.extend(result.tasks)
            look.one_read = reads == 1 and result.one_read
        look.tasks = tasks
        return look

    def decide(
        self,
        pool: dict[str, UnknownCall],
        look: Look,
        known: set[str],
        *,
        more_coming: bool = False,
    ) -> ReconcileOutcome:
        """What the snapshot proves for each request in the pool (coordinating thread).

        Args:
            pool: the requests still unknown (those added after the look began are matched
                too, but only those the look was planned for can be proven not created).
            look: a finished look, applied after every call that could have made one of its
                tasks has been recorded.
            known: task ids this run recorded for requests outside the pool.
            more_coming: calls of this run are still queued or in flight, so a witness is on
                its way: a request that has none yet keeps waiting past `wait_seconds` (only a
                witness that does not show within it ends the wait).
        """
        outcome = ReconcileOutcome()
        if look.tasks is None:
            # The vendor's answer could not be trusted (a filter ignored, a list that shifted
            # while it was read). This run's own creates may be what shifted it, so the pool
            # is looked at again while calls still go out or went out during this look (a look
            # begun before the last call answered, settled after it); after them, waiting
            # cannot help.
            if not more_coming and not look.own_calls_during:
                outcome.undecided = {rid: look.reason for rid in look.asked if rid in pool}
            return outcome
        tasks = look.tasks
        matching = self._matching(pool, tasks)
        # Only a task that matches some request can be assigned: the ledger is asked about
        # those alone (asking about every task of the look cost ~20 ms a look on PostgreSQL).
        candidates = {self.vendor.task_id(t) for found in matching.values() for t in found}
        owners = self.ledger.owners_of(candidates) if candidates else {}
        used = set(owners) | known
        self._assign(pool, matching, used, outcome.found)
        seen = {self.vendor.task_id(t) for t in tasks}
        asked = set(look.asked)
        now = self._now()
        for request_id, unknown in pool.items():
            if request_id in outcome.found or request_id not in asked:
                continue
            if unknown.proven:
                # The look before this one already showed the witness: this one saw an index
                # that holds everything created before it.
                outcome.not_created.append(request_id)
                continue
            if unknown.witness is not None and unknown.witness in seen:
                if look.one_read:
                    # One response holding the witness holds what was created before it.
                    outcome.not_created.append(request_id)
                else:
                    unknown.proven = True
                continue
            if self._past_lag(unknown, look):
                # The look began after the vendor's declared bound: a task made by the call
                # would be in it.
                outcome.not_created.append(request_id)
                continue
            deadline = max(unknown.ended_at, unknown.sent.sent_at) + timedelta(
                seconds=self.wait_seconds
            )
            if now >= deadline and (unknown.witness is not None or not more_coming):
                outcome.waiting[request_id] = NO_PROOF.format(vendor=self.vendor.name)
        return outcome

    def _past_lag(self, unknown: UnknownCall, look: Look) -> bool:
        """Whether `look` began at least the vendor's `visible_within_seconds` after the unknown
        call ended (False when the vendor declares no bound)."""
        bound = getattr(self.vendor, "visible_within_seconds", None)
        if bound is None or look.started_at is None:
            return False
        ended = max(unknown.ended_at, unknown.sent.sent_at)
        return look.started_at >= ended + timedelta(seconds=float(bound))

    def _matching(
        self, pool: dict[str, UnknownCall], tasks: list[dict[str, Any]]
    ) -> dict[str, list[dict[str, Any]]]:
        """request_id -> the look's tasks that `matches` its call, in the look's order."""
        candidates = self._by_contact(tasks)
        return {
            request_id: [
                task
                for task in (tasks if candidates is None else candidates.get(unknown.contact, []))
                if self.vendor.matches(unknown.sent, task, skew_seconds=self.skew_seconds)
            ]
            for request_id, unknown in pool.items()
        }

    def _assign(
        self,
        pool: dict[str, UnknownCall],
        matching: dict[str, list[dict[str, Any]]],
        used: set[str],
        found: dict[str, str],
    ) -> None:
        # Strict pass first (the vendor's `strict_match_fields` equal too), so two requests
        # differing only in, say, their note each get their own task; then `matches` only.
        fields = self.vendor.strict_match_fields
        order = sorted(pool.values(), key=lambda u: u.sent.sent_at)
        for strict in (True, False):
            for unknown in order:
                if unknown.request_id in found:
                    continue
                sent = unknown.sent
                for task in matching.get(unknown.request_id, []):
                    task_id = self.vendor.task_id(task)
                    if task_id in used:
                        continue
                    if not strict or all(task.get(f) == sent.payload.get(f) for f in fields):
                        found[unknown.request_id] = task_id
                        used.add(task_id)
                        break

    def _by_contact(self, tasks: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]] | None:
        """The tasks by the contact the vendor says each is for (`task_contact`), in their order,
        or None when the vendor does not say: then every request is matched against every task
        (a look of 3,000 tasks deciding 400 requests was 2 million `matches` calls, ~0.5 s)."""
        task_contact = getattr(self.vendor, "task_contact", None)
        if task_contact is None:
            return None
        by_contact: dict[str, list[dict[str, Any]]] = {}
        for task in tasks:
            contact = task_contact(task)
            if contact is not None:
                by_contact.setdefault(str(contact), []).append(task)
        return by_contact
