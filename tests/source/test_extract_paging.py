"""End to end: display cap and slicing, rate limits, faults, lenient pagination."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from sales_tasks.pipelines.cli import EXIT_INCOMPLETE, main
from tests.source.helpers import extract, query, search_calls, served_tasks


def _loaded_ids(tmp_path: Path) -> list[str]:
    return [r[0] for r in query(tmp_path, "SELECT id FROM apollo.tasks")]


@pytest.mark.parametrize("our_cap", [60, 50_000], ids=["cap-known", "cap-detected-from-data"])
def test_past_the_cap_with_filters_honoured(
    make_sandbox: Any, tmp_path: Path, our_cap: int
) -> None:
    sb = make_sandbox(max_records=60, filters="honour")
    summary = extract(sb, tmp_path, max_records=our_cap)
    ids = _loaded_ids(tmp_path)
    assert summary.complete and summary.unreachable == 0 and summary.removed == 0
    assert sorted(ids) == sorted(t["id"] for t in served_tasks_uncapped(sb))
    assert len(ids) == len(set(ids)) == 300
    bodies = [c["body"] or {} for c in search_calls(sb)]
    assert any("task_type_cds" in b for b in bodies)
    assert any("task_type_cds" in b and "user_ids" in b for b in bodies)  # type x user nesting
    assert all(len(b.get("task_type_cds", [])) <= 1 for b in bodies)
    calls = search_calls(sb)
    assert all(c["key_header_present"] for c in calls)
    assert all(int(c["query"]["per_page"]) <= 200 for c in calls)


def served_tasks_uncapped(sb: Any) -> list[dict[str, Any]]:
    """The sandbox's whole dataset: lift its cap for a moment and read it plainly."""
    before = sb.config()["max_records"]
    sb.configure(max_records=50_000)
    try:
        return served_tasks(sb)
    finally:
        sb.configure(max_records=before)


def test_past_the_cap_with_filters_ignored_is_incomplete_and_loud(
    make_sandbox: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: Any
) -> None:
    sb = make_sandbox(max_records=60, filters="ignore")
    summary = extract(sb, tmp_path, max_records=60)
    ids = _loaded_ids(tmp_path)
    assert not summary.complete
    assert summary.unreachable == 300 - len(ids) > 0
    assert len(ids) == len(set(ids)) >= 60  # other sort orders reached more than one window
    assert any("ignored the task_type_cds filter" in w for w in summary.warnings)
    assert any("could not be reached" in w for w in summary.warnings)
    assert "could not be reached" in caplog.text
    run = query(
        tmp_path, "SELECT complete, unreachable, removed, warnings FROM apollo.extract_runs"
    )
    assert run[0][0] is False and run[0][1] == summary.unreachable and run[0][2] is None
    assert "could not be reached" in run[0][3]
    assert "INCOMPLETE" in summary.format()

    capsys.readouterr()
    argv = ["extract", "--base-url", sb.base_url, "--duckdb-path", str(tmp_path / "strict.duckdb"),
            "--pipelines-dir", str(tmp_path / "p2"), "--max-records", "60"]  # fmt: skip
    assert main([*argv, "--strict"]) == EXIT_INCOMPLETE
    err = capsys.readouterr().err
    assert "could not be reached" in err and "Traceback" not in err
    assert main(argv) == 0  # without --strict: loaded, warned, exit 0


def test_tight_rate_limits_finish_without_failing(make_sandbox: Any, tmp_path: Path) -> None:
    sb = make_sandbox(
        tasks=1_200,
        rate_limits={"minute": 4, "hour": 10_000, "day": 100_000},
        rate_window_seconds={"minute": 1, "hour": 3600, "day": 86400},
    )
    started = time.monotonic()
    summary = extract(sb, tmp_path, concurrency=4)
    elapsed = time.monotonic() - started
    assert summary.complete and summary.rows["tasks"] == 1_200
    assert summary.rate_limited >= 1
    statuses = Counter(c["status"] for c in search_calls(sb))
    assert statuses[429] == summary.rate_limited
    # 15 search calls at 4 per 1-second window: the floor is ~3 s; no runaway waits either.
    assert 2.0 <= elapsed < 30


def test_faults_are_survived_and_the_result_is_exact(make_sandbox: Any, tmp_path: Path) -> None:
    sb = make_sandbox(tasks=1_000, max_per_page=100)
    sb.script_faults([{"path": "/api/v1/tasks/search", "fault": "error_503", "count": 2}])
    sb.configure(
        faults={
            "error_rate": 0.08,
            "drop_rate": 0.05,
            "truncate_rate": 0.05,
            "invalid_json_rate": 0.05,
            "fault_seed": 3,
        }
    )
    summary = extract(sb, tmp_path, per_page=100)
    sb.configure(
        faults={"error_rate": 0, "drop_rate": 0, "truncate_rate": 0, "invalid_json_rate": 0}
    )
    faults = Counter(c["fault"] for c in search_calls(sb) if c["fault"])
    assert faults["error_503"] >= 2 and len(faults) >= 3
    assert summary.complete and summary.retries >= sum(faults.values()) - 1
    served = served_tasks(sb)
    got = dict(query(tmp_path, "SELECT id, note FROM apollo.tasks"))
    assert got == {t["id"]: t["note"] for t in served}


def test_pagination_numbers_as_strings(make_sandbox: Any, tmp_path: Path) -> None:
    sb = make_sandbox(pagination_as_strings=True, tasks=450)
    import httpx

    answer = httpx.post(
        f"{sb.base_url}/api/v1/tasks/search", headers={"x-api-key": sb.master_key}
    ).json()
    assert isinstance(answer["pagination"]["total_entries"], str)
    sb.clear_requests()
    summary = extract(sb, tmp_path)
    assert summary.complete and summary.total_entries == 450
    assert query(tmp_path, "SELECT count(DISTINCT id), count(*) FROM apollo.tasks") == [(450, 450)]
    pages = Counter(int(c["query"]["page"]) for c in search_calls(sb) if c["status"] == 200)
    # Each page once per pass (the second pass verifies nothing moved), page 1 once more at the end.
    assert pages == {1: 3, 2: 2, 3: 2, 4: 2, 5: 2}


@pytest.fixture(autouse=True)
def _key_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APOLLO_API_KEY", "sandbox-master-key")
