"""Resolving emails to Apollo ids: users search and contacts search.

Endpoints and facts relied on (../shared/api-docs/NOTES.md, section 1):
- `GET /api/v1/users/search?page=&per_page=` (master key) → `{pagination, users: [{id, email}]}`;
  pagination numbers may arrive as strings; paged through to the end (a team has few users), which
  also lets us refuse unknown `user_id`s before any create call.
- `POST /api/v1/contacts/search` with `q_keywords`: a keyword match over names, titles, employers
  and emails, so the answer is compared to the email exactly (case-insensitively) on our side;
  two contacts with that exact email are ambiguous and the row is refused.
Results are cached for the life of the lookup (one push run).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from clients.core.client import ApiClient

USERS_SEARCH = "/api/v1/users/search"
CONTACTS_SEARCH = "/api/v1/contacts/search"
PER_PAGE = 100
# Stop guards: a team's users fit in far fewer pages; an exact email in far fewer contacts.
MAX_USER_PAGES = 1_000
MAX_CONTACT_PAGES = 10


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


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
            by_email: dict[str, list[str]] = {}
            for page in range(1, MAX_USER_PAGES + 1):
                body = self.client.request_json(
                    "GET", USERS_SEARCH, params={"page": page, "per_page": PER_PAGE}
                )
                users = body.get("users") or [] if isinstance(body, dict) else []
                for user in users:
                    if not isinstance(user, dict) or not user.get("id"):
                        continue
                    self._user_ids.add(str(user["id"]))
                    if user.get("email"):
                        by_email.setdefault(str(user["email"]).lower(), []).append(str(user["id"]))
                pagination = body.get("pagination") or {} if isinstance(body, dict) else {}
                total_pages = _int(pagination.get("total_pages"), page)
                # Stop on a short page too: total_pages is not always to be trusted.
                if len(users) < PER_PAGE or page >= total_pages:
                    break
            self._users = by_email
        return self._users, self._user_ids

    def contacts_by_email(self, emails: Iterable[str]) -> dict[str, list[str]]:
        """Exact (case-insensitive) email matches for each email; cached."""
        for email in sorted({e.lower() for e in emails} - set(self._contacts)):
            ids: list[str] = []
            for page in range(1, MAX_CONTACT_PAGES + 1):
                body = self.client.request_json(
                    "POST",
                    CONTACTS_SEARCH,
                    json={"q_keywords": email, "page": page, "per_page": PER_PAGE},
                )
                contacts = body.get("contacts") or [] if isinstance(body, dict) else []
                for contact in contacts:
                    if (
                        isinstance(contact, dict)
                        and str(contact.get("email") or "").lower() == email
                        and contact.get("id")
                    ):
                        ids.append(str(contact["id"]))
                if len(contacts) < PER_PAGE:
                    break
            self._contacts[email] = sorted(set(ids))
        return self._contacts
