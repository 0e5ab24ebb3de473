"""What one push run decided for each input row, written by the engine and its collaborators.

The engine (`engine.py`) triages rows, its `Sender` (`sending.py`) records the answers of the
calls and its `Reconciler` (`reconcile.py`) the decisions about lost answers; all three write
here, on the run's coordinating thread only, and the summary reads it. An outcome is one of
`OUTCOME_KINDS`; a row without one was not processed (the run stopped before it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sales_tasks.destinations.core.contract import TTaskRow
from sales_tasks.destinations.core.ledger import NEEDS_REVIEW, REJECTED

CREATED = "created"
ALREADY_DELIVERED = "already_delivered"
WOULD_CREATE = "would_create"
OUTCOME_KINDS = (CREATED, REJECTED, ALREADY_DELIVERED, NEEDS_REVIEW, WOULD_CREATE)


@dataclass
class RowOutcome:
    row: int
    request_id: str | None
    outcome: str  # one of OUTCOME_KINDS
    detail: str | None = None
    task_id: str | None = None
    changed: bool = False  # already delivered, but the row changed since


@dataclass
class RunOutcomes:
    """The outcome of every row of one run, the requests it created and the rows it had to send.

    Attributes:
        by_row: input row number -> its outcome (the last one recorded wins).
        created: request_ids this run created a task for (so a batch dlt hands over again reports
            them created, not already delivered).
        to_send: request_id -> row, for every row that needed a create call (the minimum number
            of calls in the summary is counted over these).
    """

    by_row: dict[int, RowOutcome] = field(default_factory=dict)
    created: set[str] = field(default_factory=set)
    to_send: dict[str, TTaskRow] = field(default_factory=dict)

    def record(self, row: int, request_id: str | None, outcome: str, **kw: Any) -> None:
        """Set the outcome of input row `row` (`kw`: the `RowOutcome` fields after `outcome`)."""
        self.by_row[row] = RowOutcome(row, request_id, outcome, **kw)

    def record_created(self, row: int | None, request_id: str, task_id: str) -> None:
        """`request_id` got task `task_id` from this run (`row` None: not in this input)."""
        self.created.add(request_id)
        if row is not None:
            self.record(row, request_id, CREATED, task_id=task_id)
