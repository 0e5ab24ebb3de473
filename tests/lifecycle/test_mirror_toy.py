"""`push toy --mode mirror`: a model changed between runs (due dates moved, owners changed, tasks
completed, rows removed) reaches the vendor in one run with the minimum calls, over real HTTP to
the toy's sandbox and a real warehouse; a rerun sends nothing; a stale plan and a mass close are
refused; what the vendor cannot do and what a person changed are reported, not sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sales_tasks.pipelines import cli
from sales_tasks.pipelines.exit_codes import (
    EXIT_NEEDS_REVIEW,
    EXIT_OK,
    EXIT_PLAN_REFUSED,
    EXIT_REJECTED,
)
from tests.lifecycle.conftest import Model, change_calls, model_rows, tasks_by_id

pytestmark = pytest.mark.e2e


def push(sb: Any, url: str, tmp_path: Path, *flags: str) -> int:
    argv = ["push", "toy", "--table", "followups", "--warehouse", url, "-q"]
    argv += ["--base-url", sb.base_url, "--pipelines-dir", str(tmp_path / "dlt"), *flags]
    return int(cli.sales_main(argv))


def seeded(
    sb: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int, *flags: str
) -> tuple[str, Model, list[dict[str, Any]]]:
    """A DuckDB model of `n` rows, pushed once with `flags`: (warehouse url, model, rows)."""
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    monkeypatch.setenv("TOY_API_KEY", sb.api_key)
    model, rows = Model(url), model_rows(n)
    model.write(rows)
    assert push(sb, url, tmp_path, *flags) == EXIT_OK
    return url, model, rows


def changed_model(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Due dates of r0, r1 moved; r2, r3 reassigned; r4 completed; r5, r6 removed."""
    rows = [dict(r) for r in rows]
    rows[0]["due_at"] = "2030-02-01T09:00:00Z"
    rows[1]["due_at"] = "2030-02-02T10:00:00+01:00"
    rows[2]["user_id"] = rows[3]["user_id"] = "u2"
    rows[4]["status"] = "completed"
    return [r for r in rows if r["request_id"] not in ("r5", "r6")]


