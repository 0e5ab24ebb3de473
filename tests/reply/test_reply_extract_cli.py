"""`sales-tasks extract reply` on the command line: the summary and exit 0, one actionable line
and exit 1 for a missing key, a 401 (wrong key or scheme), a 403 and an unreachable host, exit 2
for a page size Reply refuses, exit 3 with `--strict` on an incomplete scan, and a stop within
seconds on Ctrl-C (exit 130). SIGTERM stops a run the same way (`sales_tasks.pipelines.stopping`):
Apollo's extract takes both signals (`tests/sink/test_stop.py`), Saleshandy's SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from sales_tasks.pipelines.cli import EXIT_ERROR, EXIT_INCOMPLETE, EXIT_OK, EXIT_USAGE, sales_main
from sales_tasks.sandbox.reply import ReplySandbox
from tests.reply.test_reply_extract_e2e import list_calls

ROOT = Path(__file__).resolve().parents[2]
KEY_VARS = ("REPLY_API_KEY", "SOURCES__REPLY__API_KEY")


def _argv(tmp_path: Path, base_url: str, *extra: str) -> list[str]:
    return ["extract", "reply", "--base-url", base_url, "--duckdb-path",
            str(tmp_path / "t.duckdb"), "--pipelines-dir", str(tmp_path / "p"), *extra]  # fmt: skip


def _error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_success_prints_the_summary(
    reply_sandbox: ReplySandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REPLY_API_KEY", reply_sandbox.api_key)
    assert sales_main([*_argv(tmp_path, reply_sandbox.base_url), "--no-progress"]) == EXIT_OK
    out = capsys.readouterr()
    assert "Reply extract complete: all 300 tasks in Reply were read" in out.out
    assert "rows: tasks 300" in out.out and reply_sandbox.api_key not in out.out + out.err


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing", "no Reply API key configured: set REPLY_API_KEY"),
        ("wrong-key", "Reply rejected the API key (401) on v3/tasks"),
        ("wrong-scheme", "auth_scheme = x-api-key"),
        ("unknown-user", "(403)"),
    ],
)
def test_failures_are_one_line(
    make_reply_sandbox: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    case: str,
    expected: str,
) -> None:
    sb = make_reply_sandbox(
        tasks=10, auth_scheme="x-api-key" if case == "wrong-scheme" else "bearer"
    )
    key = {"missing": "", "wrong-key": "reply-wrong-key-123", "unknown-user": sb.org_key}.get(
        case, sb.api_key
    )
    for name in KEY_VARS:
        monkeypatch.delenv(name, raising=False)
    if key:
        monkeypatch.setenv("REPLY_API_KEY", key)
    if case == "unknown-user":
        monkeypatch.setenv("SOURCES__REPLY__USER_ID", "1")
    assert sales_main(_argv(tmp_path, sb.base_url)) == EXIT_ERROR
    out = capsys.readouterr()
    line = _error_line(out.err)
    assert expected in line, line
    assert not key or key not in out.out + out.err
    if case == "missing":
        assert sb.requests() == []


def test_unreachable_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    monkeypatch.setenv("REPLY_API_KEY", "reply-key-for-nobody")
    started = time.monotonic()
    assert sales_main(_argv(tmp_path, f"http://127.0.0.1:{port}")) == EXIT_ERROR
    line = _error_line(capsys.readouterr().err)
    assert "cannot reach Reply" in line and "check the base URL" in line
    assert time.monotonic() - started < 30


def test_a_page_size_reply_refuses_is_a_usage_error(
    reply_sandbox: ReplySandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sales_main([*_argv(tmp_path, reply_sandbox.base_url), "--top", "1001"]) == EXIT_USAGE
    assert "--top must be between 1 and 1000" in capsys.readouterr().err
    assert reply_sandbox.requests() == []


def test_strict_fails_an_incomplete_scan_after_loading(
    reply_sandbox: ReplySandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REPLY_API_KEY", reply_sandbox.api_key)
    monkeypatch.setenv("SOURCES__REPLY__MAX_PAGES", "1")
    argv = [*_argv(tmp_path, reply_sandbox.base_url), "--top", "100"]
    assert sales_main([*argv, "--strict"]) == EXIT_INCOMPLETE
    out = capsys.readouterr()
    assert "INCOMPLETE: 100 tasks read and loaded" in out.out
    assert "could not be proven complete" in _error_line(out.err)
    assert sales_main(argv) == EXIT_OK  # without --strict: loaded, warned, exit 0
    assert "could not be proven complete" in capsys.readouterr().err


@pytest.mark.parametrize("signum", [signal.SIGINT], ids=["SIGINT"])  # the docstring says why
def test_a_signal_stops_the_extract_within_seconds(
    make_reply_sandbox: Any, tmp_path: Path, signum: int
) -> None:
    sb = make_reply_sandbox(tasks=3_000, faults={"latency_ms": 300})  # 60 pages of 50
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["REPLY_API_KEY"] = sb.api_key
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from sales_tasks.pipelines.cli import sales_main; raise SystemExit(sales_main())",
            *_argv(tmp_path, sb.base_url, "--top", "50"),
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while len(list_calls(sb)) < 3:
        assert time.monotonic() < deadline and proc.poll() is None, "the run never got going"
        time.sleep(0.05)
    proc.send_signal(signum)
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("still running 30 s after the signal")
    # Judged by the calls it sent (below), not by seconds: a loaded machine delays a stop.
    assert proc.returncode == 128 + signum, out + err
    lines = [line for line in err.splitlines() if line.startswith("stopped:")]
    assert len(lines) == 1 and f"extract stopped by {signal.Signals(signum).name}" in lines[0]
    assert "Traceback" not in err and len(list_calls(sb)) < 20


def test_a_reply_key_in_any_error_text_is_scrubbed(monkeypatch: pytest.MonkeyPatch) -> None:
    from sales_tasks.pipelines.messages import one_line_error

    monkeypatch.setenv("REPLY_API_KEY", "reply-secret-in-a-message-42")
    monkeypatch.setenv("SOURCES__REPLY__API_KEY", "reply-other-secret-43")
    line = one_line_error(
        RuntimeError("failed with reply-secret-in-a-message-42 and reply-other-secret-43")
    )
    assert "secret" not in line and line.count("***") == 2
