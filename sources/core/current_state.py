"""Keeping `tasks` equal to what a vendor holds now: tombstones for tasks deleted at the vendor.

Vendor-neutral. No vendor offers a "deleted since" feed, so after a scan that may delete
(`RunReport.may_delete`: the vendor's source proved it complete by the proof its list endpoint
offers (a documented total, per-status counts, a has-more flag with a stable re-read), every item
was readable, and it read the whole list), a task loaded before whose id the run did not see is gone at the vendor. The
source then emits one tombstone row per such id into `tasks`: the id, every other column null,
and `_sales_tasks_deleted` true, a column carrying dlt's `hard_delete` hint. dlt's own merge
removes those rows on every destination that merges (DuckDB, PostgreSQL, the SQLAlchemy
databases, Delta), in the same load as the run's new rows. A run that may not delete emits no
tombstone. Dimensions (contacts, prospects, accounts) are kept: other tasks may refer to them.

Iceberg is the one exception: dlt 1.31's Iceberg merge is pyiceberg's upsert, which ignores the
`hard_delete` hint and stores tombstones as rows. `remove_deleted_tasks` (run by the extract
after the load) deletes those rows through pyiceberg's `Table.delete`, so the table ends the run
as on every other destination.

Which ids get a tombstone: the ids in the destination's `tasks` table (`known_task_ids`) minus
the ids the run read, both taken under the job's lock, after the scan. Read from the dataset, not
from dlt resource state: they are exactly the rows the mirror holds (so a row another run, an
older version or a restore left behind is removed too) and exactly the ids a scan that
proves deletions one by one checks before the run may delete; state kept beside the data
could drift from it. Scoped to one account: a dataset holds the rows of one account (the runner
binds it before the scan and refuses any other, `pipelines.accounts.claim_dataset`), so every id
read from it is the account's own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

TASKS_TABLE = "tasks"
EXTRACT_RUNS_TABLE = "extract_runs"
# The `hard_delete` column of `tasks`: true only in a tombstone, which dlt's merge removes.
DELETED_COLUMN = "_sales_tasks_deleted"
TABLE_FORMATS = ("delta", "iceberg")

TKnownIds = Callable[[], Iterable[Any]]


@dataclass
class Tombstones:
    """Tombstone rows for `tasks` (as the table its source's `tasks` resource yields)."""

    tasks: pa.Table


def tombstone_hints(columns: dict[str, Any]) -> dict[str, Any]:
    """The dlt column hints of `tasks` plus its `hard_delete` column."""
    deleted = {"name": DELETED_COLUMN, "data_type": "bool", "nullable": True, "hard_delete": True}
    return {**columns, DELETED_COLUMN: deleted}


def live_tasks(tasks: pa.Table) -> pa.Table:
    """A batch of read tasks with the `hard_delete` column, null (not deleted)."""
    return tasks.append_column(
        pa.field(DELETED_COLUMN, pa.bool_()), pa.nulls(tasks.num_rows, pa.bool_())
    )


def tombstone_table(ids: list[str], schema: pa.Schema) -> pa.Table:
    """One row per id: the id (in the `id` type of `schema`), nulls, the deleted flag true."""
    n = len(ids)
    arrays = [
        pa.array(ids, pa.string()).cast(field.type)
        if field.name == "id"
        else pa.nulls(n, field.type)
        for field in schema
    ]
    arrays.append(pa.array([True] * n, pa.bool_()))
    fields = [*schema, pa.field(DELETED_COLUMN, pa.bool_())]
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def with_tombstones(
    items: Iterable[Any], report: Any, known_ids: TKnownIds | None, tasks_schema: pa.Schema
) -> Iterator[Any]:
    """The scan's items, with `Tombstones` for tasks deleted at the vendor before its report.

    Every item's `tasks` table (a batch of read tasks) adds to the ids seen. When the report
    comes (the scan's last item) and `report.may_delete`, the loaded ids (`known_ids()`) the run
    did not see get a tombstone, and `report.removed` says how many; a run that may not delete,
    or that has no `known_ids`, emits none and leaves `removed` None.
    """
    seen: set[str] = set()
    for item in items:
        if item is report:
            if report.may_delete and known_ids is not None:
                gone = sorted({str(i) for i in known_ids()} - seen)
                report.removed = len(gone)
                if gone:
                    yield Tombstones(tombstone_table(gone, tasks_schema))
        else:
            tasks = getattr(item, "tasks", None)
            if isinstance(tasks, pa.Table):
                seen.update(str(i) for i in tasks.column("id").to_pylist())
        yield item


def _table_format(pipeline: Any) -> str | None:
    """`delta` or `iceberg` when the pipeline loads into such tables on `filesystem`."""
    destination = getattr(pipeline, "destination", None)
    if destination is None or not destination.destination_type.endswith(".filesystem"):
        return None
    fmt = destination.capabilities().preferred_table_format
    return fmt if fmt in TABLE_FORMATS else None


def _open_table(pipeline: Any, fmt: str, name: str) -> Any:
    """The Delta or Iceberg table `name` of the dataset (None before its first load)."""
    client = pipeline.destination_client()
    if not client.is_open_table(fmt, name):
        return None
    with contextlib.suppress(Exception):  # a folder without a table yet
        return client.load_open_table(fmt, name)
    return None


def _read_column(pipeline: Any, table: str, column: str) -> list[Any]:
    """Every value of `table.column` in the pipeline's dataset ([] before the first load).

    Delta and Iceberg tables are read with their own libraries: DuckDB's extensions for them are
    downloaded on first use, which a machine without internet cannot do.
    """
    fmt = _table_format(pipeline)
    if fmt is not None:
        opened = _open_table(pipeline, fmt, table)
        if opened is None:
            return []
        if fmt == "delta":
            data = opened.to_pyarrow_table(columns=[column])
        else:
            data = opened.scan(selected_fields=(column,)).to_arrow()
        return data.column(column).to_pylist()
    with pipeline.sql_client() as client:
        if not client.has_dataset():
            return []
        qualified = client.make_qualified_table_name(table)
        try:
            rows = client.execute_sql(f"SELECT {column} FROM {qualified}")
        except Exception:  # noqa: BLE001 - any "no such table" error of any destination
            return []
    return [row[0] for row in rows or []]


def known_task_ids(pipeline: Any) -> Callable[[], list[str]]:
    """A callable reading the ids in the pipeline's `tasks` table (none before the first load).

    The ids of the dataset's one account (see the module docstring): what a scan may verify by
    id before deleting, and what gets a tombstone when the run did not see it. Read when called
    (during the scan), never when made.
    """

    def read() -> list[str]:
        return [
            str(value) for value in _read_column(pipeline, TASKS_TABLE, "id") if value is not None
        ]

    return read


def remove_deleted_tasks(pipeline: Any, report: Any) -> int | None:
    """After the load: finish what the run's tombstones began; returns the tasks removed.

    dlt's merge has already applied the tombstones everywhere but Iceberg; there the rows still
    carrying `_sales_tasks_deleted` are deleted now (pyiceberg's `Table.delete`). Returns
    `report.removed` (None when the run may not delete: it emitted no tombstone).
    """
    if not report.may_delete:
        return None
    if getattr(report, "removed", None) and _table_format(pipeline) == "iceberg":
        table = _open_table(pipeline, "iceberg", TASKS_TABLE)
        if table is not None and DELETED_COLUMN in table.schema().column_names:
            table.delete(delete_filter=f"{DELETED_COLUMN} = true")
    removed: int | None = getattr(report, "removed", None)
    return removed