def scenario(sb: Any, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOY_API_KEY", sb.api_key)
    model = Model(url)
    rows = model_rows(12)
    model.write(rows)
    assert push(sb, url, tmp_path, "--mode", "mirror") == EXIT_OK
    created = tasks_by_id(sb)
    assert len(created) == 12 and {t["status"] for t in created.values()} == {"open"}
    model.write(changed_model(rows))
    assert push(sb, url, tmp_path, "--mode", "mirror") == EXIT_OK
    calls = sb.requests()
    # The minimum: one read of the 7 candidates (the toy reads 50 ids per call), one call per
    # change (the toy has no batch): 2 due dates + 2 owners + 1 complete + 2 cancels.
    assert [(r["method"], r.get("endpoint")) for r in calls if r["method"] == "GET"] == [
        ("GET", "list")
    ]
    assert sorted(r["endpoint"] for r in calls if r["method"] != "GET") == sorted(
        ["update"] * 4 + ["complete"] + ["cancel"] * 2
    )
    now = tasks_by_id(sb)
    by_note = {t["note"]: t for t in now.values()}
    assert by_note["follow-up 0"]["due_at"] == "2030-02-01T09:00:00+00:00"
    assert by_note["follow-up 1"]["due_at"] == "2030-02-02T09:00:00+00:00"
    assert by_note["follow-up 2"]["owner_id"] == by_note["follow-up 3"]["owner_id"] == "u2"
    assert by_note["follow-up 4"]["status"] == "done"
    assert by_note["follow-up 5"]["status"] == by_note["follow-up 6"]["status"] == "cancelled"
    assert [by_note[f"follow-up {i}"]["status"] for i in (7, 8, 9, 10, 11)] == ["open"] * 5
    assert len(now) == 12  # nothing created again
    # A rerun: nothing to do, no call at all.
    assert push(sb, url, tmp_path, "--mode", "mirror") == EXIT_OK
    assert sb.requests() == []


def test_one_mirror_run_reflects_the_model_with_the_minimum_calls_duckdb(
    toy_sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario(toy_sandbox, f"duckdb:///{tmp_path / 'w.duckdb'}", tmp_path, monkeypatch)


@pytest.mark.postgres
def test_one_mirror_run_reflects_the_model_with_the_minimum_calls_postgres(
    toy_sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_url: str
) -> None:
    scenario(toy_sandbox, postgres_url, tmp_path, monkeypatch)


def test_a_stale_plan_is_refused_and_a_fresh_one_applied(
    toy_sandbox: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sb = toy_sandbox
    url, model, rows = seeded(sb, tmp_path, monkeypatch, 4, "--mode", "upsert")
    sb.clear_requests()
    moved = [dict(r) for r in rows]
    moved[0]["due_at"] = "2031-01-01T09:00:00Z"
    model.write(moved)
    capsys.readouterr()
    assert push(sb, url, tmp_path, "--mode", "upsert", "--plan") == EXIT_OK
    out = capsys.readouterr().out
    plan_id = out.split("plan ", 1)[1].split(":", 1)[0]
    assert "0 create, 1 update" in out and "nothing sent" in out
    assert change_calls(sb) == []
    moved[1]["note"] = "changed after the plan"
    model.write(moved)
    assert push(sb, url, tmp_path, "--apply", plan_id) == EXIT_PLAN_REFUSED
    err = capsys.readouterr().err
    assert f"plan {plan_id} is stale" in err and "r1" in err and "r0" not in err.split(":")[-2]
    assert change_calls(sb) == []
    model.write([dict(r) for r in moved[:1]] + rows[1:])
    assert push(sb, url, tmp_path, "--apply", plan_id) == EXIT_OK
    assert [c[0] for c in change_calls(sb)] == ["update"]
    assert push(sb, url, tmp_path, "--apply", plan_id) == EXIT_PLAN_REFUSED  # applied once
    assert "was applied" in capsys.readouterr().err


def test_the_guard_stops_a_mass_close(
    toy_sandbox: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sb = toy_sandbox
    url, model, _ = seeded(sb, tmp_path, monkeypatch, 12, "--mode", "mirror")
    model.write([])  # a broken model: every row gone
    sb.clear_requests()
    assert push(sb, url, tmp_path, "--mode", "mirror") == EXIT_PLAN_REFUSED
    assert "more than the guard allows (10)" in capsys.readouterr().err
    assert change_calls(sb) == []
    assert push(sb, url, tmp_path, "--mode", "mirror", "--plan") == EXIT_OK
    out = capsys.readouterr().out
    plan_id = out.split("plan ", 1)[1].split(":", 1)[0]
    assert "12 cancel" in out and "apply with --max-close 12 or --allow-mass-close" in out
    assert push(sb, url, tmp_path, "--apply", plan_id) == EXIT_PLAN_REFUSED
    assert change_calls(sb) == []
    assert push(sb, url, tmp_path, "--mode", "mirror", "--max-close", "12") == EXIT_OK
    assert [c[0] for c in change_calls(sb)] == ["cancel"] * 12


def test_unsupported_changes_and_a_persons_change_are_reported_not_sent(
    toy_sandbox: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import httpx

    sb = toy_sandbox
    url, model, rows = seeded(sb, tmp_path, monkeypatch, 3, "--mode", "upsert")
    ids = {t["note"]: t["id"] for t in tasks_by_id(sb).values()}
    # A person moves r1's due date in the vendor's app.
    httpx.patch(
        f"{sb.base_url}/v1/tasks/{ids['follow-up 1']}",
        json={"due_at": "2030-06-01T09:00:00Z"},
        headers={"x-api-key": sb.api_key},
        trust_env=False,
    )
    sb.clear_requests()
    wanted = [dict(r) for r in rows]
    wanted[0]["status"] = "skipped"  # the toy has no skip
    wanted[1]["due_at"] = "2030-07-01T09:00:00Z"
    model.write(wanted)
    capsys.readouterr()
    assert push(sb, url, tmp_path, "--mode", "upsert") == EXIT_NEEDS_REVIEW
    out = capsys.readouterr().out
    assert "rejected r0: Toy has no skip" in out
    assert "needs review r1: changed in the vendor since the push wrote it (due_at" in out
    assert change_calls(sb) == []
    assert push(sb, url, tmp_path, "--mode", "upsert", "--overwrite-manual") == EXIT_REJECTED
    assert [c[0] for c in change_calls(sb)] == ["update"]
    assert tasks_by_id(sb)[ids["follow-up 1"]]["due_at"] == "2030-07-01T09:00:00+00:00"


def test_upsert_after_a_create_mode_push_reads_the_task_and_keeps_removed_rows(
    toy_sandbox: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Rows delivered by a plain push have no record of what was written: their first change
    compares with the task as read (one read call); upsert never closes a removed row."""
    sb = toy_sandbox
    url, model, rows = seeded(sb, tmp_path, monkeypatch, 5)  # --mode create
    sb.clear_requests()
    changed = [dict(r) for r in rows[:4]]  # r4 removed
    changed[0]["note"] = "new words"
    changed[1]["status"] = "cancelled"
    model.write(changed)
    assert push(sb, url, tmp_path, "--mode", "upsert") == EXIT_OK
    assert sorted(c[0] for c in change_calls(sb)) == ["cancel", "update"]
    assert [r["endpoint"] for r in sb.requests() if r["method"] == "GET"] == ["list"]
    sb.clear_requests()
    assert push(sb, url, tmp_path, "--mode", "upsert") == EXIT_OK
    assert sb.requests() == []
    statuses = sorted(t["status"] for t in tasks_by_id(sb).values())
    assert statuses == ["cancelled", "open", "open", "open", "open"]
