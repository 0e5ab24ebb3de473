"""The toy vendor's answers to the standard kit (`tests/kit`)."""

from __future__ import annotations

from typing import Any

from tests.kit.vendor import KitVendor


def push_rows(sb: Any, n: int) -> list[dict[str, Any]]:
    """n calls for contacts the toy has never seen (it accepts any contact id)."""
    return [
        {
            "request_id": f"kit-{i}",
            "contact_id": f"c9{i:03d}",
            "type": "call",
            "due_at": "2030-01-02T09:00:00Z",
            "note": f"kit follow-up {i}",
        }
        for i in range(n)
    ]


KIT = KitVendor(
    key=lambda sb: str(sb.api_key),
    small_pages={"per_page": 10},
    push_rows=push_rows,
    sandbox={"tasks": 40, "seed": 1},
)
