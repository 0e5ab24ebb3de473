"""`--warehouse` that would create a stray file: one line, nothing created, nothing sent.

`--warehouse postgres` (a destination name, not a URL) and a DuckDB file that does not exist
(the push reads its rows from it) used to create an empty DuckDB file of that name and fail later.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sales_tasks.destinations.core.warehouse import InputError, warehouse_url
from sales_tasks.pipelines.cli import EXIT_ERROR, EXIT_USAGE, sales_main
from sales_tasks.sandbox import Sandbox


@pytest.mark.parametrize(
    ("value", "line"),
    [
        (
            "postgres",
            "--warehouse postgres is neither a SQLAlchemy URL nor a DuckDB file: give"
            " postgresql://user:password@host:5432/database, duckdb:///path/file.duckdb or the"
            " path of an existing DuckDB file",
        ),
        (
            "nosuch.duckdb",
            "the DuckDB warehouse {tmp}/nosuch.duckdb does not exist: the push reads its rows"
            " from it (run the extract first, or check the path)",
        ),
        (
            "duckdb:///{tmp}/gone.duckdb",
            "the DuckDB warehouse {tmp}/gone.duckdb does not exist: the push reads its rows from"
            " it (run the extract first, or check the path)",
        ),
    ],
)
def test_push_refuses_a_warehouse_it_would_create(
    value: str,
    line: str,
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("APOLLO_API_KEY", sandbox.master_key)
    before = len(sandbox.requests())
    code = sales_main(
        [
            "push",
            "apollo",
            "--warehouse",
            value.format(tmp=tmp_path),
            "--table",
            "followups",
            "--base-url",
            sandbox.base_url,
        ]
    )
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert err.strip() == f"error: {line.format(tmp=tmp_path)}"
    assert list(tmp_path.iterdir()) == []  # no stray DuckDB file
    assert len(sandbox.requests()) == before  # nothing reached the vendor
    assert sandbox.master_key not in err


def test_existing_files_and_urls_pass(tmp_path: Path) -> None:
    existing = tmp_path / "warehouse"  # a DuckDB file may have any name once it exists
    existing.write_bytes(b"")
    assert warehouse_url(str(existing), must_exist=True) == f"duckdb:///{existing}"
    assert warehouse_url("postgresql://u@127.0.0.1:5432/db", must_exist=True).startswith(
        "postgresql"
    )
    assert warehouse_url("duckdb:///:memory:", must_exist=True) == "duckdb:///:memory:"
    # Without must_exist (the ledger of a dlt sink may start a new file), a path is accepted.
    assert warehouse_url(str(tmp_path / "new.duckdb")).endswith("new.duckdb")
    with pytest.raises(InputError):
        warehouse_url("snowflake")


@pytest.mark.parametrize("vendor", ["apollo", "saleshandy", "reply"])
@pytest.mark.parametrize(
    ("value", "instead"),
    [
        ("nosuch.duckdb", "--duckdb-path nosuch.duckdb"),
        (
            "postgres",
            "--destination postgres with DESTINATION__POSTGRES__CREDENTIALS="
            "postgresql://user:password@host:5432/database",
        ),
        (
            "postgresql://u:s3cr3t@127.0.0.1:5432/db",
            "--destination postgres with DESTINATION__POSTGRES__CREDENTIALS="
            "postgresql://user:password@host:5432/database",
        ),
        (
            "mysql+pymysql://u:s3cr3t@127.0.0.1/db",
            "--destination and its credentials (DESTINATION__<NAME>__CREDENTIALS)",
        ),
    ],
)
def test_extract_refuses_warehouse_in_one_line_and_creates_nothing(
    vendor: str,
    value: str,
    instead: str,
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`extract --warehouse` (push's flag, carried over): one line saying what to give instead;
    no DuckDB file, no pipeline folder, no request to the vendor."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(f"{vendor.upper()}_API_KEY", "some-key")
    pipelines = tmp_path / "pipelines"
    argv = ["extract", vendor, "--warehouse", value, "--pipelines-dir", str(pipelines)]
    code = sales_main([*argv, "--base-url", sandbox.base_url])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE
    assert err.splitlines() == [
        "error: extract has no --warehouse (push reads from a warehouse; extract loads into a"
        f" dlt destination): give {instead}; nothing was created"
    ]
    assert list(tmp_path.iterdir()) == []  # no DuckDB file, no pipelines folder
    assert sandbox.requests() == []
    assert "s3cr3t" not in err  # a URL's password is never echoed
