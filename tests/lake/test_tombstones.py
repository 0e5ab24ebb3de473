"""The one gate of deletions (`RunReport.may_delete`) and the tombstones a scan's items get
(`sales_tasks.sources.core.current_state.with_tombstones`), for any ids seen and loaded: pure, no sockets."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_tasks.sources.core.current_state import (
    DELETED_COLUMN,
    ChildTombstones,
    Tombstones,
    live_tasks,
    with_tombstones,
)
from sales_tasks.sources.core.report import RunReport
from sales_tasks.sources.core.schema import arrow_schema

SCHEMA = arrow_schema((("id", "text"), ("status", "text")), ("id",))
IDS = st.sets(st.integers(0, 60).map(str), max_size=40)


@dataclass
class _Batch:
    tasks: pa.Table


def _batch(ids: list[str]) -> _Batch:
    return _Batch(pa.table({"id": ids, "status": ["open"] * len(ids)}, schema=SCHEMA))


@settings(deadline=None)
@given(
    seen=IDS,
    known=IDS,
    complete=st.booleans(),
    unreadable=st.integers(0, 2),
    full_scan=st.booleans(),
    per_batch=st.integers(1, 7),
)
def test_tombstones_are_the_loaded_ids_not_seen_and_only_when_the_run_may_delete(
    seen: set[str],
    known: set[str],
    complete: bool,
    unreadable: int,
    full_scan: bool,
    per_batch: int,
) -> None:
    report = RunReport(full_scan=full_scan, unreadable=unreadable)
    report.complete = complete
    assert report.may_delete == (complete and unreadable == 0 and full_scan)
    ordered = sorted(seen)
    batches = [_batch(ordered[i : i + per_batch]) for i in range(0, len(ordered), per_batch)]
    out = list(with_tombstones([*batches, report], report, lambda: known, SCHEMA))

    assert out[-1] is report and out[: len(batches)] == batches  # nothing else moves
    stones = [item for item in out if isinstance(item, Tombstones)]
    if not report.may_delete:
        assert stones == [] and report.removed is None
        return
    gone = known - seen
    assert report.removed == len(gone)
    assert len(stones) == (1 if gone else 0)
    if gone:
        table = stones[0].tasks
        assert set(table.column("id").to_pylist()) == gone
        assert table.column(DELETED_COLUMN).to_pylist() == [True] * len(gone)
        assert table.column("status").null_count == len(gone)
        assert table.schema.remove(table.schema.get_field_index(DELETED_COLUMN)) == SCHEMA


def test_without_known_ids_a_complete_run_deletes_nothing() -> None:
    report = RunReport()
    report.complete = True
    out = list(with_tombstones([_batch(["1"]), report], report, None, SCHEMA))
    assert not any(isinstance(item, Tombstones) for item in out) and report.removed is None


def test_read_tasks_carry_the_deleted_column_null() -> None:
    table = live_tasks(_batch(["1", "2"]).tasks)
    assert table.column(DELETED_COLUMN).to_pylist() == [None, None]
    assert table.schema.field(DELETED_COLUMN).type == pa.bool_()


PHONES = arrow_schema(
    (("contact_id", "text"), ("position", "bigint"), ("number", "text")),
    ("contact_id", "position"),
)
PAIRS = st.sets(st.tuples(st.integers(0, 8).map(str), st.integers(0, 3)), max_size=20)


@settings(deadline=None)
@given(known=PAIRS, read=PAIRS, extra_parents=st.sets(st.integers(0, 8).map(str), max_size=4))
def test_child_rows_end_as_read_for_every_parent_read_and_untouched_for_the_others(
    known: set[tuple[str, int]], read: set[tuple[str, int]], extra_parents: set[str]
) -> None:
    """A merge applying the batch's tombstones and rows (by (parent, key)) leaves, for each
    parent read whole (with rows, or an empty list), exactly the rows read; a parent not read
    keeps what it had. The destination is read at most once, however many batches."""
    reads = []

    def loaded() -> list[tuple[str, int]]:
        reads.append(1)
        return sorted(known)

    rows = ChildTombstones("phones", "contact_id", "position", PHONES, loaded)
    read_rows = sorted(read)
    table = pa.table(
        {
            "contact_id": [p for p, _ in read_rows],
            "position": [k for _, k in read_rows],
            "number": ["+1"] * len(read_rows),
        },
        schema=PHONES,
    )
    parents = {p for p, _ in read} | extra_parents
    out = list(rows.rows(table if read_rows else None, sorted(parents)))
    list(rows.rows(None, []))  # a later batch reads nothing again
    merged = set(known)
    for part in out:
        for p, k, deleted in zip(
            part.column("contact_id").to_pylist(),
            part.column("position").to_pylist(),
            part.column(DELETED_COLUMN).to_pylist(),
            strict=True,
        ):
            if deleted:
                merged.discard((p, k))
            else:
                merged.add((p, k))
    assert {r for r in merged if r[0] in parents} == read
    assert {r for r in merged if r[0] not in parents} == {r for r in known if r[0] not in parents}
    assert rows.removed == len({r for r in known if r[0] in parents} - read)
    assert reads == ([1] if parents else [])  # once, and only when a parent was read
