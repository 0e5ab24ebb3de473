"""`apollo_tasks`: a dlt destination that turns warehouse rows into Apollo tasks, exactly once.

Endpoints: `POST /api/v1/tasks/bulk_create`, `POST /api/v1/tasks` (titled rows),
`POST /api/v1/tasks/search` (reconciliation), `GET /api/v1/users/search` and
`POST /api/v1/contacts/search` (emails to ids). Facts relied on are in `vendor.py` and
`lookup.py`; the delivery engine, ledger and contract are vendor-neutral (`destinations.core`).

Config (dlt): `DESTINATION__APOLLO_TASKS__API_KEY`, `..._BASE_URL` (fallbacks `APOLLO_API_KEY`,
`APOLLO_BASE_URL`; default `https://api.apollo.io`), `..._WAREHOUSE` (SQLAlchemy URL or DuckDB
path of the delivery ledger), `..._MAX_CONTACTS_PER_CALL`, `..._RECONCILE_WAIT_SECONDS`,
`..._CALLS_IN_FLIGHT` (create calls sent at once, default 4).
`apollo-tasks push` / `pipelines.push.run_push` is the usual way in; it reads the input, finds
duplicate request_ids over the whole input and runs a pipeline into this destination. Rows
travel as parquet: `run_push` hands dlt an Arrow table (no row-by-row normalisation, seconds
saved before the first call at 50,000 rows) and batches arrive here as Arrow record batches.

Errors: fatal vendor errors (401/403, refused requests) become `DestinationTerminalException`,
retriable ones (including exhausted retries) `DestinationTransientException` (dlt then hands the batch over again, which the
ledger makes harmless); problems with single rows are recorded, never raised.
"""

from __future__ import annotations

import uuid

import dlt
from dlt.common.destination.exceptions import (
    DestinationTerminalException,
    DestinationTransientException,
)
from dlt.common.schema import TTableSchema
from dlt.common.typing import TDataItems, TSecretStrValue

from clients.core.errors import FatalApiError, RetriesExhaustedError, VendorApiError
from clients.core.telemetry import dlt_telemetry_off_by_default
from destinations.apollo.session import close_session, get_session, open_session
from destinations.apollo.settings import (
    resolve_api_key,
    resolve_base_url,
    resolve_calls_in_flight,
    resolve_max_attempts,
    resolve_reconcile_wait,
)
from destinations.core.engine import DeliveryStopped
from destinations.core.runlock import LedgerBusyError
from destinations.core.warehouse import WarehouseBusyError
from destinations.core.warehouse import warehouse_url as to_url

dlt_telemetry_off_by_default()

# Large batches let the planner see whole groups, so calls stay at the minimum.
BATCH_SIZE = 100_000


@dlt.destination(
    name="apollo_tasks",
    batch_size=BATCH_SIZE,
    loader_file_format="parquet",
    naming_convention="direct",
    skip_dlt_columns_and_tables=True,
    max_table_nesting=0,
    max_parallel_load_jobs=1,
)
def apollo_tasks(
    items: TDataItems,
    table: TTableSchema,
    api_key: TSecretStrValue | None = None,
    base_url: str | None = None,
    warehouse: str | None = None,
    ledger_schema: str = "apollo_push",
    max_contacts_per_call: int = 100,
    resend_unknown: bool = False,
    reconcile_wait_seconds: float | None = None,
    run_id: str | None = None,
    calls_in_flight: int | None = None,
) -> None:
    """Deliver one batch of input rows (see `destinations.core.contract` for the columns)."""
    session = get_session(run_id)
    standalone = session is None
    if session is None:
        session = open_session(
            run_id=run_id or uuid.uuid4().hex[:12],
            api_key=resolve_api_key(api_key),
            base_url=resolve_base_url(base_url),
            warehouse_url=to_url(warehouse),
            ledger_schema=ledger_schema,
            max_contacts_per_call=max_contacts_per_call,
            resend_unknown=resend_unknown,
            reconcile_wait_seconds=resolve_reconcile_wait(reconcile_wait_seconds),
            max_attempts=resolve_max_attempts(),
            calls_in_flight=resolve_calls_in_flight(calls_in_flight),
        )
    try:
        with session.lock:
            # Arrow record batches from `run_push` (parquet); plain rows if called directly.
            rows = items.to_pylist() if hasattr(items, "to_pylist") else list(items)
            session.engine.process(rows)
    except RetriesExhaustedError as exc:
        # Retriable in nature: dlt hands the batch over again (harmless: the ledger).
        session.error = exc
        raise DestinationTransientException(session.client.safe_message(exc)) from exc
    except FatalApiError as exc:
        session.error = exc
        raise DestinationTerminalException(session.client.safe_message(exc)) from exc
    except VendorApiError as exc:
        session.error = exc
        raise DestinationTransientException(session.client.safe_message(exc)) from exc
    except DeliveryStopped as exc:
        # Asked to stop (a signal): terminal, so dlt does not hand the batch over again.
        session.error = exc
        raise DestinationTerminalException(str(exc)) from exc
    except (LedgerBusyError, WarehouseBusyError) as exc:
        raise DestinationTerminalException(str(exc)) from exc
    finally:
        if standalone:
            close_session(session.run_id)


__all__ = ["apollo_tasks"]
