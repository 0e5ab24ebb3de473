"""The change ledger: what the push last wrote to each delivered task, and the change in flight.

Table `<schema>.task_changes`, keyed like the delivery ledger by (vendor, account, request_id),
beside it in the same schema. One row per delivered task that `--mode upsert|mirror` has seen:

- `written`: the task's values in the shared vocabulary (`due_at`, `note`, `priority`, `owner`,
  `status`) as the push last wrote or confirmed them; a read-back that differs from these and from
  what we want means a person changed the task (`lifecycle.py`);
- `row_hash`: the input row's hash those values come from (a row whose hash is unchanged needs
  nothing);
- `version`: counts the changes made to the task; a plan records the version it was planned from;
- `state`, with the change itself (`kind`, `fields`):

      changed ──> changing ──> changed     the vendor made it (or already had it): `written` moves
                     │ ├────> rejected     the vendor cannot or will not (reason in `error`)
                     │ └────> gone         the task no longer exists in the vendor
                     └──────> changing     answer lost: settled by reading the task back by id
      changed ──> manual                   a person changed the task since we wrote it: left alone

`changing` is committed before the call goes out and the outcome after it answers, so a crash or
a lost answer leaves `changing`, which the next run settles by `ChangeVendor.read` before
anything is sent again (`lifecycle_apply.py`). Supported databases: those of the delivery ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.schema import CreateSchema

from sales_tasks.clients.core.values import utc_now
from sales_tasks.destinations.core.ledger_table import keyed_table

CHANGES_TABLE = "task_changes"
CHANGED, CHANGING, REJECTED, GONE, MANUAL = "changed", "changing", "rejected", "gone", "manual"
# The values a change may set, in the shared vocabulary (`changes.py`), and the status.
VALUE_FIELDS = ("due_at", "note", "priority", "owner")


def changes_table(schema: str | None) -> sa.Table:
    return keyed_table(
        CHANGES_TABLE,
        schema,
        sa.Column("task_id", sa.String, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("state", sa.String, nullable=False),
        sa.Column("row_hash", sa.String),
        # The row hash a `changing` change was made from: `row_hash` once it is done.
        sa.Column("target_hash", sa.String),
        sa.Column("written", sa.Text, nullable=False),
        sa.Column("kind", sa.String),
        sa.Column("fields", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("run_id", sa.String),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


@dataclass(frozen=True)
class ChangeEntry:
    """One task's row of the change ledger."""

    request_id: str
    task_id: str
    version: int
    state: str
    row_hash: str | None
    target_hash: str | None
    written: dict[str, Any]
    kind: str | None
    fields: dict[str, Any]
    error: str | None


def _json(value: Any) -> str:
    return orjson.dumps(value, default=str).decode()


class ChangeLedger:
    """Reads and writes one (vendor, account)'s rows of `task_changes`.

    Every write commits at once (its own transaction): a write that guards a call is durable
    before the call goes out.
    """

    def __init__(self, engine: sa.Engine, *, schema: str | None, vendor: str, account: str):
        self.engine, self.schema, self.vendor, self.account = engine, schema, vendor, account
        self.table = changes_table(schema)
        self._ids: set[str] | None = None  # request_ids the table holds (read once per run)

    def _known_ids(self) -> set[str]:
        if self._ids is None:
            self._ids = set(self.all())
        return self._ids

    def ensure(self) -> None:
        with self.engine.begin() as conn:
            if self.schema:
                conn.execute(CreateSchema(self.schema, if_not_exists=True))
            self.table.create(conn, checkfirst=True)

    def exists(self) -> bool:
        return sa.inspect(self.engine).has_table(CHANGES_TABLE, schema=self.schema)

    def _mine(self) -> sa.ColumnElement[bool]:
        t = self.table
        return sa.and_(t.c.vendor == self.vendor, t.c.account == self.account)

    def all(self) -> dict[str, ChangeEntry]:
        """Every task of this vendor and account the change ledger knows, by request_id."""
        if not self.exists():
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(self.table).where(self._mine())).all()
        return {
            r.request_id: ChangeEntry(
                request_id=r.request_id,
                task_id=r.task_id,
                version=int(r.version),
                state=r.state,
                row_hash=r.row_hash,
                target_hash=r.target_hash,
                written=orjson.loads(r.written),
                kind=r.kind,
                fields=orjson.loads(r.fields) if r.fields else {},
                error=r.error,
            )
            for r in rows
        }

    def baseline(self, entries: Iterable[tuple[str, str, str, Mapping[str, Any]]]) -> None:
        """Record (request_id, task_id, row_hash, values) of tasks seen for the first time:
        what the push wrote when it created them (version 0, `changed`)."""
        now = utc_now()
        rows = [
            {
                "vendor": self.vendor,
                "account": self.account,
                "request_id": request_id,
                "task_id": task_id,
                "version": 0,
                "state": CHANGED,
                "row_hash": row_hash,
                "written": _json(dict(values)),
                "updated_at": now,
            }
            for request_id, task_id, row_hash, values in entries
        ]
        if rows:
            with self.engine.begin() as conn:
                conn.execute(self.table.insert(), rows)
            self._known_ids().update(str(r["request_id"]) for r in rows)

    def _update(self, conn: sa.Connection, request_id: str, **values: Any) -> None:
        t = self.table
        conn.execute(
            t.update()
            .where(self._mine(), t.c.request_id == request_id)
            .values(updated_at=utc_now(), **values)
        )

    def record_changing(
        self, changes: Sequence[tuple[str, str, int, str, Mapping[str, Any], str]], *, run_id: str
    ) -> None:
        """Before the call: (request_id, task_id, version, kind, fields, row_hash) as `changing`,
        inserting tasks the ledger does not hold yet (their `written` is unknown: `{}`)."""
        known, inserted = self._known_ids(), set()
        with self.engine.begin() as conn:
            for request_id, task_id, version, kind, fields, row_hash in changes:
                values = {
                    "task_id": task_id,
                    "version": version,
                    "state": CHANGING,
                    "kind": kind,
                    "fields": _json(dict(fields)),
                    "target_hash": row_hash,
                    "error": None,
                    "run_id": run_id,
                }
                if request_id in known:
                    self._update(conn, request_id, **values)
                else:
                    inserted.add(request_id)
                    conn.execute(
                        self.table.insert(),
                        {
                            "vendor": self.vendor,
                            "account": self.account,
                            "request_id": request_id,
                            "written": "{}",
                            "updated_at": utc_now(),
                            **values,
                        },
                    )
        known.update(inserted)

    def record_outcomes(self, outcomes: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
        """Outcomes (request_id, state, keyword values: `written`, `error`, `row_hash`,
        `task_id`) in one transaction; a task the ledger does not hold yet is inserted (it then
        needs `task_id`)."""
        if not outcomes:
            return
        known, inserted = self._known_ids(), set()
        with self.engine.begin() as conn:
            for request_id, state, extra in outcomes:
                values: dict[str, Any] = {"state": state, "error": extra.get("error")}
                if extra.get("written") is not None:
                    values["written"] = _json(dict(extra["written"]))
                if extra.get("row_hash") is not None:
                    values["row_hash"] = extra["row_hash"]
                if request_id in known:
                    self._update(conn, request_id, **values)
                    continue
                conn.execute(
                    self.table.insert(),
                    {
                        "vendor": self.vendor,
                        "account": self.account,
                        "request_id": request_id,
                        "task_id": str(extra["task_id"]),
                        "version": 0,
                        "written": "{}",
                        "updated_at": utc_now(),
                        **values,
                    },
                )
                inserted.add(request_id)
        known.update(inserted)
