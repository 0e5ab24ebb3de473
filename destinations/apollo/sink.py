"""Apollo's sink adapter: what the shared destination wiring (`sales_tasks.destinations.core.destination`)
needs from Apollo: the settings, the HTTP client with Apollo's profile and the task vendor."""

from __future__ import annotations

import argparse
from typing import Any

from sales_tasks.clients.apollo.profile import APOLLO_PROFILE
from sales_tasks.clients.core.client import ApiClient, RetryPolicy
from sales_tasks.destinations.apollo.settings import (
    DESTINATION_NAME,
    ApolloPushConfiguration,
    push_settings,
)
from sales_tasks.destinations.apollo.vendor import ApolloTaskVendor
from sales_tasks.destinations.core.sink import SinkClient
from sales_tasks.destinations.core.vendor import TaskVendor


class ApolloSink:
    """The `TaskSink` of Apollo (see `sales_tasks.destinations.core.sink`)."""

    destination_name = DESTINATION_NAME
    vendor_key = "apollo"
    title = "Apollo"
    default_warehouse = "apollo_tasks.duckdb"

    push_description = (
        "Create one Apollo task per input row (columns: request_id, user_id|user_email,"
        " contact_id|contact_email, type, status, due_at, priority, note, title), exactly once"
        " across reruns and crashes, with the fewest bulk_create calls."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Apollo's own push flags."""
        parser.add_argument(
            "--max-contacts-per-call",
            type=int,
            default=None,
            metavar="N",
            help="contact ids per bulk create (default: config, else 100)",
        )

    def settings_from_args(self, args: argparse.Namespace) -> dict[str, Any]:
        return {"max_contacts_per_call": args.max_contacts_per_call}

    def settings(self, **explicit: Any) -> ApolloPushConfiguration:
        return push_settings(**explicit)

    def open_vendor(self, settings: Any) -> tuple[SinkClient, TaskVendor]:
        client = ApiClient(
            settings.base_url,
            str(settings.api_key) if settings.api_key else "",
            profile=APOLLO_PROFILE,
            retry=RetryPolicy(max_attempts=int(settings.max_attempts)),
            max_connections=max(8, int(settings.calls_in_flight)),
        )
        vendor = ApolloTaskVendor(client, max_contacts_per_call=int(settings.max_contacts_per_call))
        return client, vendor


APOLLO_SINK = ApolloSink()
