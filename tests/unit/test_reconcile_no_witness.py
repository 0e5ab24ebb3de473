"""A lost call that no later call can ever prove is left `sending` at once, not after waiting out
`wait_seconds` (waiting alone proves nothing, `sales_tasks.destinations.core.reconcile`); while
a witness may still come (calls queued or in flight, a resend, a task of a later call known or
found) or the vendor declares how soon its search shows a task, the wait stays as it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sales_tasks.destinations.core.ledger import DeliveryLedger
from sales_tasks.destinations.core.reconcile import Reconciler, UnknownCall, Witness
from sales_tasks.destinations.core.vendor import SentTask
from tests.unit.test_engine import FakeVendor, ledger

FIXTURES = (ledger,)  # found by pytest in this module's namespace

SENT = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
PAYLOAD = {"contact_id": "c-1", "type": "todo", "due_at": "2025-07-01T09:00:00Z"}


def _decide(
    ledger: DeliveryLedger,
    vendor: Any,
    *,
    more_coming: bool,
    witnesses: tuple[Witness, ...] = (),
    later: tuple[Witness, ...] = (),
) -> Any:
    """One look for a lost call `r-1` (1 s after it, well within the 30 s wait); `later`:
    witnesses recorded while the look ran."""
    ledger.ensure()
    reconciler = Reconciler(
        vendor, ledger, wait_seconds=30.0, now=lambda: SENT + timedelta(seconds=1)
    )
    pool = {"r-1": UnknownCall(SentTask("r-1", PAYLOAD, SENT), SENT, "5xx", "c-1")}
    reconciler.witness(witnesses)
    look = reconciler.look(reconciler.plan(pool.values(), list(witnesses)))
    reconciler.witness(later)
    return reconciler.decide(pool, look, set(), more_coming=more_coming)


def test_nothing_coming_and_no_witness_leaves_the_call_at_once(ledger: DeliveryLedger) -> None:
    outcome = _decide(ledger, FakeVendor(), more_coming=False)
    assert list(outcome.waiting) == ["r-1"] and not outcome.not_created


def test_calls_still_coming_keep_it_waiting(ledger: DeliveryLedger) -> None:
    assert not _decide(ledger, FakeVendor(), more_coming=True)


@pytest.mark.parametrize("when", ["before the look", "while it ran"])
def test_a_later_call_known_keeps_it_waiting(ledger: DeliveryLedger, when: str) -> None:
    """A task of a call sent after the lost one ended is the next look's witness."""
    vendor = FakeVendor()
    witness = Witness("task-9", "c-2", SENT + timedelta(seconds=0.5))
    vendor.tasks.append({"id": "task-9", "contact_id": "c-2"})
    known = (witness,) if when == "before the look" else ()
    later = () if known else (witness,)
    assert not _decide(ledger, vendor, more_coming=False, witnesses=known, later=later).waiting


def test_a_vendor_that_bounds_its_lag_is_waited_for(ledger: DeliveryLedger) -> None:
    vendor = FakeVendor()
    vendor.visible_within_seconds = 5.0  # type: ignore[attr-defined]
    assert not _decide(ledger, vendor, more_coming=False)
