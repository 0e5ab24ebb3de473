"""Vendor-neutral half of every task sink: input contract, delivery ledger, planner, reconciler,
engine. A vendor plugs in through `destinations.core.vendor.TaskVendor`."""
