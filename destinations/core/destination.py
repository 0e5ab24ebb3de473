"""The dlt destination of every task sink, written once: batches in, the engine, errors mapped.

A vendor supplies a `TaskSink` (`sink.py`): its dlt destination name (also its config section),
its ledger key, its settings (a `TaskSinkConfiguration` resolved by dlt) and how to open its HTTP
client and `TaskVendor` from them. Everything else is here: `open_run` builds one run's ledger and engine,
and `task_destination` the `@dlt.destination` that feeds a run the batches dlt hands over.

dlt calls a destination once per batch, possibly again with the same batch; the run (its engine
counts outcomes for the summary and caches lookups) must outlive those calls, so the destination
is bound to the run it feeds: no registry, and the API key never travels through dlt's
configuration, state or traces. Without a run (a user's own `dlt.pipeline`), each batch opens a
run from the sink's dlt-resolved settings and closes it after.

Errors (the mapping every sink shares): retriable vendor errors, exhausted retries included,
become `DestinationTransientException` (dlt hands the batch over again, which the ledger makes
harmless); fatal ones (401/403, refused requests) `DestinationTerminalException`; so do a stop
on a signal (`DeliveryStopped`: no retry after a signal) and a busy or unusable ledger. Per-row
problems are recorded by the engine, never raised. The error that ended the run is kept on it
(`DeliveryRun.error`), so the caller can raise it past dlt's wrapping.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import dlt
from dlt.common.destination.exceptions import (
    DestinationTerminalException,
    DestinationTransientException,
)
from dlt.common.runtime import signals
from dlt.common.schema import TTableSchema
from dlt.common.typing import TDataItems

from sales_tasks.clients.core.errors import FatalApiError, RetriesExhaustedError, VendorApiError
from sales_tasks.destinations.core.engine import DeliveryEngine, DeliveryStopped
from sales_tasks.destinations.core.ledger import DeliveryLedger, LedgerSetupError
from sales_tasks.destinations.core.runlock import LedgerBusyError
from sales_tasks.destinations.core.sink import SinkClient, TaskSink
from sales_tasks.destinations.core.vendor import TaskVendor
from sales_tasks.destinations.core.warehouse import WarehouseBusyError, get_engine, warehouse_url

# Large batches let the planner see whole groups, so calls stay at the minimum.
BATCH_SIZE = 100_000


@dataclass
class DeliveryRun:
    """One push run's live objects: the vendor's client, the ledger and the engine."""

    run_id: str
    client: SinkClient
    vendor: TaskVendor
    ledger: DeliveryLedger
    engine: DeliveryEngine
    lock: threading.Lock = field(default_factory=threading.Lock)
    # The error that stopped the run (a vendor error, `DeliveryStopped` on a signal, a busy
    # ledger), for the caller to raise past dlt's wrapping.
    error: BaseException | None = None

    def deliver(self, items: Any) -> None:
        """Deliver one batch, with errors mapped to dlt's terminal and transient exceptions."""
        try:
            with self.lock:
                # Arrow record batches from parquet load files; plain rows if called directly.
                rows = items.to_pylist() if hasattr(items, "to_pylist") else list(items)
                self.engine.process(rows)
        except RetriesExhaustedError as exc:
            # Retriable in nature: dlt hands the batch over again (harmless: the ledger).
            self.error = exc
            raise DestinationTransientException(self.client.safe_message(exc)) from exc
        except FatalApiError as exc:
            self.error = exc
            raise DestinationTerminalException(self.client.safe_message(exc)) from exc
        except VendorApiError as exc:
            self.error = exc
            raise DestinationTransientException(self.client.safe_message(exc)) from exc
        except DeliveryStopped as exc:
            # Asked to stop (a signal): terminal, so dlt does not hand the batch over again.
            self.error = exc
            raise DestinationTerminalException(str(exc)) from exc
        except (LedgerBusyError, WarehouseBusyError, LedgerSetupError) as exc:
            self.error = exc
            raise DestinationTerminalException(str(exc)) from exc

    def close(self) -> None:
        """Release the ledger's run lock and the HTTP client (idempotent)."""
        try:
            self.engine.close()
        finally:
            self.client.close()


def open_run(
    sink: TaskSink,
    settings: Any,
    *,
    run_id: str,
    warehouse_url: str,
    resend_unknown: bool = False,
    retry_rejected: bool = False,
    progress: Callable[[str], None] | None = None,
    should_stop: Callable[[], bool] = signals.was_signal_received,
    on_checkpoint: Callable[[str], None] | None = None,
) -> DeliveryRun:
    """Build the client, ledger and engine of one run (no I/O yet).

    Args:
        settings: the sink's resolved settings (`sink.settings()`).
        warehouse_url: the SQLAlchemy URL of the ledger's database (DuckDB or PostgreSQL).
        should_stop: defaults to dlt's signal flag: during `pipeline.run` dlt intercepts SIGINT
            and SIGTERM and only records them (`dlt.common.runtime.signals`), so the engine looks.
        on_checkpoint: the engine's test hook (see `DeliveryEngine`).

    Raises:
        LedgerSetupError: the warehouse is neither DuckDB nor PostgreSQL.
    """
    client, vendor = sink.open_vendor(settings)
    try:
        ledger = DeliveryLedger(
            get_engine(warehouse_url),
            schema=settings.ledger_schema,
            vendor=sink.vendor_key,
            account=settings.account,
        )
    except BaseException:
        client.close()
        raise
    engine = DeliveryEngine(
        vendor,
        ledger,
        run_id=run_id,
        resend_unknown=resend_unknown,
        retry_rejected=retry_rejected,
        reconcile_wait_seconds=float(settings.reconcile_wait_seconds),
        calls_in_flight=int(settings.calls_in_flight),
        progress=progress,
        should_stop=should_stop,
        on_checkpoint=on_checkpoint,
    )
    return DeliveryRun(run_id, client, vendor, ledger, engine)


def task_destination(sink: TaskSink, *, run: DeliveryRun | None = None, **explicit: Any) -> Any:
    """The dlt destination of `sink`: feeding `run`, or (without one) a run per batch.

    Args:
        run: the run every batch goes to (`run_push`); its summary then covers them all.
        explicit: settings that win over config, for runs opened per batch (e.g. `warehouse`).
    """

    def deliver(items: TDataItems, table: TTableSchema) -> None:
        if run is not None:
            run.deliver(items)
            return
        settings = sink.settings(**explicit)
        if not settings.warehouse:
            raise DestinationTerminalException(
                f"no warehouse for the delivery ledger: set DESTINATION__"
                f"{sink.destination_name.upper()}__WAREHOUSE (a postgresql:// URL or a DuckDB"
                " file)"
            )
        single = open_run(
            sink,
            settings,
            run_id=uuid.uuid4().hex[:12],
            warehouse_url=warehouse_url(settings.warehouse),
        )
        try:
            single.deliver(items)
        finally:
            single.close()

    factory = dlt.destination(
        deliver,
        name=sink.destination_name,
        batch_size=BATCH_SIZE,
        loader_file_format="parquet",
        naming_convention="direct",
        skip_dlt_columns_and_tables=True,
        max_table_nesting=0,
        max_parallel_load_jobs=1,
    )
    return factory()
