"""The seeded tasks have the shape of a real sales team's, so the notebook's charts say something.

Read over real HTTP from the tasks search, as an analyst's extract would: task types take
different times and are skipped at different rates, one owner carries a large share, little
happens on weekends, and an overdue backlog sits with the busiest owner. The thresholds are far
from what uniform noise gives (e.g. a weekend share of 2 / 7 = 29%), and from the shape's own
figures (`sales_tasks.sandbox.core.shape`) by enough margin to hold for any seed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime
from statistics import median

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_tasks.sandbox import running_sandbox
from sales_tasks.sandbox.core import shape
from tests.source.helpers import served_tasks

ANCHOR = "2025-06-04T00:00:00Z"  # a Wednesday: the data ends mid-week
ANCHOR_AT = datetime(2025, 6, 4, tzinfo=UTC)
TASKS = 6000


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture(scope="module", params=[7, 42], ids=lambda seed: f"seed{seed}")
def tasks(request) -> tuple[dict, ...]:
    """The 6,000 tasks a seed serves, read once per module (the tests only read them)."""
    with running_sandbox(tasks=TASKS, seed=request.param, anchor_date=ANCHOR) as sb:
        served = tuple(served_tasks(sb))
    assert len(served) == TASKS
    return served


def test_task_types_differ_in_time_to_complete_and_skip_rate(tasks: list[dict]) -> None:
    hours: dict[str, list[float]] = defaultdict(list)
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    for t in tasks:
        outcomes[t["type"]][t["status"]] += 1
        if t["status"] == "completed":
            took = when(t["completed_at"]) - when(t["created_at"])
            hours[t["type"]].append(took.total_seconds() / 3600)
    med = {kind: median(values) for kind, values in hours.items()}
    # Calls are done within hours, emails within a day or two, LinkedIn steps take days.
    assert med["call"] < 16
    assert med["call"] * 2 < med["outreach_manual_email"]
    assert med["outreach_manual_email"] * 2 < med["linkedin_step_connect"]
    assert med["call"] * 6 < min(med["linkedin_step_connect"], med["linkedin_step_interact_post"])

    def skip_rate(kind: str) -> float:
        done = outcomes[kind]
        return done["skipped"] / (done["skipped"] + done["completed"])

    assert skip_rate("outreach_manual_email") > 2 * skip_rate("call")
    assert skip_rate("outreach_manual_email") > 0.25 > skip_rate("call")


def test_one_owner_carries_a_large_share_with_a_long_tail(tasks: list[dict]) -> None:
    per_owner = sorted(Counter(t["user_id"] for t in tasks).values(), reverse=True)
    assert len(per_owner) == 8  # every owner has work
    top, tail = per_owner[0], per_owner[len(per_owner) // 2 :]
    assert top > 0.30 * len(tasks)
    assert top > 1.5 * per_owner[1]
    assert top > sum(tail)  # the bottom half of owners together hold less than the top one


def test_little_is_due_or_done_on_weekends(tasks: list[dict]) -> None:
    def weekend_share(field: str) -> float:
        days = [when(t[field]).weekday() for t in tasks if t[field] is not None]
        assert len(days) > TASKS // 10
        return sum(d >= 5 for d in days) / len(days)

    for field in ("created_at", "due_at", "completed_at", "skipped_at"):
        assert weekend_share(field) < 0.05, field  # uniform days would give 29%


def test_an_overdue_backlog_sits_with_the_busiest_owner(tasks: list[dict]) -> None:
    open_tasks = [t for t in tasks if t["status"] == "scheduled"]
    overdue = [t for t in open_tasks if when(t["due_at"]) < ANCHOR_AT]
    upcoming = [t for t in open_tasks if when(t["due_at"]) >= ANCHOR_AT]
    assert len(overdue) > 0.03 * len(tasks) and len(upcoming) > 0.01 * len(tasks)
    # Done work is in the past; what is still to do includes the coming weeks.
    assert all(when(t["completed_at"]) <= ANCHOR_AT for t in tasks if t["completed_at"])
    assert max(when(t["due_at"]) for t in upcoming) > datetime(2025, 7, 15, tzinfo=UTC)

    busiest = Counter(t["user_id"] for t in tasks).most_common(1)[0][0]
    top_open = [t for t in open_tasks if t["user_id"] == busiest]
    rest_open = [t for t in open_tasks if t["user_id"] != busiest]
    late = {t["id"] for t in overdue}
    top_share = sum(t["id"] in late for t in top_open) / len(top_open)
    rest_share = sum(t["id"] in late for t in rest_open) / len(rest_open)
    # Normalised by workload, the busiest owner is still the most behind.
    assert top_share > rest_share + 0.05
    assert sum(t["user_id"] == busiest for t in overdue) > 0.5 * len(overdue)


# -- the helpers emulators draw with ------------------------------------------------------------

seeds = st.integers(min_value=0, max_value=2**32 - 1)


@settings(max_examples=50, deadline=None)
@given(seed=seeds, n=st.integers(min_value=0, max_value=300))
def test_owner_weights_are_shares_with_one_clear_leader(seed: int, n: int) -> None:
    weights = shape.owner_weights(np.random.default_rng(seed), n)
    assert weights.shape == (n,) and (weights > 0).all()
    if n:
        assert abs(weights.sum() - 1) < 1e-9
        assert weights.max() == pytest.approx(1 / (np.arange(1, n + 1) ** -shape.OWNER_ZIPF).sum())
    if n >= 2:
        assert np.sort(weights)[-1] >= 2**shape.OWNER_ZIPF * np.sort(weights)[-2] * 0.999
    stale = shape.stale_chance(weights)
    assert ((stale >= shape.STALE_BASE) & (stale <= shape.STALE_BASE + shape.STALE_SPAN)).all()
    assert (stale.argmax() == weights.argmax()) if n else stale.size == 0


@settings(max_examples=50, deadline=None)
@given(
    seed=seeds,
    n=st.integers(min_value=0, max_value=500),
    start_day=st.integers(min_value=0, max_value=30_000),
    days=st.integers(min_value=1, max_value=800),
)
def test_work_times_fall_in_working_hours_of_the_period(
    seed: int, n: int, start_day: int, days: int
) -> None:
    start = start_day * shape.DAY_MS
    times = shape.work_times(np.random.default_rng(seed), n, start, days)
    assert times.shape == (n,) and times.dtype == np.int64
    assert ((times >= start) & (times < start + days * shape.DAY_MS)).all()
    _, _, earliest, latest = shape.WORK_HOURS
    hour = (times % shape.DAY_MS) / shape.HOUR_MS
    assert ((hour >= earliest) & (hour <= latest)).all()
    if days >= 7 and n >= 200:
        assert (shape.weekday(times) >= 5).mean() < 0.15


@given(days=st.integers(max_value=0))
def test_work_times_refuse_an_empty_period(days: int) -> None:
    with pytest.raises(ValueError, match="days must be >= 1"):
        shape.work_times(np.random.default_rng(0), 5, 0, days)


@settings(max_examples=50, deadline=None)
@given(seed=seeds, times=st.lists(st.integers(min_value=0, max_value=2**42), max_size=200))
def test_weekend_instants_move_forward_to_monday_or_stay(seed: int, times: list[int]) -> None:
    ms = np.array(times, dtype=np.int64)
    moved = shape.defer_weekend(np.random.default_rng(seed), ms)
    shift = moved - ms
    on_weekend = shape.weekday(ms) >= 5
    assert (shift[~on_weekend] == 0).all()
    assert (
        (shift % shape.DAY_MS == 0).all()
        and (shift >= 0).all()
        and (shift <= 2 * shape.DAY_MS).all()
    )
    assert (shape.weekday(moved[shift > 0]) == 0).all()


@settings(max_examples=30, deadline=None)
@given(
    seed=seeds,
    kinds=st.lists(st.sampled_from(sorted(shape.KINDS)), min_size=1, max_size=12),
    n=st.integers(min_value=0, max_value=300),
)
def test_durations_are_positive_and_follow_their_kind(seed: int, kinds: list[str], n: int) -> None:
    table = shape.kind_table(kinds)
    assert table.hours_to_done.shape == (len(kinds),)
    rng = np.random.default_rng(seed)
    code = rng.integers(0, len(kinds), n)
    took = shape.lognormal_ms(rng, table.hours_to_done[code], table.spread[code])
    assert took.shape == (n,) and (took >= 60_000).all()
    assert ((table.skip_rate >= 0) & (table.skip_rate < 1)).all()
