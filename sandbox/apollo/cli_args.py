"""Command-line flags of the Apollo emulator, shared by `apollo-tasks sandbox` and
`python -m sandbox --vendor apollo`.

Every flag defaults to None so that only flags given on the command line override the base
config (the defaults of `SandboxConfig`, or `--config-json`).
"""

from __future__ import annotations

import argparse
from typing import Any

from sandbox.apollo.config import SandboxConfig
from sandbox.core.cli_args import (
    FAULT_FLAGS,
    add_config_flags,
    add_server_arguments,
    config_data,
)

# flag -> (config path, type, help)
_FLAGS: dict[str, tuple[str, Any, str]] = {
    "--tasks": ("tasks", int, "number of seed tasks (default 300)"),
    "--seed": ("seed", int, "dataset seed (default 7)"),
    "--max-per-page": (
        "max_per_page",
        int,
        "per_page limit of POST /api/v1/tasks/search: 100 or 200",
    ),
    "--max-records": ("max_records", int, "display limit in records (default 50000)"),
    "--max-pages": ("max_pages", int, "display limit in pages (default 500)"),
    "--past-cap": ("past_cap_behaviour", str, "answer past the display limit: empty | 422"),
    "--filters": ("filters", str, "undocumented search filters: honour | ignore"),
    "--index-lag": ("index_lag_seconds", float, "seconds before created tasks show in search"),
    "--header-scheme": ("header_scheme", str, "rate-limit header names: current | legacy"),
    "--rate-limit-body": ("rate_limit_body", str, "429 body: text (recorded) | json (docs)"),
    "--get-default-per-page": (
        "get_default_per_page",
        int,
        "per_page of a tasks search GET that sends none (default 10, as recorded)",
    ),
    "--max-bulk-contacts": ("max_bulk_contacts", int, "contact ids allowed per bulk create"),
    "--rate-minute": ("rate_limits.minute", int, "calls per minute per endpoint"),
    "--rate-hour": ("rate_limits.hour", int, "calls per hour per endpoint"),
    "--rate-day": ("rate_limits.day", int, "calls per day per endpoint"),
    **FAULT_FLAGS,
}


def add_sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    """Add `--port`, `--host` and every config flag to `parser`."""
    add_server_arguments(parser)
    add_config_flags(parser, _FLAGS)
    parser.add_argument(
        "--pagination-as-strings",
        action="store_true",
        default=None,
        help="send tasks search pagination numbers as strings",
    )
    parser.add_argument(
        "--require-open-factor-names",
        action="store_true",
        default=None,
        help="422 on POST tasks search without open_factor_names (seed 002's contract)",
    )
    parser.add_argument(
        "--no-retry-after", action="store_true", default=None, help="omit retry-after on 429"
    )
    parser.add_argument(
        "--create-requires-status",
        action="store_true",
        default=None,
        help="422 on a create without status (the docs); by default it is stored as null",
    )
    parser.add_argument(
        "--config-json", default=None, help="a full SandboxConfig as JSON (flags override it)"
    )


def config_from_args(ns: argparse.Namespace) -> SandboxConfig:
    """The SandboxConfig described by parsed arguments."""
    data = config_data(ns, _FLAGS, SandboxConfig.from_dict)
    if getattr(ns, "pagination_as_strings", None):
        data["pagination_as_strings"] = True
    if getattr(ns, "require_open_factor_names", None):
        data["require_open_factor_names"] = True
    if getattr(ns, "no_retry_after", None):
        data["retry_after_header"] = False
    if getattr(ns, "create_requires_status", None):
        data["create_requires_status"] = True
    return SandboxConfig.from_dict(data)
