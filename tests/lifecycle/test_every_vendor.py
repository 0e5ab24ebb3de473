"""Every vendor with a `ChangeVendor` (found as the push finds it), through the standard kit's
sandbox and valid rows (`tests/<vendor>/kit.py`): a mirror run that crashes after its first
change call is finished by the next run with each change made once (no vendor answered a
change with a refusal, the "already" answer a second call would get) and the tasks as the model
says; a rerun writes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.kit.conftest import INPUT_TABLE, Kit, kit  # noqa: F401
from tests.kit.vendor import kit_vendors, tree_vendors

pytestmark = pytest.mark.e2e

ROWS = 4


def _with_changes() -> list[str]:
    from sales_tasks.destinations.registry import sinks
    from sales_tasks.pipelines.push_lifecycle import change_factory

    installed = sinks()
    return [
        v
        for v in kit_vendors()
        if v in tree_vendors() or (v in installed and change_factory(installed[v]) is not None)
    ]


class Crash(Exception):
    pass


def _mirror(k: Kit, **options: Any) -> Any:
    from sales_tasks.destinations.registry import sink
    from sales_tasks.pipelines.push_lifecycle import run_lifecycle_push

    return run_lifecycle_push(
        sink=sink(k.vendor),
        table=INPUT_TABLE,
        warehouse=k.path,
        api_key=k.key,
        base_url=k.sb.base_url,
        pipelines_dir=str(k.folder / "push"),
        reconcile_wait_seconds=1.0,
        **{"mode": "mirror", "max_close": ROWS, **options},
    )


def _write(k: Kit, rows: list[dict[str, Any]]) -> None:
    import duckdb

    columns = list(dict.fromkeys(c for row in rows for c in row))
    with duckdb.connect(k.path) as con:
        con.execute(f"DROP TABLE IF EXISTS {INPUT_TABLE}")
        con.execute(f"CREATE TABLE {INPUT_TABLE} ({', '.join(f'{c} TEXT' for c in columns)})")
        con.executemany(
            f"INSERT INTO {INPUT_TABLE} VALUES ({', '.join('?' for _ in columns)})",
            [[None if r.get(c) is None else str(r[c]) for c in columns] for r in rows],
        )


def tasks_of(k: Kit) -> dict[str, str]:
    """request_id -> task id, from the delivery ledger."""
    from sales_tasks.destinations.core.ledger import DELIVERED, DeliveryLedger
    from sales_tasks.destinations.core.warehouse import dispose_engine, get_engine
    from sales_tasks.destinations.registry import sink

    settings = sink(k.vendor).settings(api_key=k.key, base_url=k.sb.base_url)
    url = f"duckdb:///{k.path}"
    ledger = DeliveryLedger(
        get_engine(url),
        schema=settings.ledger_schema,
        vendor=sink(k.vendor).vendor_key,
        account=settings.account,
    )
    try:
        return {e.request_id: str(e.task_id) for e in ledger.in_state(DELIVERED)}
    finally:
        dispose_engine(url)


def read_back(k: Kit, task_ids: list[str]) -> dict[str, Any]:
    """The tasks as the vendor's own `ChangeVendor.read` sees them."""
    from sales_tasks.destinations.registry import sink
    from sales_tasks.pipelines.push_lifecycle import change_vendor_for

    settings = sink(k.vendor).settings(api_key=k.key, base_url=k.sb.base_url)
    client, _ = sink(k.vendor).open_vendor(settings)
    try:
        return dict(change_vendor_for(sink(k.vendor), client, settings).read(task_ids))
    finally:
        client.close()


def _writes(k: Kit, since: int) -> list[dict[str, Any]]:
    return [r for r in k.sb.requests()[since:] if r["method"] != "GET"]


@pytest.mark.parametrize("kit", _with_changes(), indirect=True)
def test_a_crashed_mirror_run_is_finished_once_by_the_next(kit: Kit, tmp_path: Path) -> None:  # noqa: F811
    k = kit
    rows = k.answers.push_rows(k.sb, ROWS)
    for row in rows:
        row.pop("status", None)
    _write(k, rows)
    first = _mirror(k)
    assert first.push is not None and first.push.created == ROWS
    changed = [dict(r) for r in rows[:3]]  # the last row left the model
    note = next((c for c in ("note", "task_note", "body") if c in changed[0]), "note")
    changed[0][note] = "moved by the model"
    changed[1]["status"] = "completed"
    _write(k, changed)
    start = len(k.sb.requests())

    def crash(point: str) -> None:
        if point == "answered":
            raise Crash(point)

    with pytest.raises(Crash):
        _mirror(k, on_checkpoint=crash)
    done = _mirror(k)
    assert not done.rejected and not done.needs_review, done.format()
    refused = [r for r in _writes(k, start) if r["status"] and r["status"] >= 400]
    assert refused == []  # a change sent twice would meet "already" (a 4xx) here
    assert len(_writes(k, start)) <= 3  # never more than one write call per change (3 here)
    rerun = len(k.sb.requests())
    _mirror(k)
    assert _writes(k, rerun) == []
    ids = [tasks_of(k)[r["request_id"]] for r in rows]
    now = read_back(k, ids)
    assert now[ids[0]] is not None and now[ids[0]].note == "moved by the model"
    assert now[ids[1]] is not None and now[ids[1]].status == "completed"
    assert now[ids[2]] is not None and now[ids[2]].status == "open"
    assert now[ids[3]] is None or now[ids[3]].status in ("cancelled", "skipped")


@pytest.mark.parametrize("kit", _with_changes(), indirect=True)
def test_a_stale_plan_and_a_mass_close_are_refused_with_nothing_sent(kit: Kit) -> None:  # noqa: F811
    """For every vendor: a plan made, then the model changed, is refused on `--apply` naming the
    row that changed; a model that dropped every row stops at the guard; neither writes."""
    from sales_tasks.pipelines.push_lifecycle import PlanRefusedError

    k = kit
    rows = k.answers.push_rows(k.sb, ROWS)
    for row in rows:
        row.pop("status", None)
    _write(k, rows)
    assert _mirror(k).push.created == ROWS
    changed = [dict(r) for r in rows]
    changed[0]["status"] = "completed"
    _write(k, changed)
    plan = _mirror(k, plan_only=True)
    changed[1]["status"] = "completed"  # the model moved on after the plan was made
    _write(k, changed)
    start = len(k.sb.requests())
    with pytest.raises(PlanRefusedError) as stale:
        _mirror(k, apply_id=plan.plan_id)
    assert rows[1]["request_id"] in str(stale.value) and "stale" in str(stale.value)
    _write(k, changed[:1])  # three of the four rows left the model
    with pytest.raises(PlanRefusedError) as guard:
        _mirror(k, max_close=1)
    assert "--max-close 3" in str(guard.value)
    assert _writes(k, start) == []
