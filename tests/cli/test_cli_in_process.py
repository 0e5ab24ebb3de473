"""The command line called twice in one process (a notebook, an orchestrator, the tests' runner):
each call logs as its own flags say and leaves the process as it found it."""

from __future__ import annotations

import logging
import os
import re
import signal
from pathlib import Path
from typing import Any

import pytest
from dlt.common.configuration.container import Container

from sales_tasks.pipelines import cli
from sales_tasks.pipelines.exit_codes import EXIT_OK
from tests.cli_runner import child_env, run_cli

# More tasks than the display cap: Apollo's scan splits the search and says so at INFO.
SPLIT = "INFO apollo_tasks.source: "


def _extract(sb: Any, tmp_path: Path, *flags: str) -> list[str]:
    return [*flags, "extract", "apollo", "--base-url", sb.base_url,
            "--duckdb-path", str(tmp_path / "t.duckdb"),
            "--pipelines-dir", str(tmp_path / "pipelines")]  # fmt: skip


def test_a_second_command_in_one_process_logs_as_its_own_flags_say(
    make_sandbox: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`-v` on the second call shows the scan's INFO lines on stderr, the first call's none; the
    root logger has its level and handlers back after each (pytest's own handlers on it, as a
    notebook's would be, once made `logging.basicConfig` a no-op: `-v` was ignored)."""
    sb = make_sandbox(max_records=60)
    monkeypatch.setenv("APOLLO_API_KEY", sb.master_key)
    root = logging.getLogger()
    before = (root.level, list(root.handlers))
    assert cli.sales_main(_extract(sb, tmp_path)) == EXIT_OK
    quiet = capsys.readouterr()
    assert (root.level, root.handlers) == before
    assert cli.sales_main(_extract(sb, tmp_path, "-v")) == EXIT_OK
    verbose = capsys.readouterr()
    assert (root.level, root.handlers) == before
    assert SPLIT not in quiet.err, quiet.err
    assert any(line.startswith(SPLIT) for line in verbose.err.splitlines()), verbose.err
    assert quiet.out.startswith("Apollo extract complete: all 300 tasks in Apollo were read\n")


def test_the_runner_answers_like_a_process_and_leaves_nothing_behind(
    make_sandbox: Any, tmp_path: Path
) -> None:
    """Same exit code, stdout and stderr in process as from the console script; the environment,
    working directory, signal handlers, root logger and dlt's contexts are as before."""
    sb = make_sandbox(max_records=60)
    env = child_env(APOLLO_API_KEY=sb.master_key)
    for folder in ("in", "out"):
        (tmp_path / folder).mkdir()
    argv = _extract(sb, tmp_path / "in", "-v")
    root = logging.getLogger()
    state = (
        dict(os.environ),
        os.getcwd(),
        {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)},
        (root.level, list(root.handlers)),
        dict(Container().thread_contexts[Container._MAIN_THREAD_ID][0]),
    )
    inside = run_cli(argv, env=env, cwd=tmp_path)
    assert (
        dict(os.environ),
        os.getcwd(),
        {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)},
        (root.level, list(root.handlers)),
        dict(Container().thread_contexts[Container._MAIN_THREAD_ID][0]),
    ) == state
    assert "APOLLO_API_KEY" not in os.environ or os.environ["APOLLO_API_KEY"] != sb.master_key
    child = run_cli(_extract(sb, tmp_path / "out", "-v"), env=env, cwd=tmp_path, process=True)
    assert inside.returncode == child.returncode == EXIT_OK, inside.stderr + child.stderr
    assert _same(inside.stdout, tmp_path / "in") == _same(child.stdout, tmp_path / "out")
    assert _same(inside.stderr, tmp_path / "in") == _same(child.stderr, tmp_path / "out")
    assert any(line.startswith(SPLIT) for line in inside.stderr.splitlines()), inside.stderr


def _same(text: str, folder: Path) -> str:
    """`text` with the run's folder, durations and the quota left (the first run spent some)
    written alike."""
    text = re.sub(r"\d+\.\ds\b", "N.Ns", text.replace(str(folder), "<dir>"))
    return re.sub(r"(quota: .*), \d+ left", r"\1, N left", text)
