"""Property drills of the mirror, for every vendor on DuckDB and one per drill on PostgreSQL
(`tests.mirror.drill`; `tests.matrix` says why one).

Random schedules of extracts of two accounts, each with creates, deletes and status changes made
in the vendor at random points of its scan, some runs aimed at the other account's dataset, and
extracts killed with SIGKILL at a random point. After every run: no task the mirror held that the
vendor still holds is missing, no row of another account's dataset changed, a run into another
account's dataset was refused before reading; after every complete run, the mirror equals the
vendor (ids and status). A last clean run of each account is complete and equal.

Few examples by default, so the suite stays quick; `bench/mirror_drill.py` runs many. What
PostgreSQL adds is the warehouse layer, the same for every vendor: the changes drill runs
Saleshandy on it, the kill drill Reply (Apollo's extract meets PostgreSQL in
`tests/lake/test_lake_mirror.py`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.matrix import on_warehouses
from tests.mirror.drill import KINDS, KITS, Change, Warehouse, drill, temp_folder
from tests.profiles import PROFILE, examples

_databases = itertools.count()

changes = st.lists(
    st.builds(
        Change,
        kind=st.sampled_from(KINDS),
        at=st.integers(min_value=0, max_value=6),
        pick=st.integers(min_value=0, max_value=999),
    ),
    max_size=4,
)
# A step: account a or b extracts into its own dataset while `changes` happen, or b is aimed at
# a's dataset ("b>a").
steps = st.lists(st.tuples(st.sampled_from(["a", "b", "b>a"]), changes), min_size=1, max_size=3)
# `make test`: 2 schedules (1 kill point), the same every run; `make test-deep`: 20 (10), random.
DRILL_SETTINGS = settings(
    max_examples=examples(quick=2, deep=20),
    deadline=None,
    # Each example is several real extracts: a failure is reported as drawn, not shrunk.
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=PROFILE != "deep",
)


@pytest.fixture
def warehouses(request: pytest.FixtureRequest) -> Callable[[], Any]:
    """A context manager making a fresh warehouse (and folder) per hypothesis example."""
    kind = request.param

    @contextmanager
    def fresh() -> Iterator[tuple[Warehouse, Any]]:
        with temp_folder() as folder:
            if kind == "duckdb":
                yield Warehouse.duckdb(folder), folder
                return
            server = request.getfixturevalue("postgres_server")
            url = server.create_database(f"drill{next(_databases)}")
            yield Warehouse.postgres(url), folder

    return fresh


def _finish(d: Any) -> None:
    """Clean runs of both accounts: complete, and equal to their vendors."""
    for name in ("a", "b"):
        summary = d.run(name, [])
        assert summary.complete, (name, summary.warnings)
    assert d.tally.clean(), d.tally.notes


@pytest.mark.parametrize(
    ("vendor", "warehouses"), on_warehouses(sorted(KITS), "saleshandy"), indirect=["warehouses"]
)
@DRILL_SETTINGS
@given(schedule=steps)
def test_changes_during_scans_never_lose_a_live_task_nor_touch_another_account(
    vendor: str, warehouses: Callable[[], Any], schedule: list[tuple[str, list[Change]]]
) -> None:
    with warehouses() as (warehouse, folder), drill(KITS[vendor], warehouse, folder, 11) as d:
        d.run("a", [])  # a binds its dataset first, so "b>a" is always aimed at a's
        for who, happening in schedule:
            if who == "b>a":
                refused = d.run("b", happening, into=d.accounts["a"].dataset)
                assert isinstance(refused, Exception), refused
            else:
                d.run(who, happening)
            assert d.tally.clean(), d.tally.notes
        _finish(d)


@pytest.mark.parametrize(
    ("vendor", "warehouses"), on_warehouses(sorted(KITS), "reply"), indirect=["warehouses"]
)
@settings(DRILL_SETTINGS, max_examples=examples(quick=1, deep=10))
@given(kill_at=st.integers(min_value=1, max_value=8), happening=changes)
def test_an_extract_killed_at_any_point_loses_nothing_and_the_next_run_catches_up(
    vendor: str, warehouses: Callable[[], Any], kill_at: int, happening: list[Change]
) -> None:
    with warehouses() as (warehouse, folder), drill(KITS[vendor], warehouse, folder, 23) as d:
        d.run("a", [])
        d.run("b", [])
        d.kill_run("a", happening, kill_at)
        assert d.tally.clean(), d.tally.notes
        _finish(d)
