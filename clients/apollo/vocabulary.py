"""Apollo's codes in the shared task vocabulary (`sales_tasks.clients.vocabulary`): its task types are
its client's (`sales_tasks.clients.apollo.enums`, written once there), in that order."""

from __future__ import annotations

from sales_tasks.clients.apollo.enums import TASK_TYPES
from sales_tasks.clients.core.vocabulary import Vocabulary

_SHARED_TYPES = (
    "call",
    "email",
    "linkedin_connect",
    "linkedin_message",
    "linkedin_view_profile",
    "linkedin_interact",
    "todo",
)
_NONE: dict[str, str | None] = dict.fromkeys(
    ("linkedin_inmail", "whatsapp_message", "whatsapp_call", "sms", "meeting")
)
_TYPES: dict[str, str | None] = {**dict(zip(_SHARED_TYPES, TASK_TYPES, strict=True)), **_NONE}

VOCABULARY = Vocabulary(
    title="Apollo",
    to={
        "type": _TYPES,
        "status": {
            "open": "scheduled",
            "completed": "completed",
            "skipped": "skipped",
            "cancelled": None,
            "archived": None,
        },
        "priority": {
            "urgent": None,
            "high": "high",
            "medium": "medium",
            "low": "low",
            "none": None,
        },
    },
    read={
        "type": {code: name for name, code in _TYPES.items() if code is not None},
        "status": {"scheduled": "open", "completed": "completed", "skipped": "skipped"},
        "priority": {"high": "high", "medium": "medium", "low": "low"},
    },
    why={
        "type": "Apollo has no {name} task type (it has call, manual email, four LinkedIn steps and "
        "action item)",
        "status": "Apollo has no {name} status (scheduled, completed, skipped)",
        "priority": "Apollo has no {name} priority (high, medium, low)",
    },
    why_name={
        (
            "priority",
            "none",
        ): "Apollo gives every task a priority (high, medium, low): leave priority "
        "empty for Apollo's default, medium"
    },
    order=0,
)
