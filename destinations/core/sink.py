"""What a vendor supplies to push tasks: its `TaskSink`, and the HTTP client it opens.

A vendor's `destinations/<vendor>/sink.py` holds one value of this shape (`<VENDOR>_SINK`),
exposed by its package; `sales_tasks.destinations.registry` discovers it, and `destination.py` builds the
dlt destination and each run from it.
"""

from __future__ import annotations

from typing import Any, Protocol

from sales_tasks.destinations.core.settings import TaskSinkConfiguration
from sales_tasks.destinations.core.vendor import TaskVendor


class SinkClient(Protocol):
    """The vendor's HTTP client as the run uses it."""

    stats: Any  # counters read by progress displays

    def safe_message(self, exc: BaseException) -> str:
        """The error's message with every secret scrubbed."""
        ...

    def close(self) -> None: ...


class TaskSink(Protocol):
    """What a vendor supplies to get a dlt destination."""

    destination_name: str  # the dlt destination's name and config section
    vendor_key: str  # the ledger's `vendor` column, and the vendor word of `sales-tasks push`
    title: str  # the vendor as people read it, in messages and help
    default_warehouse: str  # the DuckDB file a push reads when given no warehouse

    push_description: str  # the push command's --help description (its input columns)

    def settings(self, **explicit: Any) -> TaskSinkConfiguration:
        """The push's settings resolved by dlt; `explicit` values that are not None win."""
        ...

    def add_arguments(self, parser: Any) -> None:
        """Add the vendor's own push flags (e.g. a chunk size) to the push command."""
        ...

    def settings_from_args(self, args: Any) -> dict[str, Any]:
        """The vendor's own settings from its flags, by `settings()` argument name."""
        ...

    def open_vendor(self, settings: Any) -> tuple[SinkClient, TaskVendor]:
        """The HTTP client and the vendor adapter for these settings (no I/O yet)."""
        ...
