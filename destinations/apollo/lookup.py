"""Resolving emails to Apollo ids for the push, cached for the life of one run.

The requests and their paging are Apollo's lookups, shared with the source
(`sales_tasks.clients.apollo.lookups`: `GET /api/v1/users/search`, `POST /api/v1/contacts/search`). Facts
relied on (Apollo's API reference, "Search for Users" and "Search for Contacts"):
- Users search needs a master key; the team's users are read to the end, which also lets us
  refuse unknown `user_id`s before any create call.
- Contacts search's `q_keywords` is a keyword match, so answers are compared to the email exactly
  (case-insensitively); two contacts with that exact email are ambiguous and the row is refused.
"""

from __future__ import annotations

from collections.abc import Iterable

from sales_tasks.clients.apollo.lookups import contact_ids_with_email, list_users, users_by_email
from sales_tasks.clients.core.client import ApiClient


class ApolloLookup:
    """Users and contacts by email, cached."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client
        self._users: dict[str, list[str]] | None = None  # lower email -> ids
        self._user_ids: set[str] = set()
        self._contacts: dict[str, list[str]] = {}  # lower email -> ids

    def users(self) -> tuple[dict[str, list[str]], set[str]]:
        """All users of the team: by lower-cased email, and the set of ids."""
        if self._users is None:
            self._users, self._user_ids = users_by_email(list_users(self.client))
        return self._users, self._user_ids

    def contacts_by_email(self, emails: Iterable[str]) -> dict[str, list[str]]:
        """Exact (case-insensitive) email matches for each email; cached."""
        for email in sorted({e.lower() for e in emails} - set(self._contacts)):
            self._contacts[email] = contact_ids_with_email(self.client, email)
        return self._contacts
