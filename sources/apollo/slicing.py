"""Splitting a task search that is over Apollo's display cap into filtered slices: pure logic.

Facts relied on (Apollo's API reference, "Search for Tasks", and third-party clients' reports):
- One search reaches at most 50,000 records (500 pages); more needs narrower searches.
- Task search has no documented filters. Clients send `task_type_cds` (facet values such as
  `contact_call`, not task `type`s) and `user_ids`; Apollo reportedly ignores filters it does not
  know and answers the unfiltered result. So every filtered slice is verified: its total must match
  the facet count it should have (types) and its rows must match the filter (types and users).
- `faceting.task_types` counts (`open_factor_names[]=task_types`) describe the searched set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sales_tasks.clients.apollo.enums import FACET_TO_TASK_TYPE
from sales_tasks.clients.core.values import lenient_int
from sales_tasks.sources.apollo.models import TFacetCount, TFilters, TSearchPage, TUser
from sales_tasks.sources.apollo.pagination import PageInfo

TASK_TYPE_FILTER = "task_type_cds"
USER_FILTER = "user_ids"
# Split by type first (facet counts tell each slice's size for free), then by owner.
DIMENSIONS = (TASK_TYPE_FILTER, USER_FILTER)


@dataclass(frozen=True)
class Slice:
    """A task search narrowed by zero or more single-value filters."""

    filters: tuple[tuple[str, str], ...] = ()

    def narrowed(self, name: str, value: str) -> Slice:
        return Slice(self.filters + ((name, value),))

    def has(self, name: str) -> bool:
        return any(key == name for key, _ in self.filters)

    def as_filters(self) -> TFilters:
        return {name: [value] for name, value in self.filters}

    @property
    def label(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.filters) or "all tasks"


@dataclass(frozen=True)
class Child:
    """A candidate slice with the total it should have when the filter applies (if known)."""

    slice: Slice
    name: str
    value: str
    expected_total: int | None


def facet_counts(page: TSearchPage) -> list[TFacetCount]:
    """`faceting.task_types` with counts parsed leniently; malformed entries are skipped."""
    faceting = page.get("faceting") or {}
    raw = faceting.get("task_types") if isinstance(faceting, dict) else None
    counts: list[TFacetCount] = []
    for entry in raw if isinstance(raw, list) else []:
        if not isinstance(entry, dict) or not entry.get("value"):
            continue
        count = lenient_int(entry.get("count"))
        counts.append(
            {
                "value": str(entry["value"]),
                "display_name": entry.get("display_name") or "",
                "count": count if count is not None else 0,
            }
        )
    return counts


def type_children(parent: Slice, first_page: TSearchPage) -> list[Child]:
    """One child per task-type facet with tasks in it (largest first)."""
    counts = [f for f in facet_counts(first_page) if int(f.get("count", 0)) > 0]
    counts.sort(key=lambda f: -int(f.get("count", 0)))
    return [
        Child(
            parent.narrowed(TASK_TYPE_FILTER, f["value"]),
            TASK_TYPE_FILTER,
            f["value"],
            int(f.get("count", 0)),
        )
        for f in counts
    ]


def user_children(parent: Slice, users: Sequence[TUser]) -> list[Child]:
    return [
        Child(parent.narrowed(USER_FILTER, str(u["id"])), USER_FILTER, str(u["id"]), None)
        for u in users
        if u.get("id")
    ]


def rows_match(child: Child, tasks: Sequence[dict[str, Any]]) -> bool:
    """Every row of the child's page satisfies its filter (when we can tell)."""
    if child.name == USER_FILTER:
        return all(str(t.get("user_id")) == child.value for t in tasks)
    if child.name == TASK_TYPE_FILTER:
        task_type = FACET_TO_TASK_TYPE.get(child.value)
        if task_type is None:  # an unknown facet: the count check alone decides
            return True
        return all(t.get("type") == task_type for t in tasks)
    return True


def filter_applied(child: Child, info: PageInfo, parent_total: int, tasks: Sequence[Any]) -> bool:
    """Did Apollo apply the child's filter? An ignored filter answers the parent's result."""
    if not rows_match(child, tasks):
        return False
    total = info.total_entries
    if total is None:
        return False
    if total > parent_total:
        return False
    expected = child.expected_total
    # An ignored filter returns the parent total; it must not pass for a smaller facet.
    return not (expected is not None and expected < parent_total and total >= parent_total)
