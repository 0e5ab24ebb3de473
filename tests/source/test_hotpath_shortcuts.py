"""The hot path's shortcuts give the same answers as the plain way they replace.

- `records_table`'s `extra_fields`: one union of the rows' keys, then one `itemgetter` per row,
  against the row-by-row set difference (rows of one shape, rows of mixed shapes, no extras).
- `SeenIds.add_new` / `count_missing` (the `_seen` check inlined) against a Python set, across
  the merge into the sorted array.
- Reply's `enum_value` (answers cached per value) against the uncached reading.
"""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_tasks.sources.apollo.dedup import SeenIds
from sales_tasks.sources.core.schema import _extra, records_table
from sales_tasks.sources.reply.schema import ENUM_FIELDS, _enum_value, enum_value

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
