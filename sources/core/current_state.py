"""Keeping `tasks` equal to what a vendor holds now: tombstones for tasks deleted at the vendor.

Vendor-neutral. No vendor offers a "deleted since" feed, so after a scan that may delete
(`RunReport.may_delete`: the vendor's source proved it complete by the vendor's own means, a
total, counts, or an end-of-list flag and a stable re-read; every item was readable, and it read
the whole list), a task loaded before whose id the run did not see is gone at the vendor. The
source then emits one tombstone row per such id into `tasks`: the id, every other column null,
and `_sales_tasks_deleted` true, a column carrying dlt's `hard_delete` hint. dlt's own merge
removes those rows on every destination that merges (DuckDB, PostgreSQL, the SQLAlchemy
databases, Delta), in the same load as the run's new rows. A run that may not delete emits no
tombstone. Dimensions (contacts, prospects, accounts) are kept: other tasks may refer to them.

Iceberg is the one exception: dlt 1.31's Iceberg merge is pyiceberg's upsert, which ignores the
`hard_delete` hint and stores tombstones as rows. `remove_deleted_tasks` (run by the extract
after the load) deletes those rows through pyiceberg's `Table.delete`, so the table ends the run
as on every other destination.

Child tables (a list embedded in a dimension, as a contact's phone numbers): a parent
read this run carries its whole list, so a row the destination holds for that parent under a key
the run did not read (a number removed at the vendor) gets a tombstone too (`ChildTombstones`),
whatever the run's completeness: the parent was read whole. Where dlt merges by delete-insert
(the SQL destinations) the merge key already replaces a parent's rows when any are loaded; the
tombstone is what removes them on Delta and Iceberg, and on every destination when the list
became empty. The rows the destination holds are read from the pipeline that runs the source
(the one passed, else dlt's active pipeline), once per run, on the first batch.

Which ids get a tombstone: the ids in the destination's `tasks` table (`known_task_ids`) minus
the ids the run read, both taken under the job's lock, after the scan. Read from the dataset, not
from dlt resource state: they are exactly the rows the mirror holds (so a row another run, an
older version or a restore left behind is removed too) and exactly the ids the scans that verify
by id prove deleted one by one before the run may delete; state kept beside the data
could drift from it. Scoped to one account: a dataset holds the rows of one account (the runner
binds it before the scan and refuses any other,
`sales_tasks.pipelines.accounts.claim_dataset`), so every id read from it is the account's own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

TASKS_TABLE = "tasks"
EXTRACT_RUNS_TABLE = "extract_runs"
# The `hard_delete` column of `tasks`: true only in a tombstone, which dlt's merge removes.
DELETED_COLUMN = "_sales_tasks_deleted"
TABLE_FORMATS = ("delta", "iceberg")

TKnownIds = Callable[[], Iterable[Any]]
# The (parent id, key) pairs a child table holds in the destination.
TKnownRows = Callable[[], Iterable[tuple[Any, Any]]]


@dataclass
class Tombstones:
    """Tombstone rows for `tasks` (as the table its source's `tasks` resource yields)."""

    tasks: pa.Table


def tombstone_hints(columns: dict[str, Any]) -> dict[str, Any]:
    """The dlt column hints of `tasks` plus its `hard_delete` column."""
    deleted = {"name": DELETED_COLUMN, "data_type": "bool", "nullable": True, "hard_delete": True}
    return {**columns, DELETED_COLUMN: deleted}


def live_tasks(tasks: pa.Table) -> pa.Table:
    """A batch of read rows (tasks, or a child table's) with the `hard_delete` column null."""
    return tasks.append_column(
        pa.field(DELETED_COLUMN, pa.bool_()), pa.nulls(tasks.num_rows, pa.bool_())
    )


def tombstone_table(ids: list[str], schema: pa.Schema) -> pa.Table:
    """One row per id: the id (in the `id` type of `schema`), nulls, the deleted flag true."""
    return key_tombstones({"id": ids}, schema)


def key_tombstones(keys: dict[str, list[str]], schema: pa.Schema) -> pa.Table:
    """One row per position of `keys`' lists: those columns (given as text, cast to their type in
    `schema`), nulls elsewhere, the deleted flag true."""
    n = len(next(iter(keys.values()))) if keys else 0
    arrays = [
        pa.array(keys[field.name], pa.string()).cast(field.type)
        if field.name in keys
        else pa.nulls(n, field.type)
        for field in schema
    ]
    arrays.append(pa.array([True] * n, pa.bool_()))
    fields = [*schema, pa.field(DELETED_COLUMN, pa.bool_())]
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


class ChildTombstones:
    """A child table's rows for one batch: tombstones for the rows its parents no longer have,
    then the rows read (see the module docstring).

    Args:
        table: the child table's name in the destination.
        parent: its column holding the parent's id; `key`: the row's key within its parent.
        schema: the child table's Arrow schema (as the rows read have it).
        known: the (parent, key) pairs the destination holds; None: read them from the
            pipeline running the source (dlt's active pipeline; none active: no tombstones).
    """

    def __init__(
        self, table: str, parent: str, key: str, schema: pa.Schema, known: TKnownRows | None
    ) -> None:
        self.table, self.parent, self.key, self.schema = table, parent, key, schema
        self._read = known
        self._known: dict[str, set[str]] | None = None
        self.removed = 0

    def rows(self, read: pa.Table | None, parents: Iterable[Any]) -> Iterator[pa.Table]:
        """Tombstones for `parents` (each read whole this batch), then `read` marked live."""
        now: dict[str, set[str]] = {str(p): set() for p in parents}
        if read is not None:
            for p, k in zip(
                read.column(self.parent).to_pylist(), read.column(self.key).to_pylist(), strict=True
            ):
                now.setdefault(str(p), set()).add(str(k))
        stale = [
            (p, k) for p, keys in now.items() for k in sorted(self.known().get(p, set()) - keys)
        ]
        if stale:
            self.removed += len(stale)
            yield key_tombstones(
                {self.parent: [p for p, _ in stale], self.key: [k for _, k in stale]}, self.schema
            )
        if read is not None and read.num_rows:
            yield live_tasks(read)

    def known(self) -> dict[str, set[str]]:
        if self._known is None:
            read = self._read
            if read is None:
                pipeline = active_pipeline()
                read = (
                    known_rows(pipeline, self.table, (self.parent, self.key)) if pipeline else None
                )
            self._known = {}
            for p, k in read() if read is not None else ():
                if p is not None and k is not None:
                    self._known.setdefault(str(p), set()).add(str(k))
        return self._known


def active_pipeline() -> Any | None:
    """The dlt pipeline running now (the one extracting the source), None outside a run."""
    from dlt.common.configuration.container import Container
    from dlt.common.pipeline import PipelineContext

    context = Container()[PipelineContext]
    return context.pipeline() if context.is_active() else None


def with_tombstones(
    items: Iterable[Any], report: Any, known_ids: TKnownIds | None, tasks_schema: pa.Schema
) -> Iterator[Any]:
    """The scan's items, with `Tombstones` for tasks deleted at the vendor before its report.

    Every item's `tasks` table (a batch of read tasks) adds to the ids seen. When the report
    comes (the scan's last item) and `report.may_delete`, the loaded ids (`known_ids()`) the run
    did not see get a tombstone, and `report.removed` says how many; a run that may not delete,
    or that has no `known_ids`, emits none and leaves `removed` None.
    """
    # The ids read, as text, one Arrow array per batch: ~30 bytes an id where a set of Python
    # strings held ~110 (11 MB per 100,000 tasks in the measured extract, the largest Python
    # structure of the scan that grew with the account).
    seen: list[pa.Array] = []
    for item in items:
        if item is report:
            if report.may_delete and known_ids is not None:
                gone = not_seen({str(i) for i in known_ids()}, seen)
                report.removed = len(gone)
                if gone:
                    yield Tombstones(tombstone_table(gone, tasks_schema))
        else:
            tasks = getattr(item, "tasks", None)
            if isinstance(tasks, pa.Table):
                seen.extend(_as_text(tasks.column("id")).chunks)
        yield item


def _as_text(ids: pa.ChunkedArray) -> pa.ChunkedArray:
    """Ids as the text `str()` gives them (integers in decimal; nulls as `None`, as `str`)."""
    if not pa.types.is_string(ids.type):
        ids = pc.cast(ids, pa.string())
    return pc.fill_null(ids, "None") if ids.null_count else ids


def not_seen(known: set[str], seen: list[pa.Array]) -> list[str]:
    """`sorted(known - set(seen))`, with the seen ids kept as Arrow text arrays."""
    candidates = pa.array(sorted(known), pa.string())
    if not seen or not len(candidates):
        return candidates.to_pylist()
    found = pc.is_in(candidates, value_set=pa.concat_arrays(seen))
    return candidates.filter(pc.invert(found)).to_pylist()


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
    """Every value of `table.column` in the pipeline's dataset ([] before the first load)."""
    return [row[0] for row in _read_columns(pipeline, table, (column,))]


def _read_columns(pipeline: Any, table: str, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """Every row of `columns` of `table` in the pipeline's dataset ([] before the first load).

    Delta and Iceberg tables are read with their own libraries: DuckDB's extensions for them are
    downloaded on first use, which a machine without internet cannot do.
    """
    fmt = _table_format(pipeline)
    if fmt is not None:
        opened = _open_table(pipeline, fmt, table)
        if opened is None:
            return []
        if fmt == "delta":
            data = opened.to_pyarrow_table(columns=list(columns))
        else:
            data = opened.scan(selected_fields=columns).to_arrow()
        return list(zip(*(data.column(c).to_pylist() for c in columns), strict=True))
    with pipeline.sql_client() as client:
        qualified = client.make_qualified_table_name(table)
        # No `has_dataset()` first: the runner's claim has made the dataset before the scan, and
        # a missing dataset fails the SELECT as a missing table does.
        try:
            selected = ", ".join(client.escape_column_name(c) for c in columns)
            rows = client.execute_sql(f"SELECT {selected} FROM {qualified}")
        except Exception:  # noqa: BLE001 - any "no such table" error of any destination
            return []
    return [tuple(row) for row in rows or []]


def known_rows(pipeline: Any, table: str, columns: tuple[str, str]) -> TKnownRows:
    """A callable reading the (parent, key) pairs of a child table (none before its first load)."""
    return lambda: [(row[0], row[1]) for row in _read_columns(pipeline, table, columns)]


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
    carrying `_sales_tasks_deleted` are deleted now (pyiceberg's `Table.delete`), in `tasks` and
    in every child table that got tombstones (`ChildTombstones`, which a run emits whether or not
    it may delete tasks). Returns `report.removed` (None when the run may not delete: it emitted
    no task tombstone).
    """
    if _table_format(pipeline) == "iceberg":
        for name in _tombstoned_tables(pipeline):
            table = _open_table(pipeline, "iceberg", name)
            if table is None or DELETED_COLUMN not in table.schema().column_names:
                continue
            flagged = f"{DELETED_COLUMN} = true"
            found = table.scan(row_filter=flagged, selected_fields=(DELETED_COLUMN,)).to_arrow()
            if found.num_rows:
                table.delete(delete_filter=flagged)
    if not report.may_delete:
        return None
    removed: int | None = getattr(report, "removed", None)
    return removed


def _tombstoned_tables(pipeline: Any) -> list[str]:
    """The tables of the pipeline's schema with the `hard_delete` column."""
    schema = None
    with contextlib.suppress(Exception):  # a pipeline without a schema yet
        schema = pipeline.default_schema
    tables = schema.tables.values() if schema is not None else ()
    return [t["name"] for t in tables if DELETED_COLUMN in t.get("columns", {})]
