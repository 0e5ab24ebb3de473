"""Saleshandy's enumerated values, each written once.

Facts relied on (Saleshandy's Open API reference, "Create Task", and the `GET /v1/tasks`
parameters of its OpenAPI file):
- `taskType` is a string code: "2".."6" LinkedIn steps, "9" custom, "11".."15" calls,
  "16".."18" WhatsApp. "1" (email) and "7", "8", "10" are not accepted by create.
- `priority` is "1" (urgent) .. "4" (low); omitted means no priority.
- `GET /v1/tasks` filters: `status` (upcoming | dueToday | completed | skipped | overdue),
  `taskType` as a group (linkedin | call | whatsapp | custom), `sortBy` (priority | completedAt |
  skippedAt | dueDate), `sortOrder` (ASC | DESC).
- `GET /v1/tasks/counts` answers one count per status; whether the statuses overlap (is an
  overdue task also upcoming?) is not documented.
"""

from __future__ import annotations

TASK_TYPES: dict[str, str] = {
    "2": "linkedin_connection_request",
    "3": "linkedin_message",
    "4": "linkedin_inmail",
    "5": "linkedin_view_profile",
    "6": "linkedin_post_interaction",
    "9": "custom",
    "11": "call_introduction",
    "12": "call_demo",
    "13": "call_follow_up",
    "14": "call_reminder",
    "15": "call_other",
    "16": "whatsapp_message",
    "17": "whatsapp_voice_message",
    "18": "whatsapp_voice_call",
}
# The readable names as Saleshandy's docs spell them ("LinkedIn connection request").
TASK_TYPE_TITLES: dict[str, str] = {
    "2": "LinkedIn connection request",
    "3": "LinkedIn message",
    "4": "LinkedIn InMail",
    "5": "LinkedIn view profile",
    "6": "LinkedIn post interaction",
    "9": "Custom",
    "11": "Call introduction",
    "12": "Call demo",
    "13": "Call follow-up",
    "14": "Call reminder",
    "15": "Call other",
    "16": "WhatsApp message",
    "17": "WhatsApp voice message",
    "18": "WhatsApp voice call",
}
TASK_TYPE_CODES: dict[str, str] = {name: code for code, name in TASK_TYPES.items()}

# The `taskType` filter of `GET /v1/tasks` names groups of codes.
TASK_TYPE_GROUPS: dict[str, tuple[str, ...]] = {
    "linkedin": ("2", "3", "4", "5", "6"),
    "custom": ("9",),
    "call": ("11", "12", "13", "14", "15"),
    "whatsapp": ("16", "17", "18"),
}

PRIORITIES: dict[str, str] = {"1": "urgent", "2": "high", "3": "medium", "4": "low"}
PRIORITY_CODES: dict[str, str] = {name: code for code, name in PRIORITIES.items()}

TASK_STATUSES: tuple[str, ...] = ("upcoming", "dueToday", "overdue", "completed", "skipped")

SORT_BY: tuple[str, ...] = ("priority", "completedAt", "skippedAt", "dueDate")
SORT_ORDERS: tuple[str, ...] = ("ASC", "DESC")


def task_type_name(code: object) -> str | None:
    """The name of a task type code (`"13"` or `13` -> `call_follow_up`), None when unknown."""
    if code is None or isinstance(code, bool):
        return None
    return TASK_TYPES.get(str(code).strip())


def priority_name(code: object) -> str | None:
    """The name of a priority code (`"1"` -> `urgent`), None when unknown or absent."""
    if code is None or isinstance(code, bool):
        return None
    return PRIORITIES.get(str(code).strip())
