"""Saleshandy push, after a lost answer: the task is recognised in the list whatever the list's
unpublished shape (keyed `taskId` or `id`, prospect embedded or by id, payload array or object),
the read is bounded by the due dates sent, and rows the push's own creates shift between pages
are read once instead of making the read untrustworthy. Real HTTP to the sandbox (DuckDB and
PostgreSQL), and the adapter alone over spec-shaped bodies."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_tasks.destinations.saleshandy.vendor import SaleshandyTaskVendor
from tests.saleshandy.sh_push_helpers import (
    CREATE,
    creates,
    prospect_ids,
    rows_for,
    sh_ledger,
    sh_push,
    sh_warehouse,
    tasks_by_request,
    write_input,
)
from tests.saleshandy.sh_spec_vendor import SpecVendor, spec_task

FIXTURES = (sh_push, sh_warehouse)  # found by pytest in this module's namespace
TASKS = "/v1/tasks"


def _list_reads(sb: Any) -> list[dict[str, Any]]:
    return [r["query"] for r in sb.requests(TASKS) if r["method"] == "GET"]


@pytest.mark.parametrize(
    "shape",
    [
        {},  # the documented name, taskId; prospect embedded; payload an array
        {"task_key": "id"},
        {"list_prospect": "prospectId"},
        {"task_key": "id", "list_prospect": "prospectId", "list_payload": "object"},
    ],
    ids=["taskId", "id", "prospectId", "id-prospectId-object"],
)
def test_a_dropped_create_answer_is_recognised_whatever_the_list_shape(
    make_saleshandy_sandbox: Any, sh_warehouse: str, sh_push: Any, shape: dict[str, str]
) -> None:
    sb = make_saleshandy_sandbox(**shape)
    rows = rows_for(prospect_ids(sb, 40))
    write_input(sh_warehouse, rows)
    sb.script_faults([{"path": CREATE, "fault": "drop_after_create", "count": 1}])
    first = sh_push(sb, max_prospects_per_call=10)
    assert first.created == 40 and first.reconciled == {"found": 10}, first.format()
    assert first.needs_review == 0
    assert set(tasks_by_request(sb, rows).values()) == {1}  # no duplicate
    assert {e["state"] for e in sh_ledger(sh_warehouse).values()} == {"delivered"}


def test_one_lost_call_reads_only_the_pages_down_to_its_due_date(
    make_saleshandy_sandbox: Any, sh_warehouse: str, sh_push: Any
) -> None:
    """2,000 tasks (21 pages): the lost call's tasks are due 2031-01-15, later than every seeded
    task, so the list read newest due date first holds them on its first page."""
    sb = make_saleshandy_sandbox(tasks=2000)
    rows = rows_for(prospect_ids(sb, 40), due_date="2031-01-15")
    write_input(sh_warehouse, rows)
    sb.script_faults([{"path": CREATE, "fault": "drop_after_create", "count": 1}])
    first = sh_push(sb, max_prospects_per_call=10)
    assert first.created == 40 and first.reconciled == {"found": 10}, first.format()
    reads = _list_reads(sb)
    assert 1 <= len(reads) <= 2, reads  # instead of 21 pages per look
    assert {(q["sortBy"], q["sortOrder"]) for q in reads} == {("dueDate", "DESC")}
    assert set(tasks_by_request(sb, rows).values()) == {1}


def test_a_lost_call_due_before_every_task_jumps_to_the_end_of_the_list(
    make_saleshandy_sandbox: Any, sh_warehouse: str, sh_push: Any
) -> None:
    """5,000 tasks (51 pages), the lost call's tasks due 2020-01-15, before every seeded task, so
    they are on the list's last page: the read probes its way there instead of reading 51
    pages, and the one page holding them decides at once (one look)."""
    sb = make_saleshandy_sandbox(tasks=5000)
    rows = rows_for(prospect_ids(sb, 40), due_date="2020-01-15")
    write_input(sh_warehouse, rows)
    sb.script_faults([{"path": CREATE, "fault": "drop_after_create", "count": 1}])
    first = sh_push(sb, max_prospects_per_call=10)
    assert first.created == 40 and first.reconciled == {"found": 10}, first.format()
    reads = _list_reads(sb)
    assert len(reads) <= 14, [q["page"] for q in reads]
    assert {(q["sortBy"], q["sortOrder"]) for q in reads} == {("dueDate", "DESC")}
    assert set(tasks_by_request(sb, rows).values()) == {1}


def test_rows_shifted_by_creates_during_the_read_are_read_once_not_distrusted(
    make_saleshandy_sandbox: Any, sh_warehouse: str, sh_push: Any
) -> None:
    """Once, a list read while other calls created tasks "repeated a page", and 100 rows became
    needs review although no task was missing: 100 tasks made before page 2 of the read (due
    first in its order) push page 1 whole into page 2."""
    sb = make_saleshandy_sandbox()
    prospects = prospect_ids(sb, 41)
    # Two tasks per prospect, due far apart, and every answer lost, so a look reads the due
    # dates of both (a look reads only the due dates of the tasks it looks for): every page.
    rows = rows_for(prospects[:40], due_date="2098-06-01")
    write_input(sh_warehouse, rows + rows_for(prospects[:40], "s", due_date="2000-01-01"))
    made = {"prospectId": prospects[40], "taskType": "9", "dueDate": "2099-01-01"}
    sb.change_before_page(2, add=[{**made, "taskNote": f"shift {i}"} for i in range(100)])
    sb.script_faults([{"path": CREATE, "fault": "drop_after_create", "count": 100}])
    first = sh_push(sb, max_prospects_per_call=10)
    assert sb.list_changes() == []  # the read met the change
    assert first.created == 80 and first.reconciled == {"found": 80}, first.format()
    assert first.needs_review == 0
    assert set(tasks_by_request(sb, rows).values()) == {2}
    assert sum(len(e["body"]["prospectIds"]) for e in creates(sb)) == 80  # nothing resent


# -- the adapter alone, over spec-shaped lists -----------------------------------------------


def _vendor(spec: SpecVendor) -> SaleshandyTaskVendor:
    return SaleshandyTaskVendor(spec.client())


def _sorted(n: int) -> list[dict[str, Any]]:
    """n tasks newest due date first, as `sortBy=dueDate&sortOrder=DESC` answers."""
    tasks = []
    for i in range(n):
        task = spec_task(i)
        task["dueDate"] = f"{2030 - i // 50}-06-01"
        tasks.append(task)
    return tasks


def test_the_read_stops_below_the_earliest_due_date_it_was_shown() -> None:
    spec = SpecVendor(_sorted(1000))  # due 2030 .. 2011, 50 a year
    vendor = _vendor(spec)
    wanted = spec.items[120]  # due 2028-06-01
    contact = wanted["prospect"]["id"]
    vendor.contact_of({"contact_id": contact, "due_at": "2028-06-01"})
    found = vendor.search_created([contact]).tasks
    assert found is not None and wanted["taskId"] in {t["id"] for t in found}
    # 2030..2029, then 2028 with a page ending below it (page 4 probed at once with page 2)
    assert [q["page"] for q in spec.requested(TASKS)] == ["1", "2", "4"]


def test_a_due_date_any_earlier_payload_named_keeps_the_read_going_down_to_it() -> None:
    """A row left `sending` by an earlier run, for the same prospect as a row of this run, is
    looked for through `contact_of`: its older due date lowers the bound."""
    spec = SpecVendor(_sorted(1000))
    vendor = _vendor(spec)
    old = spec.items[700]  # due 2016-06-01
    contact = old["prospect"]["id"]
    vendor.payload({"request_id": "new", "contact_id": contact, "type": "13",  # type: ignore[typeddict-item]
                    "priority": "3", "due_at": "2030-06-01", "note": "n"})  # fmt: skip
    vendor.contact_of({"contact_id": contact, "due_at": "2016-06-01"})
    found = vendor.search_created([contact]).tasks
    assert found is not None and old["taskId"] in {t["id"] for t in found}


def test_a_list_not_in_due_date_order_is_read_to_its_end() -> None:
    spec = SpecVendor([spec_task(n) for n in range(450)])  # ignores sortBy: dates cycle
    vendor = _vendor(spec)
    contact = spec.items[3]["prospect"]["id"]
    vendor.contact_of({"contact_id": contact, "due_at": "2026-02-27"})
    found = vendor.search_created([contact]).tasks
    assert found is not None and len(found) == sum(
        1 for t in spec.items if t["prospect"]["id"] == contact
    )
    pages = [int(q["page"]) for q in spec.requested(TASKS)]
    assert set(range(1, 6)) <= set(pages)  # every page, to the short one
    assert len(pages) <= 10, pages  # plus the pages read twice to read several at once


def test_a_contact_never_shown_a_due_date_is_looked_for_to_the_end() -> None:
    spec = SpecVendor(_sorted(450))
    vendor = _vendor(spec)
    contact = spec.items[449]["prospect"]["id"]
    found = vendor.search_created([contact]).tasks
    assert found is not None and spec.items[449]["taskId"] in {t["id"] for t in found}
    pages = [int(q["page"]) for q in spec.requested(TASKS)]
    assert set(range(1, 6)) <= set(pages)
    assert len(pages) <= 10, pages  # plus the pages read twice to read several at once


def test_an_item_of_a_wanted_prospect_without_an_id_makes_the_search_undecided() -> None:
    items: list[Any] = _sorted(150)
    contact = items[10]["prospect"]["id"]
    items[10] = {k: v for k, v in items[10].items() if k != "taskId"}
    result = _vendor(SpecVendor(items)).search_created([contact])
    assert result.tasks is None and "no taskId" in result.reason


def _in_years(n: int, per_year: int = 50) -> list[dict[str, Any]]:
    """n tasks newest due date first, `per_year` per due date, one due date a year down from
    8999 (so any n drawn here keeps four-digit years; 9999 is later than all)."""
    tasks = []
    for i in range(n):
        task = spec_task(i)
        task["dueDate"] = f"{8999 - i // per_year}-06-01"
        tasks.append(task)
    return tasks


def test_the_read_jumps_over_the_pages_due_after_the_window() -> None:
    """5,000 tasks (50 pages), the one looked for on page 33: probing pages 1, 2, 4, ..., 64 and
    halving back reads about a dozen pages instead of 33."""
    spec = SpecVendor(_in_years(5000))
    vendor = _vendor(spec)
    wanted = spec.items[3210]
    contact = wanted["prospect"]["id"]
    vendor.contact_of({"contact_id": contact, "due_at": wanted["dueDate"]})
    found = vendor.search_created([contact]).tasks
    assert found is not None and wanted["taskId"] in {t["id"] for t in found}
    pages = [int(q["page"]) for q in spec.requested(TASKS)]
    assert len(pages) <= 14 and 33 in pages, pages
    assert vendor.search_pages == len(pages)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=2500),
    per_year=st.integers(min_value=1, max_value=250),
    picks=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=4),
    shift_after=st.integers(min_value=1, max_value=20),
    shift=st.integers(min_value=0, max_value=40),
    every=st.booleans(),
)
def test_every_task_in_the_window_is_found_even_when_creates_shift_pages_after_the_probes(
    n: int, per_year: int, picks: list[int], shift_after: int, shift: int, every: bool
) -> None:
    """Whatever the list's length, due dates and where the tasks looked for sit, every task of
    the wanted prospects due inside the window is returned, also when `shift` tasks due later
    than everything are created before every request from the `shift_after`th on, or only
    before that one (they push rows to later pages between the probes and during the read,
    also while pages are read at once)."""
    spec = SpecVendor(_in_years(n, per_year))
    vendor = _vendor(spec)
    answer = spec.answer
    made = iter(range(10**6, 10**9))

    def shifting(method: str, path: str, query: dict[str, str]) -> tuple[int, Any]:
        if len(spec.calls) == shift_after or (every and len(spec.calls) > shift_after):
            batch = [{**spec_task(next(made)), "dueDate": "9999-01-01"} for _ in range(shift)]
            spec.items[:0] = batch
        return answer(method, path, query)

    spec.answer = shifting  # type: ignore[method-assign]
    looked = [spec.items[p % n] for p in picks]
    contacts = sorted({t["prospect"]["id"] for t in looked})
    for task in looked:
        vendor.contact_of({"contact_id": task["prospect"]["id"], "due_at": task["dueDate"]})
    found = vendor.search_created(contacts).tasks
    assert found is not None
    low, high = min(t["dueDate"] for t in looked), max(t["dueDate"] for t in looked)
    expected = {
        t["taskId"]
        for t in spec.items
        if t["prospect"]["id"] in contacts and low <= t["dueDate"] <= high
    }
    assert expected <= {t["id"] for t in found}


def test_a_window_held_by_one_page_is_one_read_and_the_next_look_skips_the_probes() -> None:
    """The window on one page (the one after the jump's probes): the result is one response of
    the vendor (`one_read`, so the reconciler needs one look, not two); a second look for the
    same window starts probing after the pages the first one found before it."""
    spec = SpecVendor(_in_years(5000))
    vendor = _vendor(spec)
    wanted = spec.items[3210]  # page 33, due 8935, a due date held by items 3200-3249
    contact = wanted["prospect"]["id"]
    vendor.contact_of({"contact_id": contact, "due_at": wanted["dueDate"]})
    first = vendor.search_created([contact])
    assert first.tasks is not None and first.one_read
    probes = len(spec.requested(TASKS))
    second = vendor.search_created([contact])
    assert second.tasks is not None and wanted["taskId"] in {t["id"] for t in second.tasks}
    assert [q["page"] for q in spec.requested(TASKS)[probes:]] == ["33"]


def test_a_window_over_several_pages_is_not_one_read() -> None:
    spec = SpecVendor(_in_years(5000))
    vendor = _vendor(spec)
    low, high = spec.items[3210], spec.items[3420]
    for task in (low, high):
        vendor.contact_of({"contact_id": task["prospect"]["id"], "due_at": task["dueDate"]})
    result = vendor.search_created([low["prospect"]["id"], high["prospect"]["id"]])
    assert result.tasks is not None and not result.one_read
    assert {low["taskId"], high["taskId"]} <= {t["id"] for t in result.tasks}


@pytest.mark.parametrize("create_after", range(1, 20))
def test_a_task_pushed_onto_the_found_page_after_it_was_probed_is_still_read(
    create_after: int,
) -> None:
    """The task looked for is the last item of page 43; one create, after any request of the
    read (the probes are asked several at once), pushes it onto page 44: it is found wherever
    that create lands (a page found with or before the page before it is read again)."""
    items = [{**spec_task(i), "dueDate": "2500-01-01"} for i in range(4299)]
    items += [{**spec_task(i), "dueDate": "2000-01-01"} for i in range(4299, 4500)]
    spec = SpecVendor(items)
    vendor = _vendor(spec)
    wanted = items[4299]
    answer = spec.answer

    def one_create(method: str, path: str, query: dict[str, str]) -> tuple[int, Any]:
        if len(spec.calls) == create_after:
            spec.items.insert(0, {**spec_task(10**6), "dueDate": "3000-01-01"})
        return answer(method, path, query)

    spec.answer = one_create  # type: ignore[method-assign]
    vendor.contact_of({"contact_id": wanted["prospect"]["id"], "due_at": "2000-01-01"})
    found = vendor.search_created([wanted["prospect"]["id"]]).tasks
    assert found is not None and wanted["taskId"] in {t["id"] for t in found}


@pytest.mark.parametrize("pages_at_once", [1, 8])
def test_a_create_landing_while_pages_are_read_at_once_does_not_hide_a_task(
    pages_at_once: int,
) -> None:
    """The window's pages are read several at once; page 6 answers before page 5, and a create
    lands between them, pushing the last task of page 5 onto page 6: the page read before and
    after the others shows the list moved, so the pages are read again one after the other and
    the task is found. Read one page after the other, the same create cannot hide it."""
    import threading

    items = [{**spec_task(i), "dueDate": "2500-01-01"} for i in range(150)]
    items += [{**spec_task(i), "dueDate": "2000-01-01"} for i in range(150, 2150)]
    spec = SpecVendor(items)
    vendor = _vendor(spec)
    vendor.reader.pages_at_once = pages_at_once
    wanted = items[499]  # the last task of page 5
    answer = spec.answer
    page_6_answered = threading.Event()

    def six_before_five(method: str, path: str, query: dict[str, str]) -> tuple[int, Any]:
        if query.get("page") == "5" and not page_6_answered.is_set():
            page_6_answered.wait(timeout=1.0)  # read at once: page 6 answers first
        got = answer(method, path, query)
        if query.get("page") == "6" and not page_6_answered.is_set():
            spec.items.insert(0, {**spec_task(10**6), "dueDate": "3000-01-01"})
            page_6_answered.set()
        return got

    spec.answer = six_before_five  # type: ignore[method-assign]
    vendor.contact_of({"contact_id": wanted["prospect"]["id"], "due_at": "2000-01-01"})
    found = vendor.search_created([wanted["prospect"]["id"]]).tasks
    assert found is not None and wanted["taskId"] in {t["id"] for t in found}
    pages = [int(q["page"]) for q in spec.requested(TASKS)]
    assert pages.count(5) == (2 if pages_at_once > 1 else 1), pages  # read again, in order
