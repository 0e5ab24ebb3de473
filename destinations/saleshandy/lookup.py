"""Prospect emails to Saleshandy prospect ids for the push, cached for the life of one run.

The request and its paging are Saleshandy's lookup, shared with the source
(`sales_tasks.clients.saleshandy.lookups.prospect_ids_with_email`: `GET /v1/prospects?search=`, a text
search whose answers are compared to the email exactly, case-insensitively). One search per
distinct email: a push by email costs a call per prospect before any create, so ids are the
cheaper input when the warehouse has them.
"""

from __future__ import annotations

from collections.abc import Iterable

from sales_tasks.clients.core.paginators import JsonRequester
from sales_tasks.clients.saleshandy.lookups import prospect_ids_with_email


class SaleshandyLookup:
    """Prospects by email, cached."""

    def __init__(self, client: JsonRequester) -> None:
        self.client = client
        self._by_email: dict[str, list[str]] = {}  # lower email -> ids

    def by_email(self, emails: Iterable[str]) -> dict[str, list[str]]:
        """Exact (case-insensitive) email matches for each email, keyed by the lower email."""
        for email in sorted({e.strip().lower() for e in emails} - set(self._by_email)):
            self._by_email[email] = prospect_ids_with_email(self.client, email)
        return self._by_email
