"""Reply.io lookups: contacts by email (`GET /v3/contacts?email=`), for the sink's
`contact_email` column.

Facts relied on (VENDOR-SPECS.md §1.5, RS @597,500): `GET /v3/contacts?email=&top=&skip=`
(scope `contacts:read`) is an exact-match lookup answering `{items: Contact[], hasMore}`; a
contact has `id` (int) and `email`. Whether "exact" ignores case is not said, and Reply may keep
two contacts whose emails differ only in case, so the email is sent as given and the answers are
compared here: case-insensitively, or exactly when asked (`exact_case`).
"""

from __future__ import annotations

from typing import Any

from sales_tasks.clients.core.paginators import JsonRequester, paginate
from sales_tasks.clients.core.values import lenient_int
from sales_tasks.clients.reply.endpoints import CONTACTS, quota_key
from sales_tasks.clients.reply.paging import ITEMS, reply_paginator

TContact = dict[str, Any]

LOOKUP_TOP = 100
# Stop guard of one email's lookup: an exact email has far fewer matches.
MAX_CONTACT_PAGES = 10


def contacts_with_email(client: JsonRequester, email: str) -> list[TContact]:
    """The contacts whose email is `email` ignoring case, each once, by id."""
    given = email.strip()
    found: dict[int, TContact] = {}
    for page in paginate(
        client,
        "GET",
        CONTACTS,
        reply_paginator(LOOKUP_TOP, maximum_page=MAX_CONTACT_PAGES),
        items_path=ITEMS,
        params={"email": given},
        endpoint=quota_key(CONTACTS),
    ):
        for contact in page.items:
            contact_id = lenient_int(contact.get("id"))
            same = str(contact.get("email") or "").strip().lower() == given.lower()
            if same and contact_id is not None:
                found.setdefault(contact_id, contact)
    return [found[i] for i in sorted(found)]


def contact_ids_with_email(
    client: JsonRequester, email: str, *, exact_case: bool = False
) -> list[int]:
    """Integer ids of the contacts with `email` (ignoring case, or exactly), sorted."""
    given = email.strip()
    return [
        int(c["id"])
        for c in contacts_with_email(client, given)
        if not exact_case or str(c.get("email") or "").strip() == given
    ]
