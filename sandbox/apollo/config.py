"""Configuration of the Apollo.io emulator: every knob, JSON-serialisable.

The knobs exist because the real Apollo behaviour is unknown or varies (see
`shared/api-docs/NOTES.md`, section 1): the sandbox must be able to play each plausible variant
so that the product is tested against all of them.

Facts relied on (defaults):
- `POST /api/v1/tasks/search` answers 422 `Per page not supported` above 100 per page (current
  docs); the legacy `GET /v1/tasks/search` allows 200 (seed 002). Its paging is documented in the
  query string only (VENDOR-SPECS 3.4): a body's `page`/`per_page` are ignored unless
  `body_paging` says otherwise.
- `created_from` of API-made tasks: `api` as the create examples show (`created_from` switches).
- Display limit: 50,000 records, up to 500 pages.
- Rate limits are fixed windows per endpoint per minute, hour and day. The defaults here are
  deliberately generous so demos and benchmarks are not throttled unless a test asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from sales_tasks.sandbox.core import config as core_config
from sales_tasks.sandbox.core.ratelimit import WINDOWS

PAST_CAP_BEHAVIOURS = ("empty", "422")
FILTER_MODES = ("honour", "ignore")
HEADER_SCHEMES = ("current", "legacy")
RATE_LIMIT_BODIES = ("text", "json")
BODY_PAGING = ("ignore", "honour")
CREATED_FROM_VALUES = ("api", "zp_ui", "null")
DEFAULT_ORDERS = ("newest_first", "oldest_first")


@dataclass
class FaultConfig(core_config.FaultConfig):
    """The generic fault knobs (`sales_tasks.sandbox.core.config.FaultConfig`), aimed at Apollo's API paths."""

    fault_paths: list[str] = field(default_factory=lambda: ["/api/v1/", "/v1/"])


