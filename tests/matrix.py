"""Vendor x warehouse matrices: every vendor on DuckDB, PostgreSQL once per test function.

What PostgreSQL adds to a vendor's extract or push is the warehouse layer (dlt's `postgres`
destination, the dataset's binding, the ledger's tables), and that layer is the same for every
vendor. So a test parametrised over vendors and warehouses runs every vendor on DuckDB and one
vendor on PostgreSQL, the one the test names; the tests name different vendors, so every vendor
still meets PostgreSQL somewhere (`tests/mirror/test_mirror_drills.py`: Saleshandy's changes
during scans, Reply's killed extract; `tests/lake/test_lake_mirror.py`: Apollo's two extracts).
The pushes killed at each crash point follow the same rule by file: Apollo's on both warehouses
(`tests/sink/test_crash_and_cli.py`), Saleshandy's and Reply's on DuckDB, their exit codes on both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pytest

__all__ = ["on_warehouses"]


def on_warehouses(
    vendors: Iterable[str], postgres: str, every: Sequence[str] = ("duckdb",)
) -> list[Any]:
    """`(vendor, warehouse)` parameters: each vendor on each warehouse of `every` (those a test
    keeps whole: DuckDB, or the lake's destinations), then the vendor `postgres` on PostgreSQL
    (marked `postgres`). Ids read `VENDOR-WAREHOUSE`."""
    names = list(vendors)
    if postgres not in names:
        raise ValueError(f"{postgres!r} is not one of the vendors {names}")
    params = [pytest.param(v, w, id=f"{v}-{w}") for w in every for v in names]
    params.append(
        pytest.param(postgres, "postgres", id=f"{postgres}-postgres", marks=pytest.mark.postgres)
    )
    return params
