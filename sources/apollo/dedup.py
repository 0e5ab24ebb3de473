"""Compact "seen before?" sets for ids met during one scan (tasks, contacts, accounts).

A scan over several slices and sort orders meets the same task more than once; the same contact
and account are embedded in many tasks. Holding 500,000 Python strings would cost ~60 MB, so ids
are kept as 64-bit BLAKE2 digests in a sorted numpy array (8 bytes each) plus a small set of
recent ones. A digest collision (odds ~1e-8 at a million ids) would drop one row; the scan's
completeness check (rows seen == total_entries) would then report the run incomplete.
"""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import blake2b

import numpy as np


def id_key(value: str) -> int:
    return int.from_bytes(blake2b(value.encode(), digest_size=8).digest(), "little")


class SeenIds:
    """Membership of ids met so far. Not thread-safe: used by the single consuming thread."""

    def __init__(self, merge_every: int = 50_000) -> None:
        self._sorted = np.empty(0, dtype=np.uint64)
        self._recent: set[int] = set()
        self._merge_every = merge_every

    def __len__(self) -> int:
        return len(self._sorted) + len(self._recent)

    def __contains__(self, value: str) -> bool:
        key = id_key(value)
        if key in self._recent:
            return True
        idx = int(np.searchsorted(self._sorted, np.uint64(key)))
        return idx < len(self._sorted) and int(self._sorted[idx]) == key

    def add_new(self, ids: Sequence[str]) -> list[bool]:
        """Record `ids`; returns for each whether it was new (duplicates within `ids` count once)."""
        keys = [id_key(i) for i in ids]
        if len(self._sorted):
            arr = np.fromiter(keys, dtype=np.uint64, count=len(keys))
            pos = np.searchsorted(self._sorted, arr)
            pos[pos >= len(self._sorted)] = 0
            in_sorted = (self._sorted[pos] == arr).tolist()
        else:
            in_sorted = [False] * len(keys)
        recent = self._recent
        fresh: list[bool] = []
        for key, old in zip(keys, in_sorted, strict=True):
            if old or key in recent:
                fresh.append(False)
            else:
                recent.add(key)
                fresh.append(True)
        if len(recent) >= self._merge_every:
            self._merge()
        return fresh

    def _merge(self) -> None:
        merged = np.concatenate(
            [self._sorted, np.fromiter(self._recent, dtype=np.uint64, count=len(self._recent))]
        )
        merged.sort()
        self._sorted = merged
        self._recent = set()
