"""The hot path's shortcuts give the same answers as the plain way they replace.

- `records_table`'s `extra_fields`: one union of the rows' keys, then one `itemgetter` per row,
  against the row-by-row set difference (rows of one shape, rows of mixed shapes, no extras).
- `SeenIds.add_new` / `count_missing` (the `_seen` check inlined) against a Python set, across
  the merge into the sorted array.
- Reply's `enum_value` (answers cached per value) against the uncached reading.
- Reply's `task_row` (plain fields in one `zip`, `extra_fields` only when some) against the
  dict-per-field way, and the scan's open-status check read from the row against `code_of`.
- Saleshandy's watermarks (the newest stamp kept parsed) against parsing the kept text again.
- The ids a run read kept as Arrow text (`with_tombstones`) against the set of `str(id)`.
- Apollo's second read answering unchanged pages from the first read's hashes: in
  `test_second_read_shortcut.py` (it scans a sandbox changed while it reads).
"""

from __future__ import annotations

from typing import Any

import orjson
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_tasks.clients.core.values import parse_utc
from sales_tasks.clients.reply.enums import TASK_STATUSES, code_of
from sales_tasks.sources.apollo.dedup import SeenIds
from sales_tasks.sources.core.current_state import _as_text, not_seen
from sales_tasks.sources.core.schema import _extra, records_table
from sales_tasks.sources.reply.scan import OPEN_CODES
from sales_tasks.sources.reply.schema import _KNOWN as REPLY_KNOWN
from sales_tasks.sources.reply.schema import _PLAIN as REPLY_PLAIN
from sales_tasks.sources.reply.schema import ENUM_FIELDS, _enum_value, enum_value, task_row
from sales_tasks.sources.saleshandy.scan import DONE_TABS
from sales_tasks.sources.saleshandy.scan import TaskScan as SaleshandyScan

COLUMNS: Any = (("id", "text"), ("name", "text"), ("extra_fields", "json"))
KNOWN = frozenset({"id", "name", "extra_fields"})

# Integers as orjson decodes them (at most 64 bits).
values = st.one_of(
    st.none(),
    st.integers(-(2**63), 2**64 - 1),
    st.text(max_size=5),
    st.lists(st.integers(0, 9), max_size=2),
)
rows = st.lists(
    st.dictionaries(
        st.sampled_from(["id", "name", "zeta", "alpha", "extra_fields", "x"]), values, max_size=6
    ).map(lambda r: {**r, "id": str(r.get("id"))}),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(rows)
def test_extra_fields_match_the_row_by_row_way(batch: list[dict[str, Any]]) -> None:
    table = records_table(batch, COLUMNS)
    expected = [_extra(row, KNOWN) for row in batch]
    assert table.column("extra_fields").to_pylist() == [
        None if e is None else orjson.dumps(e).decode() for e in expected
    ]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.text(max_size=3), max_size=20), max_size=8))
def test_seen_ids_match_a_set(chunks: list[list[str]]) -> None:
    seen = SeenIds(merge_every=5)  # merges into the sorted array every few ids
    model: set[str] = set()
    for chunk in chunks:
        missing = len([i for i in chunk if i not in model])
        assert seen.count_missing(chunk) == missing
        expected = []
        for value in chunk:
            expected.append(value not in model)
            model.add(value)
        assert seen.add_new(chunk) == expected
        assert len(seen) == len(model)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(ENUM_FIELDS)),
    st.lists(
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(-2, 12),
            st.sampled_from(["call", "Call", " new ", "finished", "7", "-1", "", "snoozed"]),
            st.floats(allow_nan=False, min_value=-2, max_value=12),
        ),
        max_size=10,
    ),
)
def test_reply_enum_answers_match_the_uncached_reading(field: str, values: list[Any]) -> None:
    enum = ENUM_FIELDS[field][2]
    for value in values * 2:  # the second time from the cache
        assert enum_value(enum, value) == _enum_value(enum, value)


enum_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 12),
    st.sampled_from(["call", "Call", " new ", "finished", "7", "-1", "", "snoozed", "NEW"]),
    st.floats(allow_nan=False, min_value=-2, max_value=12),
    st.lists(st.integers(0, 2), max_size=1),
)
reply_tasks = st.dictionaries(
    st.sampled_from([*REPLY_PLAIN, *ENUM_FIELDS, "contact", "contactId", "notes", "zeta", "alpha"]),
    st.one_of(values, enum_values, st.fixed_dictionaries({"id": values})),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(reply_tasks)
def test_reply_task_row_matches_the_plain_way(task: dict[str, Any]) -> None:
    row = task_row(task, set())
    assert {column: row[column] for column in REPLY_PLAIN.values()} == {
        column: task.get(field) for field, column in REPLY_PLAIN.items()
    }
    extra = {key: task[key] for key in sorted(task.keys() - REPLY_KNOWN)}
    assert row["extra_fields"] == (extra or None)
    assert row["extra_fields"] is None or list(row["extra_fields"]) == sorted(extra)


@settings(max_examples=300, deadline=None)
@given(enum_values)
def test_reply_open_status_from_the_row_matches_code_of(status: Any) -> None:
    row = task_row({"id": 1, "status": status}, set())
    assert (row["status"] in OPEN_CODES) == (code_of(TASK_STATUSES, status) in OPEN_CODES)


stamps = st.one_of(
    st.none(),
    st.sampled_from(["", "not a date", "2026-08-10", "2026-08-10T09:13:11Z"]),
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.integers(0, 2_000_000_000_000),
)
done_tasks = st.lists(
    st.fixed_dictionaries(
        {
            "status": st.sampled_from(["completed", "skipped", "pending", None]),
            "completedAt": stamps,
            "skippedAt": stamps,
        }
    ),
    max_size=15,
)


@settings(max_examples=200, deadline=None)
@given(done_tasks)
def test_saleshandy_watermarks_match_parsing_the_kept_text(tasks: list[dict[str, Any]]) -> None:
    scan = SaleshandyScan.__new__(SaleshandyScan)  # only the watermark state is used
    scan.watermarks, scan._newest = {}, {}
    expected: dict[str, str] = {}
    for task in tasks:
        scan._stamp(task)
        for status, cursor in DONE_TABS:  # the plain way: the kept text parsed each time
            stamp = parse_utc(task.get(cursor)) if task.get("status") == status else None
            if stamp is not None:
                mark = expected.get(cursor)
                if mark is None or stamp > parse_utc(mark):  # type: ignore[operator]
                    expected[cursor] = stamp.isoformat()
    assert scan.watermarks == expected


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.lists(
            st.lists(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)), max_size=8),
            max_size=5,
        ).map(lambda batches: [pa.chunked_array([b], pa.int64()) for b in batches]),
        st.lists(st.lists(st.one_of(st.none(), st.text(max_size=4)), max_size=8), max_size=5).map(
            lambda batches: [pa.chunked_array([b], pa.string()) for b in batches]
        ),
    ),
    st.sets(st.one_of(st.text(max_size=4), st.integers(-9, 9).map(str), st.just("None"))),
)
def test_ids_kept_as_arrow_text_match_a_set_of_str(
    batches: list[pa.ChunkedArray], known: set[str]
) -> None:
    seen = [chunk for ids in batches for chunk in _as_text(ids).chunks]
    plain = {str(i) for ids in batches for i in ids.to_pylist()}
    assert not_seen(known, seen) == sorted(known - plain)
