"""Saleshandy's answers to the standard kit (`tests/kit`)."""

from __future__ import annotations

from tests.kit.vendor import KitVendor
from tests.saleshandy.sh_push_helpers import prospect_ids, rows_for

KIT = KitVendor(
    key=lambda sb: str(sb.api_key),
    small_pages={"page_size": 25},
    push_rows=lambda sb, n: rows_for(prospect_ids(sb, n), prefix="kit"),
)
