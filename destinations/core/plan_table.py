"""Plans of `push --plan`, kept in the ledger's schema until `--apply PLAN_ID` runs them.

Two tables beside the delivery ledger:

- `change_plans`: one row per plan (`plan_id`, vendor, account, mode, when made, when applied,
  the counts by kind);
- `change_plan_rows`: its lines (`PlannedChange`): request_id, kind (`create`, `update`,
  `complete`, `skip`, `cancel`), the fields an update sets, the input row's hash and the change
  ledger's version each was planned from, the task id and the task's values as read.

`stale_ids` compares a stored plan with one made now from the same input and ledger: a plan is
applied only when they are equal line for line, and otherwise the request_ids that differ are
what the refusal names.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.schema import CreateSchema

from sales_tasks.clients.core.values import utc_now
from sales_tasks.destinations.core.lifecycle import PlannedChange

PLANS_TABLE = "change_plans"
PLAN_ROWS_TABLE = "change_plan_rows"


class PlanNotFoundError(LookupError):
    """No plan with that id for this vendor and account."""


def _tables(schema: str | None) -> tuple[sa.Table, sa.Table]:
    meta = sa.MetaData()
    plans = sa.Table(
        PLANS_TABLE,
        meta,
        sa.Column("plan_id", sa.String, primary_key=True),
        sa.Column("vendor", sa.String, nullable=False),
        sa.Column("account", sa.String, nullable=False),
        sa.Column("mode", sa.String, nullable=False),
        sa.Column("counts", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True)),
        schema=schema,
    )
    rows = sa.Table(
        PLAN_ROWS_TABLE,
        meta,
        sa.Column("plan_id", sa.String, primary_key=True),
        sa.Column("request_id", sa.String, primary_key=True),
        sa.Column("kind", sa.String, primary_key=True),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("row_hash", sa.String, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("task_id", sa.String),
        sa.Column("base", sa.Text, nullable=False),
        schema=schema,
    )
    return plans, rows


def _json(value: Any) -> str:
    return orjson.dumps(dict(value), default=str).decode()


class StoredPlan:
    """A plan read back: its mode, when it was applied (None: not yet) and its lines."""

    def __init__(
        self, plan_id: str, mode: str, applied_at: datetime | None, lines: list[PlannedChange]
    ):
        self.plan_id, self.mode, self.applied_at, self.lines = plan_id, mode, applied_at, lines


class PlanTable:
    """Writes and reads one (vendor, account)'s plans."""

    def __init__(self, engine: sa.Engine, *, schema: str | None, vendor: str, account: str):
        self.engine, self.schema, self.vendor, self.account = engine, schema, vendor, account
        self.plans, self.rows = _tables(schema)

    def ensure(self) -> None:
        with self.engine.begin() as conn:
            if self.schema:
                conn.execute(CreateSchema(self.schema, if_not_exists=True))
            self.plans.create(conn, checkfirst=True)
            self.rows.create(conn, checkfirst=True)

    def write(
        self, plan_id: str, mode: str, lines: Sequence[PlannedChange], counts: dict[str, int]
    ) -> None:
        """Store a plan and its lines in one transaction."""
        with self.engine.begin() as conn:
            conn.execute(
                self.plans.insert(),
                {
                    "plan_id": plan_id,
                    "vendor": self.vendor,
                    "account": self.account,
                    "mode": mode,
                    "counts": _json(counts),
                    "created_at": utc_now(),
                },
            )
            if lines:
                conn.execute(
                    self.rows.insert(),
                    [
                        {
                            "plan_id": plan_id,
                            "request_id": line.request_id,
                            "kind": line.kind,
                            "fields": _json(line.fields),
                            "row_hash": line.row_hash,
                            "version": line.version,
                            "task_id": line.task_id,
                            "base": _json(line.base),
                        }
                        for line in lines
                    ],
                )

    def read(self, plan_id: str) -> StoredPlan:
        """The stored plan `plan_id` of this vendor and account.

        Raises:
            PlanNotFoundError: there is none.
        """
        p, r = self.plans, self.rows
        with self.engine.connect() as conn:
            head = conn.execute(
                sa.select(p).where(
                    p.c.plan_id == plan_id, p.c.vendor == self.vendor, p.c.account == self.account
                )
            ).first()
            if head is None:
                raise PlanNotFoundError(
                    f"no plan {plan_id!r} for {self.vendor} account {self.account} in"
                    f" {self.schema or 'the default schema'}: make one with --plan"
                )
            lines = conn.execute(
                sa.select(r).where(r.c.plan_id == plan_id).order_by(r.c.kind, r.c.request_id)
            ).all()
        return StoredPlan(
            plan_id,
            head.mode,
            head.applied_at,
            [
                PlannedChange(
                    request_id=x.request_id,
                    kind=x.kind,
                    fields=orjson.loads(x.fields),
                    row_hash=x.row_hash,
                    version=int(x.version),
                    task_id=x.task_id,
                    base=orjson.loads(x.base),
                )
                for x in lines
            ],
        )

    def mark_applied(self, plan_id: str) -> None:
        p = self.plans
        with self.engine.begin() as conn:
            conn.execute(p.update().where(p.c.plan_id == plan_id).values(applied_at=utc_now()))


def stale_ids(stored: Sequence[PlannedChange], now: Sequence[PlannedChange]) -> list[str]:
    """The request_ids whose lines differ between a stored plan and the plan made now."""
    before = {line.key() for line in stored}
    after = {line.key() for line in now}
    return sorted({key[0] for key in before ^ after})
