"""How a sales team's task data is shaped: plain numbers and small vectorised draws that any
emulator's seed dataset can use, so its charts show something a real account would.

Nothing here is a vendor fact, nor measured: these are plausible guesses, written down once so
every emulator's data has the same shape and a test can assert it.
- Task kinds (the cross-vendor vocabulary's names) differ in how long they take from created to
  completed (calls within hours, LinkedIn steps over days) and in how often they are skipped
  (manual emails most).
- Owners are skewed: weight `rank ** -OWNER_ZIPF` in a seed-shuffled order, so one owner carries
  a large share (about 40% among 8 owners, 27% among 40) and the rest is a long tail.
- Work follows the week: `WEEKDAY_WEIGHTS` (Monday first) and working hours (UTC).
- A backlog: some tasks are never worked, more of them the busier their owner; those still open
  after their due date are the overdue tasks.

Times are epoch milliseconds in int64 numpy arrays; every draw takes the caller's
`numpy.random.Generator`, so a dataset stays a function of its seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

HOUR_MS = 3_600_000
DAY_MS = 86_400_000


class KindShape(NamedTuple):
    """How tasks of one kind behave (hours are from creation)."""

    hours_to_due: float  # median lead time the task is scheduled with
    hours_to_done: float  # median time to completion (or skip) for an owner of pace 1
    spread: float  # sigma of log(hours): the same for lead and completion
    skip_rate: float  # share of finished tasks that are skipped, not completed
    ahead_share: float  # share scheduled days to weeks ahead (later sequence steps, call-backs)


KINDS: dict[str, KindShape] = {
    "call": KindShape(4, 6, 0.9, 0.10, ahead_share=0.15),
    "email": KindShape(12, 20, 1.0, 0.32, ahead_share=0.08),
    "linkedin_connect": KindShape(36, 70, 0.8, 0.22, ahead_share=0.08),
    "linkedin_message": KindShape(30, 50, 0.8, 0.18, ahead_share=0.08),
    "linkedin_inmail": KindShape(30, 55, 0.8, 0.20, ahead_share=0.08),
    "linkedin_view_profile": KindShape(20, 30, 0.8, 0.08, ahead_share=0.08),
    "linkedin_interact": KindShape(40, 80, 0.9, 0.26, ahead_share=0.08),
    "whatsapp_message": KindShape(4, 8, 0.9, 0.12, ahead_share=0.08),
    "whatsapp_call": KindShape(4, 7, 0.9, 0.12, ahead_share=0.10),
    "sms": KindShape(3, 5, 0.9, 0.12, ahead_share=0.08),
    "meeting": KindShape(72, 96, 0.6, 0.05, ahead_share=0.30),
    "todo": KindShape(24, 40, 1.1, 0.15, ahead_share=0.20),
}
# Monday first: Saturday and Sunday carry few tasks.
WEEKDAY_WEIGHTS = (1.0, 1.0, 0.97, 0.93, 0.80, 0.06, 0.04)
WORK_HOURS = (11.5, 2.5, 7.0, 19.0)  # UTC hour of day: mean, sd, earliest, latest
AHEAD_DAYS = (7, 90)  # a task scheduled ahead is due this many days after its creation
OWNER_ZIPF = 1.1
OWNER_PACE_SPREAD = 0.3  # sigma of log(an owner's pace): some owners work faster than others
BUSY_SLOWDOWN = 0.5  # the busiest owner takes 1 + this times as long as an idle one would
# Chance that a task is never worked: base + span * (owner's weight / the top owner's weight).
STALE_BASE, STALE_SPAN = 0.002, 0.08
GROWTH = 0.3  # the daily task rate rises by this share over the seeded period


class KindTable(NamedTuple):
    """`KINDS` as columns, one row per vendor type code (see `kind_table`)."""

    hours_to_due: np.ndarray
    hours_to_done: np.ndarray
    spread: np.ndarray
    skip_rate: np.ndarray
    ahead_share: np.ndarray


def kind_table(kinds: Sequence[str]) -> KindTable:
    """The shape of each kind in `kinds`, in that order (a vendor passes the kind of each of its
    type codes, so the table is indexed by type code)."""
    rows = [KINDS[k] for k in kinds]
    return KindTable(*(np.array(col, dtype=np.float64) for col in zip(*rows, strict=True)))


def owner_weights(rng: np.random.Generator, n: int) -> np.ndarray:
    """Each owner's share of the work (sums to 1): Zipf over ranks, ranks shuffled by `rng`."""
    if n <= 0:
        return np.zeros(0)
    ranked = 1.0 / np.arange(1, n + 1) ** OWNER_ZIPF
    return rng.permutation(ranked / ranked.sum())


def owner_pace(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """A factor on each owner's completion times: individual spread, slower when busier."""
    if weights.size == 0:
        return np.ones(0)
    busy = weights / weights.max()
    return rng.lognormal(0.0, OWNER_PACE_SPREAD, weights.size) * (1.0 + BUSY_SLOWDOWN * busy)


def stale_chance(weights: np.ndarray) -> np.ndarray:
    """Each owner's chance of leaving a task unworked: the backlog sits with the busiest."""
    if weights.size == 0:
        return np.zeros(0)
    return STALE_BASE + STALE_SPAN * (weights / weights.max())


def weekday(ms: np.ndarray) -> np.ndarray:
    """Day of the week of UTC instants, Monday = 0 (1970-01-01 was a Thursday)."""
    return (ms // DAY_MS + 3) % 7


def work_times(rng: np.random.Generator, n: int, start_ms: int, days: int) -> np.ndarray:
    """`n` instants in the `days` whole days from `start_ms` (a UTC midnight): days drawn by
    weekday weight and a rate rising by `GROWTH`, hours from `WORK_HOURS`; in no order.

    Raises:
        ValueError: `days` < 1.
    """
    if days < 1:
        raise ValueError(f"days must be >= 1, got {days}")
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    day_ms = start_ms + np.arange(days, dtype=np.int64) * DAY_MS
    p = np.asarray(WEEKDAY_WEIGHTS)[weekday(day_ms)] * (1.0 + GROWTH * np.arange(days) / days)
    day = rng.choice(day_ms, n, p=p / p.sum())
    mean, sd, low, high = WORK_HOURS
    hours = np.clip(rng.normal(mean, sd, n), low, high)
    return day + (hours * HOUR_MS).astype(np.int64)


def defer_weekend(rng: np.random.Generator, ms: np.ndarray) -> np.ndarray:
    """Move most weekend instants to the Monday after (same time of day), keeping a share
    `WEEKDAY_WEIGHTS[day]` of them where they are: weekend work is rare, not absent."""
    day = weekday(ms)
    keep = rng.random(ms.size) < np.asarray(WEEKDAY_WEIGHTS)[day]
    return np.where((day >= 5) & ~keep, ms + (7 - day) * DAY_MS, ms)


def lognormal_ms(
    rng: np.random.Generator, median_hours: np.ndarray, spread: np.ndarray
) -> np.ndarray:
    """Durations in ms, log-normal around `median_hours` with sigma `spread` (element-wise),
    at least a minute."""
    hours = median_hours * np.exp(rng.standard_normal(median_hours.size) * spread)
    return np.maximum((hours * HOUR_MS).astype(np.int64), 60_000)
