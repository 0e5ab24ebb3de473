"""Apollo.io lookups: the team's users (`GET /api/v1/users/search`) and contacts by email
(`POST /api/v1/contacts/search`), for the source (owners' names, slicing by owner) and the sink
(emails to ids, refusing unknown ids before any create).

Facts relied on (Apollo's API reference, "Search for Users" and "Search for Contacts"):
- Users search needs a master key and answers `{pagination, users: [{id, email, ...}]}`; a team
  has few users, so it is read to the end (see `paging` for when a list ends).
- Contacts search's `q_keywords` is a keyword match over names, titles, employers and emails, so
  answers are compared to the email exactly (case-insensitively) here.
- Paging a list can repeat a page; a page without a single new user ends the list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sales_tasks.clients.apollo.endpoints import CONTACTS_SEARCH, USERS_SEARCH, quota_key
from sales_tasks.clients.apollo.paging import LOOKUP_PER_PAGE, apollo_paginator
from sales_tasks.clients.core.paginators import JsonRequester, ShortPagePaginator, paginate

TUser = dict[str, Any]

# Stop guard of one email's contacts search: an exact email has far fewer matches.
MAX_CONTACT_PAGES = 10


def list_users(client: JsonRequester) -> list[TUser]:
    """Every user (teammate) of the Apollo team, each once, in Apollo's order."""
    users: list[TUser] = []
    seen: set[str] = set()
    for page in paginate(
        client,
        "GET",
        USERS_SEARCH,
        apollo_paginator(LOOKUP_PER_PAGE),
        items_path="users",
        endpoint=quota_key(USERS_SEARCH),
    ):
        fresh = [u for u in page.items if u.get("id") not in seen]
        if not fresh:  # the vendor served a page we already have: stop, never loop
            break
        for user in fresh:
            seen.add(str(user.get("id")))
        users.extend(fresh)
    return users


def users_by_email(users: Iterable[TUser]) -> tuple[dict[str, list[str]], set[str]]:
    """Users' ids by lower-cased email, and the set of all ids (users without an id are skipped)."""
    by_email: dict[str, list[str]] = {}
    ids: set[str] = set()
    for user in users:
        if not user.get("id"):
            continue
        ids.add(str(user["id"]))
        if user.get("email"):
            by_email.setdefault(str(user["email"]).lower(), []).append(str(user["id"]))
    return by_email, ids


def contact_ids_with_email(client: JsonRequester, email: str) -> list[str]:
    """Ids of the contacts whose email is exactly `email` (case-insensitively), sorted, unique."""
    wanted = email.lower()
    ids: set[str] = set()
    for page in paginate(
        client,
        "POST",
        CONTACTS_SEARCH,
        ShortPagePaginator(LOOKUP_PER_PAGE, maximum_page=MAX_CONTACT_PAGES, in_body=True),
        items_path="contacts",
        json={"q_keywords": wanted},
        endpoint=quota_key(CONTACTS_SEARCH),
    ):
        for contact in page.items:
            if str(contact.get("email") or "").lower() == wanted and contact.get("id"):
                ids.add(str(contact["id"]))
    return sorted(ids)
