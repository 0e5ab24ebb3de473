"""Unit tests of the source's pure logic: lenient numbers, page planning, slicing, dedup, rows."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest

from sales_tasks.clients.core.values import lenient_int, parse_utc
from sales_tasks.sources.apollo.dedup import SeenIds
from sales_tasks.sources.apollo.pagination import (
    PageInfo,
    effective_per_page,
    is_short,
    page_info,
    plan_pages,
)
from sales_tasks.sources.apollo.schema import (
    TASK_COLUMNS,
    contacts_table,
    phone_numbers_table,
    tasks_table,
)
from sales_tasks.sources.apollo.slicing import (
    TASK_TYPE_FILTER,
    USER_FILTER,
    Child,
    Slice,
    facet_counts,
    filter_applied,
    type_children,
    user_children,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (5, 5),
        ("5", 5),
        (" 200 ", 200),
        ("200.0", 200),
        (7.0, 7),
        (b"3", 3),
        ("", None),
        ("seven", None),
        (None, None),
        (True, None),
        (float("nan"), None),
    ],
)
def test_lenient_int(raw: object, expected: int | None) -> None:
    assert lenient_int(raw) == expected


def test_page_info_reads_strings_and_missing_parts() -> None:
    info = page_info(
        {"tasks": [{}, {}], "pagination": {"page": "1", "per_page": "2", "total_entries": "20"}}
    )
    assert info == PageInfo(page=1, per_page=2, total_entries=20, rows=2)
    assert page_info({"tasks": None, "pagination": "junk"}) == PageInfo(None, None, None, 0)  # type: ignore[typeddict-item]


def test_plan_pages_under_and_over_the_cap() -> None:
    plan = plan_pages(total_entries=250, per_page=100, max_records=50_000, max_pages=500)
    assert (plan.last_page, plan.reachable, plan.capped) == (3, 250, False)
    assert list(plan.remaining_pages()) == [2, 3]
    assert [plan.expected_rows(p) for p in (1, 2, 3, 4)] == [100, 100, 50, 0]

    capped = plan_pages(total_entries=120_000, per_page=200, max_records=50_000, max_pages=500)
    assert (capped.last_page, capped.reachable, capped.capped) == (250, 50_000, True)
    # The page cap binds when per_page is small: 500 pages x 10 rows.
    assert plan_pages(10_000, 10, 50_000, 500).reachable == 5_000


def test_plan_pages_never_plans_a_page_twice_or_zero_pages() -> None:
    plan = plan_pages(0, 100, 50_000, 500)
    assert plan.last_page == 1 and list(plan.remaining_pages()) == []
    seed_002 = plan_pages(total_entries=20, per_page=2, max_records=50_000, max_pages=500)
    assert seed_002.last_page == 10  # from total_entries, not the inconsistent total_pages 7
    with pytest.raises(ValueError):
        plan_pages(10, 0, 50_000, 500)


def test_short_page_detection() -> None:
    plan = plan_pages(300, 100, 50_000, 500)
    assert not is_short(plan, 2, 100)
    assert is_short(plan, 2, 60)
    assert is_short(plan, 3, 0)


def test_effective_per_page_follows_a_silent_clamp() -> None:
    assert effective_per_page(200, PageInfo(1, 100, 300, 100)) == 100
    assert effective_per_page(200, PageInfo(1, None, 300, 100)) == 100
    assert effective_per_page(200, PageInfo(1, None, 50, 50)) == 200  # everything fit
    assert effective_per_page(100, PageInfo(1, 200, 300, 100)) == 100


FIRST_PAGE = {
    "tasks": [{"type": "call", "user_id": "u1"}],
    "pagination": {"total_entries": 300},
    "faceting": {
        "task_types": [
            {"value": "contact_call", "display_name": "Call Contact", "count": "90"},
            {"value": "outreach_manual_email", "count": 150},
            {"value": "contact_action_item", "count": 0},
            {"display_name": "no value"},
        ]
    },
}


def test_facet_counts_and_type_children() -> None:
    counts = facet_counts(FIRST_PAGE)  # type: ignore[arg-type]
    assert [(c["value"], c["count"]) for c in counts] == [
        ("contact_call", 90),
        ("outreach_manual_email", 150),
        ("contact_action_item", 0),
    ]
    children = type_children(Slice(), FIRST_PAGE)  # type: ignore[arg-type]
    assert [(c.value, c.expected_total) for c in children] == [
        ("outreach_manual_email", 150),
        ("contact_call", 90),
    ]
    assert children[0].slice.as_filters() == {TASK_TYPE_FILTER: ["outreach_manual_email"]}
    nested = user_children(children[1].slice, [{"id": "u1"}, {"id": None}, {"id": "u2"}])
    assert [c.slice.as_filters() for c in nested] == [
        {TASK_TYPE_FILTER: ["contact_call"], USER_FILTER: ["u1"]},
        {TASK_TYPE_FILTER: ["contact_call"], USER_FILTER: ["u2"]},
    ]


def test_filter_applied_detects_an_ignored_filter() -> None:
    calls = Child(
        Slice().narrowed(TASK_TYPE_FILTER, "contact_call"), TASK_TYPE_FILTER, "contact_call", 90
    )
    honoured = PageInfo(1, 100, 90, 2)
    ignored = PageInfo(1, 100, 300, 2)
    call_rows = [{"type": "call"}, {"type": "call"}]
    mixed_rows = [{"type": "call"}, {"type": "action_item"}]
    assert filter_applied(calls, honoured, 300, call_rows)
    assert not filter_applied(calls, ignored, 300, call_rows)  # unfiltered total came back
    assert not filter_applied(calls, honoured, 300, mixed_rows)  # rows do not match
    assert not filter_applied(calls, PageInfo(1, 100, None, 2), 300, call_rows)

    user = Child(Slice().narrowed(USER_FILTER, "u1"), USER_FILTER, "u1", None)
    assert filter_applied(user, PageInfo(1, 100, 40, 2), 300, [{"user_id": "u1"}] * 2)
    assert not filter_applied(
        user, PageInfo(1, 100, 300, 2), 300, [{"user_id": "u1"}, {"user_id": "u2"}]
    )


def test_seen_ids_is_exact_across_merges() -> None:
    seen = SeenIds(merge_every=3)
    assert seen.add_new(["a", "b", "a"]) == [True, True, False]
    assert seen.add_new(["c", "b", "d"]) == [True, False, True]
    assert seen.add_new(["d", "e"]) == [False, True]
    assert len(seen) == 5 and "c" in seen and "z" not in seen


def test_parse_utc_forms() -> None:
    utc = dt.UTC
    assert parse_utc("2021-01-04T15:48:10.467Z") == dt.datetime(
        2021, 1, 4, 15, 48, 10, 467000, tzinfo=utc
    )
    assert parse_utc("2021-01-04T17:46:48.361+02:00") == dt.datetime(
        2021, 1, 4, 15, 46, 48, 361000, tzinfo=utc
    )
    assert parse_utc("2021-01-04T15:46:48") == dt.datetime(2021, 1, 4, 15, 46, 48, tzinfo=utc)
    assert parse_utc(None) is None and parse_utc("soon") is None


def test_tasks_table_types_lenient_values_and_extra_fields() -> None:
    table = tasks_table(
        [
            {
                "id": 123,  # ids are text even when sent as numbers
                "created_at": "2021-01-04T15:48:10.467Z",
                "due_at": "2021-01-04",  # not a full timestamp: per-value fallback
                "answered": "true",
                "persona_ids": ["p1"],
                "contact": {"id": "c1", "name": "x"},
                "brand_new_field": 1,
            }
        ]
    )
    assert table.column_names == [name for name, _ in TASK_COLUMNS]
    row = table.to_pylist()[0]
    assert row["id"] == "123"
    assert row["answered"] is True
    assert row["contact_id"] == "c1"  # from the embedded contact when the id is missing
    assert row["due_at"] == dt.datetime(2021, 1, 4, tzinfo=dt.UTC)
    assert orjson.loads(row["persona_ids"]) == ["p1"]
    assert orjson.loads(row["extra_fields"]) == {"brand_new_field": 1}
    assert row["subject"] is None


def test_contacts_and_phone_numbers_tables() -> None:
    contacts = [
        {"id": "c1", "phone_numbers": [{"raw_number": "1", "position": 0}, {"raw_number": "2"}]},
        {"id": "c2", "phone_numbers": []},
    ]
    assert contacts_table(contacts).column("id").to_pylist() == ["c1", "c2"]
    phones = phone_numbers_table(contacts).to_pylist()
    assert [(p["contact_id"], p["position"], p["raw_number"]) for p in phones] == [
        ("c1", 0, "1"),
        ("c1", 1, "2"),
    ]
