"""Saleshandy's codes in the shared task vocabulary (`sales_tasks.clients.vocabulary`): string codes
("2".."18", priorities "1".."4"). Reading is lossy where Saleshandy is finer than the vocabulary
(its five call kinds are all `call`); writing picks the most neutral code (`call` is "15", Call
other). Saleshandy creates every task open; the other states come from working it."""

from __future__ import annotations

from sales_tasks.clients.core.vocabulary import Vocabulary

VOCABULARY = Vocabulary(
    title="Saleshandy",
    to={
        "type": {
            "call": "15",
            "email": None,
            "linkedin_connect": "2",
            "linkedin_message": "3",
            "linkedin_inmail": "4",
            "linkedin_view_profile": "5",
            "linkedin_interact": "6",
            "whatsapp_message": "16",
            "whatsapp_call": "18",
            "sms": None,
            "meeting": None,
            "todo": "9",
        },
        "status": {
            "open": "open",
            "completed": None,
            "skipped": None,
            "cancelled": None,
            "archived": None,
        },
        "priority": {"urgent": "1", "high": "2", "medium": "3", "low": "4", "none": ""},
    },
    read={
        "type": {
            "2": "linkedin_connect",
            "3": "linkedin_message",
            "4": "linkedin_inmail",
            "5": "linkedin_view_profile",
            "6": "linkedin_interact",
            "9": "todo",
            "11": "call",
            "12": "call",
            "13": "call",
            "14": "call",
            "15": "call",
            "16": "whatsapp_message",
            "17": "whatsapp_message",
            "18": "whatsapp_call",
        },
        "status": {
            "upcoming": "open",
            "overdue": "open",
            "duetoday": "open",
            "open": "open",
            "completed": "completed",
            "skipped": "skipped",
        },
        "priority": {"1": "urgent", "2": "high", "3": "medium", "4": "low", "": "none"},
    },
    why={
        "type": "Saleshandy has no {name} task type (LinkedIn, call, WhatsApp and custom tasks)",
        "status": "Saleshandy creates tasks open: a new task cannot be {name}",
        "priority": "Saleshandy has no {name} priority",
    },
    shown={"status": {"duetoday": "dueToday", "open": ""}},
    order=10,
)
