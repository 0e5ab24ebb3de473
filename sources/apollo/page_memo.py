"""The completeness proof's second read of task search, without decoding pages that did not change.

The second pass (`sales_tasks.sources.apollo.scan`, `_verify`) reads every page again only to
compare ids, yet decoding a whole page (100 tasks with their contacts and accounts, ~340 KB) was
most of its cost: about 1.6 ms of CPU a page, as much as the request itself (docs/benchmarks.md,
"Where the CPU goes"). So the first pass keeps, per page body, a 64-bit hash of its bytes with
what the proof needs from it: the id keys of its tasks (`sales_tasks.sources.apollo.dedup.id_key`
of `str(id)`, for every item that is an object with an `id`, as `_absorb` reads them) and its
item count (`_fetch` learns a short page from it). A second-pass page whose bytes hash the same
is answered from that (`KnownPage`) without decoding; any other page is decoded as before. The
same bytes decode to the same page, so the shortcut changes no answer; a hash collision between
a changed page and a kept one (odds about 2^-64 per pair, SipHash keyed per process) is the one
way it could.

Both hooks run in the page threads (`ApiClient.request_json(decode=...)`); dict reads and writes
are atomic there.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Any

import orjson

from sales_tasks.sources.apollo.dedup import id_key

__all__ = ["KnownPage", "PageMemo"]


@dataclass(frozen=True)
class KnownPage:
    """A second-pass page whose bytes the first pass decoded: its id keys and item count."""

    id_keys: array[int]
    rows: int


class PageMemo:
    """First pass: `remember` decodes and keeps each page's hash; second pass: `recall`."""

    def __init__(self) -> None:
        self._pages: dict[tuple[int, int], KnownPage] = {}
        self.hits = 0  # second-pass pages answered without decoding

    def remember(self, content: bytes) -> Any:
        """Decode `content` (as the client would) and keep what the second pass needs."""
        page = orjson.loads(content)
        tasks = page.get("tasks") if isinstance(page, dict) else None
        if isinstance(tasks, list):  # anything else is refused by the search, as it was
            keys = array(
                "q", [id_key(str(t["id"])) for t in tasks if isinstance(t, dict) and t.get("id")]
            )
            self._pages[(hash(content), len(content))] = KnownPage(keys, len(tasks))
        return page

    def recall(self, content: bytes) -> Any:
        """The kept page for the same bytes, else `content` decoded."""
        known = self._pages.get((hash(content), len(content)))
        if known is None:
            return orjson.loads(content)
        self.hits += 1
        return known

    def clear(self) -> None:
        self._pages = {}
