"""A look of Apollo's push reconciliation reads only what entered the list since the run's last
trusted read (`sales_tasks.destinations.apollo.kept`), and that never hides a task: whatever
tasks are created, indexed late or deleted between looks and while a look reads, a look's answer
holds every task of its contacts that was listed when it began and still is when it ends.

Over a spec-shaped task search served in process (`httpx.MockTransport`; VENDOR-SPECS 3.2:
`page`/`per_page` in the query, `pagination.total_entries` on every page), in either default
order (undocumented: newest or oldest first; only newest first is ever kept). A task indexed
late and a deletion below the kept read's first task between the same two looks is the residual
assumption `kept.py` names, so an example draws one of the two, not both.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from sales_tasks.clients.apollo.endpoints import TASKS_SEARCH
from sales_tasks.clients.apollo.profile import APOLLO_PROFILE
from sales_tasks.clients.core import ApiClient, RetryPolicy
from sales_tasks.destinations.apollo import kept as kept_module
from sales_tasks.destinations.apollo import search
from sales_tasks.destinations.apollo.kept import KeptSearch

CONTACTS = ("c0", "c1", "c2")
PER_PAGE = 5


@dataclass
class TaskList:
    """The account's tasks and the events due before each search request is answered."""

    order: str = "newest_first"
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    clock: int = 10**6  # ms of the newest `created_at`
    made: int = 0
    during: list[tuple[Any, ...]] = field(default_factory=list)
    requests: int = 0

    def shown(self) -> list[dict[str, Any]]:
        ordered = sorted(self.tasks.values(), key=lambda t: (t["ms"], t["id"]))
        return ordered[::-1] if self.order == "newest_first" else ordered

    def apply(self, event: tuple[Any, ...]) -> None:
        kind = event[0]
        if kind == "new":
            self.clock += 1000
            self._add(event[1], self.clock)
        elif kind == "late" and self.tasks:
            # Created before a task already listed, shown only now (an index that lags).
            older = sorted(t["ms"] for t in self.tasks.values())
            self._add(event[1], older[event[2] % len(older)] - 1)
        elif kind == "delete" and self.tasks:
            newest = sorted(self.tasks, key=lambda i: -self.tasks[i]["ms"])
            del self.tasks[newest[event[1] % len(newest)]]

    def _add(self, contact: str, ms: int) -> None:
        self.made += 1
        task_id = f"t{self.made:05d}"
        stamp = f"2026-01-01T{_hms(ms)}Z"
        self.tasks[task_id] = {"id": task_id, "contact_id": contact, "ms": ms, "created_at": stamp}

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.during:
            self.apply(self.during.pop(0))
        assert request.url.path == TASKS_SEARCH
        wanted = set(orjson.loads(request.content)["contact_ids"])
        page, per_page = int(request.url.params["page"]), int(request.url.params["per_page"])
        listed = [t for t in self.shown() if t["contact_id"] in wanted]
        tasks = [
            {k: v for k, v in t.items() if k != "ms"}
            for t in listed[(page - 1) * per_page : page * per_page]
        ]
        return httpx.Response(
            200, json={"tasks": tasks, "pagination": {"total_entries": len(listed)}}
        )

    @contextmanager
    def client(self) -> Iterator[ApiClient]:
        with ApiClient(
            "https://apollo.test",
            "key",
            profile=APOLLO_PROFILE,
            retry=RetryPolicy(max_attempts=1),
            transport=httpx.MockTransport(self.answer),
        ) as client:
            yield client


def _hms(ms: int) -> str:
    seconds, millis = divmod(ms, 1000)
    return f"{seconds // 3600 % 24:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.{millis:03d}"


def _event(mode: str) -> st.SearchStrategy[tuple[Any, ...]]:
    new = st.tuples(st.just("new"), st.sampled_from(CONTACTS))
    if mode == "late":
        other = st.tuples(st.just("late"), st.sampled_from(CONTACTS), st.integers(0, 10**6))
    else:
        # The n-th newest task (the newest often: they are on the pages a look reads).
        other = st.tuples(st.just("delete"), st.one_of(st.integers(0, 8), st.integers(0, 10**6)))
    return st.one_of(new, new, other)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[str, int, list[Any]]:
    """An order, a starting list, and looks: (contacts, events before it, events during it)."""
    mode = draw(st.sampled_from(("late", "delete")))
    order = draw(st.sampled_from(("newest_first", "newest_first", "oldest_first")))
    looks = draw(
        st.lists(
            st.tuples(
                st.sets(st.sampled_from(CONTACTS), min_size=1),
                st.lists(_event(mode), max_size=16),
                st.lists(st.one_of(st.none(), _event(mode)), max_size=8),
            ),
            min_size=1,
            max_size=6,
        )
    )
    return order, draw(st.integers(0, 40)), [(mode, *look) for look in looks]


