"""Command-line flags of the Reply.io emulator, shared by `sales-tasks sandbox reply` and
`python -m sales_tasks.sandbox --vendor reply`.

Every flag defaults to None so that only flags given on the command line override the base
config (the defaults of `ReplyConfig`, or `--config-json`).
"""

from __future__ import annotations

from sales_tasks.sandbox.core.cli_args import FAULT_FLAGS, TFlags, TSwitches, config_cli
from sales_tasks.sandbox.reply.config import ReplyConfig

_FLAGS: TFlags = {
    "--tasks": ("tasks", int, "number of seed tasks (default 300)"),
    "--contacts": ("contacts", int, "number of seed contacts (default: a third of --tasks)"),
    "--users": ("users", int, "number of seed users (default: 6 to 30, by --tasks)"),
    "--seed": ("seed", int, "dataset seed (default 13)"),
    "--anchor-date": ("anchor_date", str, "pin the dataset's today, e.g. 2026-06-01"),
    "--history-days": ("history_days", int, "days over which seed tasks were made (default 120)"),
    "--auth-scheme": ("auth_scheme", str, "keys accepted in: bearer | x-api-key | both"),
    "--enum-answers": ("enum_answers", str, "enums in answers: strings (v3) | numbers"),
    "--enum-requests": ("enum_requests", str, "enums accepted: numbers | strings | both"),
    "--list-mode": ("list_mode", str, "task lists offered: get | filter | both"),
    "--page-cap": ("page_cap", int, "largest top (default 1000)"),
    "--default-top": ("default_top", int, "page size without top (default 25)"),
    "--over-cap": ("over_cap", str, "top above the cap: 400 | clamp"),
    "--list-order": ("list_order", str, "list order: id (ascending) | newest"),
    "--index-lag": ("index_lag_seconds", float, "seconds before a created task shows in lists"),
    "--create-status": ("create_status", int, "status of a create's answer: 201 | 200"),
    "--contact-email-match": (
        "contact_email_match",
        str,
        "GET /v3/contacts?email= matches: insensitive | exact",
    ),
    "--deleted-by-id": (
        "deleted_by_id",
        str,
        "GET /v3/tasks/{id} of a deleted task: status (its cancelled/archived detail) | 404",
    ),
    "--rate-minute": ("rate_limits.minute", int, "calls per minute per user (default 100)"),
    "--rate-hour": ("rate_limits.hour", int, "calls per hour per user (default 3000)"),
    "--minute-seconds": ("rate_window_seconds.minute", float, "length of the minute window"),
    "--hour-seconds": ("rate_window_seconds.hour", float, "length of the hour window"),
    "--window-scale": ("window_scale", float, "multiply both window lengths, e.g. 0.1"),
    **FAULT_FLAGS,
}


_SWITCHES: TSwitches = {
    "--stale-has-more": (
        "stale_has_more",
        True,
        "the last page with rows still says hasMore: true (an empty page follows)",
    ),
}


# `add_sandbox_arguments(parser)` adds `--port`, `--host`, `--config-json` and every flag above;
# `config_from_args(ns)` is the ReplyConfig they describe.
add_sandbox_arguments, config_from_args = config_cli(
    _FLAGS, _SWITCHES, ReplyConfig.from_dict, "ReplyConfig"
)
