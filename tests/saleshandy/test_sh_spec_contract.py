"""Contract tests of the Saleshandy client's parsers, one per documented fact the product relies
on, against spec-shaped bodies written here from `shared/api-docs/VENDOR-SPECS.md` section 2
(`sh_spec_vendor`), plus the scan's proof of completeness over the same bodies.

The sandbox side of each fact is in `test_sh_sandbox_facts.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sales_tasks.clients.core import ApiClient, AuthenticationError
from sales_tasks.clients.saleshandy.paging import payload_list
from sales_tasks.clients.saleshandy.tasks import one_task, prospect_id_of, task_id_of
from sales_tasks.destinations.core.contract import TTaskRow
from sales_tasks.destinations.saleshandy.search import listed_task
from sales_tasks.destinations.saleshandy.vendor import map_results
from sales_tasks.sources.saleshandy.report import SaleshandyScanReport
from sales_tasks.sources.saleshandy.scan import Batch, TaskScan
from tests.saleshandy.sh_spec_vendor import KEY, SpecVendor, spec_task


def _client(vendor: SpecVendor, key: str = KEY) -> ApiClient:
    return vendor.client(key)


def _scan(
    vendor: SpecVendor, *, known: list[str] | None = None, concurrency: int = 1
) -> tuple[SaleshandyScanReport, dict[str, dict[str, Any]]]:
    report = SaleshandyScanReport()
    rows: dict[str, dict[str, Any]] = {}
    with _client(vendor) as client:
        scan = TaskScan(
            client,
            report,
            concurrency=concurrency,
            known_ids=None if known is None else (lambda: known),
        )
        for item in scan:
            if isinstance(item, Batch) and item.tasks is not None:
                for row in item.tasks.to_pylist():
                    rows[row["id"]] = row
    return report, rows


# -- fact 9: task ids are `taskId` in every documented response ------------------------------


def test_the_create_answer_maps_each_prospect_to_its_task_id() -> None:
    """S3 / SN @~384,500: `{message, payload: {results: [{prospectId, taskId, success}]}}`."""
    body = {
        "message": "Task created successfully",
        "payload": {
            "results": [
                {"prospectId": "QJbZ2pAqWe", "taskId": "Xv9qL0pTzB", "success": True},
                {"prospectId": "aB3dE5gH7j", "taskId": None, "success": False},
            ]
        },
    }
    rows: list[TTaskRow] = [
        {"request_id": "r2", "contact_id": "aB3dE5gH7j"},  # type: ignore[typeddict-item]
        {"request_id": "r1", "contact_id": "QJbZ2pAqWe"},  # type: ignore[typeddict-item]
    ]
    outcome = map_results(rows, body)
    assert outcome.created == {"r1": "Xv9qL0pTzB"}
    assert set(outcome.rejected) == {"r2"} and not outcome.unknown


def test_the_snooze_answer_holds_the_task_at_payload_task() -> None:
    """SD snooze: `{message, payload: {task: {taskId, status: "snoozed", snoozedUntil, ...}}}`."""
    body = {
        "message": "Task snoozed successfully",
        "payload": {"task": {"taskId": "Xv9qL0pTzB", "status": "snoozed",
                             "snoozedUntil": "2026-05-01T09:00:00Z", "callOutcome": None}},
    }  # fmt: skip
    task = one_task(body)
    assert task is not None and task_id_of(task) == "Xv9qL0pTzB"
    assert one_task({"message": "x", "payload": {"taskId": "A1", "status": "upcoming"}}) == {
        "taskId": "A1",
        "status": "upcoming",
    }  # the other guess: the task as the payload itself
    assert one_task({"message": "x", "payload": {"status": "upcoming"}}) is None


@pytest.mark.parametrize(
    ("item", "task", "prospect"),
    [
        ({"taskId": "A", "prospect": {"id": "P", "email": "e"}}, "A", "P"),
        ({"taskId": "A", "prospectId": "P"}, "A", "P"),
        ({"id": "B", "prospect": {"prospectId": "Q"}}, "B", "Q"),
        ({"taskId": "A", "id": "B", "prospectId": 42}, "A", "42"),  # the documented name wins
        ({"taskId": None, "id": "B"}, "B", None),
        ({"taskId": "", "prospect": None}, None, None),
        ({"taskId": {"x": 1}}, None, None),
        ({"title": "no id"}, None, None),
    ],
)
def test_a_listed_task_is_keyed_task_id_or_id(item: dict[str, Any], task: Any, prospect: Any):
    assert task_id_of(item) == task and prospect_id_of(item) == prospect
    assert listed_task(item)["id"] == task and listed_task(item)["contact_id"] == prospect


def test_a_list_payload_is_an_array_or_an_object_holding_one() -> None:
    assert payload_list({"payload": [{"taskId": "A"}, None]}) == [{"taskId": "A"}, None]
    assert payload_list({"payload": {"tasks": [], "total": 0}}, ("tasks",)) == []
    assert payload_list({"payload": {"rows": [1]}}) == [1]  # an object's only list
    assert payload_list({"payload": {"a": [], "b": []}}) is None  # which one? unreadable
    assert payload_list({"message": "no payload"}) is None


def test_invalid_token_comes_as_http_400_code_1001() -> None:
    """SN: `1001: Invalid token` is declared under HTTP 400."""
    with _client(SpecVendor(), key="wrong") as client, pytest.raises(AuthenticationError):
        client.request_json("GET", "/v1/tasks/counts")


# -- the scan over spec-shaped lists ---------------------------------------------------------


@pytest.mark.parametrize("key", ["taskId", "id"])
@pytest.mark.parametrize("prospect", ["embedded", "prospectId"])
@pytest.mark.parametrize("envelope", ["array", "object"])
def test_every_listed_task_is_loaded_with_its_prospect(key, prospect, envelope) -> None:
    """430 tasks keyed `taskId` were once read and 0 loaded; every shape loads all of them."""
    vendor = SpecVendor([spec_task(n) for n in range(430)], key, prospect, envelope)
    report, rows = _scan(vendor, concurrency=4)
    assert report.complete and report.unreadable == 0
    assert len(rows) == 430 and all(r["prospect_id"] for r in rows.values())
    assert rows["T000000008"]["prospect_id"] == "P000000001"
    # The list is read in the documented sort, at the documented largest page size.
    first = vendor.requested("/v1/tasks")[0]
    assert (first["sortBy"], first["sortOrder"], first["pageSize"]) == ("dueDate", "ASC", "100")


@pytest.mark.parametrize(
    ("broken", "why"),
    [
        ({"title": "a task without any id"}, "without a taskId or id"),
        (None, "not JSON objects"),
        ("T-as-a-string", "not JSON objects"),
    ],
)
def test_an_item_that_cannot_be_keyed_is_counted_and_makes_the_run_incomplete(broken, why):
    items: list[Any] = [spec_task(n) for n in range(250)]
    items[120] = broken  # the counts still count it: Saleshandy holds a task there
    report, rows = _scan(SpecVendor(items), known=[i["taskId"] for i in items[:100]])
    assert report.unreadable == 1 and not report.complete
    assert len(rows) == 249
    assert any(why in w for w in report.warnings), report.warnings
    assert report.as_row()["unreadable"] == 1 and report.as_row()["complete"] is False


def test_a_page_without_a_list_is_unreadable_not_the_end_of_the_list() -> None:
    vendor = SpecVendor([spec_task(n) for n in range(150)])
    original = vendor.answer

    def answer(method: str, path: str, query: dict[str, str]) -> tuple[int, Any]:
        if path == "/v1/tasks" and query.get("page") == "2":
            return 200, {"message": "ok", "payload": {"a": [], "b": []}}
        return original(method, path, query)

    vendor.answer = answer  # type: ignore[method-assign]
    report, rows = _scan(vendor)
    assert len(rows) == 100 and report.unreadable == 1 and not report.complete
    assert any("page 2 of the task list held no list" in w for w in report.warnings)


@pytest.mark.parametrize("one", ["task", "bare"])
def test_a_loaded_task_the_list_hid_is_read_by_id_loaded_and_deletes_nothing(one: str) -> None:
    """Check 5: counts that agree with a list that hid a live task (rows shifted) are not
    enough; the task still answers by id, so it is loaded and the run is incomplete."""
    tasks = [spec_task(n) for n in range(200)]
    hidden = tasks.pop(57)
    vendor = SpecVendor(tasks, one_task=one)
    vendor.alive = {t["taskId"]: t for t in [*tasks, hidden]}
    report, rows = _scan(vendor, known=[t["taskId"] for t in [*tasks, hidden]])
    assert not report.complete and hidden["taskId"] in rows
    assert rows[hidden["taskId"]]["task_note"] == hidden["taskNote"]
    assert vendor.requested(f"/v1/tasks/{hidden['taskId']}") == [{}]
    assert any("still in Saleshandy" in w for w in report.warnings)


def test_loaded_tasks_the_list_no_longer_shows_are_gone_only_on_a_404_each() -> None:
    tasks = [spec_task(n) for n in range(120)]
    gone = ["T999999991", "T999999992", "T999999993"]
    vendor = SpecVendor(tasks)
    report, rows = _scan(vendor, known=[t["taskId"] for t in tasks] + gone)
    assert report.complete and report.verified_gone == 3 and len(rows) == 120
    assert sorted(p for _, p, _ in vendor.calls if p.startswith("/v1/tasks/T")) == [
        f"/v1/tasks/{g}" for g in gone
    ]  # each answered 404 "The requested task could not be found"


def test_a_task_read_that_may_be_newer_than_the_scan_makes_it_incomplete() -> None:
    """Check 4: a task created during the scan while another was deleted keeps the counts and
    the distinct ids equal; only its creation time (or an earlier load) can tell."""
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    tasks = [spec_task(n) for n in range(150)]
    tasks[149] = spec_task(149, created=soon)
    report, _ = _scan(SpecVendor(tasks), known=[t["taskId"] for t in tasks[:149]])
    assert not report.complete and any("T000000149" in w for w in report.warnings)
    # Loaded by an earlier run, the same task proves nothing new: complete.
    report, _ = _scan(SpecVendor(tasks), known=[t["taskId"] for t in tasks])
    assert report.complete


def test_undated_new_tasks_need_every_page_to_end_where_it_did() -> None:
    """Check 4 without `createdAt`: the task that ended each page is re-read (a one-row page at
    its place); a list that moved since (a task deleted behind the read position) is caught."""
    undated = [{k: v for k, v in spec_task(n).items() if k != "createdAt"} for n in range(250)]
    known = [t["taskId"] for t in undated[:100]]
    vendor = SpecVendor(undated)
    report, _ = _scan(vendor, known=known)
    assert report.complete
    ends = [
        (q["page"], q["pageSize"]) for q in vendor.requested("/v1/tasks") if q["pageSize"] == "1"
    ]
    assert sorted(ends) == [("100", "1"), ("200", "1"), ("250", "1")]
    moved = SpecVendor(undated)
    original = moved.answer

    def answer(method: str, path: str, query: dict[str, str]) -> tuple[int, Any]:
        if path == "/v1/tasks" and query.get("pageSize") == "1":
            moved.items = undated[1:] + [undated[0]]  # one deleted behind, one made ahead
        return original(method, path, query)

    moved.answer = answer  # type: ignore[method-assign]
    report, _ = _scan(moved, known=known)
    assert not report.complete
    assert any("the list moved while it was read: page 1 ended" in w for w in report.warnings)
    # Every task loaded before: nothing new to date, nothing re-read.
    again = SpecVendor(undated)
    report, _ = _scan(again, known=[t["taskId"] for t in undated])
    assert report.complete and all(q["pageSize"] == "100" for q in again.requested("/v1/tasks"))
