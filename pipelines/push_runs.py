"""One upsert or mirror run's live objects: the vendor's clients, the three ledger tables and
the lock (used by `sales_tasks.pipelines.push_lifecycle`).

The run holds the delivery ledger's run lock from `open` to `close`, except while `run_push`
makes the creates (it takes the same lock itself); the changes are applied after the creates,
under the lock again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sales_tasks.destinations.core.change_ledger import ChangeLedger
from sales_tasks.destinations.core.ledger import DELIVERED, DeliveryLedger
from sales_tasks.destinations.core.lifecycle import (
    CREATE,
    LifecyclePlan,
    PlannedChange,
    plan_changes,
    probe_row,
    recorded,
    wanted_values,
)
from sales_tasks.destinations.core.lifecycle_apply import ApplyReport, ChangeApplier
from sales_tasks.destinations.core.plan_table import PlanTable
from sales_tasks.destinations.core.runlock import RunLock


class LifecycleRun:
    """Opens the vendor's clients and ledgers of one run; `plan` then `apply`."""

    def __init__(
        self,
        sink: Any,
        settings: Any,
        url: str,
        run_id: str,
        *,
        table: str | None,
        query: str | None,
        account: str | None = None,
    ) -> None:
        self.sink, self.settings, self.url, self.run_id = sink, settings, url, run_id
        self.table, self.query, self.account = table, query, account
        self.client: Any = None
        self.lock: RunLock | None = None
        self.rows: list[dict[str, Any]] = []

    def open(self, on_checkpoint: Callable[[str], None] | None = None) -> None:
        from sales_tasks.destinations.core.warehouse import get_engine, read_input
        from sales_tasks.pipelines.push_lifecycle import change_vendor_for

        self.client, self.task_vendor = self.sink.open_vendor(self.settings)
        self.change_vendor = change_vendor_for(self.sink, self.client, self.settings)
        self.rows = read_input(
            self.url, table=self.table, query=self.query, rules=self.task_vendor.rules
        )
        self._ledgers(get_engine(self.url))
        self.applier = ChangeApplier(
            self.change_vendor, self.changes, run_id=self.run_id, on_checkpoint=on_checkpoint
        )
        self._lock()
        self.ledger.ensure()
        self.changes.ensure()
        self.plans.ensure()

    def _ledgers(self, engine: Any) -> None:
        scope = {
            "schema": self.settings.ledger_schema,
            "vendor": self.sink.vendor_key,
            "account": self.settings.account,
        }
        self.ledger = DeliveryLedger(engine, **scope)
        self.changes = ChangeLedger(engine, **scope)
        self.plans = PlanTable(engine, **scope)
        if getattr(self, "applier", None) is not None:
            self.applier.ledger = self.changes

    def _lock(self) -> None:
        self.lock = RunLock(self.ledger.engine, self.ledger.name).acquire(0.0)

    def _unlock(self) -> None:
        lock, self.lock = self.lock, None
        if lock is not None:
            lock.release()

    def plan(
        self, mode: str, *, overwrite_manual: bool
    ) -> tuple[LifecyclePlan, list[PlannedChange]]:
        """Settle an earlier run's interrupted changes, then plan creates and changes."""
        from sales_tasks.destinations.core.engine import DeliveryEngine

        known = self.applier.settle(self.changes.all())
        delivered = {e.request_id: e for e in self.ledger.in_state(DELIVERED)}
        if mode == "create":
            plan = LifecyclePlan(mode)
        else:
            plan = plan_changes(
                self.rows,
                delivered,
                known,
                self.change_vendor,
                self.task_vendor.rules,
                mode=mode,
                overwrite_manual=overwrite_manual,
                resolve_owner=self._resolve_owners,
            )
        dry = DeliveryEngine(self.task_vendor, self.ledger, run_id=self.run_id)
        dry.plan(self.rows)
        creates = [
            PlannedChange(request_id, CREATE, row_hash=row["row_hash"])
            for request_id, row in dry.run_outcomes.to_send.items()
        ]
        lines = sorted(creates + plan.changes, key=lambda c: (c.kind, c.request_id))
        return plan, lines

    def _resolve_owners(self, rows: Any) -> dict[str, str | None]:
        """request_id -> the vendor's id of each row's `user_email` (None: refused)."""
        from sales_tasks.destinations.core.contract import validate_row

        tasks = []
        for raw in rows:
            checked = validate_row(
                probe_row(raw, self.task_vendor.rules)[0], self.task_vendor.rules
            )
            if checked.task is not None:
                tasks.append(checked.task)
        refused = self.task_vendor.resolve(tasks).rejected if tasks else {}
        return {
            t["request_id"]: None if t["request_id"] in refused else t["user_id"] for t in tasks
        }

    def apply(
        self,
        plan: LifecyclePlan,
        lines: list[PlannedChange],
        *,
        pipelines_dir: str | None,
        push_options: dict[str, Any],
    ) -> tuple[Any, ApplyReport]:
        """Record what the plan settled without a call, make the creates (`run_push`), record
        what they wrote, then make the changes."""
        from sales_tasks.destinations.core.warehouse import get_engine
        from sales_tasks.pipelines.push import run_push

        self.changes.record_outcomes(plan.settled)
        self.changes.baseline(plan.baselines)
        creates = [line for line in lines if line.kind == CREATE]
        pushed = None
        if creates:
            self._unlock()
            pushed = run_push(
                sink=self.sink,
                table=self.table,
                query=self.query,
                warehouse=self.url,
                api_key=self.settings.api_key,
                base_url=self.settings.base_url,
                ledger_schema=self.settings.ledger_schema,
                account=self.account,
                pipelines_dir=pipelines_dir,
                **push_options,
            )
            # `run_push` disposed the warehouse's engine: open it again.
            self._ledgers(get_engine(self.url))
            self._lock()
            self._record_created({c.request_id for c in creates})
        report = self.applier.apply([line for line in lines if line.kind != CREATE])
        return pushed, report

    def _record_created(self, request_ids: set[str]) -> None:
        """What the creates wrote, as the change ledger's first record of their tasks."""
        entries = self.ledger.get_many(request_ids)
        known = self.changes.all()
        by_id = {str(r.get("request_id") or "").strip(): r for r in self.rows}
        baselines = []
        for request_id, entry in entries.items():
            if entry.state != DELIVERED or not entry.task_id or request_id in known:
                continue
            want, _ = wanted_values(by_id[request_id], self.task_vendor.rules)
            if want is not None:
                baselines.append((request_id, entry.task_id, entry.row_hash, recorded(want)))
        self.changes.baseline(baselines)

    def close(self) -> None:
        self._unlock()
        if self.client is not None:
            self.client.close()
