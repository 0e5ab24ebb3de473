"""The delivery engine's outcomes with a fake in-memory vendor adapter, over a real DuckDB ledger.

The fake answers each create per row: created (with its id), rejected (final, with its reason)
or unknown (the answer was lost; the task may or may not exist). Only unknown rows are
reconciled (searched for); a rejected row is recorded with the vendor's reason and never sent
again in the run; an unknown row whose task exists is not sent again, one proven not created is.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Hashable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sales_tasks.destinations.core.contract import ROW_NUMBER, InputRules, TTaskRow, validate_row
from sales_tasks.destinations.core.engine import DeliveryEngine
from sales_tasks.destinations.core.ledger import DELIVERED, PENDING, REJECTED, DeliveryLedger
from sales_tasks.destinations.core.outcomes import CREATED, RunOutcomes
from sales_tasks.destinations.core.reconcile import Reconciler, UnknownCall, Witness
from sales_tasks.destinations.core.sending import Sender
from sales_tasks.destinations.core.vendor import Resolution, SearchResult, SendOutcome, SentTask

RULES = InputRules(
    task_types=frozenset({"todo"}),
    statuses=frozenset({"open", "done"}),
    priorities=frozenset(),
    default_status="open",
    needs_user=False,
)
REFUSED = "Fake refused the task: contact is archived"


class FakeVendor:
    """A vendor whose search sees every task at once; contacts named `bad-*` are refused,
    `lost-made-*` and `lost-none-*` lose their first answer (after / without creating)."""

    name = "Fake"
    rules = RULES
    max_per_call = 1
    strict_match_fields: tuple[str, ...] = ("note",)

    def __init__(self) -> None:
        self.tasks: list[dict[str, Any]] = []
        self.sends: Counter[str] = Counter()
        self.searched: list[str] = []
        self._ids = itertools.count(1)

    def resolve(self, rows: Sequence[TTaskRow]) -> Resolution:
        return Resolution()

    def group_key(self, row: TTaskRow) -> Hashable | None:
        return None

    def distinct_key(self, row: TTaskRow) -> str:
        return str(row["contact_id"])

    def call_name(self, rows: Sequence[TTaskRow]) -> str:
        return "POST /fake/tasks"

    def payload(self, row: TTaskRow) -> dict[str, Any]:
        return {k: row[k] for k in ("contact_id", "type", "status", "due_at", "note")}  # type: ignore[literal-required]

    def _make(self, row: TTaskRow) -> str:
        task = {**self.payload(row), "id": f"task-{next(self._ids)}"}
        self.tasks.append(task)
        return str(task["id"])

    def send(self, rows: Sequence[TTaskRow]) -> SendOutcome:
        (row,) = rows
        request_id, contact = row["request_id"], str(row["contact_id"])
        self.sends[request_id] += 1
        first = self.sends[request_id] == 1
        if contact.startswith("bad"):
            return SendOutcome(rejected={request_id: REFUSED})
        if first and contact.startswith("lost-made"):
            self._make(row)
            return SendOutcome(unknown={request_id: "connection dropped"})
        if first and contact.startswith("lost-none"):
            return SendOutcome(unknown={request_id: "connection dropped"})
        return SendOutcome(created={request_id: self._make(row)})

    def search_created(self, contacts: Sequence[str]) -> SearchResult:
        self.searched.extend(contacts)
        return SearchResult([t for t in self.tasks if t["contact_id"] in set(contacts)])

    def matches(self, sent: SentTask, task: dict[str, Any], *, skew_seconds: float) -> bool:
        want = sent.payload
        return all(task.get(k) == want.get(k) for k in ("contact_id", "type", "due_at"))

    def task_id(self, task: dict[str, Any]) -> str:
        return str(task["id"])

    def contact_of(self, payload: dict[str, Any]) -> str:
        return str(payload["contact_id"])


CONTACTS = ["ok-1", "bad-1", "lost-made-1", "lost-none-1", "ok-2", "ok-3"]


def rows() -> list[dict[str, Any]]:
    return [
        {
            ROW_NUMBER: n,
            "request_id": f"req-{contact}",
            "contact_id": contact,
            "type": "todo",
            "due_at": "2025-07-01T09:00:00Z",
            "note": "call back",
        }
        for n, contact in enumerate(CONTACTS, start=1)
    ]


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[DeliveryLedger]:
    engine = sa.create_engine(f"duckdb:///{tmp_path / 'ledger.duckdb'}")
    yield DeliveryLedger(engine, schema="push", vendor="fake", account="acct")
    engine.dispose()


def run(vendor: FakeVendor, ledger: DeliveryLedger, run_id: str, **kw: Any) -> DeliveryEngine:
    engine = DeliveryEngine(
        vendor, ledger, run_id=run_id, reconcile_wait_seconds=10.0, calls_in_flight=1, **kw
    )
    try:
        engine.process(rows())
    finally:
        engine.close()
    return engine


def test_created_rejected_and_unknown_rows_each_end_as_they_should(
    ledger: DeliveryLedger,
) -> None:
    vendor = FakeVendor()
    engine = run(vendor, ledger, "run-1")
    outcomes = {o.request_id: o for o in engine.outcomes.values()}
    assert {r: o.outcome for r, o in outcomes.items()} == {
        **{f"req-{c}": "created" for c in CONTACTS},
        "req-bad-1": "rejected",
    }
    assert outcomes["req-bad-1"].detail == REFUSED
    # One task per intended task: the lost answer that had created one was not resent.
    by_contact = Counter(t["contact_id"] for t in vendor.tasks)
    assert by_contact == Counter({c: 1 for c in CONTACTS if c != "bad-1"})
    assert vendor.sends == Counter({**{f"req-{c}": 1 for c in CONTACTS}, "req-lost-none-1": 2})
    # Only the unknown rows were reconciled; the rejected one was never looked for.
    assert engine.reconciled == {"req-lost-made-1": "found", "req-lost-none-1": "not created"}
    assert "bad-1" not in vendor.searched
    assert set(vendor.searched) <= {"lost-made-1", "lost-none-1", "ok-2", "ok-3"}
    # The ledger holds each task id, and the rejection with the vendor's reason.
    entries = ledger.get_many(f"req-{c}" for c in CONTACTS)
    task_of = {t["contact_id"]: t["id"] for t in vendor.tasks}
    for contact in CONTACTS:
        entry = entries[f"req-{contact}"]
        if contact == "bad-1":
            assert (entry.state, entry.error, entry.task_id) == (REJECTED, REFUSED, None)
        else:
            assert (entry.state, entry.task_id) == (DELIVERED, task_of[contact])
            assert outcomes[f"req-{contact}"].task_id == task_of[contact]

    summary = engine.summary(rows(), dry_run=False)
    assert summary.adds_up and summary.rows_in == 6
    assert (summary.created, summary.rejected, summary.calls) == (5, 1, 7)
    assert summary.rejections == [(2, "req-bad-1", REFUSED)]
    assert summary.reconciled == {"found": 1, "not created": 1}


def test_a_second_run_sends_nothing_already_delivered(ledger: DeliveryLedger) -> None:
    vendor = FakeVendor()
    run(vendor, ledger, "run-1")
    sent_before = sum(vendor.sends.values())
    again = run(vendor, ledger, "run-2")
    summary = again.summary(rows(), dry_run=False)
    assert summary.already_delivered == 5 and summary.created == 0 and summary.adds_up
    # The refused row is unchanged: rejected again with the reason the ledger kept, no call.
    assert sum(vendor.sends.values()) == sent_before
    assert summary.rejected == summary.refused_before == 1
    assert summary.rejections[0][2].startswith(REFUSED)
    # Asked for, it is offered again (a vendor may accept it once fixed on its side).
    run(vendor, ledger, "run-3", retry_rejected=True)
    assert sum(vendor.sends.values()) - sent_before == 1
    assert len(vendor.tasks) == 5


def test_a_row_without_an_outcome_is_counted_as_needing_review(ledger: DeliveryLedger) -> None:
    vendor = FakeVendor()
    engine = run(vendor, ledger, "run-1")
    extra = {**rows()[0], ROW_NUMBER: 99, "request_id": "never-seen"}
    summary = engine.summary([*rows(), extra], dry_run=False)
    assert summary.adds_up and summary.needs_review == 1
    assert summary.needs_review_rows == [
        ("never-seen", "not processed in this run: run the push again")
    ]


@pytest.mark.parametrize(("one_read", "looks"), [(False, 2), (True, 1)])
def test_a_witness_in_one_response_proves_at_once(
    ledger: DeliveryLedger, one_read: bool, looks: int
) -> None:
    vendor = FakeVendor()
    ledger.ensure()
    reconciler = Reconciler(vendor, ledger, wait_seconds=10.0)
    sent_at = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    payload = {"contact_id": "c-1", "type": "todo", "due_at": "2025-07-01T09:00:00Z"}
    pool = {"r-1": UnknownCall(SentTask("r-1", payload, sent_at), sent_at, "5xx", "c-1")}
    witness = Witness("task-9", "c-2", sent_at + timedelta(seconds=1))
    vendor.tasks.append({"id": "task-9", "contact_id": "c-2"})
    decided = []
    for _ in range(looks):
        look = reconciler.look(reconciler.plan(pool.values(), [witness]))
        assert look.contacts == ["c-1", "c-2"]  # the witness's contact is read with the pool's
        look.one_read = one_read
        decided.append(reconciler.decide(pool, look, {"task-9"}).not_created)
    assert decided[-1] == ["r-1"] and all(d == [] for d in decided[:-1])


def one_contact_run(
    vendor: FakeVendor, ledger: DeliveryLedger, n: int, *, calls_in_flight: int
) -> tuple[DeliveryEngine, Any]:
    """Rows req-1..req-n for one contact, each with its own due date, pushed in one run:
    (the engine, its summary)."""
    same = [
        {**rows()[0], ROW_NUMBER: k, "request_id": f"req-{k}", "due_at": f"2025-07-0{k}T09:00:00Z"}
        for k in range(1, n + 1)
    ]
    engine = DeliveryEngine(
        vendor, ledger, run_id="run-1", reconcile_wait_seconds=10.0,
        calls_in_flight=calls_in_flight,
    )  # fmt: skip
    try:
        engine.process(same)
    finally:
        engine.close()
    return engine, engine.summary(same, dry_run=False)


def test_calls_for_a_contact_being_reconciled_are_not_held_back(ledger: DeliveryLedger) -> None:
    """Three rows of one contact: the first call's answer is lost; the other two go out while it
    is reconciled (they witness it), and each row ends with exactly one task."""

    class FirstLost(FakeVendor):
        def send(self, rows: Sequence[TTaskRow]) -> SendOutcome:
            (row,) = rows
            self.sends[row["request_id"]] += 1
            if row["request_id"] == "req-1" and self.sends["req-1"] == 1:
                return SendOutcome(unknown={"req-1": "connection dropped"})
            return SendOutcome(created={row["request_id"]: self._make(row)})

    vendor = FirstLost()
    engine, summary = one_contact_run(vendor, ledger, 3, calls_in_flight=4)
    assert summary.created == 3 and summary.needs_review == 0
    assert len(vendor.tasks) == 3 and len({t["due_at"] for t in vendor.tasks}) == 3
    assert vendor.sends == Counter({"req-1": 2, "req-2": 1, "req-3": 1})
    assert engine.reconciled == {"req-1": "not created"}


def test_the_sender_and_its_reconciler_work_without_the_engine(ledger: DeliveryLedger) -> None:
    """The engine's two collaborators, built by hand from their constructors: the sender makes
    the calls, hands the lost answers to the reconciler, sends again what it proves not created,
    and both record into the one `RunOutcomes` they are given."""
    vendor = FakeVendor()
    ledger.ensure()
    outcomes = RunOutcomes()
    reconciler = Reconciler(vendor, ledger, outcomes, wait_seconds=10.0)
    sender = Sender(vendor, ledger, reconciler, outcomes, run_id="run-1", calls_in_flight=1)
    checked = [validate_row(raw, RULES, row=raw[ROW_NUMBER]) for raw in rows()]
    tasks = [v.task for v in checked if v.task is not None]
    ledger.upsert(
        [
            {
                "request_id": v.request_id,
                "row_hash": v.row_hash,
                "state": PENDING,
                "payload": vendor.payload(t),
                "run_id": "run-1",
            }
            for v, t in zip(checked, tasks, strict=True)
        ],
        existing=[],
    )

    sender.deliver(tasks, [])

    kinds = {o.request_id: o.outcome for o in outcomes.by_row.values()}
    assert kinds == {f"req-{c}": REJECTED if c == "bad-1" else CREATED for c in CONTACTS}
    assert reconciler.decisions == {"req-lost-made-1": "found", "req-lost-none-1": "not created"}
    assert reconciler.pending == 0
    assert outcomes.created == {f"req-{c}" for c in CONTACTS if c != "bad-1"}
    assert sender.calls == 7 == sender.calls_answered  # six rows, one sent again
    states = {r: e.state for r, e in ledger.get_many(kinds).items()}
    assert states == {r: REJECTED if r == "req-bad-1" else DELIVERED for r in kinds}
    assert len(vendor.tasks) == 5  # one task per row the vendor accepted, none twice


def test_a_look_shifted_by_the_runs_own_create_is_taken_again_not_given_up(
    ledger: DeliveryLedger,
) -> None:
    """The first call's answer is lost; the search for it begins while the second call is still
    out, and that call's create shifts the list under it (an untrusted answer). The second call
    has answered by the time the look is settled, so no call of the run is left: the look was
    spoiled by the run itself, not by the vendor, and must be taken again (it then proves the
    first row not created, and that row is sent again) rather than leave the row for review."""

    class ShiftedOnce(FakeVendor):
        def __init__(self) -> None:
            super().__init__()
            self.search_began, self.second_made = threading.Event(), threading.Event()
            self.looks = 0

        def send(self, rows: Sequence[TTaskRow]) -> SendOutcome:
            (row,) = rows
            request_id = row["request_id"]
            self.sends[request_id] += 1
            if request_id == "req-1" and self.sends[request_id] == 1:
                return SendOutcome(unknown={request_id: "connection dropped"})
            if request_id == "req-2":
                assert self.search_began.wait(10)  # still out while the search begins
                made = SendOutcome(created={request_id: self._make(row)})
                self.second_made.set()
                return made
            return SendOutcome(created={request_id: self._make(row)})

        def search_created(self, contacts: Sequence[str]) -> SearchResult:
            self.looks += 1
            if self.looks == 1:
                self.search_began.set()
                assert self.second_made.wait(10)  # the run's own create lands mid-read
                return SearchResult(None, "the list changed while it was read")
            return SearchResult(super().search_created(contacts).tasks, one_read=True)

    vendor = ShiftedOnce()
    engine, summary = one_contact_run(vendor, ledger, 2, calls_in_flight=1)
    assert summary.needs_review == 0, summary.format()
    assert summary.created == 2 and len(vendor.tasks) == 2
    assert vendor.sends == Counter({"req-1": 2, "req-2": 1})
    assert engine.reconciled == {"req-1": "not created"}
