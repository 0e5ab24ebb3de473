"""The mirror on every destination it supports: two extracts per vendor with tasks deleted (and
one created, one status changed) at the vendor in between; after each, the mirror holds exactly
the tasks the vendor serves, with the statuses it serves, and every run exits 0
(`sales-tasks extract VENDOR`, in process). A contact's shrinking phone list likewise.

Destinations: DuckDB, PostgreSQL (the session's server), SQLite and MariaDB through dlt's
`sqlalchemy` destination (a real MariaDB server, `tests/lake/mariadb_server.py`), and
`filesystem` on a local folder with `table_format` delta and iceberg. Every vendor's two
extracts go to each of them but PostgreSQL, which Apollo's stand for: what PostgreSQL adds is the
warehouse layer, the same for every vendor (`tests.matrix`), and Saleshandy's and Reply's extracts
meet it in `tests/mirror/test_mirror_drills.py`. Deletions arrive as dlt tombstone rows
(`sales_tasks.sources.core.current_state`); the mirror is read here without the code under
test: SQL for the databases, `deltalake` and pyiceberg's `StaticTable` for the lake tables.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from sales_tasks.pipelines.cli import EXIT_OK, sales_main
from tests.matrix import on_warehouses
from tests.mirror.drill import KITS, PAGE, REPLY_LIMITS, apollo_tasks

TASKS = 45
DELETED = 3


TReader = Callable[[str, str, tuple[str, ...]], set[tuple[str, ...]]]


@dataclass
class Where:
    """A destination: the CLI flags and env vars that load into it, and a reader of its tables."""

    name: str
    argv: list[str]
    env: dict[str, str]
    rows: TReader  # (dataset, table, columns) -> the rows of those columns, as text

    def ids(self, dataset: str) -> set[str]:
        """The task ids in the dataset's `tasks` table."""
        return {row[0] for row in self.rows(dataset, "tasks", ("id",))}


def _text(rows: Any) -> set[tuple[str, ...]]:
    return {tuple(str(v) for v in row) for row in rows}


