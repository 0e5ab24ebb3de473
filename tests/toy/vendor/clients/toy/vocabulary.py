"""Toy's codes in the shared task vocabulary."""

from sales_tasks.clients.core.vocabulary import Vocabulary

_TYPES = {
    "call": "call",
    "email": "email",
    "todo": "todo",
    **dict.fromkeys(
        (
            "linkedin_connect",
            "linkedin_message",
            "linkedin_inmail",
            "linkedin_view_profile",
            "linkedin_interact",
            "whatsapp_message",
            "whatsapp_call",
            "sms",
            "meeting",
        )
    ),
}

VOCABULARY = Vocabulary(
    title="Toy",
    to={
        "type": _TYPES,
        "status": {
            "open": "open",
            "completed": None,
            "skipped": None,
            "cancelled": None,
            "archived": None,
        },
        "priority": {"urgent": None, "high": None, "medium": None, "low": None, "none": ""},
    },
    read={
        "type": {"call": "call", "email": "email", "todo": "todo"},
        "status": {"open": "open", "done": "completed", "cancelled": "cancelled"},
        "priority": {"": "none"},
    },
    why={
        "type": "Toy has no {name} task type",
        "status": "Toy creates tasks open",
        "priority": "Toy tasks have no priority",
    },
    order=1000,
)
