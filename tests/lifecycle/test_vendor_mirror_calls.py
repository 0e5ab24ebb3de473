"""`push VENDOR --mode mirror` for Apollo, Reply and Saleshandy (issue 23, "Done when"): a model
changed between runs (due dates moved, owners changed, notes edited, tasks completed, rows
removed) reaches the vendor's sandbox in one run with the fewest calls the vendor documents
(Reply's batch/complete and bulk-delete, Saleshandy's bulk-skip polled on the emulator's clock,
Apollo one call per change), what the vendor cannot do is refused per row with its reason, a
later list read shows the changes, and a rerun writes nothing. Real HTTP, a real DuckDB."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from sales_tasks.clients.core.waiting import Waits, waiting_on
from tests.kit.conftest import INPUT_TABLE, Kit, kit  # noqa: F401
from tests.lifecycle.test_every_vendor import _mirror, _write, read_back, tasks_of

pytestmark = pytest.mark.e2e

ROWS = 6


def writes(k: Kit) -> Counter[str]:
    """The write calls the sandbox received since its log was cleared, by endpoint."""
    return Counter(r["endpoint"] for r in k.sb.requests() if r["method"] != "GET")


def run(k: Kit, rows: list[dict[str, Any]]) -> Any:
    _write(k, rows)
    k.sb.clear_requests()
    return _mirror(k)  # its guard allows 4 closes


@pytest.mark.parametrize("kit", ["reply"], indirect=True)
def test_reply_mirror_batches_completes_and_deletes(kit: Kit) -> None:  # noqa: F811
    k = kit
    rows = k.answers.push_rows(k.sb, ROWS)
    assert run(k, rows).push.created == ROWS
    changed = [dict(r) for r in rows[:4]]  # rows 4 and 5 left the model: cancelled
    changed[0]["due_to"] = "2026-07-09T17:00:00Z"
    changed[1]["body"] = "Call {{firstName}}: the renewal moved"
    changed[2]["status"] = changed[3]["status"] = "completed"
    done = run(k, changed)
    assert not done.rejected and not done.needs_review, done.format()
    # one PUT per edit (the planner's read serves its full replacement), one batch/complete
    # for both completes, one bulk-delete for both removed rows
    assert writes(k) == Counter(
        {"tasks.update": 2, "tasks.batch_complete": 1, "tasks.bulk_delete": 1}
    )
    ids = [tasks_of(k)[r["request_id"]] for r in rows]
    now = read_back(k, ids)
    assert now[ids[0]].due_at.startswith("2026-07-09T17:00:00")  # type: ignore[union-attr]
    assert now[ids[1]].note == "Call {{firstName}}: the renewal moved"  # type: ignore[union-attr]
    assert [now[i].status for i in ids[2:]] == ["completed"] * 2 + ["cancelled"] * 2  # type: ignore[union-attr]
    run(k, changed)
    assert writes(k) == Counter()


@pytest.mark.parametrize("kit", ["apollo"], indirect=True)
def test_apollo_mirror_sends_one_call_per_change(kit: Kit) -> None:  # noqa: F811
    k = kit
    rows = k.answers.push_rows(k.sb, ROWS)
    assert run(k, rows).push.created == ROWS
    owner = k.sb.users()[1]["id"]
    changed = [dict(r) for r in rows[:5]]  # row 5 left the model: skipped (no cancel)
    changed[0]["due_at"] = "2025-08-01T10:00:00Z"
    changed[1]["user_id"] = owner
    changed[2]["note"] = "moved by the model"
    changed[3]["status"] = "completed"
    changed[4]["status"] = "skipped"
    done = run(k, changed)
    assert not done.rejected and not done.needs_review, done.format()
    assert writes(k) == Counter({"api/v1/tasks/{id}": 6})  # 6 changes; no bulk call exists
    ids = [tasks_of(k)[r["request_id"]] for r in rows]
    now = read_back(k, ids)
    assert now[ids[1]].owner == owner and now[ids[2]].note == "moved by the model"  # type: ignore[union-attr]
    assert now[ids[0]].due_at.startswith("2025-08-01T10:00:00")  # type: ignore[union-attr]
    assert [now[i].status for i in ids[3:]] == ["completed", "skipped", "skipped"]  # type: ignore[union-attr]
    run(k, changed)
    assert writes(k) == Counter()


@pytest.mark.parametrize("kit", ["saleshandy"], indirect=True)
def test_saleshandy_mirror_bulk_skips_and_refuses_a_due_date_change(
    kit: Kit,  # noqa: F811
) -> None:
    k = kit
    k.sb.freeze_clock()
    clock = Waits(monotonic=lambda: k.sb.clock()["now"], sleep=k.sb.advance_clock)
    with waiting_on(clock):
        rows = k.answers.push_rows(k.sb, ROWS)
        assert run(k, rows).push.created == ROWS
        changed = [dict(r) for r in rows[:3]]  # rows 3, 4, 5 left the model: bulk-skipped
        changed[0]["task_note"] = "moved by the model"
        changed[1]["status"] = "completed"
        changed[2]["due_date"] = "2026-05-30"  # Saleshandy has no due-date update
        done = run(k, changed)
        assert list(done.rejected) == [changed[2]["request_id"]], done.format()
        assert (
            "documents no way to change a task's due date"
            in done.rejected[changed[2]["request_id"]]
        )
        assert writes(k) == Counter(
            {"v1/tasks/{taskId}/note": 1, "v1/tasks/{taskId}/complete": 1, "v1/tasks/bulk-skip": 1}
        )
        ids = [tasks_of(k)[r["request_id"]] for r in rows]
        now = read_back(k, ids)
        assert now[ids[0]].note == "moved by the model"  # type: ignore[union-attr]
        assert [now[i].status for i in ids[1:]] == ["completed", "open"] + ["skipped"] * 3  # type: ignore[union-attr]
        run(k, changed)
        assert writes(k) == Counter()


# (vendor, the path the drop hits: "{id}" is the first task's id, the read-back before the
# plan passed first when "after" is 1, the endpoint it names in the sandbox's log)
DROPS = [
    ("reply", "/v3/tasks/batch/complete", 0, "tasks.batch_complete"),
    ("saleshandy", "/v1/tasks/{id}/complete", 0, "v1/tasks/{taskId}/complete"),
    ("apollo", "/api/v1/tasks/{id}", 1, "api/v1/tasks/{id}"),
]


@pytest.mark.parametrize(("kit", "path", "after", "endpoint"), DROPS, indirect=["kit"])
def test_a_dropped_answer_is_read_back_and_the_change_made_once(
    kit: Kit,  # noqa: F811
    path: str,
    after: int,
    endpoint: str,
) -> None:
    """The vendor acts, the answer is lost: the run reads the tasks back, records them done,
    and sends nothing again (no second call, no refusal a repeat would meet)."""
    k = kit
    rows = k.answers.push_rows(k.sb, 3)
    assert run(k, rows).push.created == 3
    ids = [tasks_of(k)[r["request_id"]] for r in rows]
    changed = [dict(r) for r in rows]
    changed[0]["status"] = changed[1]["status"] = "completed"
    _write(k, changed)
    k.sb.clear_requests()
    hit = path.replace("{id}", ids[0])
    k.sb.script_faults([{"path": hit, "fault": "drop_after_create", "after": after}])
    done = _mirror(k)
    assert not done.rejected and not done.needs_review, done.format()
    log = k.sb.requests()
    (dropped,) = [r for r in log if r["fault"]]
    assert dropped["method"] != "GET" and dropped["endpoint"] == endpoint  # a change call
    assert [r for r in log if r["status"] and r["status"] >= 400] == []
    now = read_back(k, ids)
    assert [now[i].status for i in ids] == ["completed", "completed", "open"]  # type: ignore[union-attr]
    run(k, changed)
    assert writes(k) == Counter()


@pytest.mark.parametrize("kit", ["reply"], indirect=True)
def test_a_vendor_flag_reaches_the_change_calls_too(
    kit: Kit,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`push reply --mode mirror --enum-form numbers`: an account that takes enums only as
    numbers (the older pages, seed 004: a sandbox switch) gets them in the update's PUT as in
    the create, not the default names (which it refuses: the row would be rejected)."""
    from sales_tasks.pipelines import cli
    from sales_tasks.pipelines.exit_codes import EXIT_OK

    k = kit
    k.sb.configure(enum_requests="numbers")
    monkeypatch.setenv("REPLY_API_KEY", k.key)
    argv = ["push", "reply", "--table", INPUT_TABLE, "--warehouse", k.path, "-q"]
    argv += ["--base-url", k.sb.base_url, "--pipelines-dir", str(k.folder / "dlt")]
    argv += ["--mode", "mirror", "--enum-form", "numbers"]
    rows = k.answers.push_rows(k.sb, 2)
    _write(k, rows)
    assert cli.sales_main(argv) == EXIT_OK
    changed = [dict(rows[0], due_to="2026-07-09T17:00:00Z"), rows[1]]
    _write(k, changed)
    k.sb.clear_requests()
    assert cli.sales_main(argv) == EXIT_OK
    (put,) = [r for r in k.sb.requests() if r["method"] == "PUT"]
    assert put["status"] == 200 and put["body"]["taskType"] == 2
    task = tasks_of(k)[rows[0]["request_id"]]
    assert read_back(k, [task])[task].due_at.startswith("2026-07-09T17:00:00")  # type: ignore[union-attr]
