"""Saleshandy push, a lost answer with no later create to witness it: `list_lag_seconds`.

Saleshandy documents no bound on how soon `GET /v1/tasks` lists a created task (VENDOR-SPECS.md
section 2.2 publishes nothing about it; the sandbox's `index_lag_seconds` is a guess switch), so
by default only a later create showing in the list proves a lost call made nothing
(`sales_tasks.destinations.core.reconcile`) and the run's last call is left `sending`. A user who knows the
bound declares it (`--list-lag`); a list read begun that long after the lost call then proves
its absence. Both ways are tested: the run's last call lost, over real HTTP (DuckDB and
PostgreSQL), and the bound itself on the sandbox's clock (moved on, never slept).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sales_tasks.clients.core import ApiClient, RetryPolicy
from sales_tasks.clients.core.values import utc_now
from sales_tasks.clients.saleshandy.profile import SALESHANDY_PROFILE
from sales_tasks.destinations.core.ledger import DeliveryLedger
from sales_tasks.destinations.core.reconcile import PoolCheck, Reconciler
from sales_tasks.destinations.core.vendor import SentTask
from sales_tasks.destinations.saleshandy.settings import SaleshandySettingError, push_settings
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

FIXTURES = (sh_push, sh_warehouse)  # found by pytest in this module's namespace


@pytest.mark.parametrize(
    ("fault", "decided", "sent_prospects"),
    [
        # The tasks were made, the answer lost: found by the read, nothing resent.
        ("drop_after_create", {"found": 10}, 40),
        # A 503 before any work: absent from a read after the (zero) lag, resent once.
        ("error_503", {"not created": 10}, 50),
    ],
)
def test_the_last_call_lost_is_settled_in_the_run_when_the_list_lag_is_declared(
    make_saleshandy_sandbox: Any,
    sh_warehouse: str,
    sh_push: Any,
    fault: str,
    decided: dict[str, int],
    sent_prospects: int,
) -> None:
    sb = make_saleshandy_sandbox()  # the list shows a create at once (index_lag_seconds 0)
    rows = rows_for(prospect_ids(sb, 40))
    write_input(sh_warehouse, rows)
    # Four calls of ten, one after the other; the fourth and last loses its answer.
    sb.script_faults([{"path": CREATE, "fault": fault, "count": 1, "after": 3}])

    first = sh_push(
        sb,
        max_prospects_per_call=10,
        calls_in_flight=1,
        list_lag_seconds=0,
        reconcile_wait_seconds=600,  # no proof by time: the bound decides, not the wait
    )

    assert first.created == 40 and first.reconciled == decided, first.format()
    assert first.needs_review == 0 and not first.has_needs_review
    assert set(tasks_by_request(sb, rows).values()) == {1}  # no duplicate
    assert sum(len(e["body"]["prospectIds"]) for e in creates(sb)) == sent_prospects
    assert {e["state"] for e in sh_ledger(sh_warehouse).values()} == {"delivered"}


def test_without_a_declared_lag_the_last_call_lost_stays_sending_and_nothing_is_resent(
    make_saleshandy_sandbox: Any, sh_warehouse: str, sh_push: Any
) -> None:
    sb = make_saleshandy_sandbox()
    rows = rows_for(prospect_ids(sb, 40))
    write_input(sh_warehouse, rows)
    sb.script_faults([{"path": CREATE, "fault": "error_503", "count": 1, "after": 3}])

    first = sh_push(sb, max_prospects_per_call=10, calls_in_flight=1, reconcile_wait_seconds=0.5)

    assert first.created == 30 and first.needs_review == 10, first.format()
    states = [e["state"] for e in sh_ledger(sh_warehouse).values()]
    assert states.count("sending") == 10 and states.count("delivered") == 30
    assert sum(len(e["body"]["prospectIds"]) for e in creates(sb)) == 40  # nothing resent
    assert sum(tasks_by_request(sb, rows).values()) == 30


@pytest.fixture
def ledger(tmp_path: Path) -> Any:
    engine = sa.create_engine(f"duckdb:///{tmp_path / 'ledger.duckdb'}")
    made = DeliveryLedger(engine, schema="push", vendor="saleshandy", account="lag")
    made.ensure()
    yield made
    engine.dispose()


@pytest.mark.parametrize("bound", [30.0, None], ids=["declared", "unknown"])
def test_only_a_read_begun_after_the_declared_lag_proves_a_task_absent(
    make_saleshandy_sandbox: Any, ledger: DeliveryLedger, bound: float | None
) -> None:
    sb = make_saleshandy_sandbox(index_lag_seconds=30)
    sb.freeze_clock()  # the list's lag counts on the emulator's clock: moved on below
    client = ApiClient(
        sb.base_url, sb.api_key, profile=SALESHANDY_PROFILE, retry=RetryPolicy(max_attempts=1)
    )
    vendor = SaleshandyTaskVendor(client, list_lag_seconds=bound)
    made_for, never_sent = prospect_ids(sb, 2)
    common = {"type": "13", "priority": "2", "due_at": "2026-05-03", "note": "lag"}
    made = {"request_id": "made", "contact_id": made_for, **common, "row": 1}
    absent = {"request_id": "absent", "contact_id": never_sent, **common, "row": 2}
    started = utc_now()
    vendor.send([made])  # created; its answer is taken as lost
    clock = [started]
    reconciler = Reconciler(vendor, ledger, wait_seconds=600, now=lambda: clock[0])
    reconciler.join(
        PoolCheck(
            sent=[
                SentTask(r["request_id"], vendor.payload(r), started)  # type: ignore[arg-type]
                for r in (made, absent)
            ],
            ended_at=started,
            why="answer lost",
        )
    )

    # Ten seconds on: the made task is not listed yet, and nothing is concluded from that.
    clock[0] = started + timedelta(seconds=10)
    sb.advance_clock(10)
    early = reconciler.look(reconciler.next_look())
    assert early.tasks == []
    assert reconciler.settle(early, more_coming=False) is None
    assert reconciler.decisions == {}

    # Past the lag: the made task is listed, and the other is absent from a read begun after
    # the declared bound, which proves it was not created (unknown bound: still no proof).
    clock[0] = started + timedelta(seconds=31)
    sb.advance_clock(21)
    late = reconciler.look(reconciler.next_look())
    reconciler.settle(late, more_coming=False)
    expected = {"made": "found"} | ({"absent": "not created"} if bound is not None else {})
    assert reconciler.decisions == expected
    assert reconciler.pending == (0 if bound is not None else 1)


def test_the_list_lag_is_read_from_config_and_a_negative_one_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert push_settings().list_lag_seconds is None  # unknown unless given
    monkeypatch.setenv("DESTINATION__SALESHANDY_TASKS__LIST_LAG_SECONDS", "2.5")
    assert push_settings().list_lag_seconds == 2.5
    assert push_settings(list_lag_seconds=0).list_lag_seconds == 0  # the flag wins
    with pytest.raises(SaleshandySettingError, match="list_lag_seconds is -1: give 0 or more"):
        push_settings(list_lag_seconds=-1)
