"""One push at a time per delivery ledger: a lock held in the warehouse for the whole run.

Two pushes over the same ledger at once could both see a row `pending` and both send it, so a
push takes the lock before it reads the ledger and holds it until it ends. A second push waits
up to `wait_seconds` (the command's `--wait`, default 0), then fails with `LedgerBusyError` (one
line saying which ledger and what to do; exit code 75, EX_TEMPFAIL): a scheduler retrying later
is better than a run silently queued behind an hour-long one.

- PostgreSQL: `pg_try_advisory_lock(key)` on a connection kept open for the run, the key derived
  from the ledger's `schema.table` (advisory locks are per database). The server drops the lock
  when the session ends, so a killed push (SIGKILL, lost node) never leaves it behind.
- DuckDB: a file opened read-write is locked by the DuckDB process that opened it, and the
  warehouse engine keeps its connection open from reading the input to the end of the run, so a
  second process cannot even open the file (`WarehouseBusyError`, see `warehouse.py`).
  Within one process (threads) DuckDB allows several connections, so an in-process registry
  does the job there; it covers every other database too.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from sales_tasks.clients.core.errors import ActionableError


class LedgerBusyError(ActionableError, RuntimeError):
    """Another push holds the ledger of this run."""

    exit_code = 75  # `sales_tasks.pipelines.exit_codes.EXIT_BUSY` (EX_TEMPFAIL): try again later


_RETRY_SECONDS = 0.25


_held: set[tuple[str, str]] = set()
# Held locks whose holder lets one nested run of this process take them (`RunLock.lent`).
_lent: set[tuple[str, str]] = set()
_held_lock = threading.Lock()


def advisory_key(ledger_name: str) -> int:
    """A signed 64-bit PostgreSQL advisory lock key for a ledger `schema.table`."""
    digest = hashlib.sha256(f"delivery ledger {ledger_name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _busy(ledger_name: str, where: str) -> LedgerBusyError:
    return LedgerBusyError(
        f"another push is running against the delivery ledger {ledger_name} ({where}): wait for"
        " it to finish and run again; two pushes at once could send the same rows twice"
    )


class RunLock:
    """The lock of one push run over one ledger; `release` (idempotent) ends it."""

    def __init__(self, engine: sa.Engine, ledger_name: str) -> None:
        self.engine = engine
        self.ledger_name = ledger_name
        self._key = (engine.url.render_as_string(hide_password=True), ledger_name)
        self._conn: sa.Connection | None = None
        self.held = False
        self._borrowed = False

    def acquire(self, wait_seconds: float = 0.0) -> RunLock:
        """Take the lock, waiting up to `wait_seconds` for another push to let it go.

        Raises:
            LedgerBusyError: the lock is still held after `wait_seconds`.
        """
        deadline = time.monotonic() + max(0.0, wait_seconds)
        while True:
            try:
                return self._try()
            except LedgerBusyError:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise
                time.sleep(min(_RETRY_SECONDS, left))

    @contextmanager
    def lent(self) -> Iterator[None]:
        """While inside, one nested run of this process over the same ledger takes this held
        lock without waiting (a lifecycle push's creates run as a push of their own): the lock
        is never let go between the plan and its last change, so no other push gets in."""
        with _held_lock:
            _lent.add(self._key)
        try:
            yield
        finally:
            with _held_lock:
                _lent.discard(self._key)

    def _try(self) -> RunLock:
        with _held_lock:
            if self._key in _held and self._key in _lent:
                _lent.discard(self._key)  # one borrower at a time
                self.held = self._borrowed = True
                return self
            if self._key in _held:
                raise _busy(self.ledger_name, "in this process")
            _held.add(self._key)
        try:
            if self.engine.dialect.name == "postgresql":
                self._advisory_lock()
        except BaseException:
            with _held_lock:
                _held.discard(self._key)
            raise
        self.held = True
        return self

    def _advisory_lock(self) -> None:
        key = advisory_key(self.ledger_name)
        conn = self.engine.connect()
        try:
            got = conn.execute(sa.select(sa.func.pg_try_advisory_lock(key))).scalar()
            conn.commit()  # session-level lock: survives the transaction, not the session
        except BaseException:
            conn.close()
            raise
        if not got:
            conn.close()
            raise _busy(self.ledger_name, f"PostgreSQL advisory lock {key} is held")
        self._conn = conn

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        if self._borrowed:  # the lender still holds it: hand it back
            self._borrowed = False
            with _held_lock:
                if self._key in _held:
                    _lent.add(self._key)
            return
        try:
            if self._conn is not None:
                conn, self._conn = self._conn, None
                key = advisory_key(self.ledger_name)
                try:
                    conn.execute(sa.select(sa.func.pg_advisory_unlock(key)))
                    conn.commit()
                except BaseException:
                    conn.invalidate()  # closing the session is what surely drops the lock
                    raise
                finally:
                    conn.close()
        finally:
            with _held_lock:
                _held.discard(self._key)
