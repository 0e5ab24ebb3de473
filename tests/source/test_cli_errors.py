"""`apollo-tasks extract` failures end in one actionable line and a non-zero exit."""

from __future__ import annotations

from pathlib import Path

import pytest

from sales_tasks.pipelines.cli import EXIT_ERROR, main
from sales_tasks.sandbox import Sandbox


def _run(sb: Sandbox, tmp_path: Path, *extra: str) -> int:
    return main(
        ["extract", "--base-url", sb.base_url, "--duckdb-path", str(tmp_path / "t.duckdb"),
         "--pipelines-dir", str(tmp_path / "pipelines"), *extra]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("wrong-key-123", "rejected the API key (401)"),
        ("sandbox-plain-key", "needs a master API key"),
    ],
    ids=["401", "403"],
)
def test_auth_errors_are_one_line(
    sandbox: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    key: str,
    expected: str,
) -> None:
    monkeypatch.setenv("APOLLO_API_KEY", key)
    assert _run(sandbox, tmp_path) == EXIT_ERROR
    out = capsys.readouterr()
    lines = [line for line in out.err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and expected in lines[0], out.err
    assert "Traceback" not in out.err and key not in out.err and key not in out.out
    assert not (tmp_path / "t.duckdb").exists() or "complete" not in out.out


def test_missing_key_is_one_line(
    sandbox: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("APOLLO_API_KEY", raising=False)
    monkeypatch.delenv("SOURCES__APOLLO__API_KEY", raising=False)
    assert _run(sandbox, tmp_path) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "error: no Apollo API key configured" in err and "Traceback" not in err


def test_per_page_above_200_is_refused(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(sandbox, tmp_path, "--per-page", "500") != 0
    assert "--per-page must be between 1 and 200" in capsys.readouterr().err
    assert sandbox.requests() == []


def test_a_wrong_base_url_answering_404_says_check_the_base_url(
    sandbox: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A base URL with a wrong path reaches a server that answers 404 for every endpoint."""
    monkeypatch.setenv("APOLLO_API_KEY", sandbox.master_key)
    code = main(
        ["extract", "--base-url", f"{sandbox.base_url}/wrong", "--duckdb-path",
         str(tmp_path / "t.duckdb"), "--pipelines-dir", str(tmp_path / "pipelines")]
    )  # fmt: skip
    assert code == EXIT_ERROR
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    assert "404" in lines[0] and "check the base URL" in lines[0]
    assert f"{sandbox.base_url}/wrong/api/v1/" in lines[0]  # where it looked
    assert sandbox.master_key not in err


def test_a_one_letter_key_masks_itself_not_the_letters_of_a_path(
    sandbox: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Keys are masked in every line shown; a short one only where it stands alone."""
    monkeypatch.setenv("APOLLO_API_KEY", "s")
    assert _run(sandbox, tmp_path) == EXIT_ERROR
    err = capsys.readouterr().err
    line = next(line for line in err.splitlines() if line.startswith("error:"))
    assert "rejected the API key (401) on api/v1/tasks/search (Invalid access" in line, line
    assert "***" not in line  # `tasks` and `access`, not `ta***k***`
