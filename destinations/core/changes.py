"""What a vendor supplies to change tasks it already holds (update, complete, skip, cancel).

The push creates tasks through a `TaskVendor` (`vendor.py`); `--mode upsert` and `--mode mirror`
also change delivered tasks. The vendor-neutral planner decides which delivered tasks change and
how (in the shared vocabulary); a vendor module (`destinations/<vendor>/changes.py`) holds one
`ChangeVendor` that turns those changes into the vendor's cheapest documented calls (batched where
the vendor offers a batch call) and reads tasks back by id.

Kinds, in the shared vocabulary:
- `update`: some of `due_at` (aware datetime), `note`, `priority`, `owner` change on an open task;
- `complete`, `skip`: the task is closed as done or skipped;
- `cancel`: the task is withdrawn (a vendor without "cancel" may map it to its skip).

A vendor that cannot do a change says why (`unsupported`); the row is then rejected with that
reason, never sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

ChangeKind = Literal["update", "complete", "skip", "cancel"]
CHANGE_KINDS: tuple[ChangeKind, ...] = ("update", "complete", "skip", "cancel")

# What a change's call did, as far as the vendor's answer tells:
# - applied: the vendor answered that it made the change;
# - already: the task was already in the asked state (e.g. a vendor's "already completed"
#   answer): counts as done;
# - gone: the task no longer exists in the vendor (a "deleted" answer, a 404);
# - rejected: the vendor refused the change for a reason that will not go away by resending;
# - unknown: the answer was lost (timeout, dropped connection, 5xx): read the task back before
#   anything is sent again.
ChangeState = Literal["applied", "already", "gone", "rejected", "unknown"]


@dataclass(frozen=True)
class TaskChange:
    """One change to one delivered task."""

    request_id: str  # the input row's request_id (the ledger's key)
    task_id: str  # the vendor's task id, as text
    kind: ChangeKind
    fields: Mapping[str, Any] = field(default_factory=dict)  # for `update`: the new values


@dataclass(frozen=True)
class ChangeResult:
    """What one change's call did (see `ChangeState`)."""

    request_id: str
    state: ChangeState
    reason: str = ""  # the vendor's words for rejected/unknown/gone


@dataclass(frozen=True)
class TaskSnapshot:
    """A task as the vendor holds it now, in the shared vocabulary (for read-back and for
    noticing that a person changed it since we last wrote it)."""

    task_id: str
    status: str  # open | completed | skipped | cancelled
    due_at: Any = None
    note: str | None = None
    priority: str | None = None
    owner: str | None = None


class ChangeVendor(Protocol):
    """What a vendor module provides to change delivered tasks."""

    max_per_call: int  # the most changes one call may carry (1 when the vendor has no batch)

    def unsupported(self, change: TaskChange) -> str | None:
        """Why the vendor cannot make this change (None when it can), for a per-row rejection."""
        ...

    def apply(self, changes: Sequence[TaskChange]) -> list[ChangeResult]:
        """Make the changes with the fewest documented calls; one result per change.

        Raises the shared error tree (`sales_tasks.clients.core.errors`) only for what stops the
        run (401/403); a call whose answer was lost gives `unknown` for its changes.
        """
        ...

    def read(self, task_ids: Sequence[str]) -> dict[str, TaskSnapshot | None]:
        """The tasks as the vendor holds them now; None for a task the vendor no longer has."""
        ...


def refuse_unsupported(
    vendor: ChangeVendor, changes: Sequence[TaskChange]
) -> tuple[list[TaskChange], dict[int, ChangeResult]]:
    """The changes `vendor` can make, and a rejection (by `id(change)`) for each it cannot:
    what `unsupported` refuses is refused in `apply` too, never sent."""
    sendable: list[TaskChange] = []
    refused: dict[int, ChangeResult] = {}
    for change in changes:
        reason = vendor.unsupported(change)
        if reason is None:
            sendable.append(change)
        else:
            refused[id(change)] = ChangeResult(change.request_id, "rejected", reason)
    return sendable, refused
