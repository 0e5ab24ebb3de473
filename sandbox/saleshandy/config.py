"""Configuration of the Saleshandy emulator: every knob, JSON-serialisable.

Saleshandy documents little beyond the create call (seed 003, NOTES.md section 2), so most knobs
are the unknowns: each plausible variant can be played, and the product is tested against all.

Facts relied on (defaults are marked guess where Saleshandy documents nothing):
- Lists page with `page` + `pageSize`, at most 100 per page, no totals.
- `1001: Invalid token` is listed under HTTP 400 (`invalid_key = "400-1001"`); 401 is the
  alternative a generic API would give.
- Working clients send only `x-api-key`; a few doc examples show Bearer (`bearer`).
- Rate limits are "fair usage": about 20 calls per window were seen on prospects; the default
  here is generous so demos and benchmarks are not throttled unless a test asks for it.
- Guesses: create answers 201 (other Saleshandy creates do); at most 100 prospectIds per create,
  refused with 400; results in request order; no reason on a failed result; default pageSize
  25; one window counted per account; `dueDate` and "today" in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox.core import config as core_config

CREATE_STATUSES = (200, 201)
RESULT_ORDERS = ("request", "shuffled")
INVALID_KEY_ANSWERS = ("400-1001", "401")
BEARER_MODES = ("refuse", "accept")
LIST_PAYLOADS = ("array", "object")
OVER_MAX_PAGE_SIZE = ("400", "clamp")
RATE_SCOPES = ("account", "endpoint")
RESET_FORMATS = ("http-date", "seconds")
DUPLICATE_IDS = ("each", "once")


@dataclass
class FaultConfig(core_config.FaultConfig):
    """The generic fault knobs (`sandbox.core.config.FaultConfig`), aimed at Saleshandy's API."""

    fault_paths: list[str] = field(default_factory=lambda: ["/v1/"])


@dataclass
class SaleshandyConfig(core_config.ConfigDicts):
    """Everything the Saleshandy sandbox can be told. `tasks`, `seed` and `anchor_date` fix the
    dataset."""

    tasks: int = 300
    seed: int = 7
    # None = the emulator lives "today" (the clock's date in `timezone`) and its data is spread
    # around today 00:00 UTC; pinned (e.g. "2025-06-02") the data and "today" never change.
    anchor_date: str | None = None
    # The time zone of `dueDate` and of "today" (default due date, dueToday / overdue).
    timezone: str = "UTC"
    api_keys: list[str] = field(default_factory=lambda: ["sandbox-saleshandy-key"])
    # Authorization: Bearer <key> refused (as if no key came) or accepted like x-api-key.
    bearer: str = "refuse"
    invalid_key: str = "400-1001"
    create_status: int = 201
    max_prospect_ids: int = 100
    # The status of the refusal of a create with more than `max_prospect_ids` prospectIds.
    too_many_prospects_status: int = 400
    results_order: str = "request"
    # A failed result carries `"message": "<why>"` besides prospectId, taskId, success.
    failure_reason: bool = False
    # The same prospect id twice in one create: a task per occurrence, or one.
    duplicate_prospect_ids: str = "each"
    list_payload: str = "array"
    default_page_size: int = 25
    max_page_size: int = 100
    page_size_over_max: str = "400"
    # Seconds before a created task shows in GET /v1/tasks and /v1/tasks/counts.
    index_lag_seconds: float = 0.0
    rate_limit: int = 100_000
    rate_window_seconds: float = 60.0
    rate_scope: str = "account"
    rate_headers: bool = True
    reset_format: str = "http-date"
    retry_after_header: bool = True
    request_log_cap: int = 200_000
    faults: FaultConfig = field(default_factory=FaultConfig)

    DATASET_FIELDS: ClassVar[tuple[str, ...]] = ("tasks", "seed", "anchor_date")

    def validate(self) -> None:
        if self.tasks < 0:
            raise ValueError("tasks must be >= 0")
        choices: tuple[tuple[str, tuple[Any, ...]], ...] = (
            ("bearer", BEARER_MODES),
            ("invalid_key", INVALID_KEY_ANSWERS),
            ("create_status", CREATE_STATUSES),
            ("results_order", RESULT_ORDERS),
            ("duplicate_prospect_ids", DUPLICATE_IDS),
            ("list_payload", LIST_PAYLOADS),
            ("page_size_over_max", OVER_MAX_PAGE_SIZE),
            ("rate_scope", RATE_SCOPES),
            ("reset_format", RESET_FORMATS),
        )
        for name, options in choices:
            if getattr(self, name) not in options:
                shown = " | ".join(str(o) for o in options)
                raise ValueError(f"{name} must be one of {shown}; got {getattr(self, name)!r}")
        for name in ("max_prospect_ids", "default_page_size", "max_page_size", "rate_limit"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be >= 1")
        if not 400 <= int(self.too_many_prospects_status) <= 499:
            raise ValueError("too_many_prospects_status must be a 4xx status")
        if self.rate_window_seconds <= 0:
            raise ValueError("rate_window_seconds must be > 0")
        if self.index_lag_seconds < 0:
            raise ValueError("index_lag_seconds must be >= 0")
        if not self.api_keys:
            raise ValueError("api_keys must hold at least one key")
        if self.request_log_cap < 1:
            raise ValueError("request_log_cap must be >= 1")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"timezone {self.timezone!r} is not an IANA time zone") from None
        self.faults.validate()
