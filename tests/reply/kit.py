"""Reply.io's answers to the standard kit (`tests/kit`)."""

from __future__ import annotations

from tests.kit.vendor import KitVendor
from tests.reply.reply_push_support import reply_rows

KIT = KitVendor(
    key=lambda sb: str(sb.api_key),
    small_pages={"top": 25},
    push_rows=reply_rows,
)
