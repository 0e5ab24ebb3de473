"""The delivery ledger: one row per (vendor, account, request_id), in the warehouse, so
exactly-once survives crashes, dlt's whole-batch retries and wiped pipeline state.

Table `<schema>.delivery_ledger`, keyed by (vendor, account, request_id): a request delivered to
one vendor or account is not delivered for another, so two accounts (or vendors) may share one
ledger schema without seeing each other's rows. Every query of a `DeliveryLedger` is scoped by its
vendor and account. Supported databases: DuckDB and PostgreSQL only (the set-based statements use
`unnest` over arrays and `UPDATE ... FROM`); any other SQLAlchemy URL is refused with
`LedgerSetupError` before anything is sent.

A ledger keyed by `request_id` alone (one account per ledger, no `account` column) is migrated
in place by `ensure()` (`ledger_table.py`), under the run lock and in one transaction: every row
is kept as it was and given the account of the run that migrates it (such a ledger holds one
account's rows), so nothing delivered is sent again. Every write is committed before the vendor call it guards goes out, and every answer is committed after it
arrives; `transaction()` lets the sender put the answers of finished calls and the `sending` mark
of the next calls in one commit (group commit). Writes about many rows are one set-based statement
over arrays of values (`unnest`, understood by both DuckDB and PostgreSQL), because on DuckDB every
statement scans the table (about 10 ms at 50,000 rows) and duckdb-engine binds executemany rows one
at a time. One push at a time per ledger: see `runlock.py`.

State machine of a request_id:

    (new) ──> pending ──> sending ──> delivered          task id known; never sent again
                 ^           │ ├───> rejected           the vendor refused it (422 text)
                 │           │ └───> needs_review       outcome could not be decided
                 └───────────┘  vendor provably did not act (429, connection refused, 422 on a
                                shared call) or reconciliation decided "not created"
    (new) ──> rejected         invalid row (contract, unknown user/contact); may become pending
                               when a corrected row arrives
    needs_review ──> pending   only when the user asks (`--resend-unknown`)

A row found in `sending` when a batch starts was sent by a call whose answer was never recorded
(crash, dropped connection): it is reconciled against the vendor before anything is resent.
Times are UTC.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.schema import CreateSchema

from sales_tasks.clients.core.errors import ActionableError
from sales_tasks.clients.core.values import utc_now
from sales_tasks.destinations.core.ledger_bulk import ARRAY_CHUNK as _ARRAY_CHUNK
from sales_tasks.destinations.core.ledger_bulk import duckdb_insert, postgres_insert
from sales_tasks.destinations.core.ledger_table import (
    LEDGER_TABLE,
    keyed_by_request_id_alone,
    ledger_table,
    migrate,
)

PENDING = "pending"
SENDING = "sending"
DELIVERED = "delivered"
REJECTED = "rejected"
NEEDS_REVIEW = "needs_review"

SUPPORTED_DIALECTS = ("duckdb", "postgresql")
# Bind parameters per statement stay well under every driver's limit.
_CHUNK = 500


class LedgerSetupError(ActionableError, ValueError):
    """The ledger cannot live in this database; the message says what to use instead."""


@dataclass(frozen=True)
class LedgerEntry:
    request_id: str
    row_hash: str
    state: str
    task_id: str | None
    batch_id: str | None
    attempt: int
    error: str | None
    payload: dict[str, Any] | None
    run_id: str | None
    sent_at: datetime | None


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class DeliveryLedger:
    """Reads and writes one (vendor, account)'s rows of the ledger table. Single writer per
    ledger (one push at a time).

    Args:
        engine: a DuckDB or PostgreSQL engine (others raise `LedgerSetupError`).
        schema: the ledger's schema (None: the default schema).
        vendor: the vendor's key (e.g. the adapter's `key`); part of every row's key.
        account: which account of that vendor (e.g. the API host); part of every row's key.
    """

    def __init__(self, engine: sa.Engine, *, schema: str | None, vendor: str, account: str):
        dialect = engine.dialect.name
        if dialect not in SUPPORTED_DIALECTS:
            raise LedgerSetupError(
                f"the delivery ledger needs PostgreSQL or DuckDB, not {dialect}: point --warehouse"
                " at a postgresql:// URL or a DuckDB file"
            )
        if not vendor or not account:
            raise ValueError("a ledger needs a vendor and an account")
        self.engine = engine
        self.schema = schema
        self.vendor = vendor
        self.account = account
        # Quoted by the dialect (the settings also refuse a schema that is not a plain name).
        quote = engine.dialect.identifier_preparer.quote_schema
        self.target = f"{quote(schema)}.{LEDGER_TABLE}" if schema else LEDGER_TABLE
        self._active: sa.Connection | None = None
        self._owner: int | None = None
        self._keyed_by_request_id: bool | None = None
        self.table = ledger_table(schema)

    # --- setup -------------------------------------------------------------------------------

    def exists(self) -> bool:
        return sa.inspect(self.engine).has_table(LEDGER_TABLE, schema=self.schema)

    def needs_migration(self) -> bool:
        """Whether the table is a ledger keyed by request_id alone (no `account` column)."""
        if self._keyed_by_request_id is None:
            if not self.exists():
                return False
            self._keyed_by_request_id = keyed_by_request_id_alone(self.engine, self.schema)
        return self._keyed_by_request_id

    def ensure(self) -> int:
        """Create the schema and table if missing, or migrate a ledger keyed by request_id alone.

        Returns:
            How many rows a migration carried over (0 when there was nothing to migrate).
        """
        migrated = 0
        keyed_by_request_id = self.needs_migration()
        with self.engine.begin() as conn:
            if self.schema:
                conn.execute(CreateSchema(self.schema, if_not_exists=True))
            if keyed_by_request_id:
                migrated = migrate(conn, self.schema, account=self.account)
            else:
                self.table.create(conn, checkfirst=True)
                migrated = self._adopt_spellings(conn)
        self._keyed_by_request_id = False
        return migrated

    def _adopt_spellings(self, conn: sa.Connection) -> int:
        """Give this account the rows written under other spellings of its name.

        An account name is normalised (`sales_tasks.clients.core.values.account_name`), but a ledger may hold
        rows under unnormalised spellings of it (`Acme`, `acme`, ` acme `). They are this
        account's: left under another spelling, every request they delivered would be sent
        again. A request this account already has keeps its own row. Where several spellings hold
        the same request, the row furthest along is taken (delivered, then sending or needs
        review: a task may exist).

        Returns:
            How many rows were adopted.
        """
        t = self.table
        variants = conn.execute(
            sa.select(t.c.account, t.c.request_id, t.c.state).where(
                t.c.vendor == self.vendor,
                sa.func.lower(sa.func.trim(t.c.account)) == self.account,
                t.c.account != self.account,
            )
        ).all()
        if not variants:
            return 0
        taken = set(
            conn.execute(
                sa.select(t.c.request_id).where(
                    self._mine(), t.c.request_id.in_({v.request_id for v in variants})
                )
            ).scalars()
        )
        rank = {DELIVERED: 0, SENDING: 1, NEEDS_REVIEW: 2}
        chosen: dict[str, Any] = {}
        for row in sorted(variants, key=lambda v: (rank.get(v.state, 3), v.account)):
            if row.request_id not in taken:
                chosen.setdefault(row.request_id, row)
        if chosen:
            conn.execute(
                t.update()
                .where(
                    t.c.vendor == self.vendor,
                    t.c.account == sa.bindparam("old"),
                    t.c.request_id == sa.bindparam("rid"),
                )
                .values(account=self.account),
                [{"old": r.account, "rid": r.request_id} for r in chosen.values()],
            )
        return len(chosen)

    @property
    def name(self) -> str:
        """`schema.table`, as people and lock keys see it."""
        return f"{self.schema}.{LEDGER_TABLE}" if self.schema else LEDGER_TABLE

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the writes inside the block in one committed transaction (on this thread)."""
        if self._active is not None:
            raise RuntimeError("ledger transactions do not nest")
        with self.engine.begin() as conn:
            self._active, self._owner = conn, threading.get_ident()
            try:
                yield
            finally:
                self._active, self._owner = None, None

    def _begin(self) -> Any:
        if self._active is not None and self._owner == threading.get_ident():
            return nullcontext(self._active)
        return self.engine.begin()

    def _scope(self, alias: str = "") -> str:
        """The SQL condition of this ledger's key scope (vendor and account)."""
        prefix = f"{alias}." if alias else ""
        if self.needs_migration():  # a dry run reading a ledger it must not migrate
            return f"{prefix}vendor = :scope_vendor"
        return f"{prefix}vendor = :scope_vendor AND {prefix}account = :scope_account"

    def _scope_params(self) -> dict[str, str]:
        return {"scope_vendor": self.vendor, "scope_account": self.account}

    def _mine(self) -> sa.ColumnElement[bool]:
        t = self.table
        return sa.and_(t.c.vendor == self.vendor, t.c.account == self.account)

    # --- reads -------------------------------------------------------------------------------

    def _entry(self, row: Any) -> LedgerEntry:
        return LedgerEntry(
            request_id=row.request_id,
            row_hash=row.row_hash,
            state=row.state,
            task_id=row.task_id,
            batch_id=row.batch_id,
            attempt=int(row.attempt or 0),
            error=row.error,
            payload=orjson.loads(row.payload) if row.payload else None,
            run_id=row.run_id,
            sent_at=_aware(row.sent_at),
        )

    def get_many(self, request_ids: Iterable[str]) -> dict[str, LedgerEntry]:
        ids = sorted(set(request_ids))
        found: dict[str, LedgerEntry] = {}
        query = sa.text(
            f"SELECT * FROM {self.target} WHERE {self._scope()} AND request_id IN"
            " (SELECT unnest(CAST(:ids AS VARCHAR[])))"
        )
        with self.engine.connect() as conn:
            for chunk in _chunks(ids, _ARRAY_CHUNK):
                for row in conn.execute(query, {"ids": list(chunk), **self._scope_params()}):
                    found[row.request_id] = self._entry(row)
        return found

    def in_state(self, state: str) -> list[LedgerEntry]:
        query = sa.text(f"SELECT * FROM {self.target} WHERE {self._scope()} AND state = :state")
        with self.engine.connect() as conn:
            rows = conn.execute(query, {"state": state, **self._scope_params()})
            return [self._entry(row) for row in rows]

    def owners_of(self, task_ids: Iterable[str]) -> dict[str, str]:
        """task id -> request_id for tasks already recorded as delivered."""
        ids = sorted(set(task_ids))
        owners: dict[str, str] = {}
        query = sa.text(
            f"SELECT task_id, request_id FROM {self.target} WHERE {self._scope()} AND task_id IN"
            " (SELECT unnest(CAST(:ids AS VARCHAR[])))"
        )
        with self.engine.connect() as conn:
            for chunk in _chunks(ids, _ARRAY_CHUNK):
                rows = conn.execute(query, {"ids": list(chunk), **self._scope_params()})
                owners.update({r.task_id: r.request_id for r in rows})
        return owners

    # --- writes ------------------------------------------------------------------------------

    def upsert(self, entries: Sequence[dict[str, Any]], *, existing: Iterable[str]) -> None:
        """Write entries (`request_id`, `row_hash`, `state`, optional `payload`, `error`,
        `run_id`) in one transaction: insert new request_ids, update the `existing` ones."""
        now = utc_now()
        known = set(existing)
        inserts, updates = [], []
        for entry in entries:
            values = {
                "request_id": entry["request_id"],
                "row_hash": entry["row_hash"],
                "state": entry["state"],
                "payload": orjson.dumps(entry["payload"]).decode()
                if entry.get("payload")
                else None,
                "error": entry.get("error"),
                "run_id": entry.get("run_id"),
                "updated_at": now,
            }
            if entry["request_id"] in known:
                updates.append(values)
            else:
                inserts.append(
                    {
                        **values,
                        "vendor": self.vendor,
                        "account": self.account,
                        "attempt": 0,
                        "created_at": now,
                    }
                )
        t = self.table
        with self._begin() as conn:
            if inserts and self.engine.dialect.name == "duckdb":
                duckdb_insert(conn, self.target, inserts)
            elif inserts:
                postgres_insert(
                    conn, self.target, inserts, vendor=self.vendor, account=self.account, now=now
                )
            if updates:
                stmt = (
                    sa.update(t)
                    .where(self._mine(), t.c.request_id == sa.bindparam("b_request_id"))
                    .values(
                        row_hash=sa.bindparam("b_row_hash"),
                        state=sa.bindparam("b_state"),
                        payload=sa.bindparam("b_payload"),
                        error=sa.bindparam("b_error"),
                        updated_at=sa.bindparam("b_updated_at"),
                    )
                )
                conn.execute(stmt, [{f"b_{k}": v for k, v in u.items()} for u in updates])

    def mark_sending(
        self, request_ids: Sequence[str], *, batch_id: str, run_id: str, sent_at: datetime
    ) -> None:
        """Committed before the call goes out: from here on its outcome must be accounted for."""
        self.mark_calls_sending([(request_ids, batch_id)], run_id=run_id, sent_at=sent_at)

    def mark_calls_sending(
        self, calls: Sequence[tuple[Sequence[str], str]], *, run_id: str, sent_at: datetime
    ) -> None:
        """`mark_sending` for several calls (request_ids, batch_id) in one statement."""
        ids = [request_id for request_ids, _ in calls for request_id in request_ids]
        batches = [batch_id for request_ids, batch_id in calls for _ in request_ids]
        statement = sa.text(
            f"UPDATE {self.target} AS l SET state = :state, batch_id = u.batch_id,"
            " run_id = :run_id, attempt = attempt + 1, sent_at = :sent_at, error = NULL,"
            " updated_at = :sent_at"
            " FROM (SELECT unnest(CAST(:ids AS VARCHAR[])) AS request_id,"
            " unnest(CAST(:batches AS VARCHAR[])) AS batch_id) AS u"
            f" WHERE {self._scope('l')} AND l.request_id = u.request_id"
        )
        with self._begin() as conn:
            for start in range(0, len(ids), _ARRAY_CHUNK):
                conn.execute(
                    statement,
                    {
                        "state": SENDING,
                        "run_id": run_id,
                        "sent_at": sent_at,
                        "ids": ids[start : start + _ARRAY_CHUNK],
                        "batches": batches[start : start + _ARRAY_CHUNK],
                        **self._scope_params(),
                    },
                )

    def record_round(
        self,
        delivered: Mapping[str, str],
        sending: Sequence[tuple[Sequence[str], str]],
        *,
        run_id: str,
        sent_at: datetime,
    ) -> None:
        """`mark_delivered(delivered)` and `mark_calls_sending(sending)` as one statement.

        The sender's group commit: answers that arrived and the calls about to go out, in one
        set-based UPDATE (on DuckDB each statement costs a scan of the table, whatever its size).
        """
        ids = list(delivered) + [r for request_ids, _ in sending for r in request_ids]
        if not ids:
            return
        task_ids: list[str | None] = [*delivered.values()]
        task_ids += [None] * (len(ids) - len(task_ids))
        batches: list[str | None] = [None] * len(delivered)
        batches += [batch_id for request_ids, batch_id in sending for _ in request_ids]
        is_sending = "u.batch_id IS NOT NULL"
        statement = sa.text(
            f"UPDATE {self.target} AS l SET"
            f" state = CASE WHEN {is_sending} THEN :sending ELSE :delivered END,"
            " task_id = COALESCE(u.task_id, l.task_id),"
            " batch_id = COALESCE(u.batch_id, l.batch_id),"
            f" run_id = CASE WHEN {is_sending} THEN :run_id ELSE l.run_id END,"
            f" attempt = l.attempt + CASE WHEN {is_sending} THEN 1 ELSE 0 END,"
            f" sent_at = CASE WHEN {is_sending} THEN :sent_at ELSE l.sent_at END,"
            f" delivered_at = CASE WHEN {is_sending} THEN l.delivered_at ELSE :now END,"
            " error = NULL, updated_at = :now"
            " FROM (SELECT unnest(CAST(:ids AS VARCHAR[])) AS request_id,"
            " unnest(CAST(:task_ids AS VARCHAR[])) AS task_id,"
            " unnest(CAST(:batches AS VARCHAR[])) AS batch_id) AS u"
            f" WHERE {self._scope('l')} AND l.request_id = u.request_id"
        )
        with self._begin() as conn:
            for start in range(0, len(ids), _ARRAY_CHUNK):
                end = start + _ARRAY_CHUNK
                conn.execute(
                    statement,
                    {
                        "sending": SENDING,
                        "delivered": DELIVERED,
                        "run_id": run_id,
                        "sent_at": sent_at,
                        "now": utc_now(),
                        "ids": ids[start:end],
                        "task_ids": task_ids[start:end],
                        "batches": batches[start:end],
                        **self._scope_params(),
                    },
                )

    def mark_delivered(self, task_ids: Mapping[str, str], *, note: str | None = None) -> None:
        """Record the vendor's task id of each delivered request_id."""
        if not task_ids:
            return
        now = utc_now()
        items = list(task_ids.items())
        statement = sa.text(
            f"UPDATE {self.target} AS l SET state = :state, task_id = u.task_id, error = :note,"
            " delivered_at = :now, updated_at = :now"
            " FROM (SELECT unnest(CAST(:ids AS VARCHAR[])) AS request_id,"
            " unnest(CAST(:task_ids AS VARCHAR[])) AS task_id) AS u"
            f" WHERE {self._scope('l')} AND l.request_id = u.request_id"
        )
        with self._begin() as conn:
            for chunk in _chunks(items, _ARRAY_CHUNK):
                conn.execute(
                    statement,
                    {
                        "state": DELIVERED,
                        "note": note,
                        "now": now,
                        "ids": [r for r, _ in chunk],
                        "task_ids": [t for _, t in chunk],
                        **self._scope_params(),
                    },
                )

    def mark(self, request_ids: Sequence[str], state: str, *, error: str | None = None) -> None:
        if not request_ids:
            return
        t = self.table
        with self._begin() as conn:
            for chunk in _chunks(request_ids):
                conn.execute(
                    sa.update(t)
                    .where(self._mine(), t.c.request_id.in_(chunk))
                    .values(state=state, error=error, updated_at=utc_now())
                )

    def mark_errors(self, state: str, errors: dict[str, str]) -> None:
        """Set one state with a per-row error text."""
        if not errors:
            return
        t = self.table
        stmt = (
            sa.update(t)
            .where(self._mine(), t.c.request_id == sa.bindparam("b_request_id"))
            .values(state=state, error=sa.bindparam("b_error"), updated_at=utc_now())
        )
        with self._begin() as conn:
            conn.execute(stmt, [{"b_request_id": r, "b_error": e} for r, e in errors.items()])
