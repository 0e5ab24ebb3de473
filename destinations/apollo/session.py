"""One push run's live objects (HTTP client, ledger, engine), shared by the dlt destination.

dlt calls the destination function once per batch, possibly again with the same batch, and
re-creates its configuration each time; the run's engine must outlive those calls (it counts
outcomes and calls for the summary, and caches users and contacts). `run_push` opens a session
under a run id and passes only that id to the destination, so the API key never goes through
dlt's configuration, state or traces.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from dlt.common.runtime import signals

from clients.apollo.profile import APOLLO_PROFILE
from clients.core.client import ApiClient, RetryPolicy
from clients.core.errors import VendorApiError
from destinations.apollo.vendor import ApolloTaskVendor
from destinations.core.engine import DeliveryEngine, DeliveryStopped
from destinations.core.ledger import DeliveryLedger
from destinations.core.warehouse import get_engine


@dataclass
class PushSession:
    run_id: str
    client: ApiClient
    vendor: ApolloTaskVendor
    ledger: DeliveryLedger
    engine: DeliveryEngine
    lock: threading.Lock
    # The error that stopped the run (a vendor error, or `DeliveryStopped` on a signal),
    # re-raised to the caller past dlt's wrapping.
    error: VendorApiError | DeliveryStopped | None = None

    def close(self) -> None:
        try:
            self.engine.close()  # releases the ledger's run lock
        finally:
            self.client.close()


_sessions: dict[str, PushSession] = {}
_registry_lock = threading.Lock()


def open_session(
    *,
    run_id: str,
    api_key: str | None,
    base_url: str,
    warehouse_url: str,
    ledger_schema: str = "apollo_push",
    max_contacts_per_call: int = 100,
    resend_unknown: bool = False,
    reconcile_wait_seconds: float = 30.0,
    max_attempts: int = 6,
    calls_in_flight: int = 4,
    progress: Callable[[str], None] | None = None,
    register: bool = True,
    should_stop: Callable[[], bool] = signals.was_signal_received,
    on_checkpoint: Callable[[str], None] | None = None,
) -> PushSession:
    """Build the client, ledger and engine of one run (no I/O yet).

    `should_stop` defaults to dlt's signal flag: during `pipeline.run` dlt intercepts SIGINT and
    SIGTERM and only records them (`dlt.common.runtime.signals`), so the engine must look.
    `on_checkpoint` is the engine's test hook (see `DeliveryEngine`).
    """
    client = ApiClient(
        base_url,
        api_key or "",
        profile=APOLLO_PROFILE,
        retry=RetryPolicy(max_attempts=max_attempts),
        max_connections=max(8, calls_in_flight),
    )
    vendor = ApolloTaskVendor(client, max_contacts_per_call=max_contacts_per_call)
    ledger = DeliveryLedger(get_engine(warehouse_url), schema=ledger_schema, vendor="apollo")
    engine = DeliveryEngine(
        vendor,
        ledger,
        run_id=run_id,
        resend_unknown=resend_unknown,
        reconcile_wait_seconds=reconcile_wait_seconds,
        calls_in_flight=calls_in_flight,
        progress=progress,
        should_stop=should_stop,
        on_checkpoint=on_checkpoint,
    )
    session = PushSession(run_id, client, vendor, ledger, engine, threading.Lock())
    if register:
        with _registry_lock:
            _sessions[run_id] = session
    return session


def get_session(run_id: str | None) -> PushSession | None:
    if not run_id:
        return None
    with _registry_lock:
        return _sessions.get(run_id)


def close_session(run_id: str) -> None:
    with _registry_lock:
        session = _sessions.pop(run_id, None)
    if session is not None:
        session.close()
