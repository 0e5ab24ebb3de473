"""Compact "seen before?" sets for ids met during one scan (tasks, contacts, accounts).

A scan over several slices and sort orders meets the same task more than once; the same contact
and account are embedded in many tasks. Holding 500,000 Python strings would cost ~60 MB, so ids
are kept as their 64-bit `hash()` (SipHash, keyed per process: stable for the one run that uses
it) in a sorted numpy array (8 bytes each) plus a small set of recent ones. Python's own string
hash is used because it is cached on the string and costs nothing next to a digest (BLAKE2 was
~1 s per 100,000 tasks). A hash collision (odds ~3e-8 at a million ids) would drop one row; the
scan's completeness check (rows seen == total_entries) would then report the run incomplete.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence

import numpy as np


def id_key(value: str) -> int:
    return hash(value)


class SeenIds:
    """Membership of ids met so far. Not thread-safe: used by the single consuming thread.

    Lookups bisect a memoryview of the sorted array (C code that keeps the GIL) rather than
    calling `np.searchsorted`: numpy releases the GIL, and getting it back from the threads that
    decode pages cost ~8 ms per call (one call per page) in the 100,000-task benchmark.
    """

    def __init__(self, merge_every: int = 50_000) -> None:
        self._sorted = np.empty(0, dtype=np.int64)
        self._view = self._sorted.data
        self._recent: set[int] = set()
        self._merge_every = merge_every

    def __len__(self) -> int:
        return len(self._sorted) + len(self._recent)

    def __contains__(self, value: str) -> bool:
        return self._seen(id_key(value))

    def _seen(self, key: int) -> bool:
        if key in self._recent:
            return True
        view = self._view
        idx = bisect_left(view, key)
        return idx < len(view) and view[idx] == key

    def add_new(self, ids: Sequence[str]) -> list[bool]:
        """Record `ids`; returns for each whether it was new (duplicates within `ids` count once)."""
        return self.add_new_keys(map(hash, ids))

    def add_new_keys(self, keys: Iterable[int]) -> list[bool]:
        """`add_new` of ids given by their `id_key`s."""
        recent = self._recent
        view = self._view
        size = len(view)
        fresh: list[bool] = []
        mark = fresh.append
        for key in keys:  # `_seen` inlined: this runs for every id of every page
            if key in recent:
                mark(False)
                continue
            idx = bisect_left(view, key)
            if idx < size and view[idx] == key:
                mark(False)
            else:
                recent.add(key)
                mark(True)
        if len(recent) >= self._merge_every:
            self._merge()
        return fresh

    def count_missing(self, ids: Sequence[str]) -> int:
        """How many of `ids` were never recorded."""
        return self.count_missing_keys(map(hash, ids))

    def count_missing_keys(self, keys: Iterable[int]) -> int:
        """`count_missing` of ids given by their `id_key`s."""
        recent = self._recent
        view = self._view
        size = len(view)
        missing = 0
        for key in keys:
            if key in recent:
                continue
            idx = bisect_left(view, key)
            if not (idx < size and view[idx] == key):
                missing += 1
        return missing

    def _merge(self) -> None:
        merged = np.concatenate(
            [self._sorted, np.fromiter(self._recent, dtype=np.int64, count=len(self._recent))]
        )
        merged.sort()
        self._view.release()
        self._sorted = merged
        self._view = merged.data
        self._recent = set()
