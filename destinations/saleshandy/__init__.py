"""`saleshandy_tasks`: a dlt destination that turns warehouse rows into Saleshandy tasks, exactly
once.

Endpoints: `POST /v1/tasks/create` (one task definition for many prospects, an outcome per
prospect), `GET /v1/tasks` (reconciliation), `GET /v1/prospects?search=` (emails to prospect
ids). Facts relied on are in `vendor.py`, `rules.py` and `lookup.py`; the delivery engine,
ledger, contract and the dlt destination wiring are vendor-neutral (`sales_tasks.destinations.core`); this
package supplies Saleshandy's adapter (`SALESHANDY_SINK`).

Config (dlt, `sales_tasks.destinations.saleshandy.settings`): `DESTINATION__SALESHANDY_TASKS__API_KEY`,
`..._BASE_URL` (fallbacks `SALESHANDY_API_KEY`, `SALESHANDY_BASE_URL`; default
`https://open-api.saleshandy.com`), `..._ACCOUNT`, `..._WAREHOUSE`, `..._LEDGER_SCHEMA` (default
`saleshandy_push`), `..._MAX_PROSPECTS_PER_CALL` (default 100), `..._TIME_ZONE` (default UTC),
`..._RECONCILE_WAIT_SECONDS`, `..._CALLS_IN_FLIGHT`, `..._MAX_ATTEMPTS`.
`sales-tasks push saleshandy` / `sales_tasks.pipelines.push.run_push(sink=SALESHANDY_SINK, ...)` is the usual
way in.
"""

from __future__ import annotations

from typing import Any

from sales_tasks.clients.core.telemetry import dlt_telemetry_off_by_default
from sales_tasks.destinations.core.destination import DeliveryRun, task_destination
from sales_tasks.destinations.saleshandy.changes import open_changes
from sales_tasks.destinations.saleshandy.sink import SALESHANDY_SINK

dlt_telemetry_off_by_default()

# Saleshandy's `ChangeVendor` factory, `(client, settings)` as the sink's `open_vendor` builds
# them (`--mode upsert|mirror`; `sales_tasks.destinations.saleshandy.changes`).
SALESHANDY_CHANGES = open_changes

__all__ = ["SALESHANDY_CHANGES", "SALESHANDY_SINK", "saleshandy_tasks"]


def saleshandy_tasks(*, run: DeliveryRun | None = None, **explicit: Any) -> Any:
    """The `saleshandy_tasks` dlt destination: feeding `run`, or a run per batch from config.

    Args:
        run: the run of `run_push` (`sales_tasks.destinations.core.destination.open_run`).
        explicit: settings that win over config when no run is given (`warehouse`, ...).
    """
    return task_destination(SALESHANDY_SINK, run=run, **explicit)
