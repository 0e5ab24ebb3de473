"""The life of a task: `task_status_history`, each task's statuses over time, kept by dlt's scd2.

`tasks` is the vendor's current state: a task completed today shows only `completed`. Analysts
also ask how long tasks sat open, and how often a closed one came back. So every source feeds one
narrow resource from the same scan: per task its id, the vendor's status and the shared status
(`sales_tasks.clients.vocabulary`: open, completed, skipped, cancelled, archived). It is merged with dlt's
`scd2` strategy: a status seen for the first time opens a version (`_dlt_valid_from`, the start
of the run that saw it) and closes the one before (`_dlt_valid_to`); an unchanged status writes
nothing. Queries: `docs/task-history.md`.

- Keyed by `merge_key="id"`: only tasks this run saw can get a new version, so a partial read (a
  limited or incomplete run) never closes the versions of tasks it did not reach, and a task
  deleted at the vendor keeps its last version open (join with `tasks` for what still exists).
- Time is the extract's: a status that lasted between two runs is seen by neither; time in a
  status is measured to the run that saw the change, so it is as fine as the extract schedule.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterator
from typing import Any

import dlt
import pyarrow as pa
from dlt.common.data_types import TDataType
from dlt.extract.resource import DltResource

from sales_tasks.clients.vocabulary import from_vendor

STATUS_HISTORY_TABLE = "task_status_history"
VALID_FROM = "_dlt_valid_from"
VALID_TO = "_dlt_valid_to"
# The version of a row scd2 compares: ours, made from the row's values, since dlt adds its own
# row hash (`_dlt_id`) to Python rows only, not to the Arrow tables the scans yield.
ROW_VERSION = "row_version"

logger = logging.getLogger("sales_tasks.source")
_noted: set[str] = set()  # pipelines told that their destination keeps no history

__all__ = [
    "ROW_VERSION",
    "STATUS_HISTORY_TABLE",
    "VALID_FROM",
    "VALID_TO",
    "reopen_counts_sql",
    "status_history",
    "time_in_status_sql",
    "versions_sql",
]


def status_history(
    vendor: str,
    started_at: dt.datetime,
    *,
    id_type: TDataType = "text",
    status_column: str = "status",
    code_column: str | None = None,
) -> DltResource:
    """The `task_status_history` transformer of `vendor`'s scan (items with an Arrow `tasks`).

    Args:
        vendor: the vendor's name in the registry (whose status vocabulary applies).
        started_at: when the run started: the `_dlt_valid_from` of the versions it opens.
        id_type: the dlt type of the vendor's task ids (`text`, `bigint`).
        status_column: the column of `tasks` holding the status as people read it.
        code_column: the column holding the vendor's status code (default `status_column`).
    """
    code_of = code_column or status_column
    names: dict[Any, str | None] = {}
    # Asked once per source instance (a source runs in one pipeline): dlt resolves the
    # pipeline's and destination's config on each ask, ~40 ms, which per batch added up.
    supported: list[bool] = []

    @dlt.transformer(
        name=STATUS_HISTORY_TABLE,
        merge_key="id",
        columns={
            "id": {"data_type": id_type, "nullable": False},
            "status": {"data_type": "text"},
            "shared_status": {"data_type": "text"},
            ROW_VERSION: {"data_type": "text", "nullable": False},
        },
    )
    def history(item: Any) -> Iterator[pa.Table]:
        tasks = getattr(item, "tasks", None)
        if not isinstance(tasks, pa.Table) or tasks.num_rows == 0:
            return
        if not supported:
            supported.append(_scd2_supported())
        if not supported[0]:
            return
        codes = tasks.column(code_of).to_pylist()
        for code in set(codes) - names.keys():
            names[code] = from_vendor(vendor, "status", code)
        ids = tasks.column("id")
        statuses = tasks.column(status_column).cast(pa.string())
        shared = [names[c] for c in codes]
        versions = [
            hashlib.blake2b(f"{i}\x1f{s}\x1f{v}".encode(), digest_size=12).hexdigest()
            for i, s, v in zip(ids.to_pylist(), statuses.to_pylist(), shared, strict=True)
        ]
        schema = pa.schema(
            [
                pa.field("id", ids.type, nullable=False),
                pa.field("status", pa.string()),
                pa.field("shared_status", pa.string()),
                pa.field(ROW_VERSION, pa.string(), nullable=False),
            ]
        )
        arrays = [ids, statuses, pa.array(shared, pa.string()), pa.array(versions, pa.string())]
        yield pa.Table.from_arrays(arrays, schema=schema)

    history.apply_hints(
        write_disposition={
            "disposition": "merge",
            "strategy": "scd2",
            "boundary_timestamp": started_at,
            "row_version_column_name": ROW_VERSION,
        }
    )
    return history


def _scd2_supported() -> bool:
    """Whether the running pipeline's destination merges with scd2 (dlt's `filesystem`, Delta
    and Iceberg included, does not): where it does not, the table is left out, said once."""
    try:
        pipeline = dlt.current.pipeline()
        caps = pipeline.destination.capabilities() if pipeline.destination else None
    except Exception:  # noqa: BLE001 - iterated outside a pipeline (a test): keep the rows
        return True
    if caps is None or "scd2" in (caps.supported_merge_strategies or ()):
        return True
    if pipeline.pipeline_name not in _noted:
        _noted.add(pipeline.pipeline_name)
        logger.warning(
            "%s is not kept on %s (no scd2 merge there); the other tables load as usual",
            STATUS_HISTORY_TABLE,
            pipeline.destination.destination_name,
        )
    return False


CLOSED = ("completed", "skipped", "cancelled", "archived")


def versions_sql(dataset: str) -> str:
    """Each version of each task's status with the shared status before it (`previous`), its
    start and end (`until` NULL: still current), in a dataset holding `task_status_history`."""
    closed = ", ".join(f"'{s}'" for s in CLOSED)
    return (
        "SELECT id, status, shared_status,"
        f" {VALID_FROM} AS since, {VALID_TO} AS until,"
        f" LAG(shared_status) OVER (PARTITION BY id ORDER BY {VALID_FROM}) AS previous,"
        f" (shared_status = 'open' AND LAG(shared_status) OVER"
        f" (PARTITION BY id ORDER BY {VALID_FROM}) IN ({closed})) AS reopened"
        f" FROM {dataset}.{STATUS_HISTORY_TABLE}"
    )


def reopen_counts_sql(dataset: str) -> str:
    """Per task: how many times it came back open after being closed (0 for most)."""
    return (
        "SELECT id, count(*) FILTER (WHERE reopened) AS reopens"
        f" FROM ({versions_sql(dataset)}) AS v GROUP BY id"
    )


def time_in_status_sql(dataset: str, now: str = "CURRENT_TIMESTAMP") -> str:
    """Per shared status: the versions that ended (`until` set), their count and mean hours,
    and the versions still current with the hours they have lasted so far (to `now`)."""
    # EXTRACT(EPOCH ...) reads the same in DuckDB and PostgreSQL.
    hours = "(EXTRACT(EPOCH FROM {end}) - EXTRACT(EPOCH FROM since)) / 3600.0"
    return (
        "SELECT shared_status,"
        " count(until) AS ended,"
        f" avg({hours.format(end='until')}) FILTER (WHERE until IS NOT NULL) AS mean_hours_ended,"
        " count(*) - count(until) AS current,"
        f" avg({hours.format(end=now)}) FILTER (WHERE until IS NULL) AS mean_hours_so_far"
        f" FROM ({versions_sql(dataset)}) AS v GROUP BY shared_status ORDER BY shared_status"
    )
