"""Settings of the Reply.io task sink, resolved by dlt (section `destination.reply_tasks`).

One precedence for every setting (see `sales_tasks.clients.core.config`): an explicit argument (CLI flag),
then `DESTINATION__REPLY_TASKS__<KEY>`, then the short `REPLY_API_KEY` / `REPLY_BASE_URL`, then
`.dlt/secrets.toml` and `.dlt/config.toml` (`[destination.reply_tasks]`), then the default. No
committed file holds a base URL, so a run pointed at the sandbox by an environment variable can
never be sent to the real API by a file.

Reply's own settings:
- `auth_scheme`: `bearer` (`Authorization: Bearer <key>`, the current docs; default) or
  `x-api-key` (the `X-API-Key` header of the early docs, seed 004).
- `user_id` / `user_email`: an organization key acts for this user (`X-User-Id` /
  `X-User-Email`); the tasks are then that user's.
- `enum_form`: how `taskType` and `linkedInTaskType` are sent: `names` (v3's camelCase strings,
  `call`, the default: VENDOR-SPECS §1.4) or `numbers` (the older pages, seed 004: `2`).
  Answers are read in either form.
- `rate_limits`: the per-user limits the calls are paced by, `REQUESTS/SECONDS,...`; default
  Reply's documented `100/60,3000/3600`. Lower them when other jobs share the user's budget.
"""

from __future__ import annotations

from typing import Any

from dlt.common.configuration.specs import configspec

from sales_tasks.clients.reply.endpoints import DEFAULT_BASE_URL
from sales_tasks.clients.reply.profile import BEARER, DOCUMENTED_LIMITS, format_limits
from sales_tasks.destinations.core.settings import (
    SettingError,
    TaskSinkConfiguration,
    resolve_sink_settings,
)

DESTINATION_NAME = "reply_tasks"
SHORT_ENV = {"api_key": "REPLY_API_KEY", "base_url": "REPLY_BASE_URL"}
DEFAULT_LEDGER_SCHEMA = "reply_push"
NUMBERS, NAMES = "numbers", "names"
ENUM_FORMS = (NUMBERS, NAMES)
# One task per call and calls paced at 100 a minute: two in flight hide the latency of one.
DEFAULT_CALLS_IN_FLIGHT = 2


class ReplySettingError(SettingError):
    """A Reply setting cannot be used (an unknown auth scheme or enum form, bad limits)."""


@configspec
class ReplyPushConfiguration(TaskSinkConfiguration):
    """What a push to Reply reads from config (every field also a `run_push` argument)."""

    base_url: str = DEFAULT_BASE_URL
    ledger_schema: str = DEFAULT_LEDGER_SCHEMA
    calls_in_flight: int = DEFAULT_CALLS_IN_FLIGHT
    auth_scheme: str = BEARER
    user_id: str | None = None
    user_email: str | None = None
    enum_form: str = NAMES
    rate_limits: str = format_limits(DOCUMENTED_LIMITS)


def push_settings(**explicit: Any) -> ReplyPushConfiguration:
    """The push's settings: `explicit` values that are not None win over every config place.

    Raises:
        ValueError: an unknown `enum_form` (one line naming the valid ones).
    """
    settings = resolve_sink_settings(
        ReplyPushConfiguration(), DESTINATION_NAME, SHORT_ENV, explicit
    )
    form = str(settings.enum_form or NAMES).strip().lower()
    if form not in ENUM_FORMS:
        raise ValueError(
            f'unknown Reply enum_form {settings.enum_form!r}: use {NAMES} (taskType "call",'
            f" the default) or {NUMBERS} (taskType 2)"
        )
    settings.enum_form = form
    return settings
