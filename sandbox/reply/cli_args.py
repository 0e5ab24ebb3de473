"""Command-line flags of the Reply.io emulator, shared by `sales-tasks sandbox reply` and
`python -m sandbox --vendor reply`.

Every flag defaults to None so that only flags given on the command line override the base
config (the defaults of `ReplyConfig`, or `--config-json`).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from sandbox.core.cli_args import add_server_arguments
from sandbox.reply.config import ReplyConfig

# flag -> (config path, type, help)
_FLAGS: dict[str, tuple[str, Any, str]] = {
    "--tasks": ("tasks", int, "number of seed tasks (default 300)"),
    "--contacts": ("contacts", int, "number of seed contacts (default: a third of --tasks)"),
    "--users": ("users", int, "number of seed users (default: 6 to 30, by --tasks)"),
    "--seed": ("seed", int, "dataset seed (default 13)"),
    "--anchor-date": ("anchor_date", str, "pin the dataset's today, e.g. 2026-06-01"),
    "--auth-scheme": ("auth_scheme", str, "keys accepted in: bearer | x-api-key | both"),
    "--enum-answers": ("enum_answers", str, "enums in answers: numbers | strings"),
    "--enum-requests": ("enum_requests", str, "enums accepted: numbers | strings | both"),
    "--list-mode": ("list_mode", str, "task lists offered: get | filter | both"),
    "--page-cap": ("page_cap", int, "largest top (default 1000)"),
    "--default-top": ("default_top", int, "page size without top (default 100)"),
    "--over-cap": ("over_cap", str, "top above the cap: 400 | clamp"),
    "--list-order": ("list_order", str, "list order: id (ascending) | newest"),
    "--index-lag": ("index_lag_seconds", float, "seconds before a created task shows in lists"),
    "--create-status": ("create_status", int, "status of a create's answer: 201 | 200"),
    "--contact-email-match": (
        "contact_email_match",
        str,
        "GET /v3/contacts?email= matches: insensitive | exact",
    ),
    "--rate-minute": ("rate_limits.minute", int, "calls per minute per user (default 100)"),
    "--rate-hour": ("rate_limits.hour", int, "calls per hour per user (default 3000)"),
    "--minute-seconds": ("rate_window_seconds.minute", float, "length of the minute window"),
    "--hour-seconds": ("rate_window_seconds.hour", float, "length of the hour window"),
    "--window-scale": ("window_scale", float, "multiply both window lengths, e.g. 0.1"),
    "--latency-ms": ("faults.latency_ms", float, "added latency per API call"),
    "--jitter-ms": ("faults.jitter_ms", float, "random extra latency, up to this"),
    "--error-rate": ("faults.error_rate", float, "share of calls answered 500/502/503"),
    "--drop-rate": ("faults.drop_rate", float, "share of calls dropped before the work"),
    "--truncate-rate": ("faults.truncate_rate", float, "share of answers cut short"),
    "--invalid-json-rate": ("faults.invalid_json_rate", float, "share of 200s not JSON"),
    "--burst-429-every": ("faults.burst_429_every", int, "calls between bursts of 429s"),
    "--burst-429-len": ("faults.burst_429_len", int, "429s per burst"),
    "--drop-after-create-rate": (
        "faults.drop_after_create_rate",
        float,
        "share of creates dropped after the task was made",
    ),
    "--fault-seed": ("faults.fault_seed", int, "seed of the random faults"),
}


def add_sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    """Add `--port`, `--host` and every config flag to `parser`."""
    add_server_arguments(parser)
    for flag, (_, kind, help_text) in _FLAGS.items():
        parser.add_argument(flag, type=kind, default=None, help=help_text)
    parser.add_argument(
        "--stale-has-more",
        action="store_true",
        default=None,
        help="the last page with rows still says hasMore: true (an empty page follows)",
    )
    parser.add_argument(
        "--config-json", default=None, help="a full ReplyConfig as JSON (flags override it)"
    )


def config_from_args(ns: argparse.Namespace) -> ReplyConfig:
    """The ReplyConfig described by parsed arguments."""
    data: dict[str, Any] = json.loads(ns.config_json) if getattr(ns, "config_json", None) else {}
    data = ReplyConfig.from_dict(data).to_dict()
    for flag, (path, _, _) in _FLAGS.items():
        value = getattr(ns, flag[2:].replace("-", "_"), None)
        if value is None:
            continue
        head, _, leaf = path.partition(".")
        if leaf:
            data[head][leaf] = value
        else:
            data[head] = value
    if getattr(ns, "stale_has_more", None):
        data["stale_has_more"] = True
    return ReplyConfig.from_dict(data)
