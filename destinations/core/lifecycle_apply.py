"""Changes to delivered tasks, each made exactly once (the applier of `--mode upsert|mirror`).

Per round of calls (a call carries at most `ChangeVendor.max_per_call` changes, of one kind):

1. the round's changes are committed to the change ledger as `changing`, with the new version
   (`change_ledger.py`), before the call goes out;
2. the vendor's answer is committed after it: `applied` and `already` (the task was already in
   the asked state) are `changed`, and the values written move on; `rejected` and `gone` are
   recorded with the reason; `unknown` (the answer was lost) stays `changing`;
3. changes whose outcome is unknown are settled by reading their tasks back by id
   (`ChangeVendor.read`): a task that shows the asked state or values is done; one that does not
   is sent again (up to `max_attempts` sends per change and run); a task that is gone is recorded
   gone.

A crash anywhere leaves at most the changes of the calls in flight `changing`; the next run's
`settle` reads them back before it plans, so a change is never made twice nor skipped: a change
the vendor made is recorded done, one it did not make goes back to what was written and is planned
again from the input. `on_checkpoint` is called with each of `CHECKPOINTS` as every call passes
it (the drills crash there).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sales_tasks.destinations.core.change_ledger import (
    CHANGED,
    CHANGING,
    GONE,
    REJECTED,
    ChangeEntry,
    ChangeLedger,
)
from sales_tasks.destinations.core.changes import ChangeResult, ChangeVendor, TaskSnapshot
from sales_tasks.destinations.core.lifecycle import (
    CLOSES,
    KIND_STATUS,
    PlannedChange,
    same,
    snapshot_values,
)

CHECKPOINTS = ("recorded", "answered")


def shows(change: PlannedChange, snapshot: TaskSnapshot | None) -> bool:
    """Whether a task read back shows `change` made (a cancel the vendor maps to its skip
    shows as skipped; a close of a task that is gone is done)."""
    if snapshot is None:
        return change.kind == "cancel"
    if change.kind in CLOSES:
        wanted = {KIND_STATUS[change.kind]}
        if change.kind == "cancel":
            wanted.add(KIND_STATUS["skip"])
        return snapshot.status in wanted
    now = snapshot_values(snapshot)
    return all(same(name, value, now.get(name)) for name, value in change.fields.items())


@dataclass
class ApplyReport:
    """What the applier did, by request_id."""

    done: dict[str, str] = field(default_factory=dict)  # request_id -> kind
    already: list[str] = field(default_factory=list)  # the vendor already had it
    rejected: dict[str, str] = field(default_factory=dict)
    gone: list[str] = field(default_factory=list)
    unsettled: dict[str, str] = field(default_factory=dict)  # still `changing`: why
    settled: dict[str, str] = field(default_factory=dict)  # leftovers: request_id -> decision
    calls: int = 0  # change calls made
    reads: int = 0  # tasks read back to settle


class ChangeApplier:
    """Makes planned changes through a `ChangeVendor`, recording each before and after."""

    def __init__(
        self,
        vendor: ChangeVendor,
        ledger: ChangeLedger,
        *,
        run_id: str,
        max_attempts: int = 3,
        on_checkpoint: Callable[[str], None] | None = None,
    ) -> None:
        self.vendor, self.ledger, self.run_id = vendor, ledger, run_id
        self.max_attempts = max(1, max_attempts)
        self.on_checkpoint = on_checkpoint or (lambda point: None)
        self.report = ApplyReport()

    # --- leftovers of an earlier run -----------------------------------------------------------

    def settle(self, known: Mapping[str, ChangeEntry]) -> dict[str, ChangeEntry]:
        """Read back the tasks of changes an earlier run left `changing`, and record what they
        show; returns the change ledger afterwards."""
        leftovers = [e for e in known.values() if e.state == CHANGING]
        if not leftovers:
            return dict(known)
        read = self.vendor.read([e.task_id for e in leftovers])
        self.report.reads += len(leftovers)
        outcomes = []
        for entry in leftovers:
            change = PlannedChange(
                entry.request_id,
                entry.kind or "update",
                entry.fields,
                entry.target_hash or "",
                entry.version,
                entry.task_id,
                base=entry.written,
            )
            snapshot = read.get(entry.task_id)
            if shows(change, snapshot):
                decision, state = "done", CHANGED
                values: dict[str, Any] = {"written": change.written_after()}
                if change.row_hash:
                    values["row_hash"] = change.row_hash
            elif snapshot is None:
                decision, state, values = "gone", GONE, {"error": "the task no longer exists"}
            else:
                # Not made: back to what was written; the plan asks for it again if still wanted.
                decision, state = "not made", CHANGED
                values = {"error": "an interrupted change was not made; planned again"}
            self.report.settled[entry.request_id] = decision
            outcomes.append((entry.request_id, state, values))
        self.ledger.record_outcomes(outcomes)
        return self.ledger.all()

    # --- this run's changes ----------------------------------------------------------------------

    def apply(self, changes: Sequence[PlannedChange]) -> ApplyReport:
        """Make `changes` (a plan's lines other than creates), exactly once each."""
        pending = list(changes)
        versions = {c.request_id: c.version for c in changes}
        for attempt in range(1, self.max_attempts + 1):
            unknown = self._send(pending, versions)
            if not unknown:
                break
            pending = self._read_back(unknown, last=attempt == self.max_attempts)
        return self.report

    def _rounds(self, changes: Sequence[PlannedChange]) -> list[list[PlannedChange]]:
        size = max(1, int(self.vendor.max_per_call))
        by_kind: dict[str, list[PlannedChange]] = {}
        for change in changes:
            by_kind.setdefault(change.kind, []).append(change)
        return [
            group[start : start + size]
            for group in by_kind.values()
            for start in range(0, len(group), size)
        ]

    def _send(
        self, changes: Sequence[PlannedChange], versions: dict[str, int]
    ) -> list[PlannedChange]:
        unknown: list[PlannedChange] = []
        for chunk in self._rounds(changes):
            for change in chunk:
                versions[change.request_id] += 1
            self.ledger.record_changing(
                [
                    (
                        c.request_id,
                        str(c.task_id),
                        versions[c.request_id],
                        c.kind,
                        c.fields,
                        c.row_hash,
                    )
                    for c in chunk
                ],
                run_id=self.run_id,
            )
            self.on_checkpoint("recorded")
            self.report.calls += 1
            results = self.vendor.apply([c.task_change() for c in chunk])
            self.on_checkpoint("answered")
            unknown += self._record(chunk, results)
        return unknown

    def _record(
        self, chunk: Sequence[PlannedChange], results: Sequence[ChangeResult]
    ) -> list[PlannedChange]:
        by_id = {r.request_id: r for r in results}
        outcomes: list[tuple[str, str, dict[str, Any]]] = []
        unknown = []
        for change in chunk:
            result = by_id.get(change.request_id)
            state = result.state if result is not None else "unknown"
            reason = result.reason if result is not None else "the vendor's answer named no result"
            if state in ("applied", "already"):
                self.report.done[change.request_id] = change.kind
                if state == "already":
                    self.report.already.append(change.request_id)
                outcomes.append(self._done(change))
            elif state == "rejected":
                self.report.rejected[change.request_id] = reason
                outcomes.append(
                    (change.request_id, REJECTED, {"error": reason, "row_hash": change.row_hash})
                )
            elif state == "gone":
                self.report.gone.append(change.request_id)
                outcomes.append((change.request_id, GONE, {"error": reason or "gone"}))
            else:
                self.report.unsettled[change.request_id] = reason or "the answer was lost"
                unknown.append(change)
        self.ledger.record_outcomes(outcomes)
        return unknown

    def _done(self, change: PlannedChange) -> tuple[str, str, dict[str, Any]]:
        values: dict[str, Any] = {"written": change.written_after()}
        if change.row_hash:
            values["row_hash"] = change.row_hash
        return (change.request_id, CHANGED, values)

    def _read_back(self, unknown: list[PlannedChange], *, last: bool) -> list[PlannedChange]:
        """Settle lost answers by reading the tasks: done, gone, or to send again."""
        read = self.vendor.read([str(c.task_id) for c in unknown])
        self.report.reads += len(unknown)
        outcomes, again = [], []
        for change in unknown:
            snapshot = read.get(str(change.task_id))
            if shows(change, snapshot):
                self.report.unsettled.pop(change.request_id, None)
                self.report.done[change.request_id] = change.kind
                outcomes.append(self._done(change))
            elif snapshot is None:
                self.report.unsettled.pop(change.request_id, None)
                self.report.gone.append(change.request_id)
                outcomes.append((change.request_id, GONE, {"error": "the task no longer exists"}))
            elif not last:
                self.report.unsettled.pop(change.request_id, None)
                again.append(change)
        self.ledger.record_outcomes(outcomes)
        return again
