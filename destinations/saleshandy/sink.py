"""The Saleshandy `TaskSink`: how the shared destination opens Saleshandy's client and adapter."""

from __future__ import annotations

import argparse
from typing import Any

from sales_tasks.clients.core.client import ApiClient, RetryPolicy
from sales_tasks.clients.saleshandy.profile import SALESHANDY_PROFILE
from sales_tasks.destinations.core.sink import SinkClient
from sales_tasks.destinations.core.vendor import TaskVendor
from sales_tasks.destinations.saleshandy.settings import (
    DEFAULT_MAX_PROSPECTS_PER_CALL,
    DEFAULT_TIME_ZONE,
    DESTINATION_NAME,
    SaleshandyPushConfiguration,
    push_settings,
    time_zone,
)
from sales_tasks.destinations.saleshandy.vendor import SaleshandyTaskVendor


class SaleshandySink:
    """The `TaskSink` of Saleshandy (see `sales_tasks.destinations.core.sink`)."""

    destination_name = DESTINATION_NAME
    vendor_key = "saleshandy"
    title = "Saleshandy"
    default_warehouse = "saleshandy_tasks.duckdb"
    push_description = (
        "Create one Saleshandy task per input row (columns: request_id, prospect_id|prospect_email,"
        " task_type, priority, due_date, task_note), exactly once across reruns and crashes, with"
        " the fewest POST /v1/tasks/create calls (rows sharing type, priority, due date and note"
        " share a call)."
    )

    def settings(self, **explicit: Any) -> SaleshandyPushConfiguration:
        return push_settings(**explicit)

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Saleshandy's own flags of `sales-tasks push saleshandy` (named as the settings)."""
        parser.add_argument(
            "--max-prospects-per-call",
            dest="max_prospects_per_call",
            type=int,
            default=None,
            metavar="N",
            help="prospect ids per create call (default: config, else"
            f" {DEFAULT_MAX_PROSPECTS_PER_CALL}; a call refused as too large is split)",
        )
        parser.add_argument(
            "--time-zone",
            dest="time_zone",
            default=None,
            metavar="ZONE",
            help="IANA zone in which a timestamp due_date becomes a date, and an empty one"
            f" today (default: config, else {DEFAULT_TIME_ZONE})",
        )

        parser.add_argument(
            "--list-lag",
            dest="list_lag_seconds",
            type=float,
            default=None,
            metavar="SECONDS",
            help="the most seconds Saleshandy's task list takes to show a created task, if you"
            " know it (Saleshandy documents none): a call whose answer was lost is then resent"
            " once a list read that long after it shows no task for it, instead of waiting for a"
            " later create to prove it (default: config, else unknown)",
        )

    def settings_from_args(self, args: argparse.Namespace) -> dict[str, Any]:
        return {
            "max_prospects_per_call": args.max_prospects_per_call,
            "time_zone": args.time_zone,
            "list_lag_seconds": args.list_lag_seconds,
        }

    def open_vendor(self, settings: Any) -> tuple[SinkClient, TaskVendor]:
        zone = time_zone(settings.time_zone)
        client = ApiClient(
            settings.base_url,
            str(settings.api_key) if settings.api_key else "",
            profile=SALESHANDY_PROFILE,
            retry=RetryPolicy(max_attempts=int(settings.max_attempts)),
            max_connections=max(8, int(settings.calls_in_flight)),
        )
        vendor = SaleshandyTaskVendor(
            client,
            max_prospects_per_call=int(settings.max_prospects_per_call),
            zone=zone,
            list_lag_seconds=(
                None if settings.list_lag_seconds is None else float(settings.list_lag_seconds)
            ),
        )
        return client, vendor


SALESHANDY_SINK = SaleshandySink()