def check_looks(scenario: tuple[str, int, list[Any]]) -> None:
    """Every task of a look's contacts listed when it began and when it ended is in its answer."""
    order, start, looks = scenario
    tasks = TaskList(order=order)
    for i in range(start):
        tasks.apply(("new", CONTACTS[i % len(CONTACTS)]))
    with tasks.client() as client:
        reads = KeptSearch(client, per_page=PER_PAGE, at_once=3)
        for _mode, contacts, before, during in looks:
            for event in before:
                tasks.apply(event)
            at_start = {i for i, t in tasks.tasks.items() if t["contact_id"] in contacts}
            tasks.during = [("noop",) if e is None else e for e in during]
            found, _why = reads.contact_tasks(sorted(contacts))
            tasks.during = []
            if found is None:
                continue  # a read it could not trust: nothing decided from it
            ids = {t["id"] for t in found}
            assert {t["contact_id"] for t in found} <= contacts
            missing = (at_start & set(tasks.tasks)) - ids
            assert not missing, f"a listed task was taken for absent: {sorted(missing)}"


ALL = {"c0", "c1", "c2"}
# A deletion above the kept read's first task while the next look reads (page 1 read, then the
# deletion shifts a task onto it); a task indexed late below it between two looks.
SHIFTED_WHILE_READ = ("newest_first", 12, [("delete", ALL, [], []), ("delete", ALL, [("new", "c0")] * 7, [None, ("delete", 1)])])  # fmt: skip
LATE_BELOW = ("newest_first", 12, [("late", ALL, [], []), ("late", ALL, [("new", "c0")] * 7 + [("late", "c1", 3)], [])])  # fmt: skip


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
@example(SHIFTED_WHILE_READ)
@example(LATE_BELOW)
def test_a_kept_read_never_hides_a_listed_task(scenario: tuple[str, int, list[Any]]) -> None:
    check_looks(scenario)


@pytest.mark.parametrize("broken", ["stopped read unproven", "and no tail count"])
def test_with_the_rule_broken_a_listed_task_is_hidden(
    monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    """Break the rule and a look misses a task: a read stopped at the kept
    read's first task taken without the count proof of the whole (a deletion above it while the
    look reads shifts a task onto a page already read), and also without counting the tasks from
    it to the end (a task indexed late below it). The examples that show it are given
    explicitly (random draws reach them rarely); the real rule passes them
    (`test_a_kept_read_never_hides_a_listed_task`)."""
    real = kept_module.search_pass

    def trusting(*args: Any, **kwargs: Any) -> search.SearchPass:
        found = real(*args, **kwargs)
        found.trusted = found.trusted or bool(found.from_kept)
        return found

    monkeypatch.setattr(kept_module, "search_pass", trusting)
    if broken == "and no tail count":

        def first_task_seen(items: Any, top: str, *_: Any) -> bool:
            return any(isinstance(t, dict) and str(t.get("id")) == top for t in items)

        monkeypatch.setattr(search, "_kept_tail_stands", first_task_seen)

    @settings(
        max_examples=300, deadline=None, database=None, phases=[Phase.explicit, Phase.generate]
    )
    @given(scenarios())
    @example(SHIFTED_WHILE_READ if broken == "stopped read unproven" else LATE_BELOW)
    def check(scenario: tuple[str, int, list[Any]]) -> None:
        check_looks(scenario)

    with pytest.raises(AssertionError, match="taken for absent"):
        check()


def test_a_look_after_a_trusted_read_reads_only_the_pages_of_the_new_tasks() -> None:
    """60 tasks (12 pages of 5) read once; 3 created since: the next look reads one page and
    answers the 42 of its two contacts; with the oldest first order nothing is kept and it reads
    their whole list (9 pages)."""
    for order, pages in (("newest_first", 1), ("oldest_first", 9)):
        tasks = TaskList(order=order)
        for i in range(60):
            tasks.apply(("new", CONTACTS[i % 3]))
        with tasks.client() as client:
            reads = KeptSearch(client, per_page=PER_PAGE, at_once=3)
            first, _ = reads.contact_tasks(list(CONTACTS))
            assert first is not None and len(first) == 60
            for contact in CONTACTS:
                tasks.apply(("new", contact))
            before = tasks.requests
            found, _ = reads.contact_tasks(["c1", "c2"])
            assert found is not None and len(found) == 42
            assert tasks.requests - before == pages, order
            assert reads.stats.kept_used == (1 if order == "newest_first" else 0)
            # The page read held the 3 new tasks and 2 kept ones; the other 58 came from the kept read.
            assert reads.stats.from_kept == (58 if order == "newest_first" else 0)
