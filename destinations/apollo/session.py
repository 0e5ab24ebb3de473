"""Apollo's sink adapter: what the shared destination wiring (`destinations.core.destination`)
needs from Apollo: the settings, the HTTP client with Apollo's profile and the task vendor."""

from __future__ import annotations

from typing import Any

from clients.apollo.profile import APOLLO_PROFILE
from clients.core.client import ApiClient, RetryPolicy
from destinations.apollo.settings import DESTINATION_NAME, ApolloPushConfiguration, push_settings
from destinations.apollo.vendor import ApolloTaskVendor
from destinations.core.destination import SinkClient
from destinations.core.vendor import TaskVendor


class ApolloSink:
    """The `TaskSink` of Apollo (see `destinations.core.destination`)."""

    destination_name = DESTINATION_NAME
    vendor_key = "apollo"

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
