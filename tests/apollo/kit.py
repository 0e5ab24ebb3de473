"""Apollo.io's answers to the standard kit (`tests/kit`)."""

from __future__ import annotations

from typing import Any

from tests.kit.vendor import KitVendor
from tests.sink.conftest import task_rows


def push_rows(sb: Any, n: int) -> list[dict[str, Any]]:
    """n calls for distinct sandbox contacts, owned by its first user."""
    return [{**row, "request_id": f"kit-{i}"} for i, row in enumerate(task_rows(sb, n))]


KIT = KitVendor(
    key=lambda sb: str(sb.master_key),
    small_pages={"per_page": 25},
    push_rows=push_rows,
)
