"""Configuration of the Saleshandy emulator: every knob, JSON-serialisable.

Saleshandy publishes its create call and the request side of every task operation, but not one
response schema besides create's and snooze's (`shared/api-docs/VENDOR-SPECS.md` section 2, 5).
Defaults follow what is documented; every remaining guess is a switch, so the product is tested
against each plausible variant. `FACTS_AND_GUESSES` is the table of both, with its source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sales_tasks.sandbox.core import config as core_config

CREATE_STATUSES = (200, 201)
RESULT_ORDERS = ("request", "shuffled")
INVALID_KEY_ANSWERS = ("400-1001", "401")
BEARER_MODES = ("refuse", "accept")
LIST_PAYLOADS = ("array", "object")
OVER_MAX_PAGE_SIZE = ("400", "clamp")
RATE_SCOPES = ("account", "endpoint")
RESET_FORMATS = ("http-date", "seconds")
DUPLICATE_IDS = ("each", "once")
TASK_KEYS = ("taskId", "id")
LIST_PROSPECTS = ("embedded", "prospectId")
ONE_TASK_PAYLOADS = ("task", "bare")
LIST_TIES = ("created", "newest")

# (what, documented fact or "guess", source, the default here, switch): the emulator's reading.
# Sources: VENDOR-SPECS (shared/api-docs) keys SN, SD, S3; NOTES.md section 2 [3p].
FACTS_AND_GUESSES: tuple[tuple[str, str, str, str, str], ...] = (
    ("auth header", "x-api-key on every operation", "SN all ops; SD", "x-api-key", "bearer"),
    ("bad key", "1001 Invalid token under HTTP 400", "SN @~385,500", "400-1001", "invalid_key"),
    ("task id name", "taskId in every documented response", "SD snooze; S3 (fact 9)",
     "taskId", "task_key"),
    ("create answer", "{message, payload.results[{prospectId, taskId, success}]}",
     "S3; SN @~384,500", "as documented", ""),
    ("create status", "guess (200 or 201)", "VENDOR-SPECS 5", "201", "create_status"),
    ("prospectIds per create", "guess (no maximum published)", "VENDOR-SPECS 5", "100",
     "max_prospect_ids"),
    ("result order", "guess", "-", "request", "results_order"),
    ("failed result's reason", "guess (none in the example)", "S3", "none", "failure_reason"),
    ("list item shape", "guess (GET /v1/tasks answer not published)", "VENDOR-SPECS 5",
     "render.task", ""),
    ("list envelope", "guess (payload array or payload.tasks)", "VENDOR-SPECS 5; NOTES [3p]",
     "array", "list_payload"),
    ("list item's prospect", "guess (embedded object or prospectId)", "VENDOR-SPECS 5",
     "embedded", "list_prospect"),
    ("task createdAt", "guess (no task schema published)", "VENDOR-SPECS 5", "present",
     "task_created_at"),
    ("GET /v1/tasks/{taskId} envelope", "guess; snooze answers payload.task", "SD snooze",
     "task", "one_task_payload"),
    ("GET /v1/tasks/{taskId} of a missing task", "404", "SN @~389,500", "404", ""),
    ("snooze", "snoozeUntil in; payload.task {taskId, status snoozed, snoozedUntil, callOutcome}",
     "SN @~404,000; SD snooze", "as documented", ""),
    ("note", "body `note` (required)", "SN @~407,500", "as documented", ""),
    ("complete, skip, note answers", "guess (not published)", "VENDOR-SPECS 5",
     "payload.task, the whole task", ""),
    ("list query", "page, pageSize, sortBy, sortOrder, status, search, ...", "SN @~393,500",
     "all read", ""),
    ("largest pageSize", "guess (prospects: enum max 100)", "SN @~257,500", "100",
     "max_page_size, page_size_over_max"),
    ("default pageSize", "guess", "-", "25", "default_page_size"),
    ("counts answer", "guess (not published)", "SN @~391,500", "a count per status", ""),
    ("list after a create", "guess", "-", "at once", "index_lag_seconds"),
    ("order of tasks with equal sort values", "guess (not published)", "VENDOR-SPECS 5",
     "creation order", "list_ties"),
    ("rate limits", "guess (no numbers published)", "NOTES [3p]", "100,000 / 60 s",
     "rate_limit, rate_window_seconds, rate_scope"),
    ("rate headers", "guess", "NOTES [3p]", "x-ratelimit-remaining, -reset (HTTP date)",
     "rate_headers, reset_format, retry_after_header"),
    ("complete/skip of a task already so", "guess (answers not published)", "VENDOR-SPECS 5",
     "400 Task is already completed", "repeat_action"),
    ("bulk-skip / bulk-snooze limits", "100 / 10,000 taskIds", "SD bulk-skip, bulk-snooze",
     "100 / 10,000", "max_bulk_skip, max_bulk_snooze"),
    ("bulk action done", "guess (async; status poll documented)", "SD bulk-status",
     "2 s later on the emulator clock", "bulk_seconds"),
)  # fmt: skip


@dataclass
class FaultConfig(core_config.FaultConfig):
    """The generic fault knobs (`sales_tasks.sandbox.core.config.FaultConfig`), aimed at Saleshandy's API."""

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
    # How far back the seed tasks fall due (days before the anchor), and how much of the work
    # due over 30 days ago is still open (1.0: as much as recent work; 0.1: an account that
    # cleans up, as a long-lived one with most tasks done).
    history_days: int = 120
    old_slips: float = 1.0
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
    # The key of a task's id in every answer (documented: `taskId`; `id` is the other guess).
    task_key: str = "taskId"
    # A listed task's prospect: an embedded `prospect` object, or a flat `prospectId`.
    list_prospect: str = "embedded"
    # `GET /v1/tasks/{taskId}`: the task at `payload.task` (as snooze answers) or `payload`.
    one_task_payload: str = "task"
    # Tasks carry `createdAt` (a guess: no task schema is published).
    task_created_at: bool = True
    default_page_size: int = 25
    max_page_size: int = 100
    page_size_over_max: str = "400"
    # Seconds before a created task shows in GET /v1/tasks and /v1/tasks/counts.
    index_lag_seconds: float = 0.0
    # Tasks with equal sort values (e.g. one due date) in the list: oldest first ("created")
    # or newest first ("newest": a create then moves every later page of its due date).
    list_ties: str = "created"
    rate_limit: int = 100_000
    rate_window_seconds: float = 60.0
    rate_scope: str = "account"
    rate_headers: bool = True
    reset_format: str = "http-date"
    retry_after_header: bool = True
    # Completing a completed task (skipping a skipped one): 400 "already", or 200 and the task.
    repeat_action: str = "400"
    max_bulk_skip: int = 100
    max_bulk_snooze: int = 10_000
    # Seconds (emulator clock) from accepting a bulk skip/snooze to its being done.
    bulk_seconds: float = 2.0
    request_log_cap: int = 200_000
    faults: FaultConfig = field(default_factory=FaultConfig)

    DATASET_FIELDS: ClassVar[tuple[str, ...]] = (
        "tasks",
        "seed",
        "anchor_date",
        "history_days",
        "old_slips",
    )

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
            ("task_key", TASK_KEYS),
            ("list_prospect", LIST_PROSPECTS),
            ("one_task_payload", ONE_TASK_PAYLOADS),
            ("list_ties", LIST_TIES),
            ("page_size_over_max", OVER_MAX_PAGE_SIZE),
            ("rate_scope", RATE_SCOPES),
            ("reset_format", RESET_FORMATS),
            ("repeat_action", ("400", "200")),
        )
        for name, options in choices:
            if getattr(self, name) not in options:
                shown = " | ".join(str(o) for o in options)
                raise ValueError(f"{name} must be one of {shown}; got {getattr(self, name)!r}")
        for name in (
            "max_prospect_ids",
            "default_page_size",
            "max_page_size",
            "rate_limit",
            "max_bulk_skip",
            "max_bulk_snooze",
        ):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be >= 1")
        if not 400 <= int(self.too_many_prospects_status) <= 499:
            raise ValueError("too_many_prospects_status must be a 4xx status")
        if self.rate_window_seconds <= 0:
            raise ValueError("rate_window_seconds must be > 0")
        if self.index_lag_seconds < 0 or self.bulk_seconds < 0:
            raise ValueError("index_lag_seconds and bulk_seconds must be >= 0")
        if not self.api_keys:
            raise ValueError("api_keys must hold at least one key")
        if self.request_log_cap < 1:
            raise ValueError("request_log_cap must be >= 1")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"timezone {self.timezone!r} is not an IANA time zone") from None
        self.faults.validate()