def _sql_rows(url: str, table: str, columns: tuple[str, ...]) -> set[tuple[str, ...]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return _text(conn.execute(sa.text(f"SELECT {', '.join(columns)} FROM {table}")))
    finally:
        engine.dispose()


def _sql_ids(url: str, table: str) -> set[str]:
    return {row[0] for row in _sql_rows(url, table, ("id",))}


def _delta_rows(folder: Path, dataset: str, table: str, columns: tuple[str, ...]) -> set[Any]:
    from deltalake import DeltaTable

    data = DeltaTable(str(folder / dataset / table)).to_pyarrow_table(columns=list(columns))
    return _text(zip(*(data.column(c).to_pylist() for c in columns), strict=True))


def _iceberg_rows(folder: Path, dataset: str, table: str, columns: tuple[str, ...]) -> set[Any]:
    from pyiceberg.table import StaticTable

    metadata = glob.glob(str(folder / dataset / table / "metadata" / "*.metadata.json"))
    newest = max(metadata, key=os.path.getmtime)
    data = StaticTable.from_metadata(newest).scan(selected_fields=columns).to_arrow()
    return _text(zip(*(data.column(c).to_pylist() for c in columns), strict=True))


def _delta_ids(folder: Path, dataset: str) -> set[str]:
    return {row[0] for row in _delta_rows(folder, dataset, "tasks", ("id",))}


def _iceberg_ids(folder: Path, dataset: str) -> set[str]:
    return {row[0] for row in _iceberg_rows(folder, dataset, "tasks", ("id",))}


VIEW_DESTINATIONS = ("duckdb", "postgres")
DESTINATIONS = (
    "duckdb",
    pytest.param("postgres", marks=pytest.mark.postgres),
    "sqlite",
    "mariadb",
    "delta",
    "iceberg",
)
NOT_POSTGRES = ("duckdb", "sqlite", "mariadb", "delta", "iceberg")


@pytest.fixture(params=DESTINATIONS)
def where(request: pytest.FixtureRequest, tmp_path: Path) -> Where:
    name = request.param
    if name == "duckdb":
        path = tmp_path / "mirror.duckdb"
        return Where(
            name,
            ["--destination", "duckdb", "--duckdb-path", str(path)],
            {},
            lambda ds, t, cols: _sql_rows(f"duckdb:///{path}", f"{ds}.{t}", cols),
        )
    if name == "postgres":
        url = request.getfixturevalue("postgres_url")
        return Where(
            name,
            ["--destination", "postgres"],
            {"DESTINATION__POSTGRES__CREDENTIALS": url},
            lambda ds, t, cols: _sql_rows(url, f"{ds}.{t}", cols),
        )
    if name == "sqlite":
        db = tmp_path / "mirror.db"
        return Where(
            name,
            ["--destination", "sqlalchemy"],
            {"DESTINATION__SQLALCHEMY__CREDENTIALS": f"sqlite:///{db}"},
            # dlt attaches each dataset as its own file, `<file>__<dataset>.db`.
            lambda ds, t, cols: _sql_rows(f"sqlite:///{tmp_path / f'mirror__{ds}.db'}", t, cols),
        )
    if name == "mariadb":
        url = request.getfixturevalue("mariadb_url")
        return Where(
            name,
            ["--destination", "sqlalchemy"],
            {"DESTINATION__SQLALCHEMY__CREDENTIALS": url},
            lambda ds, t, cols: _sql_rows(url, f"`{ds}`.{t}", cols),
        )
    folder = tmp_path / "lake"
    folder.mkdir()
    env = {
        "DESTINATION__FILESYSTEM__BUCKET_URL": folder.as_uri(),
        "DESTINATION__FILESYSTEM__TABLE_FORMAT": name,
    }
    read = _delta_rows if name == "delta" else _iceberg_rows
    return Where(
        name,
        ["--destination", "filesystem"],
        env,
        lambda ds, t, cols: read(folder, ds, t, cols),
    )


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("SOURCES__REPLY__RATE_LIMITS", REPLY_LIMITS)
    yield monkeypatch


def _page_flags(vendor: str) -> list[str]:
    return {"apollo": ["--per-page"], "saleshandy": ["--page-size"], "reply": ["--top"]}[vendor] + [
        str(PAGE)
    ]


@pytest.mark.parametrize(
    ("vendor", "where"),
    on_warehouses(sorted(KITS), "apollo", every=NOT_POSTGRES),
    indirect=["where"],
)
def test_two_extracts_with_deletions_between_leave_mirror_equal_to_vendor(
    vendor: str,
    where: Where,
    env: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    kit = KITS[vendor]
    dataset = f"lake_{vendor}"
    with kit.start(7) as sb:
        env.setenv(kit.key_env, kit.key(sb))
        for key, value in where.env.items():
            env.setenv(key, value)
        argv = [
            "extract",
            vendor,
            "--base-url",
            sb.base_url,
            "--dataset",
            dataset,
            "--pipelines-dir",
            str(tmp_path / "pipelines"),
            *_page_flags(vendor),
            *where.argv,
        ]
        code = sales_main(argv)
        first = capsys.readouterr()
        assert code == EXIT_OK, first.err
        before = kit.serve(sb)  # id -> status
        served = set(before)
        assert len(served) == TASKS
        assert where.ids(dataset) == served

        gone = sorted(served)[:DELETED]
        for task_id in gone:
            sb.delete_task(int(task_id) if vendor == "reply" else task_id)
        for restated in sorted(served)[DELETED:]:  # and one task's status changes
            httpx.patch(f"{sb.base_url}/_sandbox/tasks/{restated}", json=kit.status_body)
            if kit.serve(sb)[restated] != before[restated]:
                break
        create = kit.create(sb, 1)
        httpx.request(
            create["method"],
            sb.base_url + create["path"],
            json=create["body"],
            headers=create.get("headers"),
        ).raise_for_status()

        code = sales_main(argv)
        second = capsys.readouterr()
        assert code == EXIT_OK, second.err
        assert f"{DELETED} task(s) deleted in" in second.out, second.out
        now = set(kit.serve(sb))
        assert len(now) == TASKS - DELETED + 1
        mirror = where.ids(dataset)
        assert not mirror & set(gone)
        assert mirror == now
        statuses = kit.serve(sb)  # id -> status, as the vendor lists it
        assert statuses[restated] != before[restated]
        rows = where.rows(dataset, "tasks", ("id", kit.status_column))
        assert dict(rows) == statuses  # every status as the vendor has it now
        # Views where the dialect has them, showing the same tasks; elsewhere one note per run.
        notes = [r.getMessage() for r in caplog.records if r.name == "sales_tasks.views"]
        if where.name in VIEW_DESTINATIONS:
            assert notes == []
            cols = ("task_id",)
            assert {r[0] for r in where.rows("sales_tasks", "all_tasks", cols)} == now
        else:
            assert len(notes) == 2, notes
            assert all(n.startswith("the analyst views are not built on") for n in notes), notes


@pytest.mark.parametrize("table_format", ["delta", "iceberg"])
def test_a_second_account_is_refused_on_filesystem_before_its_vendor_is_asked(
    table_format: str, env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The dataset's binding holds on `filesystem` too (a JSON file beside the tables): another
    account's run exits 6, its vendor gets no request, and the first account's rows stay."""
    from sales_tasks.pipelines.exit_codes import EXIT_DATASET_OWNED

    folder = tmp_path / "lake"
    env.setenv("DESTINATION__FILESYSTEM__BUCKET_URL", folder.as_uri())
    env.setenv("DESTINATION__FILESYSTEM__TABLE_FORMAT", table_format)
    kit = KITS["apollo"]
    read = _delta_ids if table_format == "delta" else _iceberg_ids
    with kit.start(1) as first, kit.start(2) as second:
        codes = []
        for sb in (first, second):
            env.setenv(kit.key_env, kit.key(sb))
            sb.clear_requests()
            argv = ["extract", "apollo", "--base-url", sb.base_url, "--dataset", "shared"]
            argv += ["--pipelines-dir", str(tmp_path / "p"), "--destination", "filesystem"]
            codes.append(sales_main(argv))
        err = capsys.readouterr().err
        assert codes == [EXIT_OK, EXIT_DATASET_OWNED], err
        assert "dataset shared belongs to apollo account" in err
        assert second.requests() == []
        assert read(folder, "shared") == set(kit.serve(first))


@pytest.mark.parametrize("table_format", ["delta", "iceberg"])
def test_an_incomplete_run_into_a_lake_deletes_nothing(
    table_format: str, env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A Saleshandy list item without a key makes the run incomplete (`count_unreadable`): no
    tombstone, the deleted task stays, `removed` stays None; once readable, it is removed."""
    from tests.saleshandy.sh_extract_support import extract
    from tests.saleshandy.sh_spec_vendor import KEY, SpecVendor, spec_task

    folder = tmp_path / "lake"
    env.setenv("DESTINATION__FILESYSTEM__BUCKET_URL", folder.as_uri())
    env.setenv("DESTINATION__FILESYSTEM__TABLE_FORMAT", table_format)
    read = _delta_ids if table_format == "delta" else _iceberg_ids
    vendor = SpecVendor([spec_task(n) for n in range(30)])
    with vendor.serve() as url:
        account = type("Account", (), {"api_key": KEY, "base_url": url})()
        first = extract(account, tmp_path, destination="filesystem", duckdb_path=None)
        assert first.complete and len(read(folder, "saleshandy")) == 30
        gone = vendor.items.pop(0)["taskId"]
        vendor.items[10] = {k: v for k, v in vendor.items[10].items() if k != "taskId"}
        second = extract(account, tmp_path, destination="filesystem", duckdb_path=None)
        assert not second.complete and second.removed is None
        assert gone in read(folder, "saleshandy")
        vendor.items[10]["taskId"] = "T-fixed-001"
        third = extract(account, tmp_path, destination="filesystem", duckdb_path=None)
        assert third.complete and third.removed == 2
        mirror = read(folder, "saleshandy")
        assert gone not in mirror and len(mirror) == len(vendor.items) == 29


def _apollo_phones(sb: Any) -> set[tuple[str, ...]]:
    """(contact id, position) of every number of every contact Apollo's task search embeds."""
    return {
        (str(task["contact"]["id"]), str(number["position"]))
        for task in apollo_tasks(sb)
        for number in (task.get("contact") or {}).get("phone_numbers") or []
    }


def test_numbers_removed_from_a_contact_leave_the_mirror(
    where: Where, env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A contact's phone list shrinks at Apollo (two numbers to one, one to none, one to two) between two
    extracts: `contact_phone_numbers` then holds exactly the numbers Apollo embeds, on every
    destination (Delta and Iceberg used to keep the old ones; every destination kept the numbers
    of a list that became empty)."""
    kit = KITS["apollo"]
    dataset = "lake_phones"
    columns = ("contact_id", "position")
    with kit.start(7) as sb:
        env.setenv(kit.key_env, kit.key(sb))
        for key, value in where.env.items():
            env.setenv(key, value)
        argv = ["extract", "apollo", "--base-url", sb.base_url, "--dataset", dataset]
        argv += ["--pipelines-dir", str(tmp_path / "pipelines"), *_page_flags("apollo")]
        argv += where.argv
        assert sales_main(argv) == EXIT_OK, capsys.readouterr().err
        before = _apollo_phones(sb)
        assert where.rows(dataset, "contact_phone_numbers", columns) == before
        counts: dict[str, int] = {}
        for contact, _ in before:
            counts[contact] = counts.get(contact, 0) + 1
        two = sorted(c for c, n in counts.items() if n == 2)
        one = sorted(c for c, n in counts.items() if n == 1)
        assert two and len(one) >= 2, counts
        sb.set_phone_numbers(two[0], 1)
        sb.set_phone_numbers(one[0], 0)
        sb.set_phone_numbers(one[1], 2)  # and one gains a number

        assert sales_main(argv) == EXIT_OK, capsys.readouterr().err
        after = _apollo_phones(sb)
        assert after == (before - {(two[0], "1"), (one[0], "0")}) | {(one[1], "1")}
        assert where.rows(dataset, "contact_phone_numbers", columns) == after
        assert where.ids(dataset) == set(kit.serve(sb))  # the tasks stay as they were
