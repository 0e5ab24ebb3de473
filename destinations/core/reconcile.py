"""Deciding what a create call whose answer was lost actually did, before anything is resent.

The vendor may have created some, all or none of the tasks. We look for them (vendor
`search_created`, by contact) and decide per request:

- found: a task matching user, type, due time, contact, created by the API no earlier than the
  call went out (minus a clock-skew margin), not already recorded for another request → delivered.
- not found, search verified complete, and the vendor's search index had time to catch up
  (`wait_seconds` after the call was sent; Apollo's search lags creates) → not created: resend.
- the search cannot be trusted (e.g. the vendor ignored the contact filter) → undecided: a person
  reviews, and resending happens only when asked.

Vendor-neutral; the vendor supplies the search and the match.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from destinations.core.ledger import DeliveryLedger, utcnow
from destinations.core.vendor import TaskVendor, TSentTask


@dataclass
class TReconcileOutcome:
    found: dict[str, str] = field(default_factory=dict)  # request_id -> task id
    not_created: list[str] = field(default_factory=list)
    undecided: dict[str, str] = field(default_factory=dict)  # request_id -> reason


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
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.vendor = vendor
        self.ledger = ledger
        self.wait_seconds = wait_seconds
        self.skew_seconds = skew_seconds
        self.contacts_per_search = contacts_per_search
        self._sleep = sleep
        self._now = now
        self.searches = 0

    def _look(self, pending: dict[str, TSentTask]) -> tuple[list[dict[str, Any]] | None, str]:
        contacts = sorted({self.vendor.contact_of(s.payload) for s in pending.values()})
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
        # Strict pass first (note and title equal too), so two requests differing only in
        # their note each get their own task; then the required fields only.
        for strict in (True, False):
            for request_id, sent in sorted(pending.items(), key=lambda kv: kv[1].sent_at):
                if request_id in found:
                    continue
                for task in tasks:
                    task_id = self.vendor.task_id(task)
                    if task_id in used:
                        continue
                    if self.vendor.matches(sent, task, skew_seconds=self.skew_seconds) and (
                        not strict
                        or (
                            task.get("note") == sent.payload.get("note")
                            and task.get("title") == sent.payload.get("title")
                        )
                    ):
                        found[request_id] = task_id
                        used.add(task_id)
                        break

    def reconcile(self, sent: Sequence[TSentTask]) -> TReconcileOutcome:
        """Decide each sent task: found, not created, or undecided."""
        outcome = TReconcileOutcome()
        if not sent:
            return outcome
        pending = {s.request_id: s for s in sent}
        deadline = max(s.sent_at for s in sent) + timedelta(seconds=self.wait_seconds)
        delay = 0.25
        while True:
            tasks, reason = self._look(pending)
            if tasks is None:
                # Waiting cannot make an ignored filter work.
                outcome.undecided = {rid: reason for rid in pending}
                return outcome
            self._assign(pending, tasks, outcome.found)
            for request_id in outcome.found:
                pending.pop(request_id, None)
            remaining = (deadline - self._now()).total_seconds()
            if not pending or remaining <= 0:
                break
            self._sleep(min(delay, remaining))
            delay = min(delay * 2, 4.0)
        outcome.not_created = sorted(pending)
        return outcome
