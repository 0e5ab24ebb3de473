"""The standard kit every vendor passes (like singer-sdk's `get_tap_test_class`).

Parametrised over every discovered vendor, the toy vendor of `docs/add-a-vendor.md` included
(`tests/kit/vendor.py`): real HTTP to the vendor's sandbox on 127.0.0.1, real DuckDB, the
vendor's own extract and push through the generic commands' functions. Each test asserts what a
user cares about: a refused key said clearly and never shown, every task loaded once, a 429
waited out (on the emulator's clock: no wall-clock sleep), no live task lost to an incomplete
scan, deletions reaching the mirror, and a push that creates each task once.
"""

from __future__ import annotations

import pytest

from sales_tasks.clients.core.waiting import Waits, waiting_on
from tests.kit.conftest import Kit

BAD_KEY = "kit-refused-key-7c41e9d2"


def _chain(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in found:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def test_a_bad_key_is_refused_clearly_and_never_shown(
    kit: Kit, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(Exception) as refused:
        kit.extract(api_key=BAD_KEY)
    said = " | ".join(str(e) for e in _chain(refused.value))
    assert "401" in said or "key" in said.lower(), said
    assert kit.spec.short in said or kit.spec.title in said, said
    printed = capsys.readouterr()
    for where in (said, printed.out, printed.err, caplog.text):
        assert BAD_KEY not in where
    assert not kit.has_mirror()  # nothing loaded
    statuses = [r["status"] for r in kit.sb.requests()]
    # Refused at once, not retried. The status is the vendor's: mostly 401; Saleshandy's spec
    # lists `1001 Invalid token` as a 400 (VENDOR-SPECS.md, comparison table, "401 body" row).
    assert statuses and len(statuses) <= 2 and all(400 <= s < 500 for s in statuses), statuses


def test_paging_reaches_the_end(kit: Kit) -> None:
    summary = kit.extract()
    ids = kit.mirror_ids()
    assert summary.complete and summary.total_entries == kit.tasks
    assert len(ids) == len(set(ids)) == kit.tasks  # all tasks, none twice
    assert summary.pages >= 3  # the small pages made it page


def test_a_429_is_waited_out_on_the_emulator_clock(kit: Kit) -> None:
    """The second request is refused with `retry-after: 1`; the client waits that second on the
    emulator's clock (frozen otherwise), then carries on: all tasks, one 429 counted."""
    sb = kit.sb
    start = sb.freeze_clock()["now"]
    sb.script_faults([{"path": "*", "fault": "rate_429", "after": 1}])

    def now() -> float:
        return float(sb.clock()["now"])

    with waiting_on(Waits(monotonic=now, sleep=sb.advance_clock)):
        summary = kit.extract()
    assert [r["status"] for r in sb.requests()].count(429) == 1
    assert summary.complete and summary.rate_limited == 1
    ids = kit.mirror_ids()
    assert len(ids) == len(set(ids)) == kit.tasks
    assert now() - start >= 1.0  # the retry-after passed on the emulator's clock


def test_an_incomplete_scan_deletes_nothing(kit: Kit) -> None:
    """A task already read is deleted in the vendor while the second scan runs (before its
    second list call). The scan then either proves itself complete (the mirror is exactly the
    vendor's tasks) or says it is incomplete and deletes nothing; no live task is ever lost."""
    assert kit.extract().complete
    before = set(kit.mirror_ids())
    method, path = kit.list_call()
    victim = min(before)
    kit.sb.on_request(
        [
            {
                "path": path,
                "method": method,
                "after": 1,
                "do": {"method": "DELETE", "path": f"/_sandbox/tasks/{victim}"},
            }
        ]
    )
    summary = kit.extract()
    after = kit.mirror_ids()
    assert kit.sb.scheduled_calls() == []  # the deletion happened during the scan
    assert len(after) == len(set(after))
    assert before - {victim} <= set(after)  # no task that still exists was lost
    if summary.complete:
        assert set(after) == before - {victim}
    else:
        assert set(after) == before and not summary.removed


def test_deletions_between_two_extracts_reach_the_mirror(kit: Kit) -> None:
    assert kit.extract().complete
    before = sorted(kit.mirror_ids())
    gone = {before[0], before[len(before) // 2]}
    for task_id in gone:
        kit.sb.delete_task(task_id)
    summary = kit.extract()
    assert summary.complete and summary.removed == len(gone)
    assert set(kit.mirror_ids()) == set(before) - gone


def test_a_push_creates_each_task_once(kit: Kit) -> None:
    """Three rows are pushed: three tasks created; a rerun sends nothing (the sandbox received
    no further create call) and the next extract reads exactly three tasks more."""
    rows = kit.answers.push_rows(kit.sb, 3)
    first = kit.push(rows)
    assert (first.created, first.rejected, first.needs_review) == (3, 0, 0), first.format()
    calls = kit.create_calls()
    assert 1 <= len(calls) <= 3
    again = kit.push(rows)
    assert (again.created, again.already_delivered) == (0, 3), again.format()
    assert kit.create_calls() == calls  # the rerun sent no create call
    summary = kit.extract()
    assert summary.complete and summary.total_entries == kit.tasks + 3
    ids = kit.mirror_ids()
    assert len(ids) == len(set(ids)) == kit.tasks + 3
