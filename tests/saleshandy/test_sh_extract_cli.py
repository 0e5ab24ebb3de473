"""`sales-tasks extract saleshandy` as a person runs it: the summary, one-line errors, exit codes,
two accounts as two jobs, and a stop on SIGTERM after a few calls (what a scheduler sends; Ctrl-C
stops a run the same way, `sales_tasks.pipelines.stopping`: Apollo's extract takes both signals,
`tests/sink/test_stop.py`, Reply's SIGINT)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sales_tasks.pipelines.exit_codes import EXIT_ERROR, EXIT_INCOMPLETE, EXIT_OK, EXIT_USAGE
from tests.saleshandy.sh_extract_support import TASKS, cli, list_calls, served_tasks


def _error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error:")]


def test_a_complete_run_prints_its_summary(saleshandy_sandbox: Any, tmp_path: Path) -> None:
    code, out, err = cli(saleshandy_sandbox, tmp_path, "--no-progress")
    assert code == EXIT_OK, err
    assert out.startswith("Saleshandy extract complete: all 300 tasks in Saleshandy were read\n")
    assert "rows: tasks 300" in out and "0 task(s) deleted in Saleshandy removed" in out
    assert err == "" and saleshandy_sandbox.api_key not in out


def test_progress_is_shown_on_request(saleshandy_sandbox: Any, tmp_path: Path) -> None:
    code, _, err = cli(saleshandy_sandbox, tmp_path, "--progress")
    assert code == EXIT_OK
    assert "saleshandy extract: 300/300 tasks (100%)" in err


@pytest.mark.parametrize(
    ("config", "key", "says"),
    [
        ({}, "wrong-key-123", "Saleshandy rejected the API key (400) on /v1/tasks/counts (Invalid token (1001))"),
        ({"invalid_key": "401"}, "wrong-key-123", "Saleshandy rejected the API key (401)"),
        ({}, "", "no Saleshandy API key configured: set SALESHANDY_API_KEY"),
    ],
    ids=["400-1001", "401", "missing"],
)  # fmt: skip
def test_key_errors_are_one_line(
    make_saleshandy_sandbox: Any, tmp_path: Path, config: dict[str, Any], key: str, says: str
) -> None:
    sb = make_saleshandy_sandbox(**config)
    code, out, err = cli(sb, tmp_path, SALESHANDY_API_KEY=key)
    assert code == EXIT_ERROR, out + err
    lines = _error_lines(err)
    assert len(lines) == 1 and says in lines[0], err
    assert "Traceback" not in err and (not key or key not in out + err)
    assert list_calls(sb) == []  # nothing was listed with a wrong key


def test_unreachable_is_one_line(tmp_path: Path) -> None:
    code, _, err = cli(None, tmp_path, "--base-url", "http://127.0.0.1:9", SALESHANDY_API_KEY="k-1")
    assert code == EXIT_ERROR
    lines = _error_lines(err)
    assert len(lines) == 1 and "cannot reach Saleshandy at http://127.0.0.1:9" in lines[0], err
    assert "Traceback" not in err and "k-1" not in err


def test_page_size_over_100_is_a_usage_error(saleshandy_sandbox: Any, tmp_path: Path) -> None:
    code, _, err = cli(saleshandy_sandbox, tmp_path, "--page-size", "101")
    assert code == EXIT_USAGE and "--page-size must be between 1 and 100" in err
    assert saleshandy_sandbox.requests() == []


def test_incomplete_warns_and_strict_fails(saleshandy_sandbox: Any, tmp_path: Path) -> None:
    sb = saleshandy_sandbox
    for strict, expected in ((False, EXIT_OK), (True, EXIT_INCOMPLETE)):
        sb.script_faults([{"path": TASKS, "fault": "error_500", "count": 2, "after": 1}])
        args = ["--concurrency", "1", *(["--strict"] if strict else [])]
        code, out, err = cli(sb, tmp_path, *args, SOURCES__SALESHANDY__MAX_ATTEMPTS="2")
        assert code == expected, out + err
        assert "INCOMPLETE" in out and "nothing was deleted" in out
        if strict:
            assert _error_lines(err) == [
                "error: extract incomplete: 200 of 300 Saleshandy tasks could not be reached"
                " (see extract_runs.warnings)"
            ]
        else:
            assert "warning: 200 Saleshandy tasks could not be reached" in err


def _start(sb: Any, path: Path, folder: Path) -> subprocess.Popen[str]:
    from tests.sink.conftest import subprocess_env

    return subprocess.Popen(
        [str(Path(sys.executable).parent / "sales-tasks"), "extract", "saleshandy",
         "--duckdb-path", str(path), "--no-progress"],
        cwd=folder, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=subprocess_env(SALESHANDY_API_KEY=sb.api_key, SALESHANDY_BASE_URL=sb.base_url),
    )  # fmt: skip


def _ids(path: Path) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {r[0] for r in con.sql("SELECT id FROM saleshandy.tasks").fetchall()}


def test_two_accounts_at_once_are_two_jobs(make_saleshandy_sandbox: Any, tmp_path: Path) -> None:
    """No --pipelines-dir: both runs share dlt's folders, as two cron entries would."""
    a, b = make_saleshandy_sandbox(tasks=300, seed=7), make_saleshandy_sandbox(tasks=450, seed=8)
    a_file, b_file = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    for round_ in (1, 2):
        if round_ == 2:  # deletion in both accounts: each run may remove only its own
            for sb, n in ((a, 5), (b, 7)):
                for task in served_tasks(sb)[:n]:
                    sb.delete_task(task["id"])
        runs = [_start(a, a_file, tmp_path), _start(b, b_file, tmp_path)]
        for proc in runs:
            out, err = proc.communicate(timeout=180)
            assert proc.returncode == EXIT_OK, out + err
            assert "complete" in out
        assert _ids(a_file) == {t["id"] for t in served_tasks(a)}, round_
        assert _ids(b_file) == {t["id"] for t in served_tasks(b)}, round_
    assert (len(_ids(a_file)), len(_ids(b_file))) == (295, 443)


@pytest.mark.parametrize("signum", [signal.SIGTERM], ids=["SIGTERM"])  # the docstring says why
def test_stops_on_a_signal_after_a_few_of_its_calls(
    make_saleshandy_sandbox: Any, tmp_path: Path, signum: int
) -> None:
    sb = make_saleshandy_sandbox(tasks=5_000, faults={"latency_ms": 300})  # 51 pages: ~15 s
    proc = _start(sb, tmp_path / "mirror.duckdb", tmp_path)
    deadline = time.monotonic() + 60
    while len(list_calls(sb)) < 3:
        assert time.monotonic() < deadline and proc.poll() is None, "the run never got going"
        time.sleep(0.05)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signum, out + err
    lines = [line for line in err.splitlines() if line.startswith("stopped:")]
    assert len(lines) == 1 and f"extract stopped by {signal.Signals(signum).name}" in lines[0]
    assert "Traceback" not in err
    assert len(list_calls(sb)) < 10
