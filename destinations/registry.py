"""The task sinks a push can use, by vendor name (as `sales-tasks push VENDOR` types it).

Entries are `module:attribute` paths, imported only when a push asks for that vendor, so one
vendor's missing optional package never breaks another's push. A new vendor's push is one entry.
"""

from __future__ import annotations

import importlib
from typing import Any

SINKS: dict[str, str] = {
    "apollo": "destinations.apollo:APOLLO_SINK",
    "saleshandy": "destinations.saleshandy:SALESHANDY_SINK",
    "reply": "destinations.reply:REPLY_SINK",
}


def sink(vendor: str) -> Any:
    """The `TaskSink` of `vendor` (see `destinations.core.destination`).

    Raises:
        ValueError: no sink is registered under that name.
    """
    try:
        path = SINKS[vendor]
    except KeyError:
        known = ", ".join(sorted(SINKS))
        raise ValueError(f"no push for vendor {vendor!r}; choose one of: {known}") from None
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)
