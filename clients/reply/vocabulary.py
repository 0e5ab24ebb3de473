"""Reply.io's codes in the shared task vocabulary (`sales_tasks.clients.vocabulary`): numbers as text
("0".."9", statuses "0".."5"), a LinkedIn task's subtype written `5.N` (taskType 5,
linkedInTaskType N: 0 message, 1 connect, 2 InMail, 3 view profile), which the Reply adapter
splits. A created Reply task is New; the other states come from working it."""

from __future__ import annotations

from sales_tasks.clients.core.vocabulary import Vocabulary

VOCABULARY = Vocabulary(
    title="Reply.io",
    to={
        "type": {
            "call": "2",
            "email": "7",
            "linkedin_connect": "5.1",
            "linkedin_message": "5.0",
            "linkedin_inmail": "5.2",
            "linkedin_view_profile": "5.3",
            "linkedin_interact": None,
            "whatsapp_message": "9",
            "whatsapp_call": None,
            "sms": "8",
            "meeting": "4",
            "todo": "0",
        },
        "status": {
            "open": "0",
            "completed": None,
            "skipped": None,
            "cancelled": None,
            "archived": None,
        },
        "priority": {"urgent": None, "high": None, "medium": None, "low": None, "none": ""},
    },
    read={
        "type": {
            "0": "todo",
            "2": "call",
            "4": "meeting",
            "5.0": "linkedin_message",
            "5.1": "linkedin_connect",
            "5.2": "linkedin_inmail",
            "5.3": "linkedin_view_profile",
            "7": "email",
            "8": "sms",
            "9": "whatsapp_message",
        },
        "status": {
            "0": "open",
            "1": "completed",
            "3": "cancelled",
            "4": "archived",
            "5": "cancelled",
        },
        "priority": {"": "none"},
    },
    why={
        "type": "Reply.io has no {name} task type",
        "status": "Reply.io creates tasks as New (open): a new task cannot be {name}",
        "priority": "Reply.io tasks have no priority: leave priority empty (or none)",
    },
    order=20,
)
