"""Reply's sink adapter: what the shared destination wiring (`sales_tasks.destinations.core.destination`)
needs from Reply: the settings, the HTTP client with Reply's profile and the task vendor, and the
push command's Reply-only flags."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from sales_tasks.clients.core.client import ApiClient, RetryPolicy
from sales_tasks.clients.reply.profile import AUTH_SCHEMES, REPLY_PROFILE, parse_limits, reply_auth
from sales_tasks.destinations.core.sink import SinkClient
from sales_tasks.destinations.core.vendor import TaskVendor
from sales_tasks.destinations.reply.settings import (
    DESTINATION_NAME,
    ENUM_FORMS,
    ReplyPushConfiguration,
    ReplySettingError,
    push_settings,
)
from sales_tasks.destinations.reply.vendor import ReplyTaskVendor


class ReplySink:
    """The `TaskSink` of Reply.io (see `sales_tasks.destinations.core.sink`)."""

    destination_name = DESTINATION_NAME
    vendor_key = "reply"
    title = "Reply.io"
    default_warehouse = "reply_tasks.duckdb"
    push_description = (
        "Create one Reply.io task per input row (columns: request_id, contact_id|contact_email,"
        " task_type, start_at, due_to, body, subject, linkedin_task_type), one task per call,"
        " exactly once across reruns and crashes, paced by Reply's rate limits."
    )

    def settings(self, **explicit: Any) -> ReplyPushConfiguration:
        try:
            return push_settings(**explicit)
        except ValueError as exc:
            raise ReplySettingError(str(exc)) from None

    def open_vendor(self, settings: Any) -> tuple[SinkClient, TaskVendor]:
        try:
            auth = reply_auth(
                str(settings.api_key) if settings.api_key else "",
                settings.auth_scheme,
                user_id=settings.user_id,
                user_email=settings.user_email,
            )
            limits = parse_limits(settings.rate_limits)
        except ValueError as exc:
            raise ReplySettingError(str(exc)) from None
        client = ApiClient(
            settings.base_url,
            auth=auth,
            profile=dataclasses.replace(REPLY_PROFILE, documented_limits=limits),
            retry=RetryPolicy(max_attempts=int(settings.max_attempts)),
            max_connections=max(4, int(settings.calls_in_flight)),
        )
        return client, ReplyTaskVendor(client, enum_form=settings.enum_form)

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """The push command's Reply-only flags (each named as its setting)."""
        parser.add_argument(
            "--auth-scheme",
            choices=AUTH_SCHEMES,
            default=None,
            help="how the key is sent: bearer (Authorization: Bearer, default) or x-api-key",
        )
        parser.add_argument(
            "--user-id", default=None, help="act for this user (organization keys: X-User-Id)"
        )
        parser.add_argument(
            "--user-email",
            default=None,
            help="act for the user with this email (organization keys: X-User-Email)",
        )
        parser.add_argument(
            "--enum-form",
            choices=ENUM_FORMS,
            default=None,
            help="send taskType as names (call, v3's form, default) or numbers (2)",
        )
        parser.add_argument(
            "--rate-limits",
            default=None,
            metavar="N/SECONDS,...",
            help="the per-user limits calls are paced by (default 100/60,3000/3600)",
        )

    def settings_from_args(self, args: argparse.Namespace) -> dict[str, Any]:
        return {name: getattr(args, name, None) for name in _FLAG_SETTINGS}


_FLAG_SETTINGS = ("auth_scheme", "user_id", "user_email", "enum_form", "rate_limits")
REPLY_SINK = ReplySink()
