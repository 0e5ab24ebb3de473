"""Runnable jobs: the CLI, extract and push factories, the demo and the orchestration adapters."""

from sales_tasks.clients.core.telemetry import dlt_telemetry_off_by_default

dlt_telemetry_off_by_default()
