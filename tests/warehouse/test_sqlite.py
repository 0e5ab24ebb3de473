"""Extract into SQLite through dlt's `sqlalchemy` destination, as a newcomer would: the load is
good, so the run exits 0 with every task in the file and one note that the views are not built
there (SQLite keeps each dlt dataset in its own attached file, which no view can join across)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from sales_tasks.pipelines.cli import EXIT_OK, main
from sales_tasks.sandbox import Sandbox
from tests.source.helpers import served_tasks

NOTE = (
    "the analyst views are not built on sqlite (only on duckdb and postgresql); every table"
    " is loaded: query the dataset's tables directly"
)


def test_extract_into_sqlite_exits_0_with_every_task_and_one_note(
    sandbox: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "tasks.db"
    monkeypatch.setenv("APOLLO_API_KEY", sandbox.master_key)
    monkeypatch.setenv("DESTINATION__SQLALCHEMY__CREDENTIALS", f"sqlite:///{db}")
    argv = ["extract", "--base-url", sandbox.base_url, "--pipelines-dir", str(tmp_path / "p")]
    code = main([*argv, "--destination", "sqlalchemy"])
    err = capsys.readouterr().err
    assert code == EXIT_OK, err
    assert [r.getMessage() for r in caplog.records if r.name == "sales_tasks.views"] == [NOTE]

    # dlt attaches the dataset `apollo` as the file `tasks__apollo.db`.
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'tasks__apollo.db'}")
    try:
        with engine.connect() as conn:
            ids = [r[0] for r in conn.execute(sa.text("SELECT id FROM tasks"))]
    finally:
        engine.dispose()
    assert sorted(ids) == sorted(t["id"] for t in served_tasks(sandbox))
