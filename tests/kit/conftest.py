"""The kit's one fixture: `kit`, parametrised over every vendor `tests/kit/vendor.py` finds.

It adds a test-tree vendor's folders to the packages' search path (`vendor_folders`), starts the
vendor's sandbox with its kit settings (`sandbox_factory`) and gives a `Kit`: that sandbox, the
vendor's `KitVendor`, and extracts / pushes into one DuckDB file of the test over real HTTP.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.kit.vendor import KitVendor, kit_of, kit_vendors, tree_files, tree_vendors

INPUT_TABLE = "kit_push_input"


@dataclass
class Kit:
    """One vendor under the kit: its name, sandbox, answers, and a DuckDB file for its runs."""

    vendor: str
    answers: KitVendor
    sb: Any
    folder: Path

    @property
    def path(self) -> str:
        return str(self.folder / "kit.duckdb")

    @property
    def spec(self) -> Any:
        from sales_tasks.pipelines.vendors import source_spec

        return source_spec(self.vendor)

    @property
    def key(self) -> str:
        return self.answers.key(self.sb)

    @property
    def tasks(self) -> int:
        """How many tasks the sandbox was seeded with."""
        return int(self.sb.config()["tasks"])

    def extract(self, **options: Any) -> Any:
        """`run_extract` of this vendor into the test's DuckDB file, in small pages; returns the
        summary (raises what the extract raises)."""
        from sales_tasks.pipelines.extract import run_extract

        settings = {"api_key": self.key, **self.answers.small_pages, **options}
        return run_extract(
            self.vendor,
            duckdb_path=self.path,
            base_url=self.sb.base_url,
            pipelines_dir=str(self.folder / "dlt"),
            **settings,
        )

    def mirror_ids(self) -> list[str]:
        """The ids in the mirror's `tasks` table (with repeats, if any), as text."""
        with duckdb.connect(self.path, read_only=True) as con:
            table = f"{self.spec.default_dataset}.tasks"
            return [str(r[0]) for r in con.sql(f"SELECT id FROM {table}").fetchall()]

    def has_mirror(self) -> bool:
        """Whether the extract loaded a `tasks` table at all."""
        if not Path(self.path).exists():
            return False
        with duckdb.connect(self.path, read_only=True) as con:
            found = con.execute(
                "SELECT count(*) FROM information_schema.tables"
                " WHERE table_schema = ? AND table_name = 'tasks'",
                [self.spec.default_dataset],
            ).fetchone()
        return bool(found and found[0])

    def push(self, rows: list[Mapping[str, Any]]) -> Any:
        """Write `rows` as the push's input table (text columns) and push it; the summary."""
        from sales_tasks.destinations.registry import sink
        from sales_tasks.pipelines.push import run_push

        columns = list(dict.fromkeys(c for row in rows for c in row))
        with duckdb.connect(self.path) as con:
            con.execute(f"DROP TABLE IF EXISTS {INPUT_TABLE}")
            con.execute(f"CREATE TABLE {INPUT_TABLE} ({', '.join(f'{c} TEXT' for c in columns)})")
            con.executemany(
                f"INSERT INTO {INPUT_TABLE} VALUES ({', '.join('?' for _ in columns)})",
                [[None if r.get(c) is None else str(r[c]) for c in columns] for r in rows],
            )
        return run_push(
            sink=sink(self.vendor),
            table=INPUT_TABLE,
            warehouse=self.path,
            api_key=self.key,
            base_url=self.sb.base_url,
            pipelines_dir=str(self.folder / "push"),
            reconcile_wait_seconds=1.0,
        )

    def create_calls(self) -> list[dict[str, Any]]:
        """The create calls the sandbox answered with success (request log, oldest first)."""
        return [
            r
            for r in self.sb.requests()
            if r.get("creates") and r["status"] is not None and 200 <= r["status"] < 300
        ]

    def list_call(self) -> tuple[str, str]:
        """(method, path) of the call the last scan made most often: its list of tasks."""
        counted = Counter((r["method"], r["path"]) for r in self.sb.requests())
        return counted.most_common(1)[0][0]


@pytest.fixture(params=kit_vendors())
def kit(
    request: pytest.FixtureRequest,
    vendor_folders: Callable[[Mapping[str, str]], Path],
    sandbox_factory: Callable[..., Any],
    tmp_path: Path,
) -> Kit:
    vendor = str(request.param)
    tree = tree_vendors().get(vendor)
    if tree is not None:
        vendor_folders(tree_files(tree))
    answers = kit_of(vendor)
    sb = sandbox_factory(vendor, **answers.sandbox)
    return Kit(vendor, answers, sb, tmp_path)
