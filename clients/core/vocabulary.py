"""One task vocabulary across vendors: shared type, status and priority names, mapped to and
from each vendor's codes. Data only; the README's "Across vendors" table is this module.

Where a vendor has no equivalent of a shared name, its mapping says why (`unsupported`), and a push
rejects a row asking for it with that reason. Reading is lossy only where the vendor is finer than
the vocabulary (Saleshandy's five call kinds are all `call`); writing picks the vendor's most
neutral code (Saleshandy `call` is "15", Call other).

Vendor codes are text, as the push contract carries them: Apollo's names; Saleshandy's string codes
("2".."18", priorities "1".."4"); Reply's numbers as text ("0".."9", statuses "0".."5"), with a
LinkedIn task's subtype written `5.N` (taskType 5, linkedInTaskType N: 0 message, 1 connect,
2 InMail, 3 view profile), which the Reply adapter splits.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

TKind = Literal["type", "status", "priority"]
KINDS: tuple[TKind, ...] = ("type", "status", "priority")

SHARED_TYPES: tuple[str, ...] = (
    "call",
    "email",
    "linkedin_connect",
    "linkedin_message",
    "linkedin_inmail",
    "linkedin_view_profile",
    "linkedin_interact",
    "whatsapp_message",
    "whatsapp_call",
    "sms",
    "meeting",
    "todo",
)
SHARED_STATUSES: tuple[str, ...] = ("open", "completed", "skipped", "cancelled", "archived")
SHARED_PRIORITIES: tuple[str, ...] = ("urgent", "high", "medium", "low", "none")
SHARED: Mapping[TKind, tuple[str, ...]] = MappingProxyType(
    {"type": SHARED_TYPES, "status": SHARED_STATUSES, "priority": SHARED_PRIORITIES}
)
# Other spellings people use for a shared name.
SYNONYMS: Mapping[str, str] = MappingProxyType({"custom": "todo", "action_item": "todo"})

VENDORS: tuple[str, ...] = ("apollo", "saleshandy", "reply")
TITLES: Mapping[str, str] = MappingProxyType(
    {"apollo": "Apollo", "saleshandy": "Saleshandy", "reply": "Reply.io"}
)

# Writing: shared name -> the vendor's code, or None (no equivalent; see _WHY).
_TO: dict[str, dict[TKind, dict[str, str | None]]] = {
    "apollo": {
        "type": {
            "call": "call",
            "email": "outreach_manual_email",
            "linkedin_connect": "linkedin_step_connect",
            "linkedin_message": "linkedin_step_message",
            "linkedin_inmail": None,
            "linkedin_view_profile": "linkedin_step_view_profile",
            "linkedin_interact": "linkedin_step_interact_post",
            "whatsapp_message": None,
            "whatsapp_call": None,
            "sms": None,
            "meeting": None,
            "todo": "action_item",
        },
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
    "saleshandy": {
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
        # Saleshandy creates every task open; the other states come from working it.
        "status": {
            "open": "open",
            "completed": None,
            "skipped": None,
            "cancelled": None,
            "archived": None,
        },
        "priority": {"urgent": "1", "high": "2", "medium": "3", "low": "4", "none": ""},
    },
    "reply": {
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
        # A created Reply task is New; the other states come from working it.
        "status": {
            "open": "0",
            "completed": None,
            "skipped": None,
            "cancelled": None,
            "archived": None,
        },
        "priority": {"urgent": None, "high": None, "medium": None, "low": None, "none": ""},
    },
}

_WHY: dict[str, dict[TKind, str]] = {
    "apollo": {
        "type": "Apollo has no {name} task type (it has call, manual email, four LinkedIn steps"
        " and action item)",
        "status": "Apollo has no {name} status (scheduled, completed, skipped)",
        "priority": "Apollo has no {name} priority (high, medium, low)",
    },
    "saleshandy": {
        "type": "Saleshandy has no {name} task type (LinkedIn, call, WhatsApp and custom tasks)",
        "status": "Saleshandy creates tasks open: a new task cannot be {name}",
        "priority": "Saleshandy has no {name} priority",
    },
    "reply": {
        "type": "Reply.io has no {name} task type",
        "status": "Reply.io creates tasks as New (open): a new task cannot be {name}",
        "priority": "Reply.io tasks have no priority: leave priority empty (or none)",
    },
}

# Reasons for single names, where the kind's sentence reads wrong.
_WHY_NAME: dict[tuple[str, TKind, str], str] = {
    ("apollo", "priority", "none"): "Apollo gives every task a priority (high, medium, low):"
    " leave priority empty for Apollo's default, medium",
}

# Reading: the vendor's code -> shared name (every code the vendor can answer with).
_FROM: dict[str, dict[TKind, dict[str, str]]] = {
    "apollo": {
        "type": {code: name for name, code in _TO["apollo"]["type"].items() if code is not None},
        "status": {"scheduled": "open", "completed": "completed", "skipped": "skipped"},
        "priority": {"high": "high", "medium": "medium", "low": "low"},
    },
    "saleshandy": {
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
        # The list's status filter values; upcoming, due today and overdue are all still open.
        "status": {
            "upcoming": "open",
            "duetoday": "open",
            "overdue": "open",
            "open": "open",
            "completed": "completed",
            "skipped": "skipped",
        },
        "priority": {"1": "urgent", "2": "high", "3": "medium", "4": "low", "": "none"},
    },
    "reply": {
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
}


def _shared_name(name: str) -> str:
    key = name.strip().lower()
    return SYNONYMS.get(key, key)


def _check(vendor: str, kind: str) -> None:
    if vendor not in _TO:
        raise ValueError(f"unknown vendor {vendor!r}: one of {', '.join(VENDORS)}")
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: one of {', '.join(KINDS)}")


def to_vendor(vendor: str, kind: TKind, shared: str) -> str | None:
    """The vendor's code for a shared name (None: the vendor has no equivalent).

    Raises:
        ValueError: `vendor`, `kind` or the shared name is unknown.
    """
    _check(vendor, kind)
    name = _shared_name(shared)
    table = _TO[vendor][kind]
    if name not in table:
        raise ValueError(f"{shared!r} is not a shared {kind}: one of {', '.join(SHARED[kind])}")
    return table[name]


def from_vendor(vendor: str, kind: TKind, code: object) -> str | None:
    """The shared name of a vendor's code as read from its API (None: a code we do not know).

    Codes are compared as text, case-insensitively; None reads as the empty code.
    """
    _check(vendor, kind)
    key = "" if code is None else str(code).strip()
    table = _FROM[vendor][kind]
    return table.get(key, table.get(key.lower()))


def reading_table(vendor: str, kind: TKind) -> dict[str, str]:
    """Every code the vendor answers with -> its shared name (a copy), e.g. for SQL CASEs."""
    _check(vendor, kind)
    return dict(_FROM[vendor][kind])


def accepted_names(vendor: str, kind: TKind) -> dict[str, str]:
    """Every shared name (and synonym) the vendor has an equivalent for -> its code, for a
    push's `InputRules.names`."""
    _check(vendor, kind)
    names = {name: code for name, code in _TO[vendor][kind].items() if code is not None}
    for synonym, name in SYNONYMS.items():
        if kind == "type" and name in names:
            names.setdefault(synonym, names[name])
    return names


