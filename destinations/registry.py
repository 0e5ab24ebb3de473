"""The task sinks a push can use, by vendor name (as `sales-tasks push VENDOR` types it).

Discovered, not listed: every package `destinations/<vendor>/` whose module exposes a `TaskSink`
(a module attribute with `vendor_key == <vendor>` and an `open_vendor` method, e.g.
`sales_tasks.destinations.apollo.APOLLO_SINK`) is a vendor's push (`sales_tasks.clients.core.discovery`). A new vendor's
push is its folder; nothing here changes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from sales_tasks.clients.core.discovery import discover, discover_one


def _sink_of(module: Any, vendor: str) -> Any:
    for name in sorted(vars(module)):
        value = getattr(module, name)
        if getattr(value, "vendor_key", None) == vendor and callable(
            getattr(value, "open_vendor", None)
        ):
            return value
    return None


@cache
def sinks() -> dict[str, Any]:
    """Every vendor's `TaskSink`, by vendor name (imports each `destinations/<vendor>/`)."""
    return discover("destinations", _sink_of)


@cache
def sink_named(vendor: str) -> Any:
    """The `TaskSink` of `vendor` found by importing its package alone, or None when it has no
    push (importing no other vendor: what `sales-tasks push VENDOR` needs)."""
    return discover_one("destinations", vendor, _sink_of)


class _Sinks(Mapping[str, Any]):
    """`SINKS`: the discovered sinks, read when first asked (importing this module imports no
    vendor)."""

    def __getitem__(self, vendor: str) -> Any:
        return sinks()[vendor]

    def __iter__(self) -> Iterator[str]:
        return iter(sinks())

    def __len__(self) -> int:
        return len(sinks())


SINKS: Mapping[str, Any] = _Sinks()


def sink(vendor: str) -> Any:
    """The `TaskSink` of `vendor` (see `sales_tasks.destinations.core.sink`).

    Raises:
        ValueError: no sink is registered under that name.
    """
    if sinks.cache_info().currsize == 0:  # not all discovered yet: import this vendor only
        found = sink_named(vendor)
        if found is not None:
            return found
    try:
        return sinks()[vendor]
    except KeyError:
        known = ", ".join(sorted(sinks()))
        raise ValueError(f"no push for vendor {vendor!r}; choose one of: {known}") from None
