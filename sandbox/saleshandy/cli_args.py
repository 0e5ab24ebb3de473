"""Command-line flags of the Saleshandy emulator, for `sales-tasks sandbox saleshandy` and
`python -m sales_tasks.sandbox --vendor saleshandy`: one flag per config field that plays an unknown.

Every flag defaults to None so that only flags given on the command line override the base
config (the defaults of `SaleshandyConfig`, or `--config-json`).
"""

from __future__ import annotations

from typing import Any

from sales_tasks.sandbox.core.cli_args import FAULT_FLAGS, TSwitches, config_cli
from sales_tasks.sandbox.saleshandy import config as C
from sales_tasks.sandbox.saleshandy.config import SaleshandyConfig


def _one_of(options: tuple[Any, ...]) -> str:
    return " | ".join(str(o) for o in options)


# flag -> (config path, type, help)
_FLAGS: dict[str, tuple[str, Any, str]] = {
    "--tasks": ("tasks", int, "number of seed tasks (default 300)"),
    "--seed": ("seed", int, "dataset seed (default 7)"),
    "--anchor-date": ("anchor_date", str, "pin the sandbox's today, YYYY-MM-DD (default: clock)"),
    "--history-days": ("history_days", int, "days back the seed tasks fall due (default 120)"),
    "--old-slips": ("old_slips", float, "share of work due 30+ days ago left open (default 1.0)"),
    "--timezone": ("timezone", str, "time zone of dueDate and today (default UTC)"),
    "--bearer": ("bearer", str, f"Authorization: Bearer: {_one_of(C.BEARER_MODES)}"),
    "--invalid-key": ("invalid_key", str, f"bad key answer: {_one_of(C.INVALID_KEY_ANSWERS)}"),
    "--create-status": ("create_status", int, f"create HTTP status: {_one_of(C.CREATE_STATUSES)}"),
    "--max-prospect-ids": ("max_prospect_ids", int, "prospectIds allowed per create (100)"),
    "--too-many-prospects-status": (
        "too_many_prospects_status",
        int,
        "status refusing a create over --max-prospect-ids (400)",
    ),
    "--results-order": ("results_order", str, f"create results: {_one_of(C.RESULT_ORDERS)}"),
    "--duplicate-prospect-ids": (
        "duplicate_prospect_ids",
        str,
        f"a repeated prospect id makes a task: {_one_of(C.DUPLICATE_IDS)}",
    ),
    "--list-payload": ("list_payload", str, f"list payload: {_one_of(C.LIST_PAYLOADS)}"),
    "--task-key": ("task_key", str, f"key of a task's id: {_one_of(C.TASK_KEYS)}"),
    "--list-prospect": (
        "list_prospect",
        str,
        f"a listed task's prospect: {_one_of(C.LIST_PROSPECTS)}",
    ),
    "--one-task-payload": (
        "one_task_payload",
        str,
        f"GET /v1/tasks/{{taskId}} payload: {_one_of(C.ONE_TASK_PAYLOADS)}",
    ),
    "--default-page-size": ("default_page_size", int, "pageSize when none is sent (25)"),
    "--max-page-size": ("max_page_size", int, "largest pageSize (100)"),
    "--page-size-over-max": (
        "page_size_over_max",
        str,
        f"a larger pageSize: {_one_of(C.OVER_MAX_PAGE_SIZE)}",
    ),
    "--index-lag": ("index_lag_seconds", float, "seconds before created tasks show in lists"),
    "--rate-limit": ("rate_limit", int, "calls per rate window"),
    "--rate-window": ("rate_window_seconds", float, "rate window length in seconds (60)"),
    "--rate-scope": ("rate_scope", str, f"what a window counts: {_one_of(C.RATE_SCOPES)}"),
    "--reset-format": ("reset_format", str, f"x-ratelimit-reset: {_one_of(C.RESET_FORMATS)}"),
    **FAULT_FLAGS,
}
# flag -> (config field, value it sets, help)
_SWITCHES: TSwitches = {
    "--failure-reason": ("failure_reason", True, "a failed create result says why (message)"),
    "--no-created-at": ("task_created_at", False, "tasks carry no createdAt"),
    "--no-rate-headers": ("rate_headers", False, "omit x-ratelimit-* headers"),
    "--no-retry-after": ("retry_after_header", False, "omit retry-after on 429"),
}


# `add_sandbox_arguments(parser)` adds `--port`, `--host`, `--config-json` and every flag above;
# `config_from_args(ns)` is the SaleshandyConfig they describe.
add_sandbox_arguments, config_from_args = config_cli(
    _FLAGS, _SWITCHES, SaleshandyConfig.from_dict, "SaleshandyConfig"
)
