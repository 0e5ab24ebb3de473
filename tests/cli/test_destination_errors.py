"""`apollo-tasks extract` with a destination that cannot work: one whole line, before any request.

Each case runs the real command (`sales_tasks.pipelines.cli.main`) against the sandbox and asserts the entire
line a person reads, that nothing reached Apollo, and that no secret was printed.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from sales_tasks.pipelines.cli import EXIT_ERROR, EXIT_OK, main, sales_main
from sales_tasks.sandbox import Sandbox

MIRRORS = (
    "athena, bigquery, clickhouse, databricks, dremio, duckdb, ducklake, fabric, filesystem,"
    " motherduck, mssql, postgres, redshift, snowflake, sqlalchemy, synapse"
)


def _needs_table_format(name: str) -> str:
    return (
        f"needs a table format to hold the mirror: plain files only append, so tasks would repeat"
        f" and deleted ones would stay; set DESTINATION__{name.upper()}__TABLE_FORMAT=delta or"
        f" iceberg (or table_format in [destination.{name}] of .dlt/config.toml)"
    )


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


CLOSED = _closed_port()

# (id, extract arguments, environment, the whole error line)
CASES = [
    (
        "postgres-without-credentials",
        ["--destination", "postgres"],
        {},
        "error: destination postgres is not configured: database, password, username, host"
        " missing; set DESTINATION__POSTGRES__CREDENTIALS=postgresql://user:password@host:5432/"
        "database (or the [destination.postgres.credentials] section of .dlt/secrets.toml)",
    ),
    (
        "postgres-without-database",
        ["--destination", "postgres"],
        {"DESTINATION__POSTGRES__CREDENTIALS": "postgresql://loader:s3cr3t-pw@127.0.0.1:5432"},
        "error: destination postgres is not configured: database missing; set"
        " DESTINATION__POSTGRES__CREDENTIALS=postgresql://user:password@host:5432/database"
        " (or the [destination.postgres.credentials] section of .dlt/secrets.toml)",
    ),
    (
        "postgres-not-a-url",
        ["--destination", "postgres"],
        {"DESTINATION__POSTGRES__CREDENTIALS": "loader s3cr3t-pw"},
        "error: the credentials of destination postgres are not a valid connection string:"
        " set DESTINATION__POSTGRES__CREDENTIALS=postgresql://user:password@host:5432/database",
    ),
    (
        "postgres-closed-port",
        ["--destination", "postgres"],
        {
            "DESTINATION__POSTGRES__CREDENTIALS": f"postgresql://loader:s3cr3t-pw@127.0.0.1:{CLOSED}/db"
        },
        "error: destination postgres sync failed: OperationalError: connection to server at"
        f' "127.0.0.1", port {CLOSED} failed: Connection refused. Is the server running on that'
        " host and accepting TCP/IP connections? Check DESTINATION__POSTGRES__CREDENTIALS (rerun"
        " with --traceback for details)",
    ),
    (
        "misspelt",
        ["--destination", "duckbd"],
        {},
        f"error: unknown destination 'duckbd' (did you mean duckdb?): choose one of {MIRRORS}"
        " (tested here: duckdb, postgres, sqlalchemy, filesystem), or configure a named destination with"
        " DESTINATION__DUCKBD__DESTINATION_TYPE",
    ),
    (
        "filesystem",
        ["--destination", "filesystem"],
        {"DESTINATION__FILESYSTEM__BUCKET_URL": "{tmp}/bucket"},
        f"error: destination 'filesystem' {_needs_table_format('filesystem')}",
    ),
    (
        "named-filesystem",
        ["--destination", "lake"],
        {
            "DESTINATION__LAKE__DESTINATION_TYPE": "filesystem",
            "DESTINATION__LAKE__BUCKET_URL": "{tmp}/bucket",
        },
        f"error: destination 'lake' {_needs_table_format('lake')}",
    ),
    (
        "package-missing",
        ["--destination", "bigquery"],
        {},
        "error: destination 'bigquery' needs packages that are not installed here: run"
        ' `uv pip install "dlt[bigquery]"` in this environment, or choose another --destination',
    ),
    (
        "mysql-driver-missing",
        ["--destination", "sqlalchemy"],
        {"DESTINATION__SQLALCHEMY__CREDENTIALS": "mysql://loader:s3cr3t-pw@127.0.0.1:3306/db"},
        "error: the SQLAlchemy URL mysql://... needs the driver package pymysql, which is not"
        " installed: run `uv pip install pymysql` in this environment and write the URL as"
        " mysql+pymysql://user:password@host/database",
    ),
    (
        "mssql-driver-missing",
        ["--destination", "sqlalchemy"],
        {"DESTINATION__SQLALCHEMY__CREDENTIALS": "mssql://loader:s3cr3t-pw@127.0.0.1:1433/db"},
        "error: the SQLAlchemy URL mssql://... needs the driver package pyodbc, which is not"
        " installed: run `uv pip install pyodbc` in this environment and write the URL as"
        " mssql+pyodbc://user:password@host/database",
    ),
    (
        "duckdb-folder-missing",
        ["--duckdb-path", "{tmp}/no/such/folder/t.duckdb"],
        {},
        "error: the folder of the DuckDB file {tmp}/no/such/folder/t.duckdb does not exist:"
        " create it or choose another --duckdb-path",
    ),
]


@pytest.mark.parametrize(
    ("args", "env", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_destination_error_is_one_whole_line_before_any_request(
    sandbox: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: dict[str, str],
    expected: str,
) -> None:
    for name in (
        "DESTINATION__POSTGRES__CREDENTIALS",
        "DESTINATION__DUCKDB__CREDENTIALS",
        "DESTINATION__SQLALCHEMY__CREDENTIALS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("APOLLO_API_KEY", sandbox.master_key)
    for name, value in env.items():
        monkeypatch.setenv(name, value.replace("{tmp}", str(tmp_path)))
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code = main(
        ["extract", "--base-url", sandbox.base_url, "--pipelines-dir", str(tmp_path / "p"), *argv]
    )
    out = capsys.readouterr()
    assert code == EXIT_ERROR
    assert out.err.splitlines() == [expected.replace("{tmp}", str(tmp_path))], out.err
    assert "s3cr3t-pw" not in out.err + out.out and sandbox.master_key not in out.err
    assert sandbox.requests() == []  # refused before Apollo was asked for anything
    assert not (tmp_path / "bucket").exists()


def test_a_refused_first_run_leaves_no_folder_and_holds_no_pipeline_name(
    sandbox: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`--destination postgres` without credentials, then the same account into DuckDB: the
    refused job made no working folder and gave its name back, so the run that loads gets the
    readable name (it used to get `..._duckdb_apollo_tasks_apollo`, the plain one held by a job
    that never loaded a row)."""
    monkeypatch.delenv("DESTINATION__POSTGRES__CREDENTIALS", raising=False)
    monkeypatch.setenv("APOLLO_API_KEY", sandbox.master_key)
    monkeypatch.chdir(tmp_path)
    pipelines = tmp_path / "p"
    argv = ["extract", "apollo", "--base-url", sandbox.base_url, "--pipelines-dir", str(pipelines)]
    assert sales_main([*argv, "--destination", "postgres"]) == EXIT_ERROR
    assert "is not configured" in capsys.readouterr().err
    assert not pipelines.exists() or list(pipelines.iterdir()) == []
    assert sandbox.requests() == []

    assert sales_main(argv) == EXIT_OK, capsys.readouterr().err
    host = sandbox.base_url.split("//")[1].replace(".", "_").replace(":", "_")
    assert [p.name for p in pipelines.iterdir()] == [f"sales_tasks_apollo_{host}"]
