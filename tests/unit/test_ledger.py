"""The delivery ledger's state machine and key scope, on real DuckDB files in tmp.

Every ledger here shares one table; each `DeliveryLedger` is one (vendor, account): what one
writes, the others never read or change.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from sales_tasks.destinations.core.ledger import (
    DELIVERED,
    NEEDS_REVIEW,
    PENDING,
    REJECTED,
    SENDING,
    DeliveryLedger,
    LedgerSetupError,
)

SENT = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path: Path) -> sa.Engine:
    engine = sa.create_engine(f"duckdb:///{tmp_path / 'ledger.duckdb'}")
    yield engine  # type: ignore[misc]
    engine.dispose()


def make(engine: sa.Engine, vendor: str = "acme", account: str = "one") -> DeliveryLedger:
    ledger = DeliveryLedger(engine, schema="push", vendor=vendor, account=account)
    ledger.ensure()
    return ledger


def pending(*ids: str) -> list[dict[str, object]]:
    return [
        {"request_id": r, "row_hash": f"h-{r}", "state": PENDING, "payload": {"contact": r}}
        for r in ids
    ]


def states(ledger: DeliveryLedger, *ids: str) -> dict[str, str]:
    return {r: e.state for r, e in ledger.get_many(ids).items()}


def test_a_request_walks_pending_sending_delivered(engine: sa.Engine) -> None:
    ledger = make(engine)
    ledger.upsert(pending("a", "b", "c"), existing=[])
    assert states(ledger, "a", "b", "c") == dict.fromkeys("abc", PENDING)
    ledger.mark_calls_sending([(["a", "b"], "run-1"), (["c"], "run-2")], run_id="r", sent_at=SENT)
    sending = {e.request_id: e for e in ledger.in_state(SENDING)}
    assert set(sending) == {"a", "b", "c"}
    assert (sending["c"].batch_id, sending["c"].attempt, sending["c"].sent_at) == ("run-2", 1, SENT)
    assert sending["a"].payload == {"contact": "a"}
    # One group commit: a and b answered, c goes out again.
    ledger.record_round({"a": "t-a", "b": "t-b"}, [(["c"], "run-3")], run_id="r2", sent_at=SENT)
    got = ledger.get_many(["a", "b", "c"])
    assert (got["a"].state, got["a"].task_id, got["a"].attempt) == (DELIVERED, "t-a", 1)
    assert (got["c"].state, got["c"].batch_id, got["c"].attempt) == (SENDING, "run-3", 2)
    assert ledger.owners_of(["t-a", "t-b", "t-x"]) == {"t-a": "a", "t-b": "b"}


def test_unknown_outcomes_end_rejected_needs_review_or_pending_again(engine: sa.Engine) -> None:
    ledger = make(engine)
    ledger.upsert(pending("r", "n", "p", "d"), existing=[])
    ledger.mark_sending(["r", "n", "p", "d"], batch_id="b", run_id="run", sent_at=SENT)
    ledger.mark(["r"], REJECTED, error="the vendor refused it")
    ledger.mark_errors(NEEDS_REVIEW, {"n": "search ignored the filter"})
    ledger.mark(["p"], PENDING, error="not created (checked in search)")
    ledger.mark_delivered({"d": "t-d"}, note="found in search after an interrupted call")
    got = ledger.get_many(["r", "n", "p", "d"])
    assert {k: (e.state, e.error) for k, e in got.items()} == {
        "r": (REJECTED, "the vendor refused it"),
        "n": (NEEDS_REVIEW, "search ignored the filter"),
        "p": (PENDING, "not created (checked in search)"),
        "d": (DELIVERED, "found in search after an interrupted call"),
    }
    # A corrected row arrives for the rejected request: it becomes pending again.
    ledger.upsert(
        [{"request_id": "r", "row_hash": "h-new", "state": PENDING, "payload": {"x": 1}}],
        existing=["r"],
    )
    entry = ledger.get_many(["r"])["r"]
    assert (entry.state, entry.row_hash, entry.error) == (PENDING, "h-new", None)


def test_every_query_is_scoped_by_vendor_and_account(engine: sa.Engine) -> None:
    mine, other_account, other_vendor = (
        make(engine),
        make(engine, account="two"),
        make(engine, vendor="zeta"),
    )
    for ledger in (mine, other_account, other_vendor):
        ledger.upsert(pending("same"), existing=[])
    mine.mark_sending(["same"], batch_id="b", run_id="run", sent_at=SENT)
    mine.record_round({"same": "t-1"}, [], run_id="run", sent_at=SENT)
    other_account.mark(["same"], REJECTED, error="refused")
    other_vendor.mark_errors(NEEDS_REVIEW, {"same": "undecided"})
    assert states(mine, "same") == {"same": DELIVERED}
    assert states(other_account, "same") == {"same": REJECTED}
    assert states(other_vendor, "same") == {"same": NEEDS_REVIEW}
    assert [e.request_id for e in mine.in_state(DELIVERED)] == ["same"]
    assert other_account.in_state(DELIVERED) == other_vendor.in_state(DELIVERED) == []
    assert other_account.owners_of(["t-1"]) == {} and mine.owners_of(["t-1"]) == {"t-1": "same"}
    # A second run of one account re-upserts its own row, leaving the others alone.
    other_account.upsert(pending("same"), existing=["same"])
    assert states(mine, "same") == {"same": DELIVERED}
    with engine.connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM push.delivery_ledger")).scalar()
    assert count == 3


def test_a_ledger_keyed_by_request_id_alone_is_migrated_in_place(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE SCHEMA push")
        conn.exec_driver_sql(
            "CREATE TABLE push.delivery_ledger(request_id VARCHAR, vendor VARCHAR NOT NULL,"
            " row_hash VARCHAR NOT NULL, state VARCHAR NOT NULL, task_id VARCHAR,"
            " batch_id VARCHAR, attempt INTEGER NOT NULL, error VARCHAR, payload VARCHAR,"
            " run_id VARCHAR, created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL,"
            " sent_at TIMESTAMPTZ, delivered_at TIMESTAMPTZ, PRIMARY KEY(request_id))"
        )
        conn.exec_driver_sql(
            "INSERT INTO push.delivery_ledger VALUES"
            " ('a', 'acme', 'h', 'delivered', 't-a', 'b', 1, NULL, NULL, 'r', now(), now(),"
            " now(), now()), ('b', 'acme', 'h', 'sending', NULL, 'b', 1, NULL, '{\"k\": 1}', 'r',"
            " now(), now(), now(), NULL)"
        )
    ledger = DeliveryLedger(engine, schema="push", vendor="acme", account="one")
    assert ledger.needs_migration()
    # Before the migration a dry run can still read it (by vendor alone).
    assert states(ledger, "a", "b") == {"a": DELIVERED, "b": SENDING}
    assert ledger.ensure() == 2
    assert not ledger.needs_migration() and ledger.ensure() == 0
    got = ledger.get_many(["a", "b"])
    assert (got["a"].state, got["a"].task_id) == (DELIVERED, "t-a")
    assert (got["b"].state, got["b"].payload) == (SENDING, {"k": 1})
    assert DeliveryLedger(engine, schema="push", vendor="acme", account="two").get_many("ab") == {}


def test_only_duckdb_and_postgresql_can_hold_a_ledger() -> None:
    sqlite = sa.create_engine("sqlite://")
    with pytest.raises(LedgerSetupError) as caught:
        DeliveryLedger(sqlite, schema=None, vendor="acme", account="one")
    assert str(caught.value) == (
        "the delivery ledger needs PostgreSQL or DuckDB, not sqlite: point --warehouse at a"
        " postgresql:// URL or a DuckDB file"
    )


def test_rows_of_old_spellings_of_the_account_are_adopted(engine: sa.Engine) -> None:
    """`Acme` and ` acme ` were ledgers of their own before names were normalised: their rows
    become `acme`'s (the one furthest along per request), so nothing delivered is sent again."""
    upper = make(engine, account="Acme")
    upper.upsert(pending("a", "b", "c"), existing=[])
    upper.mark_calls_sending([(["a", "b"], "call-1")], run_id="r", sent_at=SENT)
    upper.record_round({"a": "t-a"}, [], run_id="r", sent_at=SENT)  # a delivered, b sending
    spaced = make(engine, account=" acme ")
    spaced.upsert(pending("a", "d"), existing=[])  # a pending here: Acme's delivered row wins
    other = make(engine, account="globex")
    other.upsert(pending("a"), existing=[])
    canonical = DeliveryLedger(engine, schema="push", vendor="acme", account="acme")
    canonical.upsert(pending("c"), existing=[])  # acme's own row for c
    assert canonical.ensure() == 3  # a (delivered), b (sending), d; c was acme's own already
    got = canonical.get_many(["a", "b", "c", "d"])
    assert {r: e.state for r, e in got.items()} == {
        "a": DELIVERED,
        "b": SENDING,
        "c": PENDING,
        "d": PENDING,
    }
    assert got["a"].task_id == "t-a"
    assert states(other, "a") == {"a": PENDING}  # another account is untouched
    assert canonical.ensure() == 0  # once
