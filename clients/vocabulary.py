"""One task vocabulary across vendors: shared type, status and priority names, mapped to and
from each vendor's codes. The README's "Across vendors" table is this module.

Each vendor declares its mapping as data, `VOCABULARY` (a `sales_tasks.clients.core.vocabulary.Vocabulary`)
in `clients/<vendor>/vocabulary.py`, found by discovery: nothing here names a vendor. Where a
vendor has no equivalent of a shared name, its mapping says why (`unsupported`), and a push
rejects a row asking for it with that reason. Reading is lossy only where the vendor is finer
than the vocabulary; writing picks the vendor's most neutral code.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType

from sales_tasks.clients.core.discovery import discover
from sales_tasks.clients.core.vocabulary import KINDS, TKind, Vocabulary

__all__ = ["KINDS", "TKind", "Vocabulary"]

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


@functools.cache
def vocabularies() -> dict[str, Vocabulary]:
    """Every vendor's vocabulary, by vendor name, in the vendors' order (then by name)."""
    found = discover(
        "clients", lambda module, _vendor: getattr(module, "VOCABULARY", None), "vocabulary"
    )
    return dict(sorted(found.items(), key=lambda item: (item[1].order, item[0])))


# The vendors with a vocabulary when this module was imported (`vocabularies()` is current).
VENDORS: tuple[str, ...] = tuple(vocabularies())
TITLES: Mapping[str, str] = MappingProxyType({v: voc.title for v, voc in vocabularies().items()})


def _shared_name(name: str) -> str:
    key = name.strip().lower()
    return SYNONYMS.get(key, key)


def _check(vendor: str, kind: str) -> Vocabulary:
    found = vocabularies()
    if vendor not in found:
        raise ValueError(f"unknown vendor {vendor!r}: one of {', '.join(found)}")
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: one of {', '.join(KINDS)}")
    return found[vendor]


def to_vendor(vendor: str, kind: TKind, shared: str) -> str | None:
    """The vendor's code for a shared name (None: the vendor has no equivalent).

    Raises:
        ValueError: `vendor`, `kind` or the shared name is unknown.
    """
    name = _shared_name(shared)
    table = _check(vendor, kind).to[kind]
    if name not in table:
        raise ValueError(f"{shared!r} is not a shared {kind}: one of {', '.join(SHARED[kind])}")
    return table[name]


def from_vendor(vendor: str, kind: TKind, code: object) -> str | None:
    """The shared name of a vendor's code as read from its API (None: a code we do not know).

    Codes are compared as text, case-insensitively; None reads as the empty code.
    """
    key = "" if code is None else str(code).strip()
    table = _check(vendor, kind).read[kind]
    return table.get(key, table.get(key.lower()))


def reading_table(vendor: str, kind: TKind) -> dict[str, str]:
    """Every code the vendor answers with -> its shared name (a copy), e.g. for SQL CASEs."""
    return dict(_check(vendor, kind).read[kind])


def accepted_names(vendor: str, kind: TKind) -> dict[str, str]:
    """Every shared name (and synonym) the vendor has an equivalent for -> its code, for a
    push's `InputRules.names`."""
    names = {name: code for name, code in _check(vendor, kind).to[kind].items() if code is not None}
    for synonym, name in SYNONYMS.items():
        if kind == "type" and name in names:
            names.setdefault(synonym, names[name])
    return names


def unsupported(vendor: str, kind: TKind) -> dict[str, str]:
    """Shared names the vendor has no equivalent for -> why, for a push's rejections."""
    vocabulary = _check(vendor, kind)
    why = vocabulary.why[kind]
    return {
        name: vocabulary.why_name.get((kind, name)) or why.format(name=name.replace("_", " "))
        for name, code in vocabulary.to[kind].items()
        if code is None
    }


def _cell(vendor: str, kind: TKind, name: str) -> str:
    vocabulary = vocabularies()[vendor]
    written = vocabulary.to[kind][name]
    spelled = vocabulary.shown.get(kind, {})
    read = [
        spelled.get(code, code)
        for code, shared in vocabulary.read[kind].items()
        if shared == name and spelled.get(code) != ""
    ]
    shown = ", ".join(f"`{c}`" if c else "(empty)" for c in read)
    if written is None:
        return f"{shown} (read only)" if read else "-"
    if read == [written] or not read:
        return f"`{written}`" if written else "(empty)"
    return f"{shown} (push: `{written}`)" if written else f"{shown} (push: empty)"


def table_rows(kind: TKind) -> list[tuple[str, ...]]:
    """(shared name, then one cell per vendor) per shared name: the codes read as it, the one
    a push writes, `-` where a vendor has none: the README's vocabulary table."""
    vendors = list(vocabularies())
    return [(f"`{name}`", *(_cell(v, kind, name) for v in vendors)) for name in SHARED[kind]]


def markdown_table(kind: TKind) -> str:
    """The README's table of one kind."""
    titles = [voc.title for voc in vocabularies().values()]
    head = f"| {kind} | {' | '.join(titles)} |\n|{'---|' * (len(titles) + 1)}\n"
    return head + "\n".join("| " + " | ".join(row) + " |" for row in table_rows(kind))
