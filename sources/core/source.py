"""The dlt source class every vendor's tasks source is made of (`@dlt.source(_impl_cls=...)`).

Each vendor's tables are transformers fed by one scan of the vendor's task list (one resource,
not selected, so it is not a table itself): one walk over the pages fills `tasks`, the records
embedded in them and the run's report together. dlt's `add_limit` skips transformers ("they
should process all the data they receive"), so on a plain `DltSource` `add_limit(3)` limited
nothing and loaded every task. `TaskSource.add_limit` puts the limit where dlt users expect it:
on the scan that feeds the selected tables, so `add_limit(3)` reads three items (pages) of the
vendor's list, and on every selected resource that is not a transformer. A limited source also
asks its scan for one batch per page (`per_page_batches`): unlimited, a scan hands dlt a batch
every few thousand tasks (cheaper per row), which `add_limit(3)` would count as "3".

A limited run stops its scan early, so it is never proved complete: it loads what it read and
its run report (if written) says incomplete; nothing is deleted on the word of a partial read.
"""

from __future__ import annotations

from typing import Any

import dlt
from dlt.extract.items_transform import LimitItem
from dlt.extract.source import DltSource

__all__ = ["PageLimit", "TaskSource", "per_page_batches"]


class PageLimit(LimitItem):
    """dlt's `LimitItem` counting only the scan's task batches (items with `tasks`).

    A scan also yields what is not a page of tasks (a vendor's team users first, the run report
    last); those pass uncounted until the limit is reached, so `add_limit(2)` is two pages.
    """

    def __call__(self, item: Any, meta: Any = None) -> Any:
        if item is not None and not self.exhausted and not hasattr(item, "tasks"):
            return item
        return super().__call__(item, meta)


class TaskSource(DltSource):
    """A `DltSource` whose `add_limit` limits the shared scan behind its transformer tables."""

    # Set by `add_limit`: the scan yields a batch per page, so a limit counts pages.
    limited: bool = False

    def clone(self, with_name: str | None = None) -> TaskSource:
        """A deep copy that stays a `TaskSource` (dlt's makes a plain `DltSource`, so
        `source.with_resources("tasks").add_limit(2)` would limit nothing)."""
        copy = TaskSource(
            self.schema.clone(with_name=with_name),  # type: ignore[arg-type]  # dlt allows None
            self.section,
            list(self._resources.values()),
        )
        copy.limited = self.limited
        return copy

    def add_limit(
        self,
        max_items: int | None = None,
        max_time: float | None = None,
        count_rows: bool | None = False,
    ) -> TaskSource:
        """Limit the items read by every selected table: by yields (pages), time or rows.

        Args:
            max_items: yields of each root resource (a page of the vendor's list, or one
                table of a plain resource); None for no limit.
            max_time: seconds each root resource may run after it opened.
            count_rows: count rows instead of yields (a page is never cut).
        """
        self.limited = max_items is not None or max_time is not None
        roots: dict[int, Any] = {}
        for resource in self.resources.selected.values():
            if not resource.is_transformer:
                resource.add_limit(max_items, max_time=max_time, count_rows=count_rows)
                continue
            pipe = resource._pipe
            while pipe.parent is not None:
                pipe = pipe.parent
            roots[id(pipe)] = pipe
        for pipe in roots.values():
            pipe.remove_by_type(LimitItem)
            pipe.append_step(PageLimit(max_items, max_time=max_time, count_rows=bool(count_rows)))
        return self


def per_page_batches() -> dict[str, Any]:
    """The scan's options while dlt extracts the current source: `{"batch_rows": 1}` (a batch
    per page) when that source was limited (`TaskSource.add_limit`), else none.

    Called inside a resource, when the pipeline runs it (dlt's current source is known then).
    """
    try:
        source = dlt.current.source()
    except Exception:  # noqa: BLE001 - run outside a pipeline (a test iterating the resource)
        return {}
    return {"batch_rows": 1} if getattr(source, "limited", False) else {}
