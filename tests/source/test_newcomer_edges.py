"""Edges a newcomer hit (issue "Every dlt destination, natively", item 3), each as they met it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sales_tasks.pipelines.cli import sales_main

ROOT = Path(__file__).resolve().parents[2]


def test_an_account_name_with_a_dash_suggests_what_bash_can_run(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path
) -> None:
    """`ACCOUNTS__APOLLO__ACME-EU__API_KEY` cannot be exported by bash; the line says where the
    key goes instead, and the one-command form it suggests really configures the account."""
    monkeypatch.setenv("ACCOUNTS__APOLLO__ALPHA__API_KEY", "alpha-key-123")
    code = sales_main(
        ["extract", "apollo", "--account", "acme-eu", "--duckdb-path", str(tmp_path / "w.duckdb")]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert "[accounts.apollo.acme-eu] of .dlt/secrets.toml" in err
    assert "set ACCOUNTS__APOLLO__ACME-EU__API_KEY or" not in err  # not offered as exportable
    suggested = re.search(r"`(env '[^`]+)`", err)
    assert suggested is not None, err
    env_form = suggested.group(1).split(" sales-tasks")[0].replace("=...", "=acme-key-456")

    exported = subprocess.run(
        ["bash", "-c", "export ACCOUNTS__APOLLO__ACME-EU__API_KEY=x"], capture_output=True
    )
    assert exported.returncode != 0  # why the export form is not suggested
    probe = (
        "from sales_tasks.pipelines.accounts import resolve_account;"
        " print(resolve_account('apollo', 'acme-eu').api_key == 'acme-key-456')"
    )
    ran = subprocess.run(
        ["bash", "-c", f'{env_form} {sys.executable} -c "{probe}"'],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert ran.stdout.strip() == "True", ran.stderr


def test_an_account_name_bash_can_export_keeps_the_variable_first(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path
) -> None:
    monkeypatch.setenv("ACCOUNTS__APOLLO__ALPHA__API_KEY", "alpha-key-123")
    code = sales_main(
        ["extract", "apollo", "--account", "acme_eu", "--duckdb-path", str(tmp_path / "w.duckdb")]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "set ACCOUNTS__APOLLO__ACME_EU__API_KEY or api_key in [accounts.apollo.acme_eu]" in err


@pytest.mark.parametrize("vendor", ["apollo", "saleshandy", "reply"])
def test_a_base_url_with_a_wrong_path_says_check_the_base_url_for_every_vendor(
    vendor: str,
    sandbox_factory: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every path under `<sandbox>/wrong` answers 404: the run's one error line names the 404,
    where it looked, and says to check the base URL; the key is not in it."""
    from sales_tasks.pipelines.cli import EXIT_ERROR

    sb = sandbox_factory(vendor, tasks=20)
    key = sb.master_key if vendor == "apollo" else sb.api_key
    monkeypatch.setenv(f"{vendor.upper()}_API_KEY", key)
    monkeypatch.setenv("SOURCES__REPLY__RATE_LIMITS", "100000/1")
    argv = ["extract", vendor, "--base-url", f"{sb.base_url}/wrong"]
    argv += ["--duckdb-path", str(tmp_path / "t.duckdb"), "--pipelines-dir", str(tmp_path / "p")]
    assert sales_main(argv) == EXIT_ERROR
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    assert "404" in lines[0] and "check the base URL" in lines[0], lines[0]
    assert f"{sb.base_url}/wrong/" in lines[0]
    assert key not in err