@dataclass
class SandboxConfig(core_config.ConfigDicts):
    """Everything the sandbox can be told. `tasks`, `seed` and `anchor_date` fix the dataset."""

    tasks: int = 300
    seed: int = 7
    # Seed data is spread around this instant (tasks created over the year before it, some due
    # up to 3 months after it). None = today 00:00 UTC: fresh relative to the clock, identical
    # all day long; pin it (e.g. "2025-06-01T00:00:00Z") for data that never changes.
    anchor_date: str | None = None
    master_keys: list[str] = field(default_factory=lambda: ["sandbox-master-key"])
    plain_keys: list[str] = field(default_factory=lambda: ["sandbox-plain-key"])
    default_per_page: int = 100
    max_per_page: int = 100
    legacy_max_per_page: int = 200
    max_records: int = 50_000
    max_pages: int = 500
    past_cap_behaviour: str = "empty"
    pagination_as_strings: bool = False
    filters: str = "honour"
    # `page`/`per_page` of tasks search are documented in the query string only (VENDOR-SPECS
    # 3.4); recorded traffic saw them honoured in a POST body too. "ignore" (the documented
    # reading) serves page 1 at the default size to a client paging in the body.
    body_paging: str = "ignore"
    # `created_from` of a task made through the API: untyped; `api` in the create examples, but
    # `zp_ui` recorded live for an API-made task, and null in search examples (VENDOR-SPECS 3.3).
    created_from: str = "api"
    # The order of a search without `sort_by_field` is undocumented (3.2 documents only
    # `task_due_at` and `task_priority`): newest first (the legacy example sorted by creation)
    # or oldest first, where a task created during a scan lands ahead of the read position.
    default_order: str = "newest_first"
    # Seed 002 (legacy) says open_factor_names is required; the current docs say optional. True
    # makes POST /api/v1/tasks/search answer 422 without it, as the legacy GET always does.
    require_open_factor_names: bool = False
    index_lag_seconds: float = 0.0
    max_bulk_contacts: int = 100
    contacts_max_per_page: int = 100
    rate_limits: dict[str, int] = field(
        default_factory=lambda: {"minute": 100_000, "hour": 1_000_000, "day": 10_000_000}
    )
    rate_window_seconds: dict[str, float] = field(
        default_factory=lambda: {"minute": 60.0, "hour": 3600.0, "day": 86400.0}
    )
    # Per-endpoint overrides keyed by endpoint name, e.g. {"api/v1/tasks/search": {"minute": 5}}.
    endpoint_rate_limits: dict[str, dict[str, int]] = field(default_factory=dict)
    header_scheme: str = "current"
    # Usage stats (`POST /api/v1/usage_stats/api_usage_stats`) need a master key (VENDOR-SPECS
    # 3.5, "(master key)"): "master" answers a plain key 403 API_INACCESSIBLE; "any" serves it.
    usage_stats_keys: str = "master"
    # The spec's usage-stats example gives `left_over` equal to `limit` although `consumed` > 0:
    # "computed" (limit - consumed) or "limit" (as that example).
    usage_left_over: str = "computed"
    retry_after_header: bool = True
    # Recorded 429s are plain text; the docs show `{"message": "..."}` ("json").
    rate_limit_body: str = "text"
    # A bare GET of tasks search answered 10 per page in recorded traffic (POST: default_per_page).
    get_default_per_page: int = 10
    # The docs call `status` required on create; recorded traffic shows a create without it
    # accepted and stored as null. True answers 422 `status can not be blank` instead.
    create_requires_status: bool = False
    # How a task is completed or skipped (no source gives the calls, VENDOR-SPECS 3.2): `put`
    # (`PUT /api/v1/tasks/{id}` with `status`, as recorded clients send), `actions`
    # (`POST /api/v1/tasks/{id}/complete|skip`) or `both`
    # (`sales_tasks.sandbox.apollo.endpoints_changes`).
    resolve_calls: str = "both"
    request_log_cap: int = 200_000
    # Rendered account+contact JSON kept per contact (~3.4 KB each): 131,072 ~ 450 MB at most.
    # Fixed at start (changing it live has no effect).
    contact_cache_size: int = 131_072
    faults: FaultConfig = field(default_factory=FaultConfig)

    # Fields that shape the generated dataset: changing them live would need a rebuild.
    DATASET_FIELDS: ClassVar[tuple[str, ...]] = ("tasks", "seed", "anchor_date")
    # A change of the per-endpoint overrides replaces them (the other tables are merged).
    REPLACED: ClassVar[tuple[str, ...]] = ("endpoint_rate_limits",)

    def validate(self) -> None:
        if self.tasks < 0:
            raise ValueError("tasks must be >= 0")
        if self.rate_limit_body not in RATE_LIMIT_BODIES:
            raise ValueError(f"rate_limit_body must be one of {RATE_LIMIT_BODIES}")
        for name in (
            "default_per_page",
            "get_default_per_page",
            "max_per_page",
            "legacy_max_per_page",
            "max_pages",
        ):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be >= 1")
        if self.max_records < 0:
            raise ValueError("max_records must be >= 0")
        if self.past_cap_behaviour not in PAST_CAP_BEHAVIOURS:
            raise ValueError(f"past_cap_behaviour must be one of {PAST_CAP_BEHAVIOURS}")
        if self.filters not in FILTER_MODES:
            raise ValueError(f"filters must be one of {FILTER_MODES}")
        for name, options in (
            ("body_paging", BODY_PAGING),
            ("created_from", CREATED_FROM_VALUES),
            ("default_order", DEFAULT_ORDERS),
            ("resolve_calls", ("put", "actions", "both")),
            ("usage_stats_keys", ("master", "any")),
            ("usage_left_over", ("computed", "limit")),
        ):
            if getattr(self, name) not in options:
                raise ValueError(f"{name} must be one of {options}")
        if self.header_scheme not in HEADER_SCHEMES:
            raise ValueError(f"header_scheme must be one of {HEADER_SCHEMES}")
        for table_name, table in (("rate_limits", self.rate_limits),) + tuple(
            (f"endpoint_rate_limits[{k}]", v) for k, v in self.endpoint_rate_limits.items()
        ):
            for window in table:
                if window not in WINDOWS:
                    raise ValueError(f"{table_name} has unknown window {window!r}")
        for window in WINDOWS:
            if window not in self.rate_limits or window not in self.rate_window_seconds:
                raise ValueError(f"rate_limits and rate_window_seconds need {window!r}")
            if float(self.rate_window_seconds[window]) <= 0:
                raise ValueError("rate_window_seconds values must be > 0")
        if not self.master_keys:
            raise ValueError("master_keys must hold at least one key")
        if self.contact_cache_size < 1:
            raise ValueError("contact_cache_size must be >= 1")
        if self.request_log_cap < 1:
            raise ValueError("request_log_cap must be >= 1")
        self.faults.validate()

    def limit_for(self, endpoint: str, window: str) -> int:
        """The request limit of `endpoint` in `window`, honouring per-endpoint overrides."""
        override = self.endpoint_rate_limits.get(endpoint, {})
        return int(override.get(window, self.rate_limits[window]))