def unsupported(vendor: str, kind: TKind) -> dict[str, str]:
    """Shared names the vendor has no equivalent for -> why, for a push's rejections."""
    _check(vendor, kind)
    why = _WHY[vendor][kind]
    return {
        name: _WHY_NAME.get((vendor, kind, name)) or why.format(name=name.replace("_", " "))
        for name, code in _TO[vendor][kind].items()
        if code is None
    }


def _cell(vendor: str, kind: TKind, name: str) -> str:
    written = _TO[vendor][kind][name]
    read = [code for code, shared in _FROM[vendor][kind].items() if shared == name]
    if vendor == "saleshandy" and kind == "status":  # the list's filter spellings, once
        read = [c for c in read if c != "open" and c != "duetoday"] + (
            ["dueToday"] if "duetoday" in read else []
        )
    shown = ", ".join(f"`{c}`" if c else "(empty)" for c in read)
    if written is None:
        return f"{shown} (read only)" if read else "-"
    if read == [written] or not read:
        return f"`{written}`" if written else "(empty)"
    return f"{shown} (push: `{written}`)" if written else f"{shown} (push: empty)"


def table_rows(kind: TKind) -> list[tuple[str, ...]]:
    """(shared name, Apollo, Saleshandy, Reply.io) per shared name: the codes read as it, the one
    a push writes, `-` where a vendor has none: the README's vocabulary table."""
    return [(f"`{name}`", *(_cell(v, kind, name) for v in VENDORS)) for name in SHARED[kind]]


def markdown_table(kind: TKind) -> str:
    """The README's table of one kind."""
    head = f"| {kind} | Apollo | Saleshandy | Reply.io |\n|---|---|---|---|\n"
    return head + "\n".join("| " + " | ".join(row) + " |" for row in table_rows(kind))
