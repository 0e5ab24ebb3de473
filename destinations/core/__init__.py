"""Vendor-neutral half of every task sink: input contract, delivery ledger, planner, reconciler,
engine. A vendor plugs in through `sales_tasks.destinations.core.vendor.TaskVendor`."""
