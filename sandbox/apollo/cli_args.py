"""Command-line flags of the Apollo emulator, shared by `apollo-tasks sandbox` and
`python -m sales_tasks.sandbox --vendor apollo`.

Every flag defaults to None so that only flags given on the command line override the base
config (the defaults of `SandboxConfig`, or `--config-json`).
"""

from __future__ import annotations

from sales_tasks.sandbox.apollo.config import SandboxConfig
from sales_tasks.sandbox.core.cli_args import FAULT_FLAGS, TFlags, TSwitches, config_cli

_FLAGS: TFlags = {
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
    "--body-paging": (
        "body_paging",
        str,
        "page/per_page in a tasks search JSON body: ignore (documented: query only) | honour",
    ),
    "--created-from": ("created_from", str, "created_from of API-made tasks: api | zp_ui | null"),
    "--default-order": (
        "default_order",
        str,
        "tasks search order without sort_by_field: newest_first | oldest_first",
    ),
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


_SWITCHES: TSwitches = {
    "--pagination-as-strings": (
        "pagination_as_strings",
        True,
        "send tasks search pagination numbers as strings",
    ),
    "--require-open-factor-names": (
        "require_open_factor_names",
        True,
        "422 on POST tasks search without open_factor_names (seed 002's contract)",
    ),
    "--no-retry-after": ("retry_after_header", False, "omit retry-after on 429"),
    "--create-requires-status": (
        "create_requires_status",
        True,
        "422 on a create without status (the docs); by default it is stored as null",
    ),
}


# `add_sandbox_arguments(parser)` adds `--port`, `--host`, `--config-json` and every flag above;
# `config_from_args(ns)` is the SandboxConfig they describe.
add_sandbox_arguments, config_from_args = config_cli(
    _FLAGS, _SWITCHES, SandboxConfig.from_dict, "SandboxConfig"
)
