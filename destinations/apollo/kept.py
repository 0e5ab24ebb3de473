"""The push's reconciliation reads, kept for the run: a look reads only what entered the list.

A push's looks (`sales_tasks.destinations.core.reconcile`) search the same contacts again and
again, and each used to read every task those contacts hold (3,000 and growing in a follow-up
campaign for 25 contacts) while the push's own creates kept changing the list. This keeps the
last trusted read and has the next look read the list from its top only down to where that read
began.

Facts relied on (`shared/api-docs/VENDOR-SPECS.md` 3.2, NOTES.md "Search for Tasks"):
- `POST /api/v1/tasks/search` pages by position (`page`, `per_page`, query string) and every
  page carries `pagination.total_entries`, the size of the searched list (VENDOR-SPECS line
  214, 3.2; NOTES line 26 for the params, line 40 for the answer; `search.py` the rest).
- The order of a search without `sort_by_field` is **not documented** (VENDOR-SPECS line 214
  and NOTES line 26 document only `task_due_at` and `task_priority`). Nothing here assumes it: a
  read is kept only when its tasks came newest first on the data (`created_at` never increasing
  over the whole list, `SearchPass.newest_first`), and a kept read is used only while the pages
  read again still come newest first. The sandbox serves either order (`default_order`: `newest_first`, as the
  legacy example sorted by creation, or `oldest_first`), tested both ways; with the other order
  nothing is kept and every look reads the whole list, as before.

Why the rest of the list need not be read again. In a list newest first, the tasks from the
kept read's first task N to the list's end are the tasks created no later than N. A look reads
from page 1 down to the page where N shows again, and stops there only when the page's own
`total_entries` leaves exactly as many tasks from N to the end as were kept, and every task read
so far came newest first. Tasks created since enter above N, so they are read; a task indexed
late (created before N, shown after the kept read) would enter below N and make the count
differ, and so would a deletion below N; the read then goes on to the list's end, a plain read
judged as before (`search_pass`). What the count cannot tell apart is one task entering below N
while another is deleted below N between the two reads (the same residual assumption as
`search_pass`'s proof, over a longer time). A kept task is the one read then; a task edited
since (its note, its status) may match where its new version would not: that can only make a
task the push created count as found, never make a created task look absent.

Which contacts a read covers: a look's contacts that are all in the kept read's are served from
it (their tasks picked out). A look that brings new contacts reads the union with the kept
read's when at least half of its own contacts are in it (a few contacts searched again and
again: the follow-up campaign's shape) and the union stays within `max_contacts` (what one
search carries: the vendor's contacts per call, which the reconciler uses as its
`contacts_per_search`); otherwise it reads its own contacts only, and that read is kept instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sales_tasks.clients.core.client import ApiClient
from sales_tasks.destinations.apollo.search import (
    CAPPED,
    PAGES_AT_ONCE,
    PASSES,
    SEARCH_PER_PAGE,
    SHIFTING,
    SearchPass,
    pass_at_once,
    search_pass,
)
from sales_tasks.destinations.apollo.settings import DEFAULT_MAX_CONTACTS_PER_CALL


@dataclass
class KeptRead:
    """The last trusted newest-first read: its contacts and every task it listed, in order."""

    contacts: frozenset[str]
    listed: list[dict[str, Any]] = field(default_factory=list)
    created: list[datetime | None] = field(default_factory=list)  # of `listed`, parsed


@dataclass
class SearchStats:
    """What the reads cost: passes and pages, and how many tasks were taken from a kept read."""

    passes: int = 0
    pages: int = 0
    from_kept: int = 0
    kept_used: int = 0


class KeptSearch:
    """Every task Apollo holds for some contacts, reading only what entered since the last read.

    One instance per push run (the vendor holds it); the reconciler takes one look at a time,
    so its reads never run at once. `keep=False` reads every look whole (as before).
    """

    def __init__(
        self,
        client: ApiClient,
        *,
        passes: int = PASSES,
        at_once: int = PAGES_AT_ONCE,
        keep: bool = True,
        max_contacts: int = DEFAULT_MAX_CONTACTS_PER_CALL,
        per_page: int = SEARCH_PER_PAGE,
    ) -> None:
        self.client = client
        self.per_page = per_page
        self.passes = max(1, passes)
        self.at_once = at_once
        self.keep = keep
        self.max_contacts = max(1, max_contacts)
        self.kept: KeptRead | None = None
        self.stats = SearchStats()

    def contact_tasks(self, contacts: Sequence[str]) -> tuple[list[dict[str, Any]] | None, str]:
        """Every task Apollo holds for `contacts`, or (None, why) when that cannot be known."""
        wanted = frozenset(str(c) for c in contacts)
        kept = self.kept if self.keep else None
        if kept is not None and wanted <= kept.contacts:
            found = self._pass(
                search_pass(
                    self.client,
                    sorted(kept.contacts),
                    per_page=self.per_page,
                    kept=kept.listed,
                    kept_created=kept.created,
                )
            )
            if found.from_kept:
                self.stats.kept_used += 1
            if found.trusted and not found.capped:
                return self._keep(kept.contacts, found, wanted), ""
            query = kept.contacts  # read again whole below, and kept afresh
        elif kept is not None and self._union_pays(wanted, kept.contacts):
            query = wanted | kept.contacts
        else:
            query = wanted
        return self._whole(query, wanted)

    def _union_pays(self, wanted: frozenset[str], kept: frozenset[str]) -> bool:
        return 2 * len(wanted & kept) >= len(wanted) and len(wanted | kept) <= self.max_contacts

    def _whole(
        self, query: frozenset[str], wanted: frozenset[str]
    ) -> tuple[list[dict[str, Any]] | None, str]:
        """Read the list of `query` whole: pages at once first, then one after the other."""
        contacts = sorted(query)
        if self.at_once > 1:
            found = self._pass(
                pass_at_once(self.client, contacts, at_once=self.at_once, per_page=self.per_page)
            )
            if found.capped:
                return None, CAPPED
            if found.trusted:
                return self._keep(query, found, wanted), ""
        for _ in range(self.passes):
            found = self._pass(search_pass(self.client, contacts, per_page=self.per_page))
            if found.capped:
                return None, CAPPED
            if found.trusted:
                return self._keep(query, found, wanted), ""
        return None, SHIFTING.format(passes=self.passes)

    def _pass(self, found: SearchPass) -> SearchPass:
        self.stats.passes += 1
        self.stats.pages += found.pages
        self.stats.from_kept += found.from_kept
        return found

    def _keep(
        self, query: frozenset[str], found: SearchPass, wanted: frozenset[str]
    ) -> list[dict[str, Any]]:
        """Keep a trusted read (when it came newest first) and return `wanted`'s tasks of it."""
        if self.keep:
            self.kept = KeptRead(query, found.listed, found.created) if found.newest_first else None
        return [t for t in found.listed if str(t.get("contact_id")) in wanted]
