"""Typed tables from vendor records: column declarations, dlt hints, Arrow conversion.

Vendor-neutral. A source declares each table as `(column, kind)` pairs; records become Arrow
tables with exactly those columns (one per batch of pages), which dlt loads without per-row
normalisation, and every column exists typed even when all its values are null. Timestamps are
stored in UTC, dates as dates, ids as text, lists and free-form objects as JSON text; fields a
vendor adds later land, as JSON, in each table's `extra_fields` column, so nothing is silently
dropped. Values are converted column by column; a column Arrow refuses as served (a number
sent as a string...) is coerced value by value.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal

import orjson
import pyarrow as pa

from sales_tasks.clients.core.values import lenient_int, parse_utc

TKind = Literal["text", "timestamp", "date", "bool", "double", "bigint", "json"]
TColumns = tuple[tuple[str, TKind], ...]

_UTC = pa.timestamp("us", tz="UTC")
_ARROW: dict[str, pa.DataType] = {
    "text": pa.string(),
    "timestamp": _UTC,
    "date": pa.date32(),
    "bool": pa.bool_(),
    "double": pa.float64(),
    "bigint": pa.int64(),
    "json": pa.string(),
}
_DLT_TYPE = {
    "text": "text",
    "timestamp": "timestamp",
    "date": "date",
    "bool": "bool",
    "double": "double",
    "bigint": "bigint",
    # JSON text: dlt cannot take an Arrow string as a `json` column without a warning per load,
    # and free-form objects have no stable Arrow type. Query with `col::JSON` / `col::jsonb`.
    "json": "text",
}


def dlt_columns(columns: TColumns, not_null: Iterable[str] = ()) -> dict[str, Any]:
    """dlt column hints for a table, so every column exists typed even when all values are null."""
    required = set(not_null)
    return {
        name: {"name": name, "data_type": _DLT_TYPE[kind], "nullable": name not in required}
        for name, kind in columns
    }


def arrow_schema(columns: TColumns, not_null: Iterable[str] = ()) -> pa.Schema:
    required = set(not_null)
    return pa.schema(
        [pa.field(name, _ARROW[kind], nullable=name not in required) for name, kind in columns]
    )


# -- value coercion (only used when Arrow refuses a column as served) -----------------------------


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def _bool(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "t", "yes", "1"):
            return True
        if lowered in ("false", "f", "no", "0"):
            return False
    return None


def _double(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _date(value: Any) -> dt.date | None:
    """A `YYYY-MM-DD` (or a timestamp's date part); None when it is not a date."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.date):
        return value if not isinstance(value, dt.datetime) else value.date()
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


_INT64 = (-(2**63), 2**63 - 1)


def _bigint(value: Any) -> int | None:
    """An int that fits a 64-bit column; anything else (a 20-digit "id" included) is None."""
    number = lenient_int(value)
    return number if number is not None and _INT64[0] <= number <= _INT64[1] else None


_COERCE: dict[str, Callable[[Any], Any]] = {
    "text": _text,
    "timestamp": parse_utc,
    "date": _date,
    "bool": _bool,
    "double": _double,
    "bigint": _bigint,
    "json": _json,
}


def column_array(values: Sequence[Any], kind: TKind) -> pa.Array:
    """An Arrow array of `kind`; fast path first, per-value coercion when the vendor surprises."""
    if kind == "json":
        # orjson's bytes are UTF-8: Arrow takes them as strings without a `decode` per value.
        dumps = orjson.dumps
        return pa.array([None if v is None else dumps(v) for v in values], pa.string())
    try:
        if kind == "timestamp":
            return pa.array(values, pa.string()).cast(_UTC)
        if kind == "date":
            return pa.array(values, pa.string()).cast(pa.date32())
        return pa.array(values, _ARROW[kind])
    except (
        pa.ArrowInvalid,
        pa.ArrowTypeError,
        pa.ArrowNotImplementedError,
        TypeError,
        OverflowError,  # an integer past 64 bits (orjson decodes up to 2**64 - 1)
    ):
        coerce = _COERCE[kind]
        return pa.array([coerce(v) for v in values], _ARROW[kind])


def records_table(
    rows: Sequence[Mapping[str, Any]],
    columns: TColumns,
    *,
    embedded: frozenset[str] = frozenset(),
    computed: Mapping[str, Sequence[Any]] | None = None,
    not_null: Iterable[str] = ("id",),
) -> pa.Table:
    """Arrow table of `rows` with exactly `columns`; unknown fields go to `extra_fields`."""
    computed = computed or {}
    names = [name for name, _ in columns]
    known = frozenset(names) | embedded
    read = [name for name in names if name not in computed and name != "extra_fields"]
    by_name = dict(zip(read, _read_columns(rows, read), strict=True))
    arrays = []
    for name, kind in columns:
        if name in computed:
            values: Sequence[Any] = computed[name]
        elif name == "extra_fields":
            values = _extras(rows, known)
        else:
            values = by_name[name]
        arrays.append(column_array(values, kind))
    return pa.Table.from_arrays(arrays, schema=arrow_schema(columns, not_null))


def _read_columns(rows: Sequence[Mapping[str, Any]], names: Sequence[str]) -> list[Sequence[Any]]:
    """The values of `names`, one sequence per name.

    Read row by row (one `itemgetter` call per row, then one transpose): a page's dicts are
    visited once each instead of once per column, several times faster on wide tables.
    """
    if not rows or not names:
        return [[None] * len(rows) for _ in names]
    getter = operator.itemgetter(*names)
    try:
        values = [getter(row) for row in rows]
    except (KeyError, TypeError):  # a field missing in some row: the slow, lenient way
        values = [tuple(row.get(name) for name in names) for row in rows]
    if len(names) == 1:
        return [values]
    return list(zip(*values, strict=True)) if values else [[] for _ in names]


def _extras(rows: Sequence[Mapping[str, Any]], known: frozenset[str]) -> Sequence[Any]:
    """Each row's unknown fields (None where it has none).

    The union of the rows' keys is taken first, in one C-level pass. Rows of one shape (the
    usual case: a vendor's page) then cost one `itemgetter` call each instead of a set
    difference, a sort and a dict comprehension; a row lacking one of the fields falls back
    to the row-by-row way, with the same result."""
    try:
        unknown = sorted(set().union(*rows) - known)
    except TypeError:  # not all mappings iterate as keys
        return [_extra(row, known) for row in rows]
    if not unknown:
        return [None] * len(rows)
    getter = operator.itemgetter(*unknown)
    try:
        if len(unknown) == 1:
            return [{unknown[0]: getter(row)} for row in rows]
        return [dict(zip(unknown, getter(row), strict=False)) for row in rows]
    except (KeyError, TypeError):
        return [_extra(row, known) for row in rows]


def _extra(row: Mapping[str, Any], known: frozenset[str]) -> dict[str, Any] | None:
    extra = row.keys() - known
    if not extra:
        return None
    return {key: row[key] for key in sorted(extra)}
