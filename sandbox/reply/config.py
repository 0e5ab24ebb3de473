"""Configuration of the Reply.io emulator: every knob, JSON-serialisable.

The defaults are Reply's documented v3 behaviour (VENDOR-SPECS.md §1); each unknown is a switch,
so the product can be tested against every plausible variant (the README's facts-vs-guesses
table lists them).

Facts relied on (defaults): the key goes in `Authorization: Bearer` (RS; seed 004 says
`X-API-Key`: `auth_scheme`); enums are camelCase strings (older pages: integers,
`enum_answers`); limits are 100 calls a minute and 3,000 an hour per user; `top` defaults to 25
and is at most 1000; a create answers 201 with the full task detail.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sales_tasks.sandbox.core import config as core_config

AUTH_SCHEMES = ("bearer", "x-api-key", "both")
ENUM_ANSWERS = ("numbers", "strings")
ENUM_REQUESTS = ("numbers", "strings", "both")
LIST_MODES = ("get", "filter", "both")
OVER_CAP = ("400", "clamp")
LIST_ORDERS = ("id", "newest")
EMAIL_MATCHES = ("insensitive", "exact")
RATE_WINDOWS = ("minute", "hour")
DELETED_BY_ID = ("status", "404")
REDELETE = ("400", "204")


@dataclass
class FaultConfig(core_config.FaultConfig):
    """The generic fault knobs (`sales_tasks.sandbox.core.config.FaultConfig`), aimed at Reply's API paths."""

    fault_paths: list[str] = field(default_factory=lambda: ["/v3/"])


@dataclass
class ReplyConfig:
    """Everything the Reply emulator can be told. `tasks`, `contacts`, `users`, `seed` and
    `anchor_date` fix the dataset."""

    tasks: int = 300
    # None: sized from `tasks` (a third as many contacts, 6 to 30 users).
    contacts: int | None = None
    users: int | None = None
    seed: int = 13
    # Seed tasks were created over the 120 days before this instant. None = today 00:00 UTC;
    # pin it (e.g. "2026-06-01T00:00:00Z") for data that never changes.
    anchor_date: str | None = None
    # User keys act as their user (key i -> user i); organization keys act as the user named by
    # `X-User-Id` / `X-User-Email`, or the organization's owner (user 0) without them.
    api_keys: list[str] = field(default_factory=lambda: ["reply-sandbox-key"])
    org_keys: list[str] = field(default_factory=lambda: ["reply-sandbox-org-key"])
    # Keys scoped `tasks:read` only (user 0's): reads answer, a create is 403 `scope.missing`.
    read_only_keys: list[str] = field(default_factory=lambda: ["reply-sandbox-read-key"])
    auth_scheme: str = "bearer"
    enum_answers: str = "strings"
    enum_requests: str = "both"
    list_mode: str = "both"
    page_cap: int = 1000
    default_top: int = 25
    # `top` above the cap: 400 validation.failed, or silently answer `page_cap` rows.
    over_cap: str = "400"
    list_order: str = "id"
    # True: the last page with rows still says `hasMore: true`; the page after it is empty.
    stale_has_more: bool = False
    index_lag_seconds: float = 0.0
    create_status: int = 201
    contact_email_match: str = "insensitive"
    # What `GET /v3/tasks/{id}` answers for a deleted task: its cancelled/archived detail, or 404.
    deleted_by_id: str = "status"
    # What deleting an already deleted task answers: 400 `task.unknown`, or 204 again (a guess;
    # `sales_tasks.sandbox.reply.endpoints_changes`).
    redelete: str = "400"
    rate_limits: dict[str, int] = field(default_factory=lambda: {"minute": 100, "hour": 3000})
    rate_window_seconds: dict[str, float] = field(
        default_factory=lambda: {"minute": 60.0, "hour": 3600.0}
    )
    # Multiplies every window length: 0.1 makes a 6 s "minute" and a 360 s "hour".
    window_scale: float = 1.0
    request_log_cap: int = 200_000
    faults: FaultConfig = field(default_factory=FaultConfig)

    # Days over which the seed tasks were created before the anchor (a long-lived account,
    # most of its tasks finished or cleared: e.g. 720).
    history_days: int = 120

    DATASET_FIELDS: ClassVar[tuple[str, ...]] = (
        "tasks",
        "contacts",
        "users",
        "seed",
        "anchor_date",
        "history_days",
    )

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["faults"] = self.faults.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReplyConfig:
        """The config `data` describes over the defaults; nested objects (`faults`,
        `rate_limits`...) are merged with theirs, not replaced."""
        return cls._build(cls().to_dict(), data)

    def merged(self, changes: dict[str, Any]) -> ReplyConfig:
        """A copy with `changes` applied, nested objects merged."""
        return self._build(self.to_dict(), changes)

    @classmethod
    def _build(cls, base: dict[str, Any], changes: dict[str, Any]) -> ReplyConfig:
        core_config.reject_unknown(cls, changes, "config")
        data = dict(base)
        for key, value in changes.items():
            if isinstance(value, core_config.FaultConfig):
                value = value.to_dict()
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                value = {**data[key], **value}
            data[key] = value
        data["faults"] = FaultConfig.from_dict(data["faults"])
        cfg = cls(**data)
        cfg.validate()
        return cfg

    def validate(self) -> None:
        for name, options in (
            ("auth_scheme", AUTH_SCHEMES),
            ("enum_answers", ENUM_ANSWERS),
            ("enum_requests", ENUM_REQUESTS),
            ("list_mode", LIST_MODES),
            ("over_cap", OVER_CAP),
            ("list_order", LIST_ORDERS),
            ("contact_email_match", EMAIL_MATCHES),
            ("deleted_by_id", DELETED_BY_ID),
            ("redelete", REDELETE),
        ):
            if getattr(self, name) not in options:
                raise ValueError(f"{name} must be one of {', '.join(options)}")
        if self.tasks < 0:
            raise ValueError("tasks must be >= 0")
        for name in ("contacts", "users"):
            value = getattr(self, name)
            if value is not None and value < 2:
                raise ValueError(f"{name} must be >= 2 (or null: sized from tasks)")
        if self.page_cap < 1 or not self.default_top >= 1:
            raise ValueError("page_cap and default_top must be >= 1")
        if self.create_status not in (200, 201):
            raise ValueError("create_status must be 200 or 201")
        if self.index_lag_seconds < 0 or self.window_scale <= 0:
            raise ValueError("index_lag_seconds must be >= 0 and window_scale > 0")
        if set(self.rate_limits) != set(RATE_WINDOWS) or set(self.rate_window_seconds) != set(
            RATE_WINDOWS
        ):
            raise ValueError("rate_limits and rate_window_seconds need exactly minute and hour")
        if any(v < 1 for v in self.rate_limits.values()) or any(
            float(v) <= 0 for v in self.rate_window_seconds.values()
        ):
            raise ValueError("rate limits must be >= 1 and window lengths > 0")
        if not self.api_keys:
            raise ValueError("api_keys must hold at least one key")
        if self.request_log_cap < 1:
            raise ValueError("request_log_cap must be >= 1")
        self.faults.validate()

    def window_lengths(self) -> dict[str, float]:
        """Seconds per rate window, scaled."""
        return {w: float(s) * self.window_scale for w, s in self.rate_window_seconds.items()}
