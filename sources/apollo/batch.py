"""Records kept by a task scan, turned into Arrow tables as they come and handed out in batches.

Why this shape (figures from `bench/extract_bench.py`, 100,000 tasks): a task decoded from
`POST /api/v1/tasks/search` is ~40 Python objects (its dict, the embedded contact, account and
phone numbers); holding 5,000 of them per batch cost ~75 MB of RSS and made every pass of the
cyclic garbage collector slower. Records are therefore converted every `convert_rows` tasks (a
few pages: large enough that Arrow's per-column call overhead does not matter) and dropped. dlt
gets one Arrow table per table every `batch_rows` tasks: its per-item cost is high (schema hints
are re-validated for every item of every table), but 50,000-task tables (100+ MB for tasks and
contacts, copied again while dlt writes them) set the peak RSS; 10,000 keeps both small.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from sales_tasks.sources.apollo.models import TFacetCount, TTask
from sales_tasks.sources.apollo.schema import (
    accounts_table,
    contacts_table,
    phone_numbers_table,
    tasks_table,
)

TABLES = ("tasks", "contacts", "accounts", "contact_phone_numbers")


@dataclass
class Batch:
    """New (not yet seen this run) records from some pages, as Arrow tables (None: no rows)."""

    tasks: pa.Table | None = None
    contacts: pa.Table | None = None
    accounts: pa.Table | None = None
    contact_phone_numbers: pa.Table | None = None
    facets: list[TFacetCount] | None = None
    # The contacts read with their whole `phone_numbers` list (empty or not): their numbers in
    # `contact_phone_numbers` are all they have now.
    phone_owners: list[str] | None = None


class BatchBuilder:
    """Collects records, converts them every `convert_rows` tasks, hands out `Batch`es.

    Args:
        batch_rows: tasks per `Batch` handed to dlt (bounds memory: Arrow, ~1 KB per task).
        convert_rows: tasks held as Python dicts before conversion to Arrow.
    """

    def __init__(self, batch_rows: int = 10_000, convert_rows: int = 2_000) -> None:
        self.batch_rows = max(1, batch_rows)
        self.convert_rows = max(1, convert_rows)
        self.facets: list[TFacetCount] | None = None
        self._tasks: list[TTask] = []
        self._contacts: list[dict[str, Any]] = []
        self._accounts: list[dict[str, Any]] = []
        self._tables: dict[str, list[pa.Table]] = {name: [] for name in TABLES}
        self._phone_owners: list[str] = []
        self._converted = 0

    def add(
        self, tasks: list[TTask], contacts: list[dict[str, Any]], accounts: list[dict[str, Any]]
    ) -> None:
        self._tasks.extend(tasks)
        self._contacts.extend(contacts)
        self._accounts.extend(accounts)
        if len(self._tasks) >= self.convert_rows:
            self._convert()

    @property
    def full(self) -> bool:
        return self._converted + len(self._tasks) >= self.batch_rows

    @property
    def empty(self) -> bool:
        return (
            self.facets is None
            and not (self._tasks or self._contacts or self._accounts)
            and not any(self._tables.values())
        )

    def take(self) -> Batch:
        """Everything collected so far as one `Batch`; the builder starts afresh."""
        self._convert()
        tables = {
            name: pa.concat_tables(parts) if parts else None for name, parts in self._tables.items()
        }
        batch = Batch(facets=self.facets, phone_owners=self._phone_owners or None, **tables)
        self.facets = None
        self._tables = {name: [] for name in TABLES}
        self._phone_owners = []
        self._converted = 0
        return batch

    def _convert(self) -> None:
        if self._tasks:
            self._tables["tasks"].append(tasks_table(self._tasks))
            self._converted += len(self._tasks)
            self._tasks = []
        if self._contacts:
            self._tables["contacts"].append(contacts_table(self._contacts))
            phones = phone_numbers_table(self._contacts)
            if phones.num_rows:
                self._tables["contact_phone_numbers"].append(phones)
            self._phone_owners.extend(
                str(c["id"])
                for c in self._contacts
                if c.get("id") is not None and isinstance(c.get("phone_numbers"), list)
            )
            self._contacts = []
        if self._accounts:
            self._tables["accounts"].append(accounts_table(self._accounts))
            self._accounts = []
