"""`apollo_tasks`: a dlt destination that turns warehouse rows into Apollo tasks, exactly once.

Endpoints: `POST /api/v1/tasks/bulk_create`, `POST /api/v1/tasks` (titled rows),
`POST /api/v1/tasks/search` (reconciliation), `GET /api/v1/users/search` and
`POST /api/v1/contacts/search` (emails to ids). Facts relied on are in `vendor.py` and
`lookup.py`; the delivery engine, ledger, contract and the dlt destination wiring are
vendor-neutral (`sales_tasks.destinations.core`); this package supplies Apollo's adapter (`APOLLO_SINK`).

Config (dlt, `sales_tasks.destinations.apollo.settings`): `DESTINATION__APOLLO_TASKS__API_KEY`, `..._BASE_URL`
(fallbacks `APOLLO_API_KEY`, `APOLLO_BASE_URL`; default `https://api.apollo.io`), `..._ACCOUNT`
(the ledger's account; default the base URL's host), `..._WAREHOUSE` (SQLAlchemy URL or DuckDB
path of the delivery ledger), `..._LEDGER_SCHEMA`, `..._MAX_CONTACTS_PER_CALL`,
`..._RECONCILE_WAIT_SECONDS`, `..._CALLS_IN_FLIGHT` (create calls sent at once, default 4),
`..._MAX_ATTEMPTS`.
`apollo-tasks push` / `sales_tasks.pipelines.push.run_push` is the usual way in; it reads the input, finds
duplicate request_ids over the whole input and runs a pipeline into this destination. Rows
travel as parquet: `run_push` hands dlt an Arrow table (no row-by-row normalisation, seconds
saved before the first call at 50,000 rows) and batches arrive here as Arrow record batches.
"""

from __future__ import annotations

from typing import Any

from sales_tasks.clients.core.telemetry import dlt_telemetry_off_by_default
from sales_tasks.destinations.apollo.changes import open_changes
from sales_tasks.destinations.apollo.sink import APOLLO_SINK
from sales_tasks.destinations.core.destination import DeliveryRun, task_destination

dlt_telemetry_off_by_default()

# Apollo's `ChangeVendor` factory, `(client, settings)` as the sink's `open_vendor` builds them
# (`--mode upsert|mirror`; `sales_tasks.destinations.apollo.changes`).
APOLLO_CHANGES = open_changes


def apollo_tasks(*, run: DeliveryRun | None = None, **explicit: Any) -> Any:
    """The `apollo_tasks` dlt destination: feeding `run`, or a run per batch from config.

    Args:
        run: the run of `run_push` (`sales_tasks.destinations.core.destination.open_run`).
        explicit: settings that win over config when no run is given (`warehouse`, ...).
    """
    return task_destination(APOLLO_SINK, run=run, **explicit)


__all__ = ["APOLLO_CHANGES", "APOLLO_SINK", "apollo_tasks"]
