"""Toy's push: its `TaskSink` (settings, client, flags) and its `TaskVendor` (one task per
`POST /v1/tasks`; a lost answer is looked for with `GET /v1/tasks?contact_id=`)."""

from __future__ import annotations

import argparse
from collections.abc import Hashable, Sequence
from typing import Any

from dlt.common.configuration.specs import configspec

from sales_tasks.clients.core.client import ApiClient
from sales_tasks.clients.core.values import parse_utc
from sales_tasks.clients.toy import DEFAULT_BASE_URL, STATUSES, TASK_TYPES, TASKS, TOY_PROFILE
from sales_tasks.destinations.core.contract import InputRules, TTaskRow
from sales_tasks.destinations.core.settings import TaskSinkConfiguration, resolve_sink_settings
from sales_tasks.destinations.core.sink import SinkClient
from sales_tasks.destinations.core.vendor import (
    Resolution,
    SearchResult,
    SendOutcome,
    SentTask,
    TaskVendor,
    call_outcome,
)


@configspec
class ToyPushConfiguration(TaskSinkConfiguration):
    base_url: str = DEFAULT_BASE_URL
    ledger_schema: str = "toy_push"


class ToyTaskVendor:
    name = "Toy"
    rules = InputRules(
        task_types=frozenset(TASK_TYPES),
        statuses=frozenset(STATUSES),
        priorities=frozenset(),
        default_status="open",
        needs_user=False,
    )
    max_per_call = 1
    strict_match_fields: tuple[str, ...] = ()

    def __init__(self, client: ApiClient) -> None:
        self.client = client

    def resolve(self, rows: Sequence[TTaskRow]) -> Resolution:
        return Resolution()

    def group_key(self, row: TTaskRow) -> Hashable | None:
        return None

    def distinct_key(self, row: TTaskRow) -> str:
        return str(row["contact_id"])

    def call_name(self, rows: Sequence[TTaskRow]) -> str:
        return f"POST {TASKS}"

    def payload(self, row: TTaskRow) -> dict[str, Any]:
        payload = {
            "contact_id": str(row["contact_id"]),
            "type": row["type"],
            "due_at": row["due_at"],
            "note": row["note"],
        }
        if row["user_id"]:
            payload["owner_id"] = row["user_id"]
        return payload

    def send(self, rows: Sequence[TTaskRow]) -> SendOutcome:
        row = rows[0]

        def create() -> SendOutcome:
            answer = self.client.request_json("POST", TASKS, json=self.payload(row))
            return SendOutcome(created={row["request_id"]: str(answer["task"]["id"])})

        return call_outcome("Toy", rows, create)

    def search_created(self, contacts: Sequence[str]) -> SearchResult:
        found: list[dict[str, Any]] = []
        for contact in contacts:
            found += self.client.request_json("GET", TASKS, params={"contact_id": contact})["tasks"]
        return SearchResult(found, one_read=len(contacts) == 1)

    def matches(self, sent: SentTask, task: dict[str, Any], *, skew_seconds: float) -> bool:
        want = sent.payload
        return (
            task.get("contact_id") == want["contact_id"]
            and task.get("type") == want["type"]
            and parse_utc(task.get("due_at")) == parse_utc(want["due_at"])
            and task.get("note") == want["note"]
        )

    def task_id(self, task: dict[str, Any]) -> str:
        return str(task["id"])

    def contact_of(self, payload: dict[str, Any]) -> str:
        return str(payload["contact_id"])


class ToySink:
    destination_name = "toy_tasks"
    vendor_key = "toy"
    title = "Toy"
    default_warehouse = "toy_tasks.duckdb"
    push_description = "Create one Toy task per row (request_id, contact_id, type, due_at, note)."

    def settings(self, **explicit: Any) -> ToyPushConfiguration:
        short_env = {"api_key": "TOY_API_KEY", "base_url": "TOY_BASE_URL"}
        return resolve_sink_settings(ToyPushConfiguration(), "toy_tasks", short_env, explicit)

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        return None

    def settings_from_args(self, args: argparse.Namespace) -> dict[str, Any]:
        return {}

    def open_vendor(self, settings: Any) -> tuple[SinkClient, TaskVendor]:
        client = ApiClient(settings.base_url, str(settings.api_key or ""), profile=TOY_PROFILE)
        return client, ToyTaskVendor(client)


TOY_SINK = ToySink()


# Toy's `ChangeVendor` factory (`--mode upsert|mirror`), found by its name `<VENDOR>_CHANGES`.
from sales_tasks.destinations.toy.changes import make_change_vendor  # noqa: E402

TOY_CHANGES = make_change_vendor
