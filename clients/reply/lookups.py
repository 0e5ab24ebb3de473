"""Reply.io lookups: contacts by email (`GET /v3/contacts?email=`), for the sink's
`contact_email` column.

Facts relied on: API 3.0 documents no contact search [?]; the guess (emulated by the sandbox) is
`GET /v3/contacts?email=&top=&skip=` answering `{items, hasMore}` like the task lists. A match
may be loose (a substring, another case), so answers are compared to the email exactly
(case-insensitively) here.
"""

from __future__ import annotations

from typing import Any

from clients.core.paginators import JsonRequester, paginate
from clients.core.values import lenient_int
from clients.reply.endpoints import CONTACTS, quota_key
from clients.reply.paging import ITEMS, reply_paginator

TContact = dict[str, Any]

LOOKUP_TOP = 100
# Stop guard of one email's lookup: an exact email has far fewer matches.
MAX_CONTACT_PAGES = 10


def contact_ids_with_email(client: JsonRequester, email: str) -> list[int]:
    """Integer ids of the contacts whose email is exactly `email` (case-insensitively), sorted."""
    wanted = email.strip().lower()
    ids: set[int] = set()
    for page in paginate(
        client,
        "GET",
        CONTACTS,
        reply_paginator(LOOKUP_TOP, maximum_page=MAX_CONTACT_PAGES),
        items_path=ITEMS,
        params={"email": wanted},
        endpoint=quota_key(CONTACTS),
    ):
        for contact in page.items:
            found = lenient_int(contact.get("id"))
            if str(contact.get("email") or "").strip().lower() == wanted and found is not None:
                ids.add(found)
    return sorted(ids)
