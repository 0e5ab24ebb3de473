"""Grouping rows into the fewest create calls the vendor allows.

Rows with equal `vendor.group_key` share a call, up to `vendor.max_per_call` rows, and within one
call `vendor.distinct_key` (the contact) must not repeat: the answer holds one task per contact,
and both the answer and a later search can only be mapped back by contact. Two rows for the same
contact in one group are legitimate (two tasks), so they go to different calls.

So a group of n rows whose most repeated contact appears m times needs
max(ceil(n / max_per_call), m) calls, and `plan_calls` reaches exactly that: rows are dealt
round-robin over that many calls, most repeated contacts first, which puts each contact's copies
in different calls and keeps calls within the size limit.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence

from sales_tasks.destinations.core.contract import TTaskRow
from sales_tasks.destinations.core.vendor import TaskVendor


def _groups(rows: Sequence[TTaskRow], vendor: TaskVendor) -> list[list[TTaskRow]]:
    groups: dict[Hashable, list[TTaskRow]] = {}
    singles: list[list[TTaskRow]] = []
    for row in rows:
        key = vendor.group_key(row)
        if key is None:
            singles.append([row])
        else:
            groups.setdefault(key, []).append(row)
    return list(groups.values()) + singles


def _calls_for_group(size: int, most_repeated: int, max_per_call: int) -> int:
    return max(math.ceil(size / max_per_call), most_repeated)


def minimum_calls(rows: Sequence[TTaskRow], vendor: TaskVendor) -> int:
    """The fewest calls that can create these rows' tasks."""
    total = 0
    for group in _groups(rows, vendor):
        repeats = Counter(vendor.distinct_key(r) for r in group)
        total += _calls_for_group(len(group), max(repeats.values()), vendor.max_per_call)
    return total


def split_group(group: Sequence[TTaskRow], vendor: TaskVendor) -> list[list[TTaskRow]]:
    """Deal one group's rows over the fewest calls with distinct contacts in each."""
    by_contact: dict[str, list[TTaskRow]] = {}
    for row in group:
        by_contact.setdefault(vendor.distinct_key(row), []).append(row)
    most = max(len(v) for v in by_contact.values())
    count = _calls_for_group(len(group), most, vendor.max_per_call)
    calls: list[list[TTaskRow]] = [[] for _ in range(count)]
    # Most repeated contacts first: a contact with c <= count copies then lands in c
    # consecutive (mod count) calls, all different; the round-robin keeps sizes within one.
    ordered = sorted(by_contact.values(), key=len, reverse=True)
    position = 0
    for copies in ordered:
        for row in copies:
            calls[position % count].append(row)
            position += 1
    return [c for c in calls if c]


def plan_calls(rows: Sequence[TTaskRow], vendor: TaskVendor) -> list[list[TTaskRow]]:
    """The calls that create these rows, fewest possible, in input order of their groups."""
    planned: list[list[TTaskRow]] = []
    for group in _groups(rows, vendor):
        planned.extend(split_group(group, vendor))
    return planned
