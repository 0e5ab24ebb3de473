"""Saleshandy push, the calls: fewest creates per task definition, answers mapped by prospect,
refusals of too large calls, lost answers reconciled, reruns. Real HTTP to the sandbox, DuckDB
and PostgreSQL; calls counted in the sandbox's request log."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

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

FIXTURES = (sh_push, sh_warehouse)  # found by pytest in this module's namespace


def _definition(body: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(body.get(k) for k in ("taskType", "priority", "dueDate", "taskNote"))


def test_rows_sharing_a_definition_share_the_fewest_calls(
    make_saleshandy_sandbox: Any, sh_warehouse: str, sh_push: Any
) -> None:
    sb = make_saleshandy_sandbox(tasks=780)  # 260 prospects
    people = prospect_ids(sb, 250)
    # Three definitions of 120, 90 and 40 rows, interleaved in the input; and one prospect
    # asked twice for the same task (two tasks, so two calls).
    kinds = [("13", "2026-04-22", "a"), ("3", "2026-04-22", "b"), ("13", "2026-04-23", "a")]
    rows = []
    for i, p in enumerate(people):
        task_type, due, note = kinds[0 if i % 25 < 12 else (1 if i % 25 < 21 else 2)]
        rows.append(
            {
                "request_id": f"g-{i}",
                "prospect_id": p,
                "task_type": task_type,
                "due_date": due,
                "task_note": note,
            }
        )
    sizes = Counter((r["task_type"], r["due_date"]) for r in rows)
    assert sorted(sizes.values()) == [40, 90, 120]
    twice = {**rows[0], "request_id": "g-again"}
    write_input(sh_warehouse, [*rows, twice])

    summary = sh_push(sb, max_prospects_per_call=100)

    assert summary.created == 251 and summary.adds_up
    calls = creates(sb)
    # 121 rows (one prospect twice) -> 2 calls, 90 -> 1, 40 -> 1: the minimum, 4.
    assert summary.minimum_calls == 4 and summary.calls == 4 and len(calls) == 4
    for entry in calls:
        body = entry["body"]
        assert len(body["prospectIds"]) == len(set(body["prospectIds"])) <= 100
    by_definition = Counter(_definition(e["body"]) for e in calls)
    assert sorted(by_definition.values()) == [1, 1, 2]
    sent = Counter(p for e in calls for p in e["body"]["prospectIds"])
    assert sent[rows[0]["prospect_id"]] == 2 and sum(sent.values()) == 251
    assert len(sb.created()) == 251
    assert {e["state"] for e in sh_ledger(sh_warehouse).values()} == {"delivered"}


def test_mixed_results_and_shuffled_order_map_by_prospect(
    make_saleshandy_sandbox: Any, sh_warehouse: str, sh_push: Any
) -> None:
    sb = make_saleshandy_sandbox(results_order="shuffled")
    people = prospect_ids(sb, 30)
    rows = rows_for(people)
    for i in (3, 11, 20):
        rows[i]["prospect_id"] = f"GONE{i}"  # unknown to Saleshandy: fails alone
    write_input(sh_warehouse, rows)

    summary = sh_push(sb)

    assert summary.calls == 1 and summary.created == 27 and summary.rejected == 3
    assert {rid for _, rid, _ in summary.rejections} == {"r-3", "r-11", "r-20"}
    (call,) = creates(sb)
    assert len(call["body"]["prospectIds"]) == 30
    # Each delivered request holds the task Saleshandy made for its own prospect.
    made = {t["id"]: t["prospect"]["id"] for t in sb.created()}
    ledger = sh_ledger(sh_warehouse)
    for row in rows:
        entry = ledger[row["request_id"]]
        if row["prospect_id"].startswith("GONE"):
            assert entry["state"] == "rejected" and "success: false" in entry["error"]
        else:
            assert entry["state"] == "delivered"
            assert made[entry["task_id"]] == row["prospect_id"]
    # Nothing is resent in the run: one call, and failures are final.
    again = sh_push(sb)
    assert again.created == 0 and again.already_delivered == 27
    assert len(sb.created()) == 27


def test_a_call_refused_as_too_large_is_split_and_the_size_kept(
    make_saleshandy_sandbox: Any, sh_warehouse: str, sh_push: Any
) -> None:
    sb = make_saleshandy_sandbox(tasks=630, max_prospect_ids=30)
    rows = rows_for(prospect_ids(sb, 200))
    write_input(sh_warehouse, rows)

    summary = sh_push(sb, max_prospects_per_call=100)

    assert summary.created == 200 and summary.rejected == 0
    calls = creates(sb)
    refused = [e for e in calls if e["status"] == 400]
    assert len(refused) == 1 and len(refused[0]["body"]["prospectIds"]) == 100
    after = calls[calls.index(refused[0]) + 1 :]
    assert after and all(len(e["body"]["prospectIds"]) <= 30 for e in after)
    assert all(e["status"] in (200, 201) for e in after)
    # The refusal costs itself and at most one split to the new size: 7 is the minimum at 30.
    assert summary.minimum_calls == 7 and len(calls) == summary.calls <= 7 + 2
    text = summary.format()
    assert text.count("refused 1 create call(s) as too large") == 1
    assert "at most 30 prospects per call" in text
    assert set(tasks_by_request(sb, rows).values()) == {1}


@pytest.mark.parametrize(
    ("fault", "decided", "sent_prospects"),
    [
        # The tasks were made, the answer lost: found in the list, nothing resent.
        ("drop_after_create", {"found": 10}, 40),
        # A 503 before any work: proven not created by a later task, then resent once.
        ("error_503", {"not created": 10}, 50),
    ],
)
def test_a_call_whose_answer_was_lost_is_settled_in_the_list_before_any_resend(
    make_saleshandy_sandbox: Any,
    sh_warehouse: str,
    sh_push: Any,
    fault: str,
    decided: dict[str, int],
    sent_prospects: int,
) -> None:
    # The list lags creates by a second: the reconciler must wait for it, not conclude.
    sb = make_saleshandy_sandbox(index_lag_seconds=1.0)
    rows = rows_for(prospect_ids(sb, 40))
    write_input(sh_warehouse, rows)
    sb.script_faults([{"path": CREATE, "fault": fault, "count": 1}])

    first = sh_push(sb, max_prospects_per_call=10, reconcile_wait_seconds=10)

    assert first.created == 40 and first.reconciled == decided, first.format()
    assert set(tasks_by_request(sb, rows).values()) == {1}
    assert sb.requests("/v1/tasks")  # the list was read before anything was resent
    assert sum(len(e["body"]["prospectIds"]) for e in creates(sb)) == sent_prospects
    sent = len(creates(sb))
    assert sent == first.calls
    rerun = sh_push(sb, max_prospects_per_call=10)
    assert rerun.calls == 0 and rerun.already_delivered == 40
    assert set(tasks_by_request(sb, rows).values()) == {1}
    assert len(creates(sb)) == sent  # the rerun sent nothing
