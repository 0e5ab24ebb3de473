"""`reply_tasks`: a dlt destination that turns warehouse rows into Reply.io tasks, exactly once.

Endpoints: `POST /v3/tasks` (one task per call), `POST /v3/tasks/filter` (reconciliation),
`GET /v3/contacts?email=` (emails to ids). Facts relied on are in `vendor.py` and `rules.py`; the
delivery engine, ledger, contract and the dlt destination wiring are vendor-neutral
(`sales_tasks.destinations.core`); this package supplies Reply's adapter (`REPLY_SINK`).

Config (dlt, `sales_tasks.destinations.reply.settings`): `DESTINATION__REPLY_TASKS__API_KEY`, `..._BASE_URL`
(fallbacks `REPLY_API_KEY`, `REPLY_BASE_URL`; default `https://api.reply.io`), `..._AUTH_SCHEME`
(`bearer` or `x-api-key`), `..._USER_ID` / `..._USER_EMAIL`, `..._ENUM_FORM`, `..._RATE_LIMITS`,
`..._ACCOUNT`, `..._WAREHOUSE`, `..._LEDGER_SCHEMA` (default `reply_push`),
`..._RECONCILE_WAIT_SECONDS`, `..._CALLS_IN_FLIGHT`, `..._MAX_ATTEMPTS`.
`sales-tasks push reply` / `sales_tasks.pipelines.push.run_push(sink=REPLY_SINK, ...)` is the usual way in.
"""

from __future__ import annotations

from typing import Any

from sales_tasks.clients.core.telemetry import dlt_telemetry_off_by_default
from sales_tasks.destinations.core.destination import DeliveryRun, task_destination
from sales_tasks.destinations.reply.changes import open_changes
from sales_tasks.destinations.reply.sink import REPLY_SINK

dlt_telemetry_off_by_default()

# Reply's `ChangeVendor` factory, `(client, settings)` as the sink's `open_vendor` builds them
# (`--mode upsert|mirror`; `sales_tasks.destinations.reply.changes`).
REPLY_CHANGES = open_changes


def reply_tasks(*, run: DeliveryRun | None = None, **explicit: Any) -> Any:
    """The `reply_tasks` dlt destination: feeding `run`, or a run per batch from config.

    Args:
        run: the run of `run_push` (`sales_tasks.destinations.core.destination.open_run`).
        explicit: settings that win over config when no run is given (`warehouse`, ...).
    """
    return task_destination(REPLY_SINK, run=run, **explicit)


__all__ = ["REPLY_CHANGES", "REPLY_SINK", "reply_tasks"]
