"""Vendor API clients: the shared HTTP core (`sales_tasks.clients.core`) and one package per vendor.

Both directions use them: `sources/` (dlt sources) and `destinations/` (dlt destinations) import
`clients`, never each other. The sandbox never imports them (it is an independent reading of the
docs).
"""
