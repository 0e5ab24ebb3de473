"""What a vendor declares for the shared task vocabulary (`sales_tasks.clients.vocabulary`): one
`Vocabulary` value, `VOCABULARY` in its `clients/<vendor>/vocabulary.py`.

Vendor codes are text, as the push contract carries them. Data only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

TKind = Literal["type", "status", "priority"]
KINDS: tuple[TKind, ...] = ("type", "status", "priority")


@dataclass(frozen=True)
class Vocabulary:
    """One vendor's mapping to and from the shared names.

    Attributes:
        title: the vendor as the vocabulary table's column names it.
        to: writing: kind -> shared name -> the vendor's code, or None (no equivalent). Every
            shared name of the kind is a key.
        read: reading: kind -> every code the vendor answers with -> its shared name (codes
            compared as text, case-insensitively; "" is the empty code).
        why: kind -> why the vendor has no equivalent (`{name}` is the shared name).
        why_name: (kind, shared name) -> a reason for that one name, where the kind's reads wrong.
        shown: kind -> code -> how the vocabulary table spells it ("" hides it), for codes that
            are spellings of one another.
        order: where the vendor's column stands in the table (lower first; then by name).
    """

    title: str
    to: Mapping[TKind, Mapping[str, str | None]]
    read: Mapping[TKind, Mapping[str, str]]
    why: Mapping[TKind, str]
    why_name: Mapping[tuple[TKind, str], str] = field(default_factory=dict)
    shown: Mapping[TKind, Mapping[str, str]] = field(default_factory=dict)
    order: int = 100
